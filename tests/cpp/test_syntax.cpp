// The dependency-syntax API (Token::head ... sent, Span::root/sent, Doc::noun_chunks) on hand-parsed
// UD trees read from CoNLL-U, with spaCy's expected answers written out.
#include <doctest/doctest.h>

#include <sstream>

#include "weft/doc/conllu.hpp"
#include "weft/doc/span.hpp"
#include "weft/doc/syntax.hpp"
#include "weft/doc/token.hpp"
#include "weft/error.hpp"

using namespace weft;

namespace {

using Idx = std::vector<std::size_t>;

std::shared_ptr<Vocab> vocab() { return std::make_shared<Vocab>("en"); }

// One CoNLL-U word line: "form UPOS head deprel" (LEMMA = FORM, no XPOS/FEATS).
std::string word(int id, const std::string& form, const std::string& upos, int head, const std::string& deprel) {
  return std::to_string(id) + "\t" + form + "\t" + form + "\t" + upos + "\t_\t_\t" + std::to_string(head) + "\t" +
         deprel + "\t_\t_\n";
}

Doc read_one(const std::string& text) {
  std::istringstream in(text);
  ConlluReader reader(in, vocab(), "test.conllu");
  auto doc = reader.next();
  REQUIRE(doc);
  REQUIRE_FALSE(reader.next());
  return std::move(*doc);
}

// Tokens 0-9: "The quick brown fox jumped over the lazy dog ."
// Tokens 10-19: "She is a doctor and likes cats and dogs ."
Doc two_sentences() {
  return read_one(word(1, "The", "DET", 4, "det") + word(2, "quick", "ADJ", 4, "amod") +
                  word(3, "brown", "ADJ", 4, "amod") + word(4, "fox", "NOUN", 5, "nsubj") +
                  word(5, "jumped", "VERB", 0, "root") + word(6, "over", "ADP", 9, "case") +
                  word(7, "the", "DET", 9, "det") + word(8, "lazy", "ADJ", 9, "amod") +
                  word(9, "dog", "NOUN", 5, "obl") + word(10, ".", "PUNCT", 5, "punct") + "\n" +
                  word(1, "She", "PRON", 4, "nsubj") + word(2, "is", "AUX", 4, "cop") + word(3, "a", "DET", 4, "det") +
                  word(4, "doctor", "NOUN", 0, "root") + word(5, "and", "CCONJ", 6, "cc") +
                  word(6, "likes", "VERB", 4, "conj") + word(7, "cats", "NOUN", 6, "obj") +
                  word(8, "and", "CCONJ", 9, "cc") + word(9, "dogs", "NOUN", 7, "conj") +
                  word(10, ".", "PUNCT", 4, "punct") + "\n");
}

Idx idx(const std::vector<Token>& tokens) {
  Idx out;
  for (const Token& t : tokens) out.push_back(t.i());
  return out;
}

std::vector<std::string> texts(const std::vector<Span>& spans) {
  std::vector<std::string> out;
  for (const Span& s : spans) out.emplace_back(s.text());
  return out;
}

}  // namespace

TEST_CASE("syntax: head, children, lefts and rights follow the parse") {
  const Doc d = two_sentences();
  REQUIRE(d.size() == 20);
  CHECK(d[3].head().i() == 4);
  CHECK(d[4].head() == d[4]);  // a root is its own head
  CHECK(d[13].head() == d[13]);
  CHECK(d[18].head().i() == 16);

  CHECK(idx(d[4].children()) == Idx{3, 8, 9});
  CHECK(idx(d[4].lefts()) == Idx{3});
  CHECK(idx(d[4].rights()) == Idx{8, 9});
  CHECK(d[4].n_lefts() == 1);
  CHECK(d[4].n_rights() == 2);
  CHECK(idx(d[3].children()) == Idx{0, 1, 2});
  CHECK(d[3].n_lefts() == 3);
  CHECK(d[3].n_rights() == 0);
  CHECK(idx(d[8].children()) == Idx{5, 6, 7});
  CHECK(idx(d[13].children()) == Idx{10, 11, 12, 15, 19});  // never a token of the first sentence
  CHECK(idx(d[13].lefts()) == Idx{10, 11, 12});
  CHECK(idx(d[13].rights()) == Idx{15, 19});
  CHECK(idx(d[16].children()) == Idx{18});
  CHECK(d[0].children().empty());
  CHECK(d[0].n_lefts() + d[0].n_rights() == 0);
}

