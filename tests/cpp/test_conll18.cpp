// The CoNLL 2018 evaluation port, on hand-made cases whose scores follow from conll18_ud_eval.py.
#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"
#include "weft/tokenize/tokenizer.hpp"
#include "weft/train/conll18.hpp"

using namespace weft;

namespace {

std::vector<Doc> conllu(const std::string& text) {
  std::istringstream in(text);
  ConlluReader reader(in, std::make_shared<Vocab>("en"), "<test>");
  std::vector<Doc> docs;
  while (auto d = reader.next()) docs.push_back(std::move(*d));
  return docs;
}

// "I don't know." with "don't" a multi-word token.
const char* kGoldMwt =
    "# text = I don't know.\n"
    "1\tI\tI\tPRON\tPRP\t_\t3\tnsubj\t_\t_\n"
    "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "2\tdo\tdo\tAUX\tVBP\t_\t4\taux\t_\t_\n"
    "3\tn't\tnot\tPART\tRB\t_\t4\tadvmod\t_\t_\n"
    "4\tknow\tknow\tVERB\tVB\t_\t0\troot\t_\tSpaceAfter=No\n"
    "5\t.\t.\tPUNCT\t.\t_\t4\tpunct\t_\t_\n"
    "\n";

void check_score(const Conll18Score& s, double p, double r, double f) {
  CHECK(s.precision == doctest::Approx(p));
  CHECK(s.recall == doctest::Approx(r));
  CHECK(s.f1 == doctest::Approx(f));
}

}  // namespace

TEST_CASE("conll18: identical files score 100 everywhere") {
  const auto gold = conllu(kGoldMwt);
  const Conll18Scores s = conll18_evaluate(gold, gold);
  REQUIRE(s.size() == conll18_metric_names().size());
  for (const auto& name : conll18_metric_names()) {
    INFO(name);
    CHECK(s.at(name).f1 == 1.0);
  }
  CHECK(s.at("Tokens").gold_total == 4);
  CHECK(s.at("Words").gold_total == 5);
  CHECK(s.at("Words").aligned_total == std::nullopt);
  CHECK(s.at("UPOS").aligned_total == 5u);
  CHECK(s.at("CLAS").gold_total == 3);  // nsubj, advmod, root; aux and punct are not content relations
}

