// Retokenizer (doc.retokenize()): merges and splits applied together, with heads, entities, sentence
// starts, offsets and CoNLL-U side data kept consistent; spaCy's expected answers written out.
#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "test_paths.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/doc/retokenizer.hpp"
#include "weft/doc/span.hpp"
#include "weft/doc/syntax.hpp"
#include "weft/doc/token.hpp"
#include "weft/error.hpp"
#include "weft/strings/utf8.hpp"

using namespace weft;

namespace {

std::shared_ptr<Vocab> vocab() { return std::make_shared<Vocab>("en"); }

// One CoNLL-U word line: LEMMA = FORM, XPOS = `xpos`.
std::string word(int id, const std::string& form, const std::string& upos, const std::string& xpos, int head,
                 const std::string& deprel, const std::string& misc = "_") {
  return std::to_string(id) + "\t" + form + "\t" + form + "\t" + upos + "\t" + xpos + "\t_\t" + std::to_string(head) +
         "\t" + deprel + "\t_\t" + misc + "\n";
}

Doc read_one(const std::string& text) {
  std::istringstream in(text);
  ConlluReader reader(in, vocab(), "test.conllu");
  auto doc = reader.next();
  REQUIRE(doc);
  REQUIRE_FALSE(reader.next());
  return std::move(*doc);
}

// "Dr. Jane Smith visited New York City on Monday ." with entities PERSON "Jane Smith", GPE "New York
// City", DATE "Monday".
Doc visited() {
  Doc d = read_one(word(1, "Dr.", "PROPN", "NNP", 3, "compound") + word(2, "Jane", "PROPN", "NNP", 3, "compound") +
                   word(3, "Smith", "PROPN", "NNP", 4, "nsubj") + word(4, "visited", "VERB", "VBD", 0, "root") +
                   word(5, "New", "PROPN", "NNP", 7, "compound") + word(6, "York", "PROPN", "NNP", 7, "compound") +
                   word(7, "City", "PROPN", "NNP", 4, "obj") + word(8, "on", "ADP", "IN", 9, "case") +
                   word(9, "Monday", "PROPN", "NNP", 4, "obl") + word(10, ".", "PUNCT", ".", 4, "punct") + "\n");
  const std::vector<Span> ents{Span(&d, 1, 3, d.intern("PERSON")), Span(&d, 4, 7, d.intern("GPE")),
                               Span(&d, 8, 9, d.intern("DATE"))};
  d.set_ents(ents);
  return d;
}

// Tokens 0-9: "The quick brown fox jumped over the lazy dog ." Tokens 10-19: "She is a doctor and likes
// cats and dogs ."
Doc two_sentences() {
  return read_one(word(1, "The", "DET", "DT", 4, "det") + word(2, "quick", "ADJ", "JJ", 4, "amod") +
                  word(3, "brown", "ADJ", "JJ", 4, "amod") + word(4, "fox", "NOUN", "NN", 5, "nsubj") +
                  word(5, "jumped", "VERB", "VBD", 0, "root") + word(6, "over", "ADP", "IN", 9, "case") +
                  word(7, "the", "DET", "DT", 9, "det") + word(8, "lazy", "ADJ", "JJ", 9, "amod") +
                  word(9, "dog", "NOUN", "NN", 5, "obl") + word(10, ".", "PUNCT", ".", 5, "punct") + "\n" +
                  word(1, "She", "PRON", "PRP", 4, "nsubj") + word(2, "is", "AUX", "VBZ", 4, "cop") +
                  word(3, "a", "DET", "DT", 4, "det") + word(4, "doctor", "NOUN", "NN", 0, "root") +
                  word(5, "and", "CCONJ", "CC", 6, "cc") + word(6, "likes", "VERB", "VBZ", 4, "conj") +
                  word(7, "cats", "NOUN", "NNS", 6, "obj") + word(8, "and", "CCONJ", "CC", 9, "cc") +
                  word(9, "dogs", "NOUN", "NNS", 7, "conj") + word(10, ".", "PUNCT", ".", 4, "punct") + "\n");
}

std::vector<std::string> texts(const Doc& d) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < d.size(); ++i) out.emplace_back(d.token_text(i));
  return out;
}

std::vector<std::size_t> heads(const Doc& d) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < d.size(); ++i) out.push_back(syntax::head_of(d, i));
  return out;
}