TEST_CASE("syntax: subtree, edges and ancestors") {
  const Doc d = two_sentences();
  CHECK(idx(d[8].subtree()) == Idx{5, 6, 7, 8});
  CHECK(idx(d[3].subtree()) == Idx{0, 1, 2, 3});
  CHECK(idx(d[4].subtree()) == Idx{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  CHECK(idx(d[15].subtree()) == Idx{14, 15, 16, 17, 18});
  CHECK(idx(d[16].subtree()) == Idx{16, 17, 18});
  CHECK(idx(d[6].subtree()) == Idx{6});
  CHECK(d[8].left_edge().i() == 5);
  CHECK(d[8].right_edge().i() == 8);
  CHECK(d[15].left_edge().i() == 14);
  CHECK(d[15].right_edge().i() == 18);
  CHECK(d[13].left_edge().i() == 10);
  CHECK(d[13].right_edge().i() == 19);
  CHECK(d[6].left_edge() == d[6]);

  CHECK(idx(d[6].ancestors()) == Idx{8, 4});
  CHECK(idx(d[18].ancestors()) == Idx{16, 15, 13});
  CHECK(d[4].ancestors().empty());
  CHECK(d[4].is_ancestor(d[6]));
  CHECK(d[8].is_ancestor(d[6]));
  CHECK_FALSE(d[3].is_ancestor(d[6]));
  CHECK_FALSE(d[6].is_ancestor(d[6]));
  CHECK_FALSE(d[6].is_ancestor(d[8]));
  CHECK_FALSE(d[13].is_ancestor(d[6]));  // another sentence's root
  const Doc other = two_sentences();
  CHECK_FALSE(d[4].is_ancestor(other[6]));  // another Doc
}

TEST_CASE("syntax: subtree is in document order on a non-projective tree") {
  // "A hearing is scheduled on the issue today ." — "on the issue" modifies "hearing" across the verb.
  const Doc d = read_one(word(1, "A", "DET", 2, "det") + word(2, "hearing", "NOUN", 4, "nsubj:pass") +
                         word(3, "is", "AUX", 4, "aux:pass") + word(4, "scheduled", "VERB", 0, "root") +
                         word(5, "on", "ADP", 7, "case") + word(6, "the", "DET", 7, "det") +
                         word(7, "issue", "NOUN", 2, "nmod") + word(8, "today", "NOUN", 4, "obl:tmod") +
                         word(9, ".", "PUNCT", 4, "punct") + "\n");
  CHECK(idx(d[1].subtree()) == Idx{0, 1, 4, 5, 6});
  CHECK(idx(d[1].rights()) == Idx{6});
  CHECK(d[1].left_edge().i() == 0);
  CHECK(d[1].right_edge().i() == 6);
  CHECK(d.span(0, 2).root().i() == 1);
  CHECK(texts(d.noun_chunks()) == std::vector<std::string>{"A hearing", "the issue"});
}

TEST_CASE("syntax: span root is the token nearest the sentence root") {
  const Doc d = two_sentences();
  CHECK(d.span(0, 10).root().i() == 4);    // holds the sentence root
  CHECK(d.span(0, 4).root().i() == 3);     // "The quick brown fox"
  CHECK(d.span(6, 9).root().i() == 8);     // "the lazy dog"
  CHECK(d.span(5, 8).root().i() == 5);     // "over the lazy": three at 2 steps, the first wins
  CHECK(d.span(8, 10).root().i() == 8);    // "dog .": bare punctuation loses the tie
  CHECK(d.span(9, 10).root().i() == 9);    // ... unless it is alone
  CHECK(d.span(15, 19).root().i() == 15);  // "likes cats and dogs"
  CHECK(d.span(17, 19).root().i() == 18);  // "and dogs": not the first token
  CHECK(d.span(8, 12).root().i() == 8);    // across sentences: "dog" (1 step) before "She" (1 step)
  CHECK(d.span(8, 14).root().i() == 13);   // ... and a root wins outright
}

TEST_CASE("syntax: sent of tokens and spans") {
  const Doc d = two_sentences();
  const auto sents = d.sents();
  REQUIRE(sents.size() == 2);
  CHECK(d[0].sent() == sents[0]);
  CHECK(d[9].sent() == sents[0]);
  CHECK(d[10].sent() == sents[1]);
  CHECK(d[13].sent() == sents[1]);
  CHECK(d[19].sent() == sents[1]);
  CHECK(d.span(6, 9).sent() == sents[0]);
  CHECK(d.span(12, 20).sent() == sents[1]);
  // Across the boundary: the sentence of the span's start, as spaCy's Span.sent (regression: it gave
  // both sentences).
  CHECK(d.span(8, 12).sent() == sents[0]);
  CHECK(d.span(15, 19).root().sent() == sents[1]);

  const Doc plain = Doc::from_words(vocab(), {"no", "boundaries"});
  CHECK_THROWS_AS(plain[0].sent(), ValueError);
  CHECK_THROWS_AS(plain.span(0, 2).sent(), ValueError);
}

TEST_CASE("syntax: noun_chunks on UD trees") {
  const Doc d = two_sentences();
  const auto chunks = d.noun_chunks();
  CHECK(texts(chunks) == std::vector<std::string>{"The quick brown fox", "the lazy dog", "She", "a doctor", "cats",
                                                  "dogs"});
  for (const Span& c : chunks) CHECK(c.label_() == "NP");
  CHECK(chunks[1].start() == 6);
  CHECK(chunks[1].end() == 9);
  CHECK(chunks[1].root().i() == 8);

  // "John Smith likes his cats and dogs .": a flat name, a possessive, a conjunct with its coordinator.
  const Doc e = read_one(word(1, "John", "PROPN", 3, "nsubj") + word(2, "Smith", "PROPN", 1, "flat") +
                         word(3, "likes", "VERB", 0, "root") + word(4, "his", "PRON", 5, "nmod:poss") +
                         word(5, "cats", "NOUN", 3, "obj") + word(6, "and", "CCONJ", 7, "cc") +
                         word(7, "dogs", "NOUN", 5, "conj") + word(8, ".", "PUNCT", 3, "punct") + "\n");
  CHECK(texts(e.noun_chunks()) == std::vector<std::string>{"John Smith", "his cats", "dogs"});

  // "Al - Qaeda wants them , I hear ." (EWT's tree): flat across a hyphen, but not a trailing comma.
  const Doc f = read_one(word(1, "Al", "PROPN", 4, "nsubj") + word(2, "-", "PUNCT", 1, "punct") +
                         word(3, "Qaeda", "PROPN", 1, "flat") + word(4, "wants", "VERB", 0, "root") +
                         word(5, "them", "PRON", 4, "obj") + word(6, ",", "PUNCT", 5, "punct") +
                         word(7, "I", "PRON", 8, "nsubj") + word(8, "hear", "VERB", 4, "parataxis") +
                         word(9, ".", "PUNCT", 4, "punct") + "\n");
  CHECK(texts(f.noun_chunks()) == std::vector<std::string>{"Al - Qaeda", "them", "I"});
}

TEST_CASE("syntax: without a parse") {
  const Doc d = Doc::from_words(vocab(), {"cats", "and", "dogs"});
  CHECK(d[1].head() == d[1]);
  CHECK(d[1].children().empty());
  CHECK(idx(d[1].subtree()) == Idx{1});
  CHECK(d[1].ancestors().empty());
  CHECK(d.span(0, 3).root().i() == 0);
  try {
    (void)d.noun_chunks();
    FAIL("noun_chunks did not throw");
  } catch (const ValueError& e) {
    CHECK(e.cause() == "noun_chunks requires the dependency parse");
  }
}

TEST_CASE("syntax: a head cycle ends the walks") {
  Doc d = Doc::from_words(vocab(), {"a", "b", "c"});
  d.data(0).head = 1;
  d.data(1).head = -1;
  d.data(2).head = -1;
  CHECK(d[0].ancestors().size() == 3);  // bounded by the Doc's length, as spaCy
  CHECK(idx(d[0].subtree()) == Idx{0, 1, 2});
  CHECK_THROWS_AS(d.span(2, 3).root(), ValueError);
}

TEST_CASE("syntax: 100k tokens of short sentences") {
  // 10-token sentences "w0 ... w9": w4 is the root; w0 -> w1 -> w2 -> w3 compounds and w3 the subject
  // of w4; w5 ... w9 objects of w4.
  constexpr std::size_t kSent = 10, kN = 100000;
  std::vector<std::string> words(kN, "w");
  Doc d = Doc::from_words(vocab(), words);
  const hash_t compound = d.intern("compound"), nsubj = d.intern("nsubj"), root = d.intern("root"),
               obj = d.intern("obj");
  for (std::size_t i = 0; i < kN; ++i) {
    TokenData& t = d.data(i);
    const auto k = static_cast<std::int32_t>(i % kSent);
    t.sent_start = k == 0 ? 1 : -1;
    t.pos = UPOS::NOUN;
    t.head = k < 4 ? 1 : 4 - k;
    t.dep = k < 3 ? compound : k == 3 ? nsubj : k == 4 ? root : obj;
  }
  std::size_t total = 0, edges = 0;
  for (std::size_t i = 0; i < kN; ++i) {
    const Token t = d.token(i);
    total += t.subtree().size();
    edges += t.right_edge().i() - t.left_edge().i();
  }
  // Per sentence: subtrees of w0..w3 hold 1..4 tokens, w4 all 10, w5..w9 one each; edges span
  // 0+1+2+3 (w0..w3) + 9 (w4).
  CHECK(total == kN / kSent * (1 + 2 + 3 + 4 + 10 + 5));
  CHECK(edges == kN / kSent * (6 + 9));
  CHECK(d.sents().size() == kN / kSent);
  CHECK(d.noun_chunks().size() == 7 * kN / kSent);  // "w0 w1 w2 w3", "w4", then w5 ... w9 alone
}
