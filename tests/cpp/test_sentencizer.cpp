// The rule-based sentencizer.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "test_paths.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/doc/span.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/language.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/components/sentencizer/sentencizer.hpp"
#include "weft/train/conll18.hpp"

using namespace weft;

namespace {

const Pipeline& nlp() {
  static const Pipeline p = [] {
    Pipeline q = Pipeline::blank("en");
    q.add_pipe("sentencizer");
    return q;
  }();
  return p;
}

// The sentences' texts joined by " | ".
std::string sents(const Doc& doc) {
  std::string out;
  for (const Span& s : doc.sents()) out += (out.empty() ? "" : " | ") + std::string(s.text());
  return out;
}

std::string sents(const std::string& text) { return sents(nlp()(text)); }

}  // namespace

TEST_CASE("tokenize: sentencizer splits after sentence-final punctuation") {
  CHECK(sents("Hello world. How are you? Fine!") == "Hello world. | How are you? | Fine!");
  CHECK(sents("Wait!!! Really?! Yes.") == "Wait!!! | Really?! | Yes.");
  CHECK(sents("No end") == "No end");
  CHECK(sents("Mr. Smith went to the U.S. on Jan. 5. He won.") == "Mr. Smith went to the U.S. on Jan. 5. | He won.");
}

TEST_CASE("tokenize: sentencizer keeps closing quotes and brackets with the sentence") {
  CHECK(sents("He said \"Stop.\" Then he left.") == "He said \"Stop.\" | Then he left.");
  CHECK(sents("It ended. \"Next one,\" he said.") == "It ended. | \"Next one,\" he said.");
  CHECK(sents("(It works.) Yes.") == "(It works.) | Yes.");
  CHECK(sents("“Done.” Next.") == "“Done.” | Next.");
}

TEST_CASE("tokenize: sentencizer splits at newlines and continues after lowercase ellipsis") {
  CHECK(sents("Title\nThe body text") == "Title | The body text");
  CHECK(sents("Well... maybe not. Then... He left.") == "Well... maybe not. | Then... | He left.");
  Sentencizer plain("s", SentencizerConfig::from_json(Json{{"split_on_newlines", false},
                                                          {"ellipsis_lowercase_continues", false}},
                                                     SentencizerConfig{SentencizerConfig::default_punct_chars()}));
  Doc d = nlp().make_doc("Title\nThe body... text");
  plain(d);
  CHECK(sents(d) == "Title\nThe body... | text");
}

TEST_CASE("tokenize: sentencizer marks every token and handles empty docs") {
  Doc d = nlp()("One. Two.");
  REQUIRE(d.size() == 4);
  CHECK(d.data(0).sent_start == 1);
  CHECK(d.data(1).sent_start == -1);
  CHECK(d.data(2).sent_start == 1);
  CHECK(d.data(3).sent_start == -1);
  Doc empty = nlp()("");
  CHECK(empty.size() == 0);
}

TEST_CASE("tokenize: sentencizer with only_starts leaves the other tokens undecided for a parser") {
  Pipeline p = Pipeline::blank("en");
  p.add_pipe("sentencizer", "", Json{{"only_starts", true}});
  CHECK(p.get_pipe("sentencizer").config()["only_starts"] == true);
  Doc d = p("One. Two");
  REQUIRE(d.size() == 3);
  CHECK(d.data(0).sent_start == 1);
  CHECK(d.data(1).sent_start == 0);
  CHECK(d.data(2).sent_start == 1);
  CHECK(sents(d) == "One. | Two");
  CHECK_THROWS_AS(p.add_pipe("sentencizer", "bad", Json{{"only_starts", "yes"}}), FormatError);
}

TEST_CASE("tokenize: sentencizer config") {
  const Component& c = nlp().get_pipe("sentencizer");
  CHECK(c.factory_name() == "weft.Sentencizer.v1");
  const Json config = c.config();
  CHECK(config["split_on_newlines"] == true);
  CHECK(config["punct_chars"].size() == SentencizerConfig::default_punct_chars().size());
  // The config recreates the component.
  Pipeline p = Pipeline::blank("en");
  p.add_pipe("weft.Sentencizer.v1", "sents", config);
  CHECK(p.get_pipe("sents").config() == config);
  // Only "|" ends sentences here.
  Pipeline q = Pipeline::blank("en");
  q.add_pipe("sentencizer", "", Json{{"punct_chars", Json::array({"|"})}});
  CHECK(sents(q("a. b | c")) == "a. b | | c");
  CHECK_THROWS_WITH_AS(q.add_pipe("sentencizer", "bad", Json{{"punct_char", Json::array()}}),
                       doctest::Contains("unknown key \"punct_char\""), ConfigError);
  CHECK_THROWS_AS(q.add_pipe("sentencizer", "bad2", Json{{"split_on_newlines", 1}}), FormatError);
}

TEST_CASE("tokenize: sentencizer Sentences F1 on EWT dev documents") {
  const LanguageData lang = language_data("en");
  const std::vector<Doc> gold = read_conllu_file(test::data_path("en_ewt/dev.conllu"), make_vocab(lang));
  const Conll18Scores s = conll18_evaluate_documents(gold, [&](std::string text) { return nlp()(std::move(text)); });
  const Conll18Score& sentences = s.at("Sentences");
  MESSAGE("EWT dev Sentences P/R/F " << 100 * sentences.precision << " / " << 100 * sentences.recall << " / "
                                      << 100 * sentences.f1 << " (tokens F1 " << 100 * s.at("Tokens").f1 << ")");
  CHECK(sentences.gold_total == 2001);
  CHECK(sentences.f1 >= 0.83);
}

TEST_CASE("tokenize: sentencizer keeps the boundaries already decided unless overwrite (spaCy)") {
  // Regression: the sentencizer replaced given starts, so `weft run` put JSONL sentences back after the
  // parser, over trees made without them.
  Doc d = nlp().make_doc("One two three. Four five");
  d.data(1).sent_start = 1;   // given: "two" starts a sentence
  d.data(4).sent_start = -1;  // given: "Four" does not
  nlp().annotate(d);
  CHECK(sents(d) == "One | two three. Four five");
  Pipeline over = Pipeline::blank("en");
  over.add_pipe("sentencizer", "", Json{{"overwrite", true}});
  Doc e = over.make_doc("One two three. Four five");
  e.data(1).sent_start = 1;
  over.annotate(e);
  CHECK(sents(e) == "One two three. | Four five");
  CHECK(over.get_pipe("sentencizer").config()["overwrite"] == true);
  CHECK_THROWS_AS(over.add_pipe("sentencizer", "s2", Json{{"overwrite", 1}}), FormatError);
}
