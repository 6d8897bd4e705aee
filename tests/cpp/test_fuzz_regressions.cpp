// Regression tests for what the fuzz targets (fuzz/, scripts/fuzz.sh) found: each case is named after
// what broke and replays the (minimized) input through the same public API; the crash inputs also
// stay in fuzz/corpus/<target>/ as seeds.
#include <doctest/doctest.h>
#include <xxhash.h>

#include <filesystem>
#include <sstream>

#include "test_paths.hpp"
#include "weft/components/entity_ruler/entity_ruler.hpp"
#include "weft/doc/doc_bin.hpp"
#include "weft/doc/doc_json.hpp"
#include "weft/doc/jsonl.hpp"
#include "weft/error.hpp"
#include "weft/json.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/pipeline.hpp"

using namespace weft;
using weft::test::error_message;

namespace {

std::shared_ptr<Vocab> vocab() { return std::make_shared<Vocab>("en"); }

// A one-Doc DocBin of `words` in which byte `field` (an offset inside the 88-byte token record: 69 is
// ent_iob, 71 flags) of token i is set to values[i], resealed with its checksum.
std::string docbin_with_token_bytes(const std::vector<std::string>& words, const std::vector<bool>& spaces,
                                    std::size_t field, const std::vector<std::uint8_t>& values) {
  DocBin bin;
  bin.add(Doc::from_words(vocab(), words, spaces));
  std::string bytes = bin.to_bytes();
  // header (24) | u64 record length | str text | u32 n_tokens | tokens (88 bytes each)
  std::size_t at = 24 + 8;
  std::uint32_t text_len = 0;
  for (int k = 3; k >= 0; --k) text_len = (text_len << 8) | static_cast<unsigned char>(bytes[at + k]);
  at += 4 + text_len + 4;
  for (std::size_t i = 0; i < values.size(); ++i) bytes[at + i * 88 + field] = static_cast<char>(values[i]);
  const std::uint64_t sum = XXH3_64bits(bytes.data(), bytes.size() - 8);
  for (int k = 0; k < 8; ++k) bytes[bytes.size() - 8 + k] = static_cast<char>((sum >> (8 * k)) & 0xFF);
  return bytes;
}

std::string docbin_with_flags(const std::vector<std::string>& words, const std::vector<bool>& spaces,
                              const std::vector<std::uint8_t>& flags) {
  return docbin_with_token_bytes(words, spaces, 71, flags);
}

}  // namespace

