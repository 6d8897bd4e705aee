// JSONL input: plain and annotated records, lines of any size, and every kind of bad line reported
// by its line number, or skipped with skip_bad while the good lines around it are still returned.
#include <doctest/doctest.h>

#include <sstream>

#include "test_paths.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/doc/doc_json.hpp"
#include "weft/doc/jsonl.hpp"
#include "weft/error.hpp"

using namespace weft;

namespace {

std::shared_ptr<Vocab> vocab() { return std::make_shared<Vocab>("en"); }

std::vector<JsonlRecord> read_all(const std::string& text, bool skip_bad = false,
                                  std::vector<std::string>* skipped = nullptr) {
  std::istringstream in(text);
  JsonlReader reader(in, vocab(), "in.jsonl", skip_bad);
  std::vector<JsonlRecord> out;
  while (auto r = reader.next()) out.push_back(std::move(*r));
  if (skipped) *skipped = reader.skipped();
  return out;
}

template <class E = FormatError>
std::string error_of(const std::string& text) {
  return weft::test::error_message<E>([&] { read_all(text); }, text);
}

}  // namespace

TEST_CASE("formats: jsonl plain records") {
  const auto recs = read_all(
      "{\"text\": \"Hello world.\", \"meta\": {\"id\": 1, \"tags\": [\"a\", \"b\"]}}\n"
      "\n"
      "   \n"
      "{\"meta\": {}, \"text\": \"caf\\u00e9 \\\"quoted\\\"\", \"other\": [1, 2]}\r\n"
      "{\"text\": \"\"}");
  REQUIRE(recs.size() == 3);
  CHECK(recs[0].line == 1);
  CHECK(recs[0].text == "Hello world.");
  CHECK(parse_json(recs[0].meta_json, "meta") == Json::parse(R"({"id": 1, "tags": ["a", "b"]})"));
  CHECK_FALSE(recs[0].doc.has_value());
  CHECK(recs[1].line == 4);
  CHECK(recs[1].text == "café \"quoted\"");
  CHECK(recs[1].meta_json == "{}");
  CHECK(recs[2].line == 5);
  CHECK(recs[2].text.empty());
  CHECK(recs[2].meta_json.empty());
}

TEST_CASE("formats: jsonl annotated records become Docs") {
  const auto dev = read_conllu_file(test::data_path("en_ewt/sample.conllu"), vocab());
  REQUIRE(dev.size() >= 2);
  Doc first = dev[0];
  first.extras().meta_json = R"({"source":"ewt"})";
  const std::string text = doc_to_json_line(first) + "\n" + doc_to_json_line(dev[1]) + "\n";
  const auto recs = read_all(text);
  REQUIRE(recs.size() == 2);
  REQUIRE(recs[0].doc.has_value());
  CHECK(recs[0].text == dev[0].text());
  CHECK(recs[0].meta_json == R"({"source":"ewt"})");
  CHECK(doc_to_json_line(*recs[0].doc) == doc_to_json_line(first));
  CHECK(doc_to_json(*recs[1].doc) == doc_to_json(dev[1]));
}

TEST_CASE("formats: jsonl annotated dev documents come back unchanged") {
  const auto dev = read_conllu_file(test::data_path("en_ewt/dev.conllu"), vocab());
  std::string text;
  for (const Doc& d : dev) text += doc_to_json_line(d) + "\n";
  const auto recs = read_all(text);
  REQUIRE(recs.size() == dev.size());
  for (std::size_t k = 0; k < dev.size(); ++k) REQUIRE(doc_to_json_line(*recs[k].doc) == doc_to_json_line(dev[k]));
}

TEST_CASE("formats: jsonl annotated records get doc_from_json's checks") {
  const std::vector<std::string> bad = {
      R"({"text": "ab", "tokens": [{"start": -1, "end": 1}]})",
      R"({"text": "ab", "tokens": [{"start": 0.5, "end": 1}]})",
      R"({"text": "ab", "tokens": [{"start": 0, "end": 2, "id": 4}]})",
      R"({"text": "ab", "tokens": [{"start": 0, "end": 2, "pos": "NOPE"}]})",
      R"({"text": "ab", "tokens": [{"start": 0, "end": 2, "head": 18446744073709551615}]})",
      R"({"text": "ab", "tokens": [{"start": 0, "end": 2, "tag": ["x"]}]})",
      R"({"text": "ab", "tokens": [{"start": 0, "end": 2}], "ents": [{"start": 0, "end": 1, "label": "X"}]})",
      R"({"text": "ab", "tokens": [{"start": 0, "end": 2}], "sents": [7]})",
      R"({"text": "ab", "tokens": [{"start": 0, "end": 2}], "mwt": [-2]})",
      R"({"text": "ab", "tokens": 3})",
  };
  for (const std::string& line : bad) {
    std::string expected;
    try {
      doc_from_json(parse_json(line, "t"), vocab(), "in.jsonl");
    } catch (const FormatError& e) {
      expected = e.cause();
    }
    REQUIRE(!expected.empty());
    CHECK(error_of("\n" + line + "\n") == "in.jsonl:line 2: " + expected);
  }
}