struct Ent {
  std::string text, label;
  std::size_t start, end;
  bool operator==(const Ent&) const = default;
};
std::vector<Ent> ents(const Doc& d) {
  std::vector<Ent> out;
  for (const Span& s : d.ents()) out.push_back({std::string(s.text()), std::string(s.label_()), s.start(), s.end()});
  return out;
}

// Every head offset lands inside the Doc, and following heads from any token reaches a root.
void check_tree(const Doc& d) {
  for (std::size_t i = 0; i < d.size(); ++i) {
    const auto target = static_cast<std::int64_t>(i) + d.data(i).head;
    REQUIRE(target >= 0);
    REQUIRE(target < static_cast<std::int64_t>(d.size()));
    std::size_t k = i, steps = 0;
    while (syntax::head_of(d, k) != k) {
      k = syntax::head_of(d, k);
      REQUIRE(++steps <= d.size());  // a cycle would run past the Doc's size
    }
  }
}

// Tokens are ordered, non-empty, inside the text and do not overlap.
void check_offsets(const Doc& d) {
  std::size_t prev_end = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const TokenData& t = d.data(i);
    REQUIRE(t.len > 0);
    REQUIRE(t.idx >= prev_end);
    REQUIRE(t.idx + t.len <= d.text().size());
    CHECK(t.orth == hash_string(d.token_text(i)));
    prev_end = t.idx + t.len;
  }
}

// The token of `d` holding byte `b` of the text.
std::size_t token_at(const Doc& d, std::size_t b) {
  const auto it = std::partition_point(d.tokens().begin(), d.tokens().end(),
                                       [&](const TokenData& t) { return t.idx <= b; });
  return static_cast<std::size_t>(it - d.tokens().begin()) - 1;
}

// Each span of `old` merged into `d` took syntax::span_root's dep, and its head is the token now holding
// the root's head.
void check_merged_roots(const Doc& old, const Doc& d, const std::vector<std::pair<std::size_t, std::size_t>>& spans) {
  for (const auto& [b, e] : spans) {
    const std::size_t root = syntax::span_root(old, b, e);
    const std::size_t now = token_at(d, old.data(b).idx);
    CHECK(d.data(now).idx == old.data(b).idx);
    CHECK(d.data(now).dep == old.data(root).dep);
    CHECK(syntax::head_of(d, now) == token_at(d, old.data(syntax::head_of(old, root)).idx));
  }
}

}  // namespace

TEST_CASE("retokenize: merges take the span root's head, dep, tag and entity, all at once") {
  Doc d = visited();
  const std::string text = d.text();
  Retokenizer r(d);
  r.merge(d.span(4, 7));  // requested out of order: indices refer to the Doc before retokenization
  r.merge(d.span(0, 3));
  CHECK(d.size() == 10);  // nothing happens before apply()
  CHECK(r.pending() == 2);
  r.apply();
  CHECK(r.pending() == 0);
  CHECK(d.text() == text);
  CHECK(texts(d) == std::vector<std::string>{"Dr. Jane Smith", "visited", "New York City", "on", "Monday", "."});
  CHECK(heads(d) == std::vector<std::size_t>{1, 1, 1, 4, 1, 1});
  CHECK(d[0].dep_() == "nsubj");
  CHECK(d[2].dep_() == "obj");
  CHECK(d[2].tag_() == "NNP");
  CHECK(d[2].pos() == UPOS::PROPN);
  CHECK(d[0].lemma_() == "Dr. Jane Smith");  // the lemmas joined as spaCy: a space where there was whitespace
  CHECK(d[2].norm_() == "new york city");     // no norm override: the merged text's lexeme
  CHECK(d[2].idx() == 23);
  CHECK(d[2].whitespace() == " ");
  CHECK(d[0].is_sent_start());
  CHECK(d[0].data().sent_start == 1);
  CHECK(d[2].data().sent_start == -1);
  // "Dr." was outside the PERSON entity; the root "Smith" was in it, so the merged token begins it.
  CHECK(ents(d) == std::vector<Ent>{{"Dr. Jane Smith", "PERSON", 0, 1},
                                    {"New York City", "GPE", 2, 3},
                                    {"Monday", "DATE", 4, 5}});
  check_tree(d);
  check_offsets(d);
}

