// NLTK's variants behind the registry (issue 22): weft.TreebankTokenizer.v1, weft.RegexpTokenizer.v1 and
// weft.PunktSentencizer.v1 against what NLTK answers on the same inputs (tests/data/nltk/, written by
// make_fixtures.py with NLTK from PyPI), their configs, saving and loading, and training Punkt from raw text.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_paths.hpp"
#include "token_strings.hpp"
#include "weft/components/punkt/punkt.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/doc/span.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/language.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/pipeline/registry.hpp"
#include "weft/tokenize/regexp_tokenizer.hpp"
#include "weft/tokenize/treebank_tokenizer.hpp"
#include "weft/train/trainer.hpp"

using namespace weft;
using weft::test::show;

namespace {

std::vector<Json> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  std::vector<Json> out;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(Json::parse(line));
  return out;
}

const Json& punkt_fixture() {
  static const Json j = read_json_file(test::source_path("tests/data/nltk/punkt.json"));
  return j;
}

// The Treebank form of each token: its norm where the tokenizer set one (converted quotes), else its text.
std::vector<std::string> treebank_forms(const Doc& d) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < d.size(); ++i)
    out.emplace_back(d.data(i).norm ? d.str(d.data(i).norm) : d.token_text(i));
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

// The tokens of a Doc are non-empty, ordered, non-overlapping byte ranges without whitespace at their edges.
void check_token_invariants(const Doc& d) {
  std::size_t end = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const TokenData& t = d.data(i);
    CHECK(t.len > 0);
    CHECK(t.idx >= end);
    end = t.idx + t.len;
    CHECK(end <= d.text().size());
    const std::string_view s = d.token_text(i);
    CHECK(std::string(" \t\n\r").find(s.front()) == std::string::npos);
    CHECK(std::string(" \t\n\r").find(s.back()) == std::string::npos);
  }
}

// The raw text of the first n documents of a CoNLL-U file, joined by a blank line (what weft train
// learns from, and what make_fixtures.py gave NLTK).
std::string conllu_text(const std::string& path, std::size_t n) {
  auto vocab = std::make_shared<Vocab>("en");
  std::vector<Doc> docs = read_conllu_file(path, vocab, {ConlluReadOptions::Group::Document, false});
  std::string text;
  for (std::size_t i = 0; i < n && i < docs.size(); ++i) text += (text.empty() ? "" : "\n\n") + docs[i].text();
  return text;
}

std::vector<std::string> sorted_strings(const Json& j) {
  std::vector<std::string> out;
  for (const Json& v : j) out.push_back(v.get<std::string>());
  return out;
}

template <class Set>
std::vector<std::string> as_vector(const Set& s) {
  return std::vector<std::string>(s.begin(), s.end());
}

std::string sents(const Doc& doc) {
  std::string out;
  for (const Span& s : doc.sents()) out += (out.empty() ? "" : " | ") + std::string(s.text());
  return out;
}

}  // namespace

// ---- Treebank ------------------------------------------------------------------------------------

TEST_CASE("variants: the Treebank tokenizer gives NLTK's TreebankWordTokenizer tokens") {
  const TreebankTokenizer tb(std::make_shared<Vocab>("en"));
  std::size_t n = 0;
  for (const Json& c : read_jsonl(test::source_path("tests/data/nltk/treebank.jsonl"))) {
    const std::string text = c["text"].get<std::string>();
    const Doc d = tb(text);
    CAPTURE(text);
    CHECK(joined(treebank_forms(d)) == joined(sorted_strings(c["tokens"])));
    CHECK(treebank_forms(d) == sorted_strings(c["tokens"]));
    check_token_invariants(d);
    CHECK(d.text() == text);
    ++n;
  }
  CHECK(n > 300);
}

