// Doc JSON: spaCy's layout with code-point offsets, the hand-written line writer agreeing byte for byte
// with nlohmann's dump(), full round trips, and doc_from_json naming what is wrong with bad input.
#include <doctest/doctest.h>

#include <sstream>

#include "test_paths.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/doc/doc_json.hpp"
#include "weft/doc/token.hpp"
#include "weft/error.hpp"

using namespace weft;

namespace {

std::shared_ptr<Vocab> vocab() { return std::make_shared<Vocab>("en"); }

std::string error_of(const std::string& json_text) {
  try {
    doc_from_json(parse_json(json_text, "t"), vocab(), "doc.json");
  } catch (const FormatError& e) {
    return e.what();
  }
  FAIL("no error for: " << json_text);
  return {};
}

const std::vector<Doc>& dev_docs() {
  static const std::vector<Doc> docs = read_conllu_file(test::data_path("en_ewt/dev.conllu"), vocab());
  return docs;
}

}  // namespace

TEST_CASE("formats: doc json follows spaCy's layout") {
  const std::string conllu =
      "1\tMeet\tmeet\tVERB\tVB\tMood=Imp\t0\troot\t_\t_\n"
      "2\tJosé\tJosé\tPROPN\tNNP\tNumber=Sing\t1\tobj\t_\tNER=B-PER\n"
      "3\tGarcía\tGarcía\tPROPN\tNNP\tNumber=Sing\t2\tflat\t_\tSpaceAfter=No|NER=I-PER\n"
      "4\t.\t.\tPUNCT\t.\t_\t1\tpunct\t_\tNER=O\n\n"
      "1-2\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
      "1\tdo\tdo\tAUX\tVBP\t_\t0\troot\t_\tNER=O\n"
      "2\tn't\tnot\tPART\tRB\t_\t1\tadvmod\t_\tNER=O\n\n";
  std::istringstream in(conllu);
  ConlluReader reader(in, vocab(), "t");
  const Doc doc = *reader.next();
  const Json j = doc_to_json(doc);
  CHECK(j["text"] == "Meet José García. don't");
  CHECK(j["ents"] == Json::parse(R"([{"start":5,"end":16,"label":"PER"}])"));
  CHECK(j["sents"] == Json::parse(R"([{"start":0,"end":17},{"start":18,"end":23}])"));
  CHECK(j["tokens"][2] == Json::parse(R"({"id":2,"start":10,"end":16,"tag":"NNP","pos":"PROPN","morph":"Number=Sing",
                                          "lemma":"García","dep":"flat","head":1})"));
  CHECK(j["tokens"][0]["head"] == 0);  // the root is its own head, as in spaCy
  CHECK(j["mwt"] == Json::parse("[4]"));
  CHECK_FALSE(j.contains("meta"));
  std::vector<std::string> keys;
  for (const auto& kv : j.items()) keys.push_back(kv.key());
  CHECK(keys == std::vector<std::string>{"text", "ents", "sents", "tokens", "mwt"});

  const Doc back = doc_from_json(j, vocab());
  CHECK(back.text() == doc.text());
  CHECK(doc_to_json(back) == j);
  CHECK(back[2].ent_iob_() == "I");
  CHECK(back[0].ent_iob_() == "O");
  CHECK(back[4].mwt_next());
  CHECK(back.data(5).sent_start == -1);
}

TEST_CASE("formats: doc json line equals dump() on every dev document") {
  std::size_t n = 0;
  for (const Doc& doc : dev_docs()) {
    const Json j = doc_to_json(doc);
    REQUIRE(doc_to_json_line(doc) == j.dump());
    REQUIRE(doc_to_json(doc_from_json(j, vocab())) == j);
    ++n;
  }
  CHECK(n == 318);
}

TEST_CASE("formats: doc json line escapes like nlohmann") {
  const std::string text = "q\"uo\\te \x01\x1f\x7f tab\there\nnew\r\b\f é 😀 \xE2\x80\xA8";
  Doc doc(vocab(), text);
  doc.push_token(0, 7);
  doc.data(0).lemma = doc.intern("la\"m\\b\x02");
  doc.extras().meta_json = R"({"id":7,"src":"a\"b"})";
  const std::string line = doc_to_json_line(doc);
  CHECK(line == doc_to_json(doc).dump());
  CHECK(line.find('\n') == std::string::npos);
  CHECK(doc_from_json(parse_json(line, "l"), vocab()).text() == text);
  // Metadata spread over lines is re-serialized so the line stays one line.
  doc.extras().meta_json = "{\n  \"id\": 7\n}";
  CHECK(doc_to_json_line(doc) == doc_to_json(doc).dump());
  CHECK(doc_from_json(doc_to_json(doc), vocab()).extras().meta_json == R"({"id":7})");
}