TEST_CASE("retokenize: heads that pointed into a merged span point to the merged token") {
  // a b c d e: a -> c, b root, c -> b, d -> c, e -> d (e's head is inside the span but not its root).
  Doc d = Doc::from_words(vocab(), {"a", "b", "c", "d", "e"});
  const std::int32_t h[] = {2, 0, -1, -1, -1};
  for (std::size_t i = 0; i < 5; ++i) d.data(i).head = h[i];
  d.data(1).dep = d.intern("ROOT");
  Retokenizer r(d);
  r.merge(d.span(2, 4));
  r.apply();
  CHECK(texts(d) == std::vector<std::string>{"a", "b", "c d", "e"});
  CHECK(heads(d) == std::vector<std::size_t>{2, 1, 1, 2});
  check_tree(d);
}

TEST_CASE("retokenize: merged entities follow spaCy's IOB rules") {
  auto doc = [] {
    Doc d = Doc::from_words(vocab(), {"I", "live", "in", "New", "York", "City", "now"});
    const std::vector<Span> e{Span(&d, 3, 6, d.intern("GPE"))};
    d.set_ents(e);
    return d;
  };
  SUBCASE("a span starting inside an entity continues it (no parse: the first token is the root)") {
    Doc d = doc();
    Retokenizer r(d);
    r.merge(d.span(4, 7));
    r.apply();
    CHECK(ents(d) == std::vector<Ent>{{"New York City now", "GPE", 3, 5}});
    CHECK(d[4].ent_iob_() == "I");
  }
  SUBCASE("a span whose root is outside: the rest of the entity begins anew") {
    Doc d = doc();
    Retokenizer r(d);
    r.merge(d.span(2, 4));
    r.apply();
    CHECK(d[2].text() == "in New");
    CHECK(d[2].ent_iob_() == "O");
    CHECK(ents(d) == std::vector<Ent>{{"York City", "GPE", 3, 5}});
  }
  SUBCASE("attrs set the entity; ENT_TYPE alone on a token outside entities begins one") {
    Doc d = doc();
    Retokenizer r(d);
    TokenAttrs now;
    now.ent_type = "DATE";
    r.merge(d.span(6, 7), now);
    TokenAttrs in_live;
    in_live.set(Attr::ENT_TYPE, "X");
    in_live.set(Attr::ENT_IOB, "B");
    r.merge(d.span(1, 3), in_live);
    r.apply();
    CHECK(ents(d) == std::vector<Ent>{{"live in", "X", 1, 2}, {"New York City", "GPE", 2, 5}, {"now", "DATE", 5, 6}});
  }
  SUBCASE("ENT_TYPE \"\" takes the token out of its entity; the next token begins a new one") {
    Doc d = doc();
    Retokenizer r(d);
    TokenAttrs none;
    none.ent_type = "";
    r.merge(d.span(3, 4), none);
    r.apply();
    CHECK(d[3].ent_iob_() == "O");
    CHECK(d[3].ent_type() == 0);
    CHECK(ents(d) == std::vector<Ent>{{"York City", "GPE", 4, 6}});
  }
}

TEST_CASE("retokenize: merge attrs override the defaults") {
  Doc d = Doc::from_words(vocab(), {"I", "live", "in", "New", "York"});
  Retokenizer r(d);
  TokenAttrs a;
  a.set(Attr::LEMMA, "new york");
  a.set(Attr::TAG, "NNP");
  a.set(Attr::POS, "PROPN");
  a.set(Attr::MORPH, "Number=Sing|Foreign=Yes");  // canonical order: features sorted
  a.set(Attr::DEP, "pobj");
  a.set(Attr::NORM, "NYC");
  r.merge(d.span(3, 5), a);
  r.apply();
  REQUIRE(d.size() == 4);
  CHECK(d[3].text() == "New York");
  CHECK(d[3].lemma_() == "new york");
  CHECK(d[3].tag_() == "NNP");
  CHECK(d[3].pos_() == "PROPN");
  CHECK(d[3].morph_() == "Foreign=Yes|Number=Sing");
  CHECK(d[3].dep_() == "pobj");
  CHECK(d[3].norm_() == "NYC");
  TokenAttrs bad;
  CHECK_THROWS_AS(bad.set(Attr::HEAD, "1"), ValueError);
  CHECK_THROWS_AS(bad.set(Attr::LOWER, "x"), ValueError);
  CHECK_THROWS_AS(bad.set(Attr::SPACY, "1"), ValueError);
  CHECK_THROWS_AS(bad.set(Attr::POS, "NOPE"), ValueError);
  CHECK_THROWS_AS(bad.set(Attr::ENT_IOB, "X"), ValueError);
  bad.morph = "Number";
  CHECK_THROWS_AS(r.merge(d.span(0, 2), bad), ValueError);
  CHECK(r.pending() == 0);
}