TEST_CASE("variants: the Treebank tokenizer keeps the text's characters and marks contractions") {
  const TreebankTokenizer tb(std::make_shared<Vocab>("en"));
  const Doc d = tb("\"Hi,\" she said. I can't -- won't go to O'Neil's!");
  CHECK(show(d) == "\" Hi , \" she said. I ca+n't -- wo+n't go to O'Neil+'s !");
  CHECK(d.str(d.data(0).norm) == "``");
  CHECK(d.str(d.data(3).norm) == "''");
  CHECK(d.data(1).norm == 0);
  // Offsets map back to the text; a quote's token is the text's own character.
  CHECK(d.token_text(0) == "\"");
  CHECK(d.data(7).idx == std::string("\"Hi,\" she said. I ").size());
  CHECK(tb("gonna cannot 'tis").size() == 6);
  CHECK(show(tb("gonna cannot 'tis")) == "gon+na can+not 't+is");
  CHECK(show(tb("dogs' bones")) == "dogs ' bones");  // a quote before a space: PUNCTUATION splits it
  CHECK(show(tb("a ' b")) == "a ' b");
  CHECK(tb("").size() == 0);
  CHECK(tb("   \n").size() == 0);
  CHECK_THROWS_AS(tb("\xC0\x80"), EncodingError);
  std::string explained;
  for (const ExplainEntry& e : tb.explain("\"I can't\"")) explained += e.rule + ":" + e.text + " ";
  CHECK(explained == "QUOTE:\" TOKEN:I TOKEN:ca CONTRACTION:n't QUOTE:\" ");
}

TEST_CASE("variants: Treebank and Regexp tokenizers are registered, configured and saved") {
  const Registry& r = Registry::global();
  for (const char* name : {"weft.TreebankTokenizer.v1", "weft.RegexpTokenizer.v1"}) {
    REQUIRE(r.has("tokenizers", name));
    CHECK(r.entry("tokenizers", name).description.find("NLTK") != std::string::npos);
  }
  auto tb = make_tokenizer(Json{{"@tokenizers", "weft.TreebankTokenizer.v1"}}, std::make_shared<Vocab>("en"));
  CHECK(tb->to_json() == Json{{"@tokenizers", "weft.TreebankTokenizer.v1"}});
  CHECK_THROWS_WITH_AS(make_tokenizer(Json{{"@tokenizers", "weft.TreebankTokenizer.v1"}, {"pattern", "x"}}, nullptr),
                       doctest::Contains("unknown key \"pattern\""), ConfigError);
  // A pipeline with the Treebank tokenizer saves it in tokenizer.json and loads it back.
  Pipeline nlp = Pipeline::blank("en");
  nlp.set_tokenizer(std::move(tb));
  const auto dir = test::temp_dir("variants_treebank");
  save_pipeline(nlp, dir);
  const Pipeline back = load(dir);
  CHECK(back.tokenizer().registry_name() == "weft.TreebankTokenizer.v1");
  CHECK(show(back.make_doc("They'll go.")) == "They+'ll go .");

  Json rc{{"@tokenizers", "weft.RegexpTokenizer.v1"}, {"pattern", "[A-Z]\\w+"}, {"gaps", false}};
  nlp.set_tokenizer(make_tokenizer(rc, nlp.vocab()));
  save_pipeline(nlp, dir);
  const Pipeline back2 = load(dir);
  CHECK(back2.tokenizer().to_json() == rc);
  CHECK(show(back2.make_doc("Good muffins in New York")) == "Good New York");
  std::filesystem::remove_all(dir);
}

// ---- Regexp --------------------------------------------------------------------------------------

TEST_CASE("variants: the Regexp tokenizer gives NLTK's RegexpTokenizer tokens") {
  std::size_t n = 0;
  for (const Json& c : read_jsonl(test::source_path("tests/data/nltk/regexp.jsonl"))) {
    const RegexpTokenizer rt(std::make_shared<Vocab>("en"), c["pattern"].get<std::string>(), c["gaps"].get<bool>());
    const std::string text = c["text"].get<std::string>();
    CAPTURE(c.dump());
    // A weft token never has whitespace at its edges (NLTK's gaps may leave some) and is never empty.
    std::vector<std::string> expected;
    for (const Json& t : c["tokens"]) {
      std::string s = t.get<std::string>();
      const auto b = s.find_first_not_of(" \t\n\r");
      if (b == std::string::npos) continue;
      s = s.substr(b, s.find_last_not_of(" \t\n\r") - b + 1);
      if (s.rfind("\xC2\xA0", 0) == 0) s = s.substr(2);  // a leading no-break space (White_Space)
      expected.push_back(s);
    }
    const Doc d = rt(text);
    std::vector<std::string> got;
    for (std::size_t i = 0; i < d.size(); ++i) got.emplace_back(d.token_text(i));
    CHECK(got == expected);
    check_token_invariants(d);
    ++n;
  }
  CHECK(n >= 19);
}

