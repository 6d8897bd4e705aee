// The entity scorer on hand-made Docs: exact matches, wrong labels, boundary errors, differing
// tokenization and document splits, unannotated gold text, empty input.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "weft/error.hpp"
#include "weft/train/entity_scorer.hpp"

using namespace weft;

namespace {

std::shared_ptr<Vocab> vocab() {
  static auto v = std::make_shared<Vocab>("en");
  return v;
}

// Words with IOB2 tags ("O", "B-PER", "I-PER"; "-" = no annotation), joined by single spaces unless
// `spaces` says otherwise.
Doc make(const std::vector<std::string>& words, const std::vector<std::string>& tags,
         const std::vector<bool>& spaces = {}) {
  Doc d = Doc::from_words(vocab(), words, spaces);
  REQUIRE(tags.size() == words.size());
  for (std::size_t i = 0; i < tags.size(); ++i) {
    TokenData& t = d.data(i);
    const std::string& tag = tags[i];
    if (tag == "-") continue;
    if (tag == "O") {
      t.ent_iob = EntIob::O;
      continue;
    }
    t.ent_iob = tag[0] == 'B' ? EntIob::B : EntIob::I;
    t.ent_type = d.intern(tag.substr(2));
  }
  return d;
}

void check(const EntityScore& s, std::size_t gold, std::size_t system, std::size_t correct) {
  CHECK(s.gold == gold);
  CHECK(s.system == system);
  CHECK(s.correct == correct);
  const double p = system ? double(correct) / double(system) : 0.0;
  const double r = gold ? double(correct) / double(gold) : 0.0;
  CHECK(s.precision == doctest::Approx(p));
  CHECK(s.recall == doctest::Approx(r));
  CHECK(s.f1 == doctest::Approx(p + r > 0 ? 2 * p * r / (p + r) : 0.0));
}

const std::vector<std::string> kWords{"Bush", "visited", "New", "York", "today", "."};
const std::vector<bool> kSpaces{true, true, true, true, false, false};

}  // namespace

TEST_CASE("entity scorer: exact matches") {
  std::vector<Doc> gold, sys;
  gold.push_back(make(kWords, {"B-PER", "O", "B-LOC", "I-LOC", "O", "O"}, kSpaces));
  sys.push_back(make(kWords, {"B-PER", "O", "B-LOC", "I-LOC", "O", "O"}, kSpaces));
  const EntityScores s = score_entities(gold, sys);
  check(s.total, 2, 2, 2);
  CHECK(s.total.f1 == doctest::Approx(1.0));
  REQUIRE(s.per_type.size() == 2);
  check(s.per_type.at("PER"), 1, 1, 1);
  check(s.per_type.at("LOC"), 1, 1, 1);
}

TEST_CASE("entity scorer: a wrong label counts against both labels") {
  std::vector<Doc> gold, sys;
  gold.push_back(make(kWords, {"B-PER", "O", "B-LOC", "I-LOC", "O", "O"}, kSpaces));
  sys.push_back(make(kWords, {"B-PER", "O", "B-ORG", "I-ORG", "O", "O"}, kSpaces));
  const EntityScores s = score_entities(gold, sys);
  check(s.total, 2, 2, 1);
  check(s.per_type.at("LOC"), 1, 0, 0);
  check(s.per_type.at("ORG"), 0, 1, 0);
  check(s.per_type.at("PER"), 1, 1, 1);
}

TEST_CASE("entity scorer: boundary errors are misses") {
  std::vector<Doc> gold, sys;
  gold.push_back(make(kWords, {"B-PER", "O", "B-LOC", "I-LOC", "O", "O"}, kSpaces));
  // "York" alone, and "Bush visited" as one entity.
  sys.push_back(make(kWords, {"B-PER", "I-PER", "O", "B-LOC", "O", "O"}, kSpaces));
  const EntityScores s = score_entities(gold, sys);
  check(s.total, 2, 2, 0);
  // Two adjacent entities of one label (B after I) are two entities, not one.
  std::vector<Doc> sys2;
  sys2.push_back(make(kWords, {"B-PER", "O", "B-LOC", "B-LOC", "O", "O"}, kSpaces));
  check(score_entities(gold, sys2).total, 2, 3, 1);
}