TEST_CASE("retokenize: sentence starts are kept") {
  Doc d = two_sentences();
  Retokenizer r(d);
  r.merge(d.span(8, 10));   // "dog ." at the end of the first sentence
  r.merge(d.span(10, 12));  // "She is" begins the second
  r.merge(d.span(0, 2));    // "The quick" begins the first
  r.apply();
  REQUIRE(d.size() == 17);
  const auto sents = d.sents();
  REQUIRE(sents.size() == 2);
  CHECK(sents[0].start() == 0);
  CHECK(sents[0].end() == 8);
  CHECK(sents[1].text() == "She is a doctor and likes cats and dogs .");
  CHECK(d[8].text() == "She is");
  CHECK(d[8].data().sent_start == 1);
  CHECK(d[8].dep_() == "nsubj");
  CHECK(syntax::head_of(d, 8) == 10);  // -> "doctor"
  CHECK(d[7].text() == "dog .");
  CHECK(d[7].dep_() == "obl");  // the root of "dog ." is "dog" (punctuation without children loses)
  CHECK(syntax::head_of(d, 7) == 3);
  check_tree(d);
}

TEST_CASE("retokenize: bad merges are rejected and leave the Doc unchanged") {
  Doc d = visited();
  const std::vector<std::string> before = texts(d);
  Retokenizer r(d);
  r.merge(d.span(0, 3));
  CHECK_THROWS_WITH_AS(r.merge(d.span(2, 4)), doctest::Contains("overlapping"), ValueError);
  CHECK_THROWS_AS(r.merge(d.span(1, 2)), ValueError);
  CHECK_THROWS_AS(r.merge(d.span(5, 5)), ValueError);
  CHECK_THROWS_AS(r.merge(9, 11), IndexError);
  CHECK_THROWS_AS(r.split(1, {"Ja", "ne"}, {{1, 1}, {2, 0}}), ValueError);  // a merged token cannot be split
  r.merge(d.span(0, 3));  // the same span again: merged once, as spaCy
  CHECK(r.pending() == 1);
  Doc other = visited();
  CHECK_THROWS_AS(r.merge(other.span(5, 7)), ValueError);
  CHECK(texts(d) == before);
  r.apply();
  CHECK(d.size() == 8);
  CHECK(d[0].text() == "Dr. Jane Smith");
  // A head cycle (only a hand-made Doc has one) makes the span root undefined: ValueError, as Span.root.
  Doc c = Doc::from_words(vocab(), {"a", "b", "c"});
  c.data(0).head = 1;
  c.data(1).head = -1;
  Retokenizer rc(c);
  rc.merge(c.span(1, 2));  // "b" -> "a" -> "b"
  CHECK_THROWS_WITH_AS(rc.apply(), doctest::Contains("cycle"), ValueError);
  CHECK(c.size() == 3);
}