TEST_CASE("formats: doc json offsets are code points") {
  Doc doc(vocab(), "día 😀 ok");
  doc.push_token(0, 4);  // "día" is 4 bytes
  doc.push_token(5, 4);  // the emoji
  doc.push_token(10, 2);
  const Json j = doc_to_json(doc);
  CHECK(j["tokens"][1]["start"] == 4);
  CHECK(j["tokens"][1]["end"] == 5);
  CHECK(j["tokens"][2]["start"] == 6);
  const Doc back = doc_from_json(j, vocab());
  CHECK(back.token_text(1) == "😀");
  CHECK(back.token_text(2) == "ok");
}

TEST_CASE("formats: doc json empty and whitespace-only Docs round-trip") {
  for (const std::string text : {"", " \n\t "}) {
    const Doc doc(vocab(), text);
    const Json j = doc_to_json(doc);
    CHECK(j.dump() == doc_to_json_line(doc));
    const Doc back = doc_from_json(j, vocab());
    CHECK(back.text() == text);
    CHECK(back.empty());
  }
}

TEST_CASE("formats: doc_from_json names what is wrong") {
  CHECK(error_of("[1]") == "doc.json: a document must be a JSON object");
  CHECK(error_of("{}") == "doc.json: \"text\" is missing");
  CHECK(error_of(R"({"text": 5})") == "doc.json: \"text\" must be a string");
  CHECK(error_of(R"({"text": "ab", "tokens": {}})") == "doc.json: \"tokens\" must be an array");
  CHECK(error_of(R"({"text": "ab", "tokens": [5]})") == "doc.json: token 0 must be an object");
  CHECK(error_of(R"({"text": "ab", "tokens": [{"end": 1}]})") == "doc.json: token 0: \"start\" is missing");
  CHECK(error_of(R"({"text": "ab", "tokens": [{"start": -1, "end": 1}]})") ==
        "doc.json: token 0: \"start\" must be a non-negative integer");
  CHECK(error_of(R"({"text": "ab", "tokens": [{"start": 0.5, "end": 1}]})") ==
        "doc.json: token 0: \"start\" must be a non-negative integer");
  CHECK(error_of(R"({"text": "ab", "tokens": [{"start": 1, "end": 1}]})")
            .find("token 0: [1, 1) is not a non-empty range") != std::string::npos);
  CHECK(error_of(R"({"text": "ab", "tokens": [{"start": 0, "end": 3}]})").find("inside the text of 2 characters") !=
        std::string::npos);
  CHECK(error_of(R"({"text": "ab", "tokens": [{"start": 0, "end": 2}, {"start": 1, "end": 2}]})") ==
        "doc.json: token 1 overlaps the token before it");
  CHECK(error_of(R"({"text": "ab", "tokens": [{"id": 3, "start": 0, "end": 2}]})") ==
        "doc.json: token 0: \"id\" is 3, expected 0");
  CHECK(error_of(R"({"text": "ab", "tokens": [{"start": 0, "end": 2, "head": 1}]})") ==
        "doc.json: token 0: \"head\" 1 is out of range (the document has 1 tokens)");
  CHECK(error_of(R"({"text": "ab", "tokens": [{"start": 0, "end": 2, "pos": "NOPE"}]})") ==
        "doc.json: token 0: unknown \"pos\" 'NOPE'");
  CHECK(error_of(R"({"text": "ab", "tokens": [{"start": 0, "end": 2, "lemma": 7}]})") ==
        "doc.json: token 0: \"lemma\" must be a string");
  const std::string two = R"({"text": "a b", "tokens": [{"start": 0, "end": 1}, {"start": 2, "end": 3}], )";
  CHECK(error_of(two + R"("ents": [{"start": 1, "end": 3, "label": "X"}]})") ==
        "doc.json: entity 0: start 1 is not on a token boundary");
  CHECK(error_of(two + R"("ents": [{"start": 0, "end": 1}]})") == "doc.json: entity 0: \"label\" is missing");
  CHECK(error_of(two + R"("ents": [{"start": 0, "end": 3, "label": "X"}, {"start": 2, "end": 3, "label": "Y"}]})") ==
        "doc.json: entities overlap at token 1");
  CHECK(error_of(two + R"("sents": [{"start": 0, "end": 2}]})") ==
        "doc.json: sentence 0: end 2 is not on a token boundary");
  CHECK(error_of(two + R"("mwt": [1]})") == "doc.json: \"mwt\" entry 1 has no next token to join");
  CHECK(error_of(two + R"("mwt": [0]})") ==
        "doc.json: \"mwt\" entry 0: the token and the next one are not adjacent in the text");
  CHECK(error_of(two + R"("meta": [1]})") == "doc.json: \"meta\" must be an object");
}