TEST_CASE("entity scorer: I without a matching entity before it starts one") {
  std::vector<Doc> gold, sys;
  gold.push_back(make(kWords, {"B-PER", "O", "B-LOC", "I-LOC", "O", "O"}, kSpaces));
  sys.push_back(make(kWords, {"I-PER", "O", "I-LOC", "I-LOC", "O", "O"}, kSpaces));
  check(score_entities(gold, sys).total, 2, 2, 2);
  // An I of another label ends the entity and starts a new one.
  std::vector<Doc> sys2;
  sys2.push_back(make(kWords, {"B-PER", "O", "B-LOC", "I-ORG", "O", "O"}, kSpaces));
  check(score_entities(gold, sys2).total, 2, 3, 1);
}

TEST_CASE("entity scorer: spans are compared by characters, not tokens") {
  // Gold: "Smith-Jones" is three words and the text is one Doc; system: one token, other whitespace,
  // and two Docs.
  std::vector<Doc> gold, sys;
  gold.push_back(make({"Mr.", "Smith", "-", "Jones", "left", ".", "New", "York", "waits", "."},
                      {"O", "B-PER", "I-PER", "I-PER", "O", "O", "B-GPE", "I-GPE", "O", "O"},
                      {true, false, false, true, false, true, true, true, false, false}));
  sys.push_back(make({"Mr.", "Smith-Jones", "left."}, {"O", "B-PER", "O"}, {true, true, false}));
  sys.push_back(make({"New", "York", "waits."}, {"B-GPE", "I-GPE", "O"}, {true, true, false}));
  // Extra whitespace inside the text does not move the offsets.
  Doc spaced(vocab(), "New \n  York waits.");
  spaced.push_token(0, 3);
  spaced.push_token(7, 4);
  spaced.push_token(12, 6);
  spaced.data(0).ent_iob = EntIob::B;
  spaced.data(0).ent_type = spaced.intern("GPE");
  spaced.data(1).ent_iob = EntIob::I;
  spaced.data(1).ent_type = spaced.data(0).ent_type;
  spaced.data(2).ent_iob = EntIob::O;
  const EntityScores s = score_entities(gold, sys);
  check(s.total, 2, 2, 2);
  check(s.per_type.at("PER"), 1, 1, 1);
  std::vector<Doc> sys2;
  sys2.push_back(sys[0]);
  sys2.push_back(std::move(spaced));
  check(score_entities(gold, sys2).total, 2, 2, 2);
  // A system entity ending inside a gold token is a boundary error.
  std::vector<Doc> sys3;
  sys3.push_back(make({"Mr.", "Smith", "-Jones", "left."}, {"O", "B-PER", "O", "O"}, {true, false, true, false}));
  sys3.push_back(sys[1]);
  check(score_entities(gold, sys3).total, 2, 2, 1);
}

TEST_CASE("entity scorer: empty and unannotated input") {
  const std::vector<Doc> none;
  const EntityScores empty = score_entities(none, none);
  check(empty.total, 0, 0, 0);
  CHECK(empty.per_type.empty());
  std::vector<Doc> gold, sys;
  gold.push_back(Doc(vocab(), ""));
  sys.push_back(Doc(vocab(), ""));
  gold.push_back(make(kWords, {"O", "O", "O", "O", "O", "O"}, kSpaces));
  sys.push_back(make(kWords, {"O", "O", "O", "O", "O", "O"}, kSpaces));
  check(score_entities(gold, sys).total, 0, 0, 0);
  // System entities where the gold side has no entity annotation are not scored; elsewhere they are.
  std::vector<Doc> gold2, sys2;
  gold2.push_back(make(kWords, {"-", "-", "-", "-", "-", "-"}, kSpaces));
  gold2.push_back(make(kWords, {"O", "O", "O", "O", "O", "O"}, kSpaces));
  sys2.push_back(make(kWords, {"B-PER", "O", "B-LOC", "I-LOC", "O", "O"}, kSpaces));
  sys2.push_back(make(kWords, {"B-PER", "O", "O", "O", "O", "O"}, kSpaces));
  const EntityScores s = score_entities(gold2, sys2);
  check(s.total, 0, 1, 0);
  check(s.per_type.at("PER"), 0, 1, 0);
  CHECK(s.per_type.count("LOC") == 0);
}

TEST_CASE("entity scorer: different texts are an error") {
  std::vector<Doc> gold, sys;
  gold.push_back(make({"Hello", "world"}, {"O", "O"}));
  sys.push_back(make({"Hello", "there"}, {"O", "O"}));
  CHECK_THROWS_AS(score_entities(gold, sys), ValueError);
  std::vector<Doc> shorter;
  shorter.push_back(make({"Hello"}, {"O"}));
  CHECK_THROWS_AS(score_entities(gold, shorter), ValueError);
}