TEST_CASE("retokenize: split into subtokens with heads inside and outside (spaCy's NewYork example)") {
  // I live in NewYork now: in -> NewYork (case), NewYork -> live (obl).
  Doc d = read_one(word(1, "I", "PRON", "PRP", 2, "nsubj") + word(2, "live", "VERB", "VBP", 0, "root") +
                   word(3, "in", "ADP", "IN", 4, "case") + word(4, "NewYork", "PROPN", "NNP", 2, "obl") +
                   word(5, "now", "ADV", "RB", 2, "advmod", "SpaceAfter=No") + "\n");
  const std::vector<Span> e{Span(&d, 3, 4, d.intern("GPE"))};
  d.set_ents(e);
  const std::string text = d.text();
  Retokenizer r(d);
  std::vector<TokenAttrs> attrs(2);
  attrs[0].set(Attr::DEP, "compound");
  attrs[1].set(Attr::DEP, "obl");
  attrs[0].set(Attr::POS, "PROPN");
  attrs[1].set(Attr::POS, "PROPN");
  r.split(d[3], {"New", "York"}, {{3, 1}, {1, 0}}, attrs);
  CHECK(d.size() == 5);
  r.apply();
  CHECK(d.text() == text);
  CHECK(texts(d) == std::vector<std::string>{"I", "live", "in", "New", "York", "now"});
  CHECK(heads(d) == std::vector<std::size_t>{1, 1, 3, 4, 1, 1});  // "in" pointed to NewYork: now its first piece
  CHECK(d[3].dep_() == "compound");
  CHECK(d[4].dep_() == "obl");
  CHECK(d[3].tag_() == "NNP");  // inherited
  CHECK(d[4].tag_() == "NNP");
  CHECK(d[3].lemma_() == "New");  // a set lemma becomes the piece's text
  CHECK(d[4].lemma_() == "York");
  CHECK(d[3].data().idx == 10);
  CHECK(d[4].data().idx == 13);
  CHECK(d[3].whitespace() == "");
  CHECK(d[4].whitespace() == " ");
  CHECK(d[4].data().sent_start == -1);
  CHECK(ents(d) == std::vector<Ent>{{"NewYork", "GPE", 3, 5}});
  CHECK(d[4].ent_iob_() == "I");
  check_tree(d);
  check_offsets(d);
}

TEST_CASE("retokenize: split attrs and heads to other split tokens") {
  Doc d = Doc::from_words(vocab(), {"ab", "cd", "e"});
  d.data(0).head = 2;
  d.data(1).head = 1;
  d.data(2).dep = d.intern("ROOT");
  Retokenizer r(d);
  // a -> d, b -> a; c -> e, d -> c: heads name pieces of another split token.
  r.split(1, {"c", "d"}, {{2, 0}, {1, 0}});
  r.split(0, {"a", "b"}, {{1, 1}, {0, 0}});
  r.apply();
  CHECK(texts(d) == std::vector<std::string>{"a", "b", "c", "d", "e"});
  CHECK(heads(d) == std::vector<std::size_t>{3, 0, 4, 2, 4});
  check_tree(d);
  check_offsets(d);
}

TEST_CASE("retokenize: bad splits are rejected") {
  Doc d = Doc::from_words(vocab(), {"I", "live", "in", "NewYork"});
  Retokenizer r(d);
  CHECK_THROWS_WITH_AS(r.split(3, {"New", "Yrk"}, {{3, 1}, {2, 0}}), doctest::Contains("must match"), ValueError);
  CHECK_THROWS_AS(r.split(3, {"New", "York"}, {{3, 1}}), ValueError);
  CHECK_THROWS_AS(r.split(3, {"New", "", "York"}, {{3, 1}, {2, 0}, {2, 0}}), ValueError);
  CHECK_THROWS_AS(r.split(3, {"New", "York"}, {{3, 1}, {2, 0}}, std::vector<TokenAttrs>(3)), ValueError);
  CHECK_THROWS_AS(r.split(4, {"x"}, {{0, 0}}), IndexError);
  CHECK_THROWS_AS(r.split(3, {"New", "York"}, {{3, 1}, {7, 0}}), IndexError);
  CHECK(r.pending() == 0);
  r.split(3, {"New", "York"}, {{3, 2}, {2, 0}});  // subtoken 2 of a token split in two: found at apply
  CHECK_THROWS_AS(r.split(3, {"NewYork"}, {{3, 0}}), ValueError);  // split twice
  CHECK_THROWS_AS(r.merge(d.span(2, 4)), ValueError);               // split and merged
  CHECK_THROWS_AS(r.apply(), IndexError);
  CHECK(d.size() == 4);  // unchanged
  Retokenizer r2(d);
  r2.split(2, {"i", "n"}, {{2, 0}, {3, 1}});  // subtoken 1 of a token that is not split
  CHECK_THROWS_AS(r2.apply(), IndexError);
  Doc u(vocab(), "Straße");
  u.push_token(0, u.text().size());
  Retokenizer r3(u);
  const std::string s = "Stra\xC3", rest = "\x9F" "e";
  CHECK_THROWS_AS(r3.split(0, {s, rest}, {{0, 0}, {0, 0}}), ValueError);  // not on a character boundary
}