TEST_CASE("variants: the Regexp tokenizer's config, default pattern and bad patterns") {
  auto vocab = std::make_shared<Vocab>("en");
  auto made = make_tokenizer(Json{{"@tokenizers", "weft.RegexpTokenizer.v1"}}, vocab);
  CHECK(made->to_json()["pattern"] == RegexpTokenizer::kDefaultPattern);
  CHECK(show((*made)("Can't stop, naïve!")) == "Can ' t stop , naïve !");
  const RegexpTokenizer gaps(vocab, ",\\s*", true);
  CHECK(show(gaps(" a b, c,,d ")) == "a b c d");
  std::string explained;
  for (const ExplainEntry& e : gaps.explain("x, y")) explained += e.rule + ":" + e.text + " ";
  CHECK(explained == "GAP:x GAP:y ");
  // Empty and whitespace-only matches make no token.
  CHECK(show(RegexpTokenizer(vocab, "x*")("axxb")) == "xx");
  CHECK(show(RegexpTokenizer(vocab, "\\s+|a")("a a")) == "a a");
  // Unicode classes: \w \d \s are Python's.
  CHECK(show(RegexpTokenizer(vocab, "\\d+")("٣٤ and 12")) == "٣٤ 12");
  CHECK(RegexpTokenizer::unicode_classes("[\\w-]\\S\\Q\\w\\E\\p{L}") ==
        "[\\p{L}\\p{Nl}\\p{M}\\p{Nd}\\p{Pc}-][^\\t-\\r \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}"
        "\\x{202f}\\x{205f}\\x{3000}]\\Q\\w\\E\\p{L}");
  // Bad configs name the pattern or the key.
  const auto bad = [&](const Json& extra, const std::string& message) {
    Json c{{"@tokenizers", "weft.RegexpTokenizer.v1"}};
    for (const auto& [k, v] : extra.items()) c[k] = v;
    CAPTURE(c.dump());
    CHECK_THROWS_WITH_AS(make_tokenizer(c, vocab), doctest::Contains(message.c_str()), ConfigError);
  };
  bad(Json{{"pattern", "(ab"}}, "RegexpTokenizer pattern \"(ab\" does not compile: missing )");
  bad(Json{{"pattern", "a)(b"}}, "RegexpTokenizer pattern \"a)(b\" does not compile");
  bad(Json{{"pattern", "(a)b"}}, "RegexpTokenizer pattern \"(a)b\" has a capturing group; use (?:...)");
  bad(Json{{"pattern", "(?<=a)b"}}, "RegexpTokenizer pattern \"(?<=a)b\" does not compile");
  bad(Json{{"pattern", "[^\\W\\d]"}}, "\\W inside [...] has no RE2 form");
  bad(Json{{"pattern", ""}}, "RegexpTokenizer pattern is empty");
  bad(Json{{"pattern", 5}}, "\"pattern\" must be a string");
  bad(Json{{"gaps", "yes"}}, "\"gaps\" must be true or false");
  bad(Json{{"flags", 0}}, "unknown key \"flags\"");
  CHECK_THROWS_AS(RegexpTokenizer(vocab, "[a"), ValueError);  // ConfigError is a ValueError
}

// ---- Punkt ---------------------------------------------------------------------------------------

