// PhraseMatcher: matches over ORTH, LOWER, NORM, SHAPE, a flag, TAG and LEMMA with the expected lists
// written out (checked against spaCy 3.8's PhraseMatcher on the same texts: same spans; the order of
// one phrase under several keys is weft's, spaCy's is its hash table's), nested and overlapping
// phrases, one phrase under several keys, remove, empty input, Span input, on_match and errors; plus
// a randomized comparison with a brute-force matcher through many adds and removes.
#include <doctest/doctest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "weft/components/phrase_matcher/phrase_matcher.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/pipeline.hpp"

using namespace weft;

namespace {

// (key, start, end), readable in failure messages.
using Triple = std::tuple<std::string, std::size_t, std::size_t>;

std::vector<Triple> named(const PhraseMatcher& m, const std::vector<PhraseMatch>& matches) {
  std::vector<Triple> out;
  for (const PhraseMatch& x : matches) {
    auto name = m.key_name(x.match_id);
    out.emplace_back(name ? std::string(*name) : std::to_string(x.match_id), x.start, x.end);
  }
  return out;
}

std::vector<Doc> make_docs(const Pipeline& nlp, const std::vector<std::string>& texts) {
  std::vector<Doc> out;
  for (const auto& t : texts) out.push_back(nlp.make_doc(t));
  return out;
}

// A Doc of the given words with one string annotation per token set through `field`.
Doc annotated(const std::shared_ptr<Vocab>& vocab, const std::vector<std::string>& words,
              const std::vector<std::string>& values, hash_t TokenData::*field) {
  Doc d = Doc::from_words(vocab, words);
  for (std::size_t i = 0; i < words.size(); ++i) d.data(i).*field = hash_string(values[i]);
  return d;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("phrase_matcher: ORTH finds nested and overlapping phrases in spaCy's order") {
  const Pipeline nlp = Pipeline::blank("en");
  PhraseMatcher m(nlp.vocab());
  m.add("CITY", make_docs(nlp, {"New York", "New York City", "York"}));
  m.add("NY", make_docs(nlp, {"New York"}));
  Doc doc = nlp.make_doc("I love New York City and New York .");
  REQUIRE(doc.size() == 9);
  const std::vector<Triple> expected{{"CITY", 2, 4}, {"NY", 2, 4},   {"CITY", 2, 5}, {"CITY", 3, 4},
                                     {"CITY", 6, 8}, {"NY", 6, 8},   {"CITY", 7, 8}};
  CHECK(named(m, m(doc)) == expected);
  CHECK(named(m, m.find(doc)) == expected);
  CHECK(m.size() == 2);
  CHECK(m.n_phrases() == 4);
  CHECK(m.keys() == std::vector<std::string>{"CITY", "NY"});
  // Match ids are the keys' hashes, and the key joined the Vocab's strings as in spaCy.
  CHECK(m.find(doc)[0].match_id == hash_string("CITY"));
  CHECK(nlp.vocab()->strings().contains(std::string_view("CITY")));
  // ORTH is case-sensitive.
  CHECK(m.find(nlp.make_doc("new york")).empty());

  // Overlapping, not nested: every occurrence is reported.
  PhraseMatcher o(nlp.vocab());
  o.add("AB", make_docs(nlp, {"a b"}));
  o.add("BC", make_docs(nlp, {"b c"}));
  o.add("ABC", make_docs(nlp, {"a b c"}));
  CHECK(named(o, o.find(nlp.make_doc("a b c b c"))) ==
        std::vector<Triple>{{"AB", 0, 2}, {"ABC", 0, 3}, {"BC", 1, 3}, {"BC", 3, 5}});
}

TEST_CASE("phrase_matcher: LOWER, NORM, SHAPE and a flag attribute") {
  const Pipeline nlp = Pipeline::blank("en");
  PhraseMatcher lower(nlp.vocab(), "LOWER");
  CHECK(lower.attr() == Attr::LOWER);
  lower.add("NY", make_docs(nlp, {"new york"}));
  CHECK(named(lower, lower.find(nlp.make_doc("NEW YORK new York"))) ==
        std::vector<Triple>{{"NY", 0, 2}, {"NY", 2, 4}});
  // Non-ASCII case folding: "ÉCOLE" lowercases to "école".
  lower.add("SCHOOL", make_docs(nlp, {"école"}));
  CHECK(named(lower, lower.find(nlp.make_doc("Une ÉCOLE"))) == std::vector<Triple>{{"SCHOOL", 1, 2}});

  // NORM: "n't" is normalised to "not", so "do not" finds "don't" (two words, one surface token).
  PhraseMatcher norm(nlp.vocab(), Attr::NORM);
  norm.add("NOT", make_docs(nlp, {"do not"}));
  CHECK(named(norm, norm.find(nlp.make_doc("I don't know"))) == std::vector<Triple>{{"NOT", 1, 3}});

  PhraseMatcher shape(nlp.vocab(), "shape");
  shape.add("SHAPE", make_docs(nlp, {"London 2020"}));  // Xxxxx dddd
  CHECK(named(shape, shape.find(nlp.make_doc("Berlin 1999 and Paris 12"))) == std::vector<Triple>{{"SHAPE", 0, 2}});

  PhraseMatcher punct(nlp.vocab(), "IS_PUNCT");
  punct.add("P", make_docs(nlp, {"! ?"}));  // two punctuation tokens in a row
  CHECK(named(punct, punct.find(nlp.make_doc("a , . b"))) == std::vector<Triple>{{"P", 1, 3}});
}

TEST_CASE("phrase_matcher: TAG and LEMMA match annotated Docs and need annotated patterns") {
  auto vocab = std::make_shared<Vocab>("en");
  PhraseMatcher tags(vocab, "TAG");
  tags.add("ADJ_NOUN", {annotated(vocab, {"big", "dog"}, {"JJ", "NN"}, &TokenData::tag)});
  Doc text = annotated(vocab, {"a", "red", "car", "and", "blue", "sky"}, {"DT", "JJ", "NN", "CC", "JJ", "NN"},
                       &TokenData::tag);
  CHECK(named(tags, tags.find(text)) == std::vector<Triple>{{"ADJ_NOUN", 1, 3}, {"ADJ_NOUN", 4, 6}});

  PhraseMatcher lemmas(vocab, Attr::LEMMA);
  lemmas.add("MOUSE", {annotated(vocab, {"mice"}, {"mouse"}, &TokenData::lemma)});
  Doc mice = annotated(vocab, {"the", "mouse", "and", "mice"}, {"the", "mouse", "and", "mouse"}, &TokenData::lemma);
  CHECK(named(lemmas, lemmas.find(mice)) == std::vector<Triple>{{"MOUSE", 1, 2}, {"MOUSE", 3, 4}});

  // A pattern Doc without the annotation is an error naming the key, the pattern and the attribute;
  // nothing is added (the key stays unknown).
  std::vector<Doc> patterns;
  patterns.push_back(annotated(vocab, {"small", "cat"}, {"JJ", "NN"}, &TokenData::tag));
  patterns.push_back(Doc::from_words(vocab, {"small", "cat"}));
  const std::string msg = error_of([&] { tags.add("UNTAGGED", patterns); });
  CHECK(contains(msg, "PhraseMatcher.add(\"UNTAGGED\")"));
  CHECK(contains(msg, "pattern 1"));
  CHECK(contains(msg, "no TAG annotation"));
  CHECK(contains(msg, "tagger"));
  CHECK_THROWS_AS(tags.add("UNTAGGED", patterns), ValueError);
  CHECK_FALSE(tags.contains("UNTAGGED"));
  CHECK(tags.size() == 1);
  CHECK(tags.n_phrases() == 1);
  // The same for the other annotation attributes.
  for (const char* attr : {"POS", "MORPH", "LEMMA", "DEP", "ENT_TYPE"}) {
    PhraseMatcher m(vocab, attr);
    CHECK_THROWS_AS(m.add("K", {Doc::from_words(vocab, {"x"})}), ValueError);
  }
}

TEST_CASE("phrase_matcher: one phrase under several keys is reported once per key, in key order") {
  const Pipeline nlp = Pipeline::blank("en");
  PhraseMatcher m(nlp.vocab());
  for (const char* key : {"Z", "A", "M", "B"}) m.add(key, make_docs(nlp, {"x y"}));
  CHECK(named(m, m.find(nlp.make_doc("x y"))) ==
        std::vector<Triple>{{"Z", 0, 2}, {"A", 0, 2}, {"M", 0, 2}, {"B", 0, 2}});
  // The same phrase twice under one key (in one call or two) is one phrase.
  PhraseMatcher once(nlp.vocab());
  once.add("A", make_docs(nlp, {"x", "x"}));
  once.add("A", make_docs(nlp, {"x"}));
  CHECK(once.n_phrases() == 1);
  CHECK(named(once, once.find(nlp.make_doc("x"))) == std::vector<Triple>{{"A", 0, 1}});
}

TEST_CASE("phrase_matcher: remove drops a key's phrases and keeps the others") {
  const Pipeline nlp = Pipeline::blank("en");
  PhraseMatcher m(nlp.vocab());
  m.add("CITY", make_docs(nlp, {"New York", "New York City", "York"}));
  m.add("NY", make_docs(nlp, {"New York"}));
  const Doc doc = nlp.make_doc("I love New York City and New York .");
  m.remove("NY");
  CHECK_FALSE(m.contains("NY"));
  CHECK(m.size() == 1);
  CHECK(m.n_phrases() == 3);
  CHECK(named(m, m.find(doc)) ==
        std::vector<Triple>{{"CITY", 2, 4}, {"CITY", 2, 5}, {"CITY", 3, 4}, {"CITY", 6, 8}, {"CITY", 7, 8}});
  m.remove("CITY");
  CHECK(m.empty());
  CHECK(m.find(doc).empty());
  CHECK_THROWS_AS(m.remove("CITY"), KeyError);
  CHECK(contains(error_of([&] { m.remove("NOPE"); }), "no key \"NOPE\""));
  // A key added again after removal gets its phrases back (the pruned trie grows again).
  m.add("NY", make_docs(nlp, {"New York"}));
  CHECK(named(m, m.find(doc)) == std::vector<Triple>{{"NY", 2, 4}, {"NY", 6, 8}});
  // Removing a key whose phrase is a prefix of another key's keeps the longer one.
  m.add("NYC", make_docs(nlp, {"New York City"}));
  m.remove("NY");
  CHECK(named(m, m.find(doc)) == std::vector<Triple>{{"NYC", 2, 5}});
}

TEST_CASE("phrase_matcher: many removed keys are compacted and the key order survives") {
  auto vocab = std::make_shared<Vocab>("en");
  PhraseMatcher m(vocab);
  const Doc x = Doc::from_words(vocab, {"x"});
  std::vector<std::string> order;  // the live keys in addition order
  auto add_keys = [&](int from, int to) {
    for (int k = from; k < to; ++k) {
      const std::string key = "K" + std::to_string(k);
      m.add(key, {Doc::from_words(vocab, {"x"}), Doc::from_words(vocab, {"y" + std::to_string(k)})});
      order.push_back(key);
    }
  };
  auto remove_keys = [&](std::size_t n) {  // n live keys spread over the order
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t at = (i * 7) % order.size();
      m.remove(order[at]);
      order.erase(order.begin() + static_cast<std::ptrdiff_t>(at));
    }
  };
  auto check = [&] {
    std::vector<Triple> expected;
    for (const auto& key : order) expected.emplace_back(key, 0, 1);
    CHECK(named(m, m.find(x)) == expected);
    CHECK(m.keys() == order);
    CHECK(m.size() == order.size());
    CHECK(m.n_phrases() == 2 * order.size());
    for (const auto& key : order) {
      const Doc y = Doc::from_words(vocab, {"y" + key.substr(1)});
      CHECK(named(m, m.find(y)) == std::vector<Triple>{{key, 0, 1}});
    }
  };
  add_keys(0, 200);
  remove_keys(150);  // more than half the keys dead: compacted once
  check();
  add_keys(200, 300);
  remove_keys(120);  // twice more, with freed key list entries from before
  check();
}

TEST_CASE("phrase_matcher: empty Docs, empty pattern lists and empty patterns") {
  const Pipeline nlp = Pipeline::blank("en");
  PhraseMatcher m(nlp.vocab());
  CHECK(m.find(nlp.make_doc("nothing added")).empty());
  m.add("EMPTY", std::vector<Doc>{});  // a key without phrases still counts, as in spaCy
  m.add("EMPTYDOC", make_docs(nlp, {""}));  // empty pattern Docs are skipped
  CHECK(m.size() == 2);
  CHECK(m.contains("EMPTY"));
  CHECK(m.contains(hash_string("EMPTYDOC")));
  CHECK(m.n_phrases() == 0);
  m.add("A", make_docs(nlp, {"a"}));
  Doc empty = nlp.make_doc("");
  CHECK(m.find(empty).empty());
  CHECK(m(empty).empty());
  CHECK(named(m, m.find(nlp.make_doc("a"))) == std::vector<Triple>{{"A", 0, 1}});
}

TEST_CASE("phrase_matcher: a Span is matched inside its bounds with Doc indices") {
  const Pipeline nlp = Pipeline::blank("en");
  PhraseMatcher m(nlp.vocab());
  m.add("CITY", make_docs(nlp, {"New York", "New York City", "York"}));
  m.add("NY", make_docs(nlp, {"New York"}));
  Doc doc = nlp.make_doc("I love New York City and New York .");
  // doc[3:7] = "York City and New": only "York" lies wholly inside.
  CHECK(named(m, m.find(doc.span(3, 7))) == std::vector<Triple>{{"CITY", 3, 4}});
  CHECK(named(m, m.find(doc.span(2, 5))) ==
        std::vector<Triple>{{"CITY", 2, 4}, {"NY", 2, 4}, {"CITY", 2, 5}, {"CITY", 3, 4}});
  CHECK(named(m, m(doc, 4, 9)) == std::vector<Triple>{{"CITY", 6, 8}, {"NY", 6, 8}, {"CITY", 7, 8}});
  CHECK(m.find(doc.span(5, 5)).empty());
  const std::vector<Span> spans = PhraseMatcher::as_spans(doc, m.find(doc.span(4, 9)));
  REQUIRE(spans.size() == 3);
  CHECK(spans[0].text() == "New York");
  CHECK(spans[0].label_() == "CITY");
  CHECK(spans[2].text() == "York");
  CHECK_THROWS_AS(m(doc, 3, 10), IndexError);
  CHECK_THROWS_AS(m(doc, 5, 4), IndexError);
}

TEST_CASE("phrase_matcher: on_match runs once per match, in order, and may change the matches") {
  const Pipeline nlp = Pipeline::blank("en");
  PhraseMatcher m(nlp.vocab());
  std::vector<std::pair<std::size_t, std::size_t>> calls;  // (i, matches.size()) as spaCy's test shows
  m.add("A", make_docs(nlp, {"a"}),
        [&](const PhraseMatcher& matcher, Doc& doc, std::size_t i, std::vector<PhraseMatch>& matches) {
          CHECK(&matcher == &m);
          calls.emplace_back(i, matches.size());
          if (i == 0) matches.push_back(matches[0]);  // the loop sees the added match too
          doc.data(matches[i].start).ent_type = hash_string("LETTER");  // callbacks may annotate
        });
  m.add("B", make_docs(nlp, {"b"}));  // no callback
  Doc doc = nlp.make_doc("a b a");
  const auto result = m(doc);
  CHECK(calls == std::vector<std::pair<std::size_t, std::size_t>>{{0, 3}, {2, 4}, {3, 4}});
  CHECK(named(m, result) == std::vector<Triple>{{"A", 0, 1}, {"B", 1, 2}, {"A", 2, 3}, {"A", 0, 1}});
  CHECK(doc.data(0).ent_type == hash_string("LETTER"));
  CHECK(doc.data(1).ent_type == 0);
  // find() runs no callbacks; adding again without one removes the callback (spaCy replaces it).
  calls.clear();
  CHECK(m.find(doc).size() == 3);
  CHECK(calls.empty());
  m.add("A", std::vector<Doc>{});
  CHECK(m(doc).size() == 3);
  CHECK(calls.empty());
}

TEST_CASE("phrase_matcher: bad attributes and keys are errors that name them") {
  auto vocab = std::make_shared<Vocab>("en");
  CHECK_THROWS_AS(PhraseMatcher(vocab, "FOO"), ValueError);
  CHECK(contains(error_of([&] { PhraseMatcher(vocab, "FOO"); }), "unknown attribute \"FOO\""));
  CHECK(contains(error_of([&] { PhraseMatcher(vocab, "HEAD"); }), "cannot match on attribute HEAD"));
  CHECK_THROWS_AS(PhraseMatcher(vocab, Attr::IDX), ValueError);
  CHECK_THROWS_AS(PhraseMatcher(vocab, static_cast<Attr>(999)), ValueError);
  CHECK_THROWS_AS(PhraseMatcher(nullptr), ValueError);
  CHECK(PhraseMatcher(vocab, "text").attr() == Attr::ORTH);
  CHECK(PhraseMatcher(vocab, "is_sent_start").attr() == Attr::SENT_START);
  PhraseMatcher m(vocab);
  CHECK(contains(error_of([&] { m.add("", {Doc::from_words(vocab, {"x"})}); }), "must not be empty"));
  const Doc* null_doc = nullptr;
  CHECK(contains(error_of([&] { m.add("K", std::span<const Doc* const>(&null_doc, 1)); }), "pattern 0 is null"));
  CHECK(m.empty());
}

TEST_CASE("phrase_matcher: a frozen Vocab keeps its strings and the matcher still knows its keys") {
  auto vocab = std::make_shared<Vocab>("en");
  vocab->freeze();
  PhraseMatcher m(vocab);
  m.add("FROZEN_KEY", {Doc::from_words(vocab, {"x"})});
  CHECK_FALSE(vocab->strings().contains(std::string_view("FROZEN_KEY")));
  CHECK(m.key_name(hash_string("FROZEN_KEY")) == std::optional<std::string_view>("FROZEN_KEY"));
  CHECK(m.find(Doc::from_words(vocab, {"y", "x"})).size() == 1);
}

TEST_CASE("phrase_matcher: token_value equals Doc::attr_value for every matchable attribute") {
  const Pipeline nlp = Pipeline::blank("en");
  Doc doc = nlp.make_doc("Ça VA très bien, İstanbul! I don't know 12 U.S. ΣΊΣΥΦΟΣ");
  doc.data(1).norm = hash_string("va-norm");  // a token-level norm override wins over the lexeme's
  for (std::size_t i = 0; i < doc.size(); ++i) doc.data(i).tag = hash_string("T" + std::to_string(i % 3));
  for (const char* name : {"ORTH", "ID", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX", "LENGTH", "IS_ALPHA", "IS_PUNCT",
                           "IS_TITLE", "LIKE_NUM", "IS_STOP", "TAG", "LEMMA", "POS", "SPACY", "SENT_START", "ENT_IOB"}) {
    const PhraseMatcher m(nlp.vocab(), name);
    for (std::size_t i = 0; i < doc.size(); ++i) {
      INFO(name << " token " << i);
      CHECK(m.token_value(doc, i) == doc.attr_value(i, m.attr()));
    }
  }
}

TEST_CASE("phrase_matcher: random phrases, adds and removes agree with a brute-force matcher") {
  auto vocab = std::make_shared<Vocab>("en");
  const std::vector<std::string> words{"a", "b", "c", "d", "e"};
  std::mt19937 rng(7);
  auto random_words = [&](std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(words[rng() % words.size()]);
    return out;
  };
  // The reference: key -> set of phrases (as word lists); matches in spaCy's order with keys in order.
  std::vector<std::string> key_order;
  std::map<std::string, std::set<std::vector<std::string>>> reference;
  auto brute_force = [&](const std::vector<std::string>& text) {
    std::vector<Triple> out;
    for (std::size_t s = 0; s < text.size(); ++s)
      for (std::size_t e = s + 1; e <= text.size(); ++e) {
        const std::vector<std::string> piece(text.begin() + static_cast<std::ptrdiff_t>(s),
                                             text.begin() + static_cast<std::ptrdiff_t>(e));
        for (const auto& key : key_order)
          if (reference[key].count(piece)) out.emplace_back(key, s, e);
      }
    return out;
  };
  PhraseMatcher m(vocab);
  const std::vector<std::string> text_words = random_words(300);
  const Doc text = Doc::from_words(vocab, text_words);
  for (int round = 0; round < 40; ++round) {
    // Add 1-30 phrases of 1-5 words under one of 8 keys.
    const std::string key = "K" + std::to_string(rng() % 8);
    std::vector<Doc> patterns;
    const std::size_t n = 1 + rng() % 30;
    for (std::size_t p = 0; p < n; ++p) {
      const auto phrase = random_words(1 + rng() % 5);
      reference[key].insert(phrase);
      patterns.push_back(Doc::from_words(vocab, phrase));
    }
    if (std::find(key_order.begin(), key_order.end(), key) == key_order.end()) key_order.push_back(key);
    m.add(key, patterns);
    // Now and then remove a key.
    if (rng() % 3 == 0) {
      const std::string gone = key_order[rng() % key_order.size()];
      m.remove(gone);
      reference.erase(gone);
      key_order.erase(std::find(key_order.begin(), key_order.end(), gone));
    }
    std::size_t phrases = 0;
    for (const auto& [k, set] : reference) phrases += set.size();
    INFO("round " << round);
    CHECK(m.size() == key_order.size());
    CHECK(m.n_phrases() == phrases);
    CHECK(named(m, m.find(text)) == brute_force(text_words));
  }
}