TEST_CASE("retokenize: merge and split in one batch") {
  // a b cd e: a -> b, b root, cd -> b, e -> cd.
  Doc d = Doc::from_words(vocab(), {"a", "b", "cd", "e"});
  d.data(0).head = 1;
  d.data(1).dep = d.intern("ROOT");
  d.data(2).head = -1;
  d.data(3).head = -1;
  Retokenizer r(d);
  r.split(2, {"c", "d"}, {{2, 1}, {1, 0}});  // d's head "b" is merged into "a b": the merged token
  r.merge(d.span(0, 2));
  r.apply();
  CHECK(texts(d) == std::vector<std::string>{"a b", "c", "d", "e"});
  CHECK(heads(d) == std::vector<std::size_t>{0, 2, 0, 1});
  check_tree(d);
  check_offsets(d);
}

TEST_CASE("retokenize: non-ASCII text keeps byte and code-point offsets right") {
  Doc d(vocab(), "São Paulo über Straßenbahn café");
  using Range = std::pair<std::size_t, std::size_t>;
  for (const auto& [b, e] : std::vector<Range>{{0, 4}, {5, 10}, {11, 16}, {17, 29}, {30, 35}}) d.push_token(b, e - b);
  REQUIRE(d[3].text() == "Straßenbahn");
  Retokenizer r(d);
  r.merge(d.span(0, 2));
  r.split(3, {"Straßen", "bahn"}, {{3, 1}, {3, 1}});
  r.apply();
  CHECK(texts(d) == std::vector<std::string>{"São Paulo", "über", "Straßen", "bahn", "café"});
  CHECK(d[0].length() == 9);
  CHECK(d[1].idx() == 10);  // code points
  CHECK(d[1].byte_idx() == 11);
  CHECK(d[2].idx() == 15);
  CHECK(d[3].idx() == 22);
  CHECK(d[3].byte_idx() == 25);
  CHECK(d[4].idx() == 27);
  CHECK(d.char_span(15, 26)->text() == "Straßenbahn");
  check_offsets(d);
}