TEST_CASE("variants: Punkt learns NLTK's parameters from the same raw text") {
  const Json& f = punkt_fixture();
  const std::string text = conllu_text(test::data_path("en_ewt/train.conllu"), f["train_documents"].get<std::size_t>());
  // The same text NLTK was given (code points: the fixture counts as Python does).
  std::size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
  CHECK(chars == f["train_text_chars"].get<std::size_t>());
  CHECK(text.rfind(f["train_text_head"].get<std::string>(), 0) == 0);
  const std::string tail = f["train_text_tail"].get<std::string>();
  CHECK(text.compare(text.size() - tail.size(), tail.size(), tail) == 0);

  punkt::TrainingStats stats;
  const punkt::Parameters p = punkt::train(text, {}, &stats);
  CHECK(as_vector(p.abbrev_types) == sorted_strings(f["abbrev_types"]));
  CHECK(as_vector(p.sent_starters) == sorted_strings(f["sent_starters"]));
  std::vector<std::string> colloc, expected_colloc;
  for (const auto& [a, b] : p.collocations) colloc.push_back(a + " " + b);
  for (const Json& c : f["collocations"]) expected_colloc.push_back(c[0].get<std::string>() + " " + c[1].get<std::string>());
  CHECK(colloc == expected_colloc);
  std::size_t nonzero = 0;
  for (const auto& [type, flags] : p.ortho_context) {
    if (flags == 0) continue;
    ++nonzero;
    CAPTURE(type);
    REQUIRE(f["ortho_context"].contains(type));
    CHECK(f["ortho_context"][type].get<std::uint32_t>() == flags);
  }
  CHECK(nonzero == f["ortho_context"].size());
  CHECK(stats.tokens > 40000);
  // The parameters survive their JSON form.
  const punkt::Parameters q = punkt::Parameters::from_json(p.to_json(), "test");
  CHECK(q.abbrev_types == p.abbrev_types);
  CHECK(q.collocations == p.collocations);
  CHECK(q.sent_starters == p.sent_starters);
  CHECK(q.to_json() == p.to_json());
}

TEST_CASE("variants: Punkt finds NLTK's sentences") {
  const Json& f = punkt_fixture();
  const punkt::Parameters p = punkt::Parameters::from_json(
      Json{{"abbrev_types", f["abbrev_types"]}, {"collocations", f["collocations"]}, {"sent_starters", f["sent_starters"]},
           {"ortho_context", f["ortho_context"]}},
      "fixture");
  std::size_t n = 0;
  for (const Json& c : f["spans"]) {
    const std::string text = c["text"].get<std::string>();
    CAPTURE(text.substr(0, 120));
    std::vector<std::pair<std::size_t, std::size_t>> expected, expected_plain;
    for (const Json& s : c["spans"]) expected.emplace_back(s[0].get<std::size_t>(), s[1].get<std::size_t>());
    for (const Json& s : c["spans_no_realign"]) expected_plain.emplace_back(s[0].get<std::size_t>(), s[1].get<std::size_t>());
    CHECK(punkt::sentence_spans(text, p) == expected);
    CHECK(punkt::sentence_spans(text, p, false) == expected_plain);
    ++n;
  }
  CHECK(n == f["spans"].size());
  CHECK(n > 30);
  // Punkt's words (PunktLanguageVars.word_tokenize).
  std::string words;
  for (std::string_view w : punkt::word_tokenize("Hello, (world)... it's -- 5.5, e.g. x.\"y\" a , b."))
    words += std::string(w) + "|";
  CHECK(words == "Hello|,|(|world|)|...|it|'s|--|5.5|,|e.g.|x.|\"|y|\"|a|,|b.|");  // NLTK's answer
}

