// The tok2vec's lexical features: the lexicon file (clusters, probabilities and the optional tag
// column), the TAG feature, and the unknown-word key that word dropout trains.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "weft/components/tok2vec/features.hpp"
#include "weft/components/tok2vec/tok2vec.hpp"
#include "weft/error.hpp"

using namespace weft;
namespace fs = std::filesystem;

namespace {

fs::path write_lexicon(const std::string& name, const std::string& text) {
  const fs::path p = fs::temp_directory_path() / ("weft_test_" + name + "_" + std::to_string(::getpid()) + ".tsv");
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::vector<std::uint64_t> keys_of(const FeatureExtractor& fx, std::string_view form, const Vocab& vocab) {
  std::vector<std::uint64_t> out(fx.size());
  fx.keys(form, 0, vocab, out.data());
  return out;
}

}  // namespace

TEST_CASE("features: the lexicon's tag column is optional and TAG falls back to the lowercase form") {
  const fs::path p = write_lexicon("lex_tags", "# word\tcluster\tlog_prob\ttag\nthe\t11\t-3.5\tDT|\nrun\t42\t-9.0\tVB|noun,verb\nzebra\t7\t-14.0\n");
  const auto lex = Lexicon::load(p);
  auto vocab = std::make_shared<Vocab>("en");
  CHECK(lex->tag("run", *vocab) == hash_string("VB|noun,verb"));
  CHECK(lex->tag("Run", *vocab) == hash_string("VB|noun,verb"));  // via the lowercase entry
  CHECK(lex->tag("zebra", *vocab) == 0);                          // a line without the tag column
  CHECK(lex->tag("unlisted", *vocab) == 0);
  const FeatureExtractor fx({FeatureSpec::from_json(Json::parse(R"({"attr": "TAG"})"))}, lex);
  CHECK(keys_of(fx, "The", *vocab)[0] == hash_string("DT|"));
  CHECK_THROWS_AS(FeatureExtractor({FeatureSpec::from_json(Json::parse(R"({"attr": "TAG"})"))}), ValueError);
  fs::remove(p);
}

TEST_CASE("features: TITLE compares title case with lowercase whatever the word's own casing") {
  const fs::path p = write_lexicon("lex_title", "Chicago\t1\t-8.0\nchicago\t1\t-14.0\nthe\t2\t-3.0\nThe\t2\t-6.0\nzyx\t3\t-15.0\n");
  const auto lex = Lexicon::load(p);
  auto vocab = std::make_shared<Vocab>("en");
  std::vector<FeatureSpec> specs;
  for (const char* f : {R"({"attr": "TITLE"})", R"({"attr": "CASE"})"}) specs.push_back(FeatureSpec::from_json(Json::parse(f)));
  const FeatureExtractor fx(specs, lex);
  const auto chicago = keys_of(fx, "chicago", *vocab);
  CHECK(chicago[0] == 16 + 6 + 12);  // "Chicago" is e^6 times likelier than "chicago"
  CHECK(chicago[1] == 1);            // CASE: already lowercase
  CHECK(keys_of(fx, "CHICAGO", *vocab)[0] == chicago[0]);
  CHECK(keys_of(fx, "Chicago", *vocab) == std::vector<std::uint64_t>{chicago[0], 16 + 6 + 12});
  CHECK(keys_of(fx, "the", *vocab)[0] == 16 - 3 + 12);
  CHECK(keys_of(fx, "zyx", *vocab)[0] == 3);   // only the lowercase form is listed
  CHECK(keys_of(fx, "qqqq", *vocab)[0] == 2);  // neither
  CHECK(keys_of(fx, "42", *vocab)[0] == 1);    // caseless
  fs::remove(p);
}

TEST_CASE("features: a malformed lexicon line fails naming the file and line") {
  const fs::path p = write_lexicon("lex_bad", "the\t11\t-3.5\nrun\t42\t-9.0x\tVB\n");
  const std::string where = p.string() + ":2: bad cluster or log probability";
  CHECK_THROWS_WITH_AS(Lexicon::load(p), doctest::Contains(where.c_str()), FormatError);
  fs::remove(p);
}

TEST_CASE("features: a lexicon reads fields as before, and its copy survives the file's removal") {
  // Fields from_chars does not take whole go through stoull / stof (as the lexicon always read them).
  const std::string text = "# comment\nthe\t11\t-3.5\tDT|\nA\t+12\t1e-2\nthe\t99\t0\tXX\nrun\t42\t-9.0\tVB|noun,verb\r\n";
  const fs::path p = write_lexicon("lex_copy", text);
  const auto lex = Lexicon::load(p);
  auto vocab = std::make_shared<Vocab>("en");
  CHECK(lex->size() == 3);
  const Lexicon::Entry* the = lex->find("the", *vocab);
  REQUIRE(the);
  CHECK(the->cluster == 11);  // the first line of a word counts
  CHECK(the->log_prob == -3.5f);
  CHECK(lex->find("a", *vocab) == nullptr);
  const Lexicon::Entry* a = lex->find("A", *vocab);
  REQUIRE(a);
  CHECK(a->cluster == 12);
  CHECK(a->log_prob == 0.01f);
  CHECK(lex->tag("Run", *vocab) == hash_string("VB|noun,verb\r"));  // the line as getline gave it
  // Writing into the file it was read from changes nothing; after the file is gone, the copy is the text.
  lex->write_copy(p);
  fs::remove(p);
  const fs::path copy = write_lexicon("lex_copy_out", "");
  lex->write_copy(copy);
  std::ifstream in(copy, std::ios::binary);
  const std::string back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(back == text);
  fs::remove(copy);
}

TEST_CASE("features: with unknown words on, identity keys no training word had become the unknown key") {
  auto vocab = std::make_shared<Vocab>("en");
  std::vector<FeatureSpec> specs;
  for (const char* f : {R"({"attr": "NORM"})", R"({"attr": "LOWER"})", R"({"attr": "SUFFIX", "length": 3})"})
    specs.push_back(FeatureSpec::from_json(Json::parse(f)));
  FeatureExtractor fx(specs);
  fx.cache("cat", *vocab);
  fx.cache("The", *vocab);
  const std::vector<std::uint64_t> plain = keys_of(fx, "dog", *vocab);
  CHECK(plain[0] == vocab->lexeme("dog").norm);
  fx.set_unknown_words(true);
  const std::vector<std::uint64_t> dog = keys_of(fx, "dog", *vocab);
  CHECK(dog[0] == FeatureExtractor::kUnknownKey);
  CHECK(dog[1] == FeatureExtractor::kUnknownKey);
  CHECK(dog[2] == plain[2]);  // affixes are not identity features
  // An unseen casing of a known word keeps the identity keys it shares with it.
  const std::vector<std::uint64_t> upper = keys_of(fx, "THE", *vocab);
  CHECK(upper[1] == vocab->lexeme("the").lower);
  CHECK(keys_of(fx, "cat", *vocab) == keys_of(fx, "cat", *vocab));
  CHECK(keys_of(fx, "cat", *vocab)[0] == vocab->lexeme("cat").norm);
  // A norm override nobody trained is unknown too.
  std::vector<std::uint64_t> over(fx.size());
  fx.keys("cat", hash_string("feline"), *vocab, over.data());
  CHECK(over[0] == FeatureExtractor::kUnknownKey);
}

TEST_CASE("features: word_dropout round-trips through the tok2vec config and rejects negatives") {
  const Tok2VecConfig c = Tok2VecConfig::from_json(Json::parse(R"({"word_dropout": 0.25})"));
  CHECK(c.word_dropout == doctest::Approx(0.25));
  CHECK(Tok2VecConfig::from_json(c.to_json()).word_dropout == doctest::Approx(0.25));
  CHECK(Tok2VecConfig::from_json(Json::object()).word_dropout == 0.f);
  CHECK_THROWS_AS(Tok2VecConfig::from_json(Json::parse(R"({"word_dropout": -1})")), ValueError);
}