TEST_CASE("retokenize: multi-word tokens and CoNLL-U side data follow the new indices") {
  const std::string text =
      "# sent_id = 1\n"
      "1\tI\tI\tPRON\t_\t_\t3\tnsubj\t3:nsubj\tTranslit=i\n"
      "2-3\tdidn't\t_\t_\t_\t_\t_\t_\t_\tTypo=Yes\n"
      "2\tdid\tdo\tAUX\t_\t_\t4\taux\t_\t_\n"
      "3\tn't\tnot\tPART\t_\t_\t4\tadvmod\t_\t_\n"
      "4\tgo\tgo\tVERB\t_\t_\t0\troot\t_\tSpaceAfter=No\n"
      "4.1\tgo\tgo\tVERB\t_\t_\t_\t_\t4:conj\t_\n"
      "5\t.\t.\tPUNCT\t_\t_\t4\tpunct\t_\t_\n\n"
      "# sent_id = 2\n"
      "1-2\tcan't\t_\t_\t_\t_\t_\t_\t_\tTypo=Yes\n"
      "1\tca\tcan\tAUX\t_\t_\t0\troot\t0:root\t_\n"
      "2\tn't\tnot\tPART\t_\t_\t1\tadvmod\t_\tGloss=not\n\n";
  SUBCASE("merging a whole multi-word token gives one plain token; the other sentence is re-keyed") {
    Doc d = read_one(text);
    REQUIRE(d.size() == 7);
    Retokenizer r(d);
    r.merge(d.span(1, 3));  // "didn't"
    r.apply();
    REQUIRE(d.size() == 6);
    CHECK(d[1].text() == "didn't");
    CHECK_FALSE(d[1].mwt_next());
    CHECK(d[1].lemma_() == "donot");  // spaCy's join: no whitespace between the words, no space
    CHECK(d[4].mwt_next());
    const DocExtras& ex = d.extras();
    CHECK(ex.mwt_fields.count(1) == 0);  // "didn't" is no multi-word token any more
    CHECK(ex.mwt_fields.at(4) == "_\t_\t_\t_\t_\t_\t_\tTypo=Yes");
    CHECK(ex.comments.at(4) == std::vector<std::string>{"# sent_id = 2"});
    CHECK(ex.misc.at(0) == "Translit=i");
    CHECK(ex.misc.at(5) == "Gloss=not");
    CHECK(ex.deps.count(0) == 0);  // sentence 1 changed: its DEPS and empty nodes name stale word ids
    CHECK(ex.empty_nodes.empty());
    CHECK(ex.deps.at(4) == "0:root");
    const std::string out = to_conllu(d);
    CHECK(out.find("2\tdidn't\tdonot\tAUX\t_\t_\t3\taux\t_\t_\n") != std::string::npos);
    CHECK(out.find("1-2\tcan't\t_\t_\t_\t_\t_\t_\t_\tTypo=Yes\n") != std::string::npos);
    const Doc back = read_one(out);
    CHECK(back.text() == d.text());
    CHECK(back.size() == 6);
  }
  SUBCASE("splitting a word of a multi-word token keeps its pieces inside it") {
    Doc d = read_one(text);
    Retokenizer r(d);
    r.split(5, {"c", "a"}, {{5, 1}, {5, 1}});
    r.apply();
    REQUIRE(d.size() == 8);
    CHECK(d[5].text() == "c");
    CHECK(d[5].mwt_next());
    CHECK(d[6].mwt_next());
    CHECK_FALSE(d[7].mwt_next());
    CHECK(d.extras().mwt_fields.at(5) == "_\t_\t_\t_\t_\t_\t_\tTypo=Yes");
    CHECK(d.extras().misc.at(7) == "Gloss=not");
    CHECK(d.extras().deps.count(5) == 0);
    CHECK(d.extras().deps.at(0) == "3:nsubj");  // sentence 1 unchanged
    CHECK(d.extras().empty_nodes.at(0).size() == 1);
    CHECK(to_conllu(d).find("1-3\tcan't\t") != std::string::npos);
  }
  SUBCASE("splitting a stand-alone token does not make a multi-word token") {
    Doc d = read_one(text);
    Retokenizer r(d);
    r.split(3, {"g", "o"}, {{3, 1}, {3, 1}});
    r.apply();
    CHECK_FALSE(d[3].mwt_next());
    CHECK_FALSE(d[4].mwt_next());
    CHECK(d[2].mwt_next() == false);
    CHECK(d[1].mwt_next());
  }
}

TEST_CASE("retokenize: merging every noun chunk of a parsed corpus keeps each tree a tree") {
  const auto docs = read_conllu_file(test::data_path("en_ewt/dev.conllu"), vocab());
  std::size_t merged = 0, split = 0;
  for (std::size_t k = 0; k < docs.size() && k < 40; ++k) {
    Doc d = docs[k];
    std::size_t roots = 0;
    for (std::size_t i = 0; i < d.size(); ++i) roots += d.data(i).head == 0;
    const std::size_t sents = d.sents().size();
    const std::size_t n = d.size();
    Retokenizer r(d);
    std::size_t removed = 0;
    std::vector<bool> used(n, false);
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (const Span& c : d.noun_chunks()) {
      if (c.size() < 2) continue;
      r.merge(c);
      spans.emplace_back(c.start(), c.end());
      removed += c.size() - 1;
      for (std::size_t i = c.start(); i < c.end(); ++i) used[i] = true;
    }
    // And split every other long token outside the chunks into its first byte and the rest (ASCII only),
    // the pieces chained left to right to the original's head.
    std::size_t added = 0;
    for (std::size_t i = 0; i < n; i += 2) {
      const std::string_view t = d.token_text(i);
      if (used[i] || t.size() < 4 || !utf8::is_ascii(t)) continue;
      const std::int32_t h = d.data(i).head;
      const Retokenizer::Head second =
          h == 0 ? Retokenizer::Head{i, 1}
                 : Retokenizer::Head{static_cast<std::size_t>(static_cast<std::int64_t>(i) + h), 0};
      r.split(i, {std::string(t.substr(0, 1)), std::string(t.substr(1))}, {{i, 1}, second});
      ++added;
    }
    merged += removed;
    split += added;
    r.apply();
    CHECK(d.size() == n - removed + added);
    check_tree(d);
    check_offsets(d);
    std::size_t roots_after = 0;
    for (std::size_t i = 0; i < d.size(); ++i) roots_after += d.data(i).head == 0;
    CHECK(roots_after == roots);  // a split root's first piece points to its second, which stays the root
    CHECK(d.sents().size() == sents);
    CHECK(d.text() == docs[k].text());
    CHECK_NOTHROW(to_conllu(d));
    check_merged_roots(docs[k], d, spans);
  }
  CHECK(merged > 100);
  CHECK(split > 100);
}