TEST_CASE("variants: the Punkt component marks sentence starts, saves and loads its parameters") {
  REQUIRE(Registry::global().has("components", "weft.PunktSentencizer.v1"));
  CHECK(Registry::global().entry("components", "weft.PunktSentencizer.v1").description.find("Punkt") != std::string::npos);
  const Json& f = punkt_fixture();
  Pipeline nlp = Pipeline::blank("en");
  auto& punkt = dynamic_cast<PunktSentencizer&>(nlp.add_pipe("weft.PunktSentencizer.v1", "punkt"));
  CHECK(Pipeline::is_segmenter(punkt));
  CHECK(Pipeline::is_sentence_only(punkt));
  // Untrained: every period-final word ends a sentence.
  CHECK(sents(nlp("Dr. Smith came. He sat.")) == "Dr. | Smith came. | He sat.");
  punkt.learn_from_text(conllu_text(test::data_path("en_ewt/train.conllu"), f["train_documents"].get<std::size_t>()));
  CHECK(punkt.parameters().abbrev_types.count("dr"));
  CHECK(sents(nlp("Dr. Smith came. He sat.")) == "Dr. Smith came. | He sat.");
  CHECK(punkt.learnt_summary().find("48 abbreviation types") != std::string::npos);
  // A newline starts a sentence unless split_on_newlines is off.
  CHECK(sents(nlp("one line\nanother line")) == "one line | another line");
  // Closing quotes stay with their sentence.
  CHECK(sents(nlp("He said \"go.\" She went.")) == "He said \"go.\" | She went.");
  // Decided starts are kept (overwrite: false).
  Doc d = nlp.make_doc("Hello there. General Kenobi.");
  d.data(1).sent_start = 1;
  nlp.get_pipe("punkt")(d);
  CHECK(sents(d) == "Hello | there. | General Kenobi.");

  const auto dir = test::temp_dir("variants_punkt");
  save_pipeline(nlp, dir);
  CHECK(std::filesystem::exists(dir / "punkt" / "punkt.json"));
  Pipeline back = load(dir);
  const auto& loaded = dynamic_cast<const PunktSentencizer&>(back.get_pipe("punkt"));
  CHECK(loaded.parameters().to_json() == punkt.parameters().to_json());
  for (const std::string& line : test::dev_lines(40)) CHECK(sents(back(line)) == sents(nlp(line)));
  // A config setting survives too.
  Pipeline plain = Pipeline::blank("en");
  plain.add_pipe("weft.PunktSentencizer.v1", "punkt", Json{{"split_on_newlines", false}, {"abbrev_backoff", 3}});
  save_pipeline(plain, dir);
  Pipeline plain_back = load(dir);
  CHECK(plain_back.get_pipe("punkt").config()["split_on_newlines"] == false);
  CHECK(plain_back.get_pipe("punkt").config()["abbrev_backoff"] == 3);
  CHECK(sents(plain_back("one line\nanother line")) == "one line\nanother line");
  // A folder without its parameters, or with broken ones, is a ModelError naming the file.
  std::filesystem::remove(dir / "punkt" / "punkt.json");
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("punkt.json is missing"), ModelError);
  write_file((dir / "punkt" / "punkt.json").string(), R"({"abbrev_types": "dr"})");
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("\"abbrev_types\" must be a list of strings"), ModelError);
  write_file((dir / "punkt" / "punkt.json").string(), R"({"abbrevs": []})");
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("unknown key \"abbrevs\""), ModelError);
  write_file((dir / "punkt" / "punkt.json").string(), R"({"ortho_context": {"x": 999}})");
  CHECK_THROWS_WITH_AS(load(dir), doctest::Contains("from 0 to 127"), ModelError);
  std::filesystem::remove_all(dir);
}

TEST_CASE("variants: bad Punkt configs are ConfigErrors naming the key") {
  Pipeline nlp = Pipeline::blank("en");
  const auto bad = [&](const Json& config, const std::string& message) {
    CAPTURE(config.dump());
    CHECK_THROWS_WITH_AS(nlp.add_pipe("weft.PunktSentencizer.v1", "p", config), doctest::Contains(message.c_str()), ValueError);
  };
  bad(Json{{"abbrev", 0.3}}, "unknown key \"abbrev\"");
  bad(Json{{"split_on_newlines", 1}}, "\"split_on_newlines\" must be true or false");
  bad(Json{{"abbrev_threshold", "high"}}, "\"abbrev_threshold\" must be a number");
  bad(Json{{"abbrev_backoff", 2.5}}, "\"abbrev_backoff\" must be an integer");
  CHECK_FALSE(nlp.has_pipe("p"));
  nlp.add_pipe("weft.PunktSentencizer.v1", "p", Json{{"_doc", "comments are allowed"}});
  CHECK(nlp.has_pipe("p"));
}