TEST_CASE("fuzz: a JSON number too large for a double is a FormatError naming the line, not a json exception") {
  // fuzz_entity_ruler: nlohmann's parser throws out_of_range.406 (not parse_error) for "8800e08800".
  const std::string msg =
      error_message<FormatError>([] { parse_json("{\"a\": 1,\n \"b\": 8800e08800}", "patterns.jsonl"); }, "1e999");
  CHECK(msg.find("patterns.jsonl:line 2, column 7") != std::string::npos);
  CHECK(msg.find("number overflow") != std::string::npos);
  CHECK(msg.find("8800e08800") != std::string::npos);
  const auto dir = weft::test::temp_dir("fuzz_ruler_overflow");
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "patterns.jsonl").string();
  write_file(path, "{\"label\": \"A\", \"pattern\": \"a\"}\n{\"label\": \"B\", \"pattern\": [{\"LENGTH\": 1e400}]}\n");
  EntityRuler ruler("ruler", Json::object(), vocab());
  const std::string ruler_msg = error_message<FormatError>([&] { ruler.add_patterns_jsonl(path); }, path);
  CHECK(ruler_msg.find(path + ":line 2") != std::string::npos);
  CHECK(ruler.empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("fuzz: DocBin refuses multi-word-token links that a Doc cannot hold") {
  // fuzz_docbin: a token marked TOKEN_MWT_NEXT with text before the next token (or with no next token)
  // was read, and the JSONL its Doc was written to could not be read back.
  const std::vector<std::string> words{"do", "n't", "go"};
  const std::vector<bool> spaces{false, true, false};
  CHECK_NOTHROW(DocBin::from_bytes(docbin_with_flags(words, spaces, {TOKEN_MWT_NEXT, 0, 0})).get_docs(vocab()));
  auto read = [&](const std::vector<std::uint8_t>& flags) {
    return error_message<FormatError>(
        [&] { DocBin::from_bytes(docbin_with_flags(words, spaces, flags), "x.docbin").get_docs(vocab()); }, "flags");
  };
  CHECK(read({0, TOKEN_MWT_NEXT, 0}).find("token 1: marked as a multi-word token with the next token, but text lies") !=
        std::string::npos);
  CHECK(read({0, 0, TOKEN_MWT_NEXT}).find("token 2: marked as a multi-word token with the next token, but it is the last") !=
        std::string::npos);
  CHECK(read({0, 4, 0}).find("token 1: unknown flag bits 4") != std::string::npos);
  CHECK(read({0, 0, TOKEN_MWT_NEXT}).rfind("x.docbin: document 0:", 0) == 0);
}

TEST_CASE("fuzz: config.json with a pipeline entry, factory or disabled name that is not a string is a ModelError") {
  // fuzz_model_config: nlohmann's type_error escaped from load() ("type must be string, but is number").
  const auto dir = weft::test::temp_dir("fuzz_model_config");
  std::filesystem::create_directories(dir);
  write_file((dir / "meta.json").string(), "{}");
  write_file((dir / "tokenizer.json").string(), R"({"@tokenizers": "weft.WhitespaceTokenizer.v1"})");
  auto load_with = [&](const std::string& config) {
    write_file((dir / "config.json").string(), config);
    return error_message<ModelError>([&] { load(dir); }, config);
  };
  const std::string cfg = (dir / "config.json").string();
  std::string msg = load_with(R"({"nlp": {"lang": "en", "pipeline": [1]}})");
  CHECK(msg.find(cfg + ": \"nlp\": \"pipeline\" must list component names (strings), found 1") != std::string::npos);
  msg = load_with(R"({"nlp": {"lang": "en", "pipeline": ["s"]}, "components": {"s": {"factory": 7}}})");
  CHECK(msg.find(cfg + ": component \"s\": \"factory\" must be a string, found 7") != std::string::npos);
  msg = load_with(R"({"nlp": {"lang": "en", "pipeline": [], "disabled": [null]}})");
  CHECK(msg.find("\"disabled\" must list component names (strings), found null") != std::string::npos);
  msg = load_with(R"({"nlp": {"lang": "en", "pipeline": [], "disabled": "s"}})");
  CHECK(msg.find("\"disabled\" must be a list of component names") != std::string::npos);
  msg = load_with(R"({"nlp": {"lang": "en", "pipeline": [], "disabled": ["nope"]}})");
  CHECK(msg.find(cfg + ": \"nlp\": \"disabled\": no component \"nope\"") != std::string::npos);
  write_file((dir / "config.json").string(),
             R"({"nlp": {"lang": "en", "pipeline": ["s"], "disabled": ["s"]}, "components": {"s": {"factory": "sentencizer"}}})");
  CHECK(load(dir).disabled() == std::vector<std::string>{"s"});
  std::filesystem::remove_all(dir);
}

TEST_CASE("fuzz: a component config value of the wrong type is a ValueError naming the component, not a json exception") {
  // fuzz_model_config: {"factory": "tok2vec", "width": "x"} threw nlohmann's type_error out of add_pipe
  // and load().
  Pipeline nlp = Pipeline::blank("en");
  const std::string msg =
      error_message<ValueError>([&] { nlp.add_pipe("tok2vec", "t", Json{{"width", "x"}}); }, "width \"x\"");
  CHECK(msg.find("component \"t\" (factory \"tok2vec\"): invalid config value: type must be number, but is string") !=
        std::string::npos);
  CHECK_FALSE(nlp.has_pipe("t"));
  nlp.add_pipe("sentencizer");
  CHECK_THROWS_AS(nlp.replace_pipe("sentencizer", "tok2vec", Json{{"depth", Json::array()}}), ValueError);
  CHECK(nlp.factory_of("sentencizer") == "sentencizer");

  const auto dir = weft::test::temp_dir("fuzz_component_config");
  std::filesystem::create_directories(dir);
  write_file((dir / "meta.json").string(), "{}");
  write_file((dir / "tokenizer.json").string(), R"({"@tokenizers": "weft.WhitespaceTokenizer.v1"})");
  write_file((dir / "config.json").string(),
             R"({"nlp": {"lang": "en", "pipeline": ["t"]}, "components": {"t": {"factory": "tok2vec", "width": "x"}}})");
  const std::string load_msg = error_message<ModelError>([&] { load(dir); }, "config");
  CHECK(load_msg.find((dir / "config.json").string() + ": component \"t\": ") != std::string::npos);
  CHECK(load_msg.find("type must be number, but is string") != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("fuzz: an entity without a label is refused by the JSONL and DocBin readers") {
  // fuzz_docbin: a token inside an entity (B or I) with no entity type was read; the CoNLL-U writer then
  // wrote NER=B-, which the CoNLL-U reader refuses. JSONL gave the same Doc for "label": "".
  std::istringstream in(R"({"text": "a b", "tokens": [{"start": 0, "end": 1}, {"start": 2, "end": 3}], )"
                        R"("ents": [{"start": 0, "end": 1, "label": ""}]})"
                        "\n");
  JsonlReader reader(in, vocab(), "ents.jsonl");
  const std::string msg = error_message<FormatError>([&] { reader.next(); }, "label \"\"");
  CHECK(msg.find("ents.jsonl:line 1: entity 0: \"label\" is empty (an entity needs a label)") != std::string::npos);

  const std::string bytes = docbin_with_token_bytes({"a", "b"}, {true, false}, 69, {static_cast<std::uint8_t>(EntIob::B)});
  const std::string bin_msg =
      error_message<FormatError>([&] { DocBin::from_bytes(bytes, "x.docbin").get_docs(vocab()); }, "B without type");
  CHECK(bin_msg.find("x.docbin: document 0: token 0: inside an entity (IOB code 3) but without an entity type") !=
        std::string::npos);
}