TEST_CASE("retokenize: merged windows of a parsed corpus take spaCy's span root") {
  const auto docs = read_conllu_file(test::data_path("en_ewt/dev.conllu"), vocab());
  std::size_t windows = 0;
  for (std::size_t k = 0; k < docs.size() && k < 40; ++k) {
    Doc d = docs[k];
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    Retokenizer r(d);
    for (std::size_t i = 0; i + 4 <= d.size(); i += 5) {
      const std::size_t len = 2 + (i / 5) % 3;  // windows of 2, 3 and 4 tokens inside one sentence
      bool one_sentence = true;
      for (std::size_t j = i + 1; j < i + len; ++j) one_sentence = one_sentence && d.data(j).sent_start != 1;
      if (!one_sentence) continue;
      r.merge(i, i + len);
      spans.emplace_back(i, i + len);
    }
    windows += spans.size();
    r.apply();
    check_tree(d);
    check_merged_roots(docs[k], d, spans);
  }
  CHECK(windows > 1000);
}

TEST_CASE("retokenize: nothing pending is a no-op and a Retokenizer can be reused") {
  Doc d = Doc::from_words(vocab(), {"a", "b", "c"});
  Retokenizer r(d);
  r.apply();
  CHECK(d.size() == 3);
  r.merge(d.span(0, 2));
  r.apply();
  CHECK(d.size() == 2);
  r.merge(d.span(0, 2));
  r.apply();
  CHECK(d.size() == 1);
  CHECK(d[0].text() == "a b c");
  Doc e = Doc::from_words(vocab(), {"x", "y", "z"});
  Retokenizer stale(e);
  stale.merge(e.span(0, 2));
  e.tokens().pop_back();  // the Doc changed under pending requests
  CHECK_THROWS_AS(stale.apply(), ValueError);
  CHECK(e.size() == 2);
}

TEST_CASE("retokenize: many requests on a long Doc are applied in one pass" * doctest::timeout(10)) {
  // 300k tokens "w000000 w000001 ...", a chain (each token heads the next); for every triple (i, i+1,
  // i+2): merge the first two, split the third into "w00" + the rest.
  const std::size_t n = 300000;
  std::vector<std::string> words;
  words.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    std::string digits = std::to_string(i);
    words.push_back("w" + std::string(6 - digits.size(), '0') + digits);
  }
  Doc d = Doc::from_words(vocab(), words);
  for (std::size_t i = 1; i < n; ++i) d.data(i).head = -1;
  Retokenizer r(d);
  for (std::size_t i = 0; i + 2 < n; i += 3) {
    r.merge(i, i + 2);
    const std::string& w = words[i + 2];
    r.split(i + 2, {w.substr(0, 3), w.substr(3)}, {{i + 1, 0}, {i + 2, 0}});
  }
  r.apply();  // about 0.05 s (Release); a per-span walk to the root made it 100 s on this chain
  REQUIRE(d.size() == n);  // per triple: one merged token and two pieces
  CHECK(d[3].text() == "w000003 w000004");
  CHECK(d[4].text() == "w00");
  CHECK(d[5].text() == "0005");
  CHECK(d[n - 1].text() == "9999");
  CHECK(d.data(0).head == 0);
  for (std::size_t k = 1; k < n / 3; k += 997) {
    CHECK(d.data(3 * k).head == -2);  // the merged token -> the first piece of the previous split
    CHECK(d.data(3 * k + 1).head == -1);
    CHECK(d.data(3 * k + 2).head == -1);
  }
  bool ordered = true;  // one assertion, not one per token
  for (std::size_t i = 1; i < d.size(); ++i)
    ordered = ordered && d.data(i).idx >= d.data(i - 1).idx + d.data(i - 1).len;
  CHECK(ordered);
}