TEST_CASE("variants: weft train learns Punkt from a raw-text corpus and scores it on raw dev text") {
  const auto dir = test::temp_dir("variants_train_punkt");
  std::filesystem::create_directories(dir);
  // A .txt corpus: its documents are the blocks between blank lines; max_train_docs keeps the first.
  const std::string text = conllu_text(test::data_path("en_ewt/train.conllu"), 30);
  write_file((dir / "train.txt").string(), text + "\n\n" + "Zz. Qq. Extra document.\n");
  Json config = read_json_file(test::source_path("models/configs/variants/punkt_sentencizer.json"));
  config["corpora"]["train"] = (dir / "train.txt").string();
  config["corpora"]["dev"] = test::data_path("en_ewt/dev.conllu");
  config["corpora"]["max_train_docs"] = 30;
  config["corpora"]["max_dev_docs"] = 40;
  config["nlp"]["tokenizer"] = Json{{"@tokenizers", "weft.TreebankTokenizer.v1"}};
  std::ostringstream log;
  const TrainResult r = train(config, {dir / "out", &log});
  CAPTURE(log.str());
  CHECK(log.str().find("learning from raw text: 30 documents") != std::string::npos);
  CHECK(log.str().find("48 abbreviation types") != std::string::npos);  // the same as NLTK's on this text
  CHECK(r.best_scores.contains("Sentences"));
  CHECK(r.best_scores["Sentences"].get<double>() > 60.0);
  CHECK(r.best_score > 0.6);
  for (const char* m : {"model-best", "model-last"}) {
    const Pipeline nlp = load(dir / "out" / m);
    CHECK(nlp.pipe_names() == std::vector<std::string>{"punkt"});
    CHECK(nlp.tokenizer().registry_name() == "weft.TreebankTokenizer.v1");
    const auto& p = dynamic_cast<const PunktSentencizer&>(nlp.get_pipe("punkt"));
    CHECK(as_vector(p.parameters().abbrev_types) == sorted_strings(punkt_fixture()["abbrev_types"]));
  }
  // In a pipeline with neural components, Punkt learns first from the CoNLL-U corpus's text.
  Json mixed = config;
  mixed["nlp"]["pipeline"] = Json::array({"punkt", "tok2vec", "tagger"});
  mixed["nlp"].erase("tokenizer");
  mixed["components"]["tok2vec"] = Json{{"factory", "tok2vec"}, {"width", 32}};
  mixed["components"]["tagger"] = Json{{"factory", "tagger"}, {"tok2vec", {{"upstream", "tok2vec"}}}};
  mixed["corpora"]["train"] = test::data_path("en_ewt/train.conllu");
  mixed["corpora"]["max_train_docs"] = 30;
  mixed["corpora"]["max_dev_docs"] = 5;
  mixed["training"] = Json{{"max_steps", 2}, {"eval_frequency", 2}};
  std::ostringstream mixed_log;
  train(mixed, {dir / "mixed", &mixed_log});
  CAPTURE(mixed_log.str());
  CHECK(mixed_log.str().find("punkt: learnt from the raw text of 30 documents") != std::string::npos);
  const Pipeline tagged = load(dir / "mixed" / "model-best");
  CHECK(tagged.pipe_names() == std::vector<std::string>{"punkt", "tok2vec", "tagger"});
  CHECK(as_vector(dynamic_cast<const PunktSentencizer&>(tagged.get_pipe("punkt")).parameters().abbrev_types) ==
        sorted_strings(punkt_fixture()["abbrev_types"]));
  // Raw text trains only text learners; dev must be gold CoNLL-U.
  Json with_tagger = config;
  with_tagger["nlp"]["pipeline"] = Json::array({"punkt", "tok2vec", "tagger"});
  with_tagger["components"]["tok2vec"] = Json{{"factory", "tok2vec"}};
  with_tagger["components"]["tagger"] = Json{{"factory", "tagger"}, {"tok2vec", {{"upstream", "tok2vec"}}}};
  CHECK_THROWS_WITH_AS(train(with_tagger), doctest::Contains("a raw-text corpus trains only components that learn from text"),
                       ValueError);
  Json txt_dev = config;
  txt_dev["corpora"]["dev"] = (dir / "train.txt").string();
  CHECK_THROWS_WITH_AS(train(txt_dev), doctest::Contains("corpora.dev must be CoNLL-U"), ValueError);
  Json bad_tok = config;
  bad_tok["nlp"]["tokenizer"] = "weft.TreebankTokenizer.v1";
  CHECK_THROWS_WITH_AS(train(bad_tok), doctest::Contains("\"nlp.tokenizer\" must be a tokenizer config"), ConfigError);
  Json empty = config;
  write_file((dir / "empty.txt").string(), "\n \n");
  empty["corpora"]["train"] = (dir / "empty.txt").string();
  CHECK_THROWS_WITH_AS(train(empty), doctest::Contains("has no text"), ValueError);
  std::filesystem::remove_all(dir);
}