TEST_CASE("formats: jsonl reads a 10 MB line") {
  std::string big(10 * 1024 * 1024, 'x');
  for (std::size_t i = 0; i < big.size(); i += 100) big[i] = ' ';
  const std::string text = "{\"text\": \"short\"}\n{\"text\": \"" + big + "\"}\n{\"text\": \"after\"}\n";
  const auto recs = read_all(text);
  REQUIRE(recs.size() == 3);
  CHECK(recs[1].text == big);
  CHECK(recs[2].text == "after");
  CHECK(recs[2].line == 3);
}

TEST_CASE("formats: jsonl bad lines name the line") {
  const std::string good = "{\"text\": \"ok\"}\n";
  CHECK(error_of(good + "{\"text\": \"a\"\n").find("in.jsonl:line 2: invalid JSON") == 0);
  CHECK(error_of(good + good + "not json\n").find("in.jsonl:line 3: invalid JSON") == 0);
  CHECK(error_of(good + "{\"text\": \"a\"} {}\n").find("in.jsonl:line 2: invalid JSON") == 0);
  CHECK(error_of(good + "[1, 2]\n") == "in.jsonl:line 2: expected a JSON object, found an array");
  CHECK(error_of(good + "\"text\"\n") == "in.jsonl:line 2: expected a JSON object, found a string");
  CHECK(error_of(good + "{\"txt\": \"a\"}\n") == "in.jsonl:line 2: \"text\" is missing");
  CHECK(error_of(good + "{\"text\": 12}\n") == "in.jsonl:line 2: \"text\" must be a string, found a number");
  CHECK(error_of(good + "{\"text\": null}\n") == "in.jsonl:line 2: \"text\" must be a string, found null");
  CHECK(error_of(good + "{\"text\": \"a\", \"meta\": 3}\n") ==
        "in.jsonl:line 2: \"meta\" must be an object, found a number");
  CHECK(error_of(good + "{\"text\": \"ab\", \"tokens\": [{\"start\": 0, \"end\": 9}]}\n")
            .find("in.jsonl:line 2: token 0: [0, 9) is not a non-empty range") == 0);
  CHECK(error_of<EncodingError>(good + "{\"text\": \"a\xFF\"}\n") ==
        "in.jsonl:line 2, column 12: invalid UTF-8 at byte 12 of the line");
}

TEST_CASE("formats: jsonl skip_bad keeps the good lines around a bad one") {
  std::string text;
  for (int i = 1; i <= 9; ++i)
    text += i == 5 ? "{\"text\": oops}\n" : "{\"text\": \"line " + std::to_string(i) + "\"}\n";
  CHECK(error_of(text).find("in.jsonl:line 5: invalid JSON") == 0);
  std::vector<std::string> skipped;
  const auto recs = read_all(text, true, &skipped);
  REQUIRE(recs.size() == 8);
  CHECK(recs[3].text == "line 4");
  CHECK(recs[4].text == "line 6");
  CHECK(recs[4].line == 6);
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].find("in.jsonl:line 5: invalid JSON") == 0);
}

TEST_CASE("formats: jsonl empty and whitespace-only Docs round-trip") {
  for (const std::string t : {"", " \n\t "}) {
    const Doc doc(vocab(), t);
    const auto recs = read_all(doc_to_json_line(doc) + "\n");
    REQUIRE(recs.size() == 1);
    REQUIRE(recs[0].doc.has_value());
    CHECK(recs[0].doc->text() == t);
    CHECK(recs[0].doc->empty());
  }
}

TEST_CASE("formats: jsonl mutated annotated lines read or fail cleanly, and what reads writes back stably") {
  const Doc doc = doc_from_json(
      parse_json(R"({"text": "Hi José, bye.", "tokens": [{"start": 0, "end": 2, "pos": "INTJ", "dep": "root",
      "head": 0}, {"start": 3, "end": 7, "pos": "PROPN", "dep": "vocative", "head": 0}, {"start": 7, "end": 8, "head": 0},
      {"start": 9, "end": 12, "head": 0}, {"start": 12, "end": 13, "head": 3}], "ents": [{"start": 3, "end": 7, "label": "PER"}],
      "sents": [{"start": 0, "end": 8}, {"start": 9, "end": 13}], "mwt": [1], "meta": {"k": [1, {"a": null}]}})",
                 "t"),
      vocab());
  const std::string base = doc_to_json_line(doc);
  std::size_t ok = 0, failed = 0;
  for (std::size_t at = 0; at < base.size(); ++at) {
    for (const char c : {'0', '9', '-', '"', ',', '}', ']', '\xFF', ' '}) {
      std::string line = base;
      line[at] = c;
      try {
        const auto recs = read_all(line + "\n");
        if (!recs.empty() && recs[0].doc) {  // what reads writes back stably
          const std::string once = doc_to_json_line(*recs[0].doc);
          REQUIRE(doc_to_json_line(*read_all(once + "\n").at(0).doc) == once);
        }
        ++ok;
      } catch (const Error&) {
        ++failed;
      }
    }
  }
  CHECK(ok > 0);
  CHECK(failed > 0);
}