TEST_CASE("conll18: a multi-word token left whole") {
  // The system keeps "don't" as one word: tokens all match, words "do" "n't" find no LCS partner.
  const auto gold = conllu(kGoldMwt);
  const auto system = conllu(
      "1\tI\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "2\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "3\tknow\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
      "4\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
  const Conll18Scores s = conll18_evaluate(gold, system);
  check_score(s.at("Tokens"), 1.0, 1.0, 1.0);
  check_score(s.at("Words"), 3.0 / 4, 3.0 / 5, 6.0 / 9);
  CHECK(s.at("Words").correct == 3);
  check_score(s.at("Sentences"), 1.0, 1.0, 1.0);
}

TEST_CASE("conll18: multi-word token words split as separate tokens are aligned by LCS") {
  // "do" and "n't" as two tokens: the surface token is wrong, both words align.
  const auto gold = conllu(kGoldMwt);
  const auto system = conllu(
      "1\tI\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "2\tdo\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
      "3\tn't\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "4\tknow\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
      "5\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
  const Conll18Scores s = conll18_evaluate(gold, system);
  check_score(s.at("Tokens"), 3.0 / 5, 3.0 / 4, 6.0 / 9);
  check_score(s.at("Words"), 1.0, 1.0, 1.0);
  // Unannotated system words: UPOS compares "_" with the gold tags.
  check_score(s.at("UPOS"), 0.0, 0.0, 0.0);
  CHECK(*s.at("UPOS").aligned_accuracy == 0.0);
}

TEST_CASE("conll18: a multi-word token split differently aligns no words inside it") {
  // System: "don't" = "don" + "'t"; no lowercased form matches gold "do" "n't".
  const auto gold = conllu(kGoldMwt);
  const auto system = conllu(
      "1\tI\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "2-3\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "2\tdon\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "3\t't\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "4\tknow\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
      "5\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
  const Conll18Scores s = conll18_evaluate(gold, system);
  check_score(s.at("Tokens"), 1.0, 1.0, 1.0);
  check_score(s.at("Words"), 3.0 / 5, 3.0 / 5, 3.0 / 5);
}

TEST_CASE("conll18: misaligned tokens") {
  const auto gold = conllu(
      "1\tNew\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "2\tYork\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
      "3\t-\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n"
      "4\tbased\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
  const auto system = conllu(
      "1\tNew\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "2\tYork-based\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
  const Conll18Scores s = conll18_evaluate(gold, system);
  check_score(s.at("Tokens"), 1.0 / 2, 1.0 / 4, 2.0 / 6);
  check_score(s.at("Words"), 1.0 / 2, 1.0 / 4, 2.0 / 6);
}

TEST_CASE("conll18: sentence boundaries") {
  const auto gold = conllu(
      "1\tHi\t_\t_\t_\t_\t_\t_\t_\t_\n2\tthere\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n3\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n"
      "1\tBye\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n2\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
  const auto one = conllu(
      "1\tHi\t_\t_\t_\t_\t_\t_\t_\t_\n2\tthere\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n3\t.\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "4\tBye\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n5\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
  check_score(conll18_evaluate(gold, one).at("Sentences"), 0.0, 0.0, 0.0);
  const auto three = conllu(
      "1\tHi\t_\t_\t_\t_\t_\t_\t_\t_\n\n"
      "1\tthere\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n2\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n"
      "1\tBye\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n2\t.\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
  const Conll18Scores s = conll18_evaluate(gold, three);
  check_score(s.at("Sentences"), 1.0 / 3, 1.0 / 2, 2.0 / 5);
  CHECK(s.at("Tokens").f1 == 1.0);
}

TEST_CASE("conll18: tags, lemmas and dependencies on aligned words") {
  const auto gold = conllu(
      "1\tI\tI\tPRON\tPRP\tCase=Nom|Number=Sing|Person=1|PronType=Prs\t2\tnsubj\t_\t_\n"
      "2\tsaw\tsee\tVERB\tVBD\tMood=Ind|Tense=Past|VerbForm=Fin\t0\troot\t_\t_\n"
      "3\tit\tit\tPRON\tPRP\tCase=Acc|Number=Sing|Person=3|PronType=Prs\t2\tobj\t_\tSpaceAfter=No\n"
      "4\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_\n\n");
  // Wrong: UPOS of "it", the lemma of "saw", the head of ".". Ignored: a language-specific feature
  // (Typo) and a relation subtype (obj:x).
  const auto system = conllu(
      "1\tI\tI\tPRON\tPRP\tCase=Nom|Number=Sing|Person=1|PronType=Prs|Typo=Yes\t2\tnsubj\t_\t_\n"
      "2\tsaw\tsaw\tVERB\tVBD\tMood=Ind|Tense=Past|VerbForm=Fin\t0\troot\t_\t_\n"
      "3\tit\tit\tNOUN\tPRP\tCase=Acc|Number=Sing|Person=3|PronType=Prs\t2\tobj:x\t_\tSpaceAfter=No\n"
      "4\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_\n\n");
  const Conll18Scores s = conll18_evaluate(gold, system);
  check_score(s.at("UPOS"), 0.75, 0.75, 0.75);
  check_score(s.at("XPOS"), 1.0, 1.0, 1.0);
  check_score(s.at("UFeats"), 1.0, 1.0, 1.0);
  check_score(s.at("AllTags"), 0.75, 0.75, 0.75);
  check_score(s.at("Lemmas"), 0.75, 0.75, 0.75);
  check_score(s.at("UAS"), 0.75, 0.75, 0.75);
  check_score(s.at("LAS"), 0.75, 0.75, 0.75);
  check_score(s.at("CLAS"), 1.0, 1.0, 1.0);
  check_score(s.at("MLAS"), 2.0 / 3, 2.0 / 3, 2.0 / 3);
  check_score(s.at("BLEX"), 2.0 / 3, 2.0 / 3, 2.0 / 3);
  CHECK(s.at("CLAS").gold_total == 3);
  CHECK(*s.at("LAS").aligned_accuracy == doctest::Approx(0.75));
}

TEST_CASE("conll18: MLAS compares functional children") {
  const char* gold_text =
      "1\tthe\tthe\tDET\tDT\t_\t2\tdet\t_\t_\n"
      "2\tdog\tdog\tNOUN\tNN\t_\t0\troot\t_\t_\n\n";
  const auto gold = conllu(gold_text);
  const auto system = conllu(
      "1\tthe\tthe\tPRON\tDT\t_\t2\tdet\t_\t_\n"
      "2\tdog\tdog\tNOUN\tNN\t_\t0\troot\t_\t_\n\n");
  const Conll18Scores s = conll18_evaluate(gold, system);
  // "dog" is the only content word; its determiner child has the wrong UPOS.
  check_score(s.at("LAS"), 1.0, 1.0, 1.0);
  check_score(s.at("MLAS"), 0.0, 0.0, 0.0);
  check_score(s.at("CLAS"), 1.0, 1.0, 1.0);
}

TEST_CASE("conll18: a gold lemma of _ accepts any system lemma") {
  const auto gold = conllu("1\tx\t_\tX\t_\t_\t0\troot\t_\t_\n\n");
  const auto system = conllu("1\tx\ty\tX\t_\t_\t0\troot\t_\t_\n\n");
  CHECK(conll18_evaluate(gold, system).at("Lemmas").f1 == 1.0);
}

TEST_CASE("conll18: differing texts are an error naming the first difference") {
  const auto gold = conllu("1\tabc\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
  const auto system = conllu("1\tabd\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
  try {
    conll18_evaluate(gold, system);
    FAIL("expected a ValueError");
  } catch (const ValueError& e) {
    CHECK(std::string(e.what()).find("in gold file: 'c' and system file: 'd'") != std::string::npos);
  }
}

TEST_CASE("conll18: raw text evaluation runs a pipeline on gold sentences and documents") {
  const auto gold = conllu(std::string(kGoldMwt) +
                           "1\tGood\t_\t_\t_\t_\t_\t_\t_\tSpaceAfter=No\n2\t!\t_\t_\t_\t_\t_\t_\t_\t_\n\n");
  REQUIRE(gold.size() == 1);
  TokenizerRules rules;
  rules.suffixes = {{"[.!]"}, {"n't", true}};
  const Tokenizer tok(std::make_shared<Vocab>("en"), rules);
  std::vector<std::string> seen;
  const Conll18Scores s = conll18_evaluate_sentences(gold, [&](std::string text) {
    seen.push_back(text);
    return tok(std::move(text));
  });
  CHECK(seen == std::vector<std::string>{"I don't know.", "Good!"});
  check_score(s.at("Tokens"), 1.0, 1.0, 1.0);
  check_score(s.at("Words"), 1.0, 1.0, 1.0);
  check_score(s.at("Sentences"), 1.0, 1.0, 1.0);
  // One document without a sentencizer is one sentence.
  const Conll18Scores d = conll18_evaluate_documents(gold, [&](std::string text) { return tok(std::move(text)); });
  check_score(d.at("Words"), 1.0, 1.0, 1.0);
  check_score(d.at("Sentences"), 0.0, 0.0, 0.0);
  CHECK(conll18_table(d).find("Words      |    100.00 |    100.00 |    100.00 |") != std::string::npos);
}
