// safetensors: f32 and f16 round trips, model weights by name, and every malformed file the loader
// must refuse with a FormatError (or ModelError) naming the file and, where there is one, the tensor.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "nn/safetensors_json.hpp"
#include "weft/error.hpp"
#include "weft/nn/safetensors.hpp"
#include "weft/nn/tok2vec.hpp"
#include "weft/nn/linear.hpp"
#include "weft/nn/chain.hpp"
#include "weft/nn/weights.hpp"

using namespace weft;
using namespace weft::nn;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("weft_nn_" + std::to_string(::getpid()) + "_" + name)).string();
}

// A file of an 8-byte length, the header text and `data` raw bytes.
std::string write_raw(const std::string& name, const std::string& header, const std::string& data, std::uint64_t claimed = UINT64_MAX) {
  const std::string path = temp_path(name);
  std::ofstream out(path, std::ios::binary);
  const std::uint64_t n = claimed == UINT64_MAX ? header.size() : claimed;
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>(n >> (8 * i)));
  out << header << data;
  return path;
}

template <class E>
std::string failure(const std::string& path) {
  try {
    load_safetensors(path);
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    FAIL("wrong exception type: " << e.what());
  }
  FAIL("no error for " << path);
  return {};
}

const std::string kFloats(8, '\0');  // two f32 zeros

}  // namespace

TEST_CASE("nn: safetensors round trip f32 and f16") {
  Tensor a = Tensor::from_vector(std::vector<float>{1.f, -2.5f, 3.25f, 0.f, 1e-3f, 65504.f}, Shape{2, 3});
  Tensor b = Tensor::from_vector(std::vector<float>{0.1f}, Shape{1});
  Tensor empty = Tensor::zeros(Shape{0, 4}, DType::F32);
  const std::string path = temp_path("round.safetensors");
  save_safetensors(path, {{"a", a}, {"b\"quoted\\name\n", b}, {"empty", empty}}, StorageType::F32, {{"format", "pt"}, {"note", "é\t"}});
  SafeTensors f = load_safetensors(path);
  REQUIRE(f.tensors.size() == 3);
  CHECK(f.tensors[0].first == "a");
  CHECK(f.tensors[0].second.to_vector<float>() == a.to_vector<float>());
  CHECK(f.tensors[1].first == "b\"quoted\\name\n");
  CHECK(f.tensors[1].second.to_vector<float>() == b.to_vector<float>());
  CHECK(f.tensors[2].second.shape() == Shape{0, 4});
  CHECK(f.metadata.at("note") == "é\t");
  // The data begins 8-byte aligned.
  std::ifstream in(path, std::ios::binary);
  unsigned char len[8];
  in.read(reinterpret_cast<char*>(len), 8);
  CHECK(len[0] % 8 == 0);

  save_safetensors(path, {{"a", a}, {"b", b}}, StorageType::F16);
  {
    std::ifstream hin(path, std::ios::binary);
    unsigned char hlen[8];
    hin.read(reinterpret_cast<char*>(hlen), 8);
    CHECK((8 + hlen[0]) % 8 == 0);  // the header is padded so the halves start aligned
  }
  SafeTensors h = load_safetensors(path);
  const std::vector<float> back = h.tensors[0].second.to_vector<float>();
  const std::vector<float> orig = a.to_vector<float>();
  for (std::size_t i = 0; i < orig.size(); ++i) CHECK(back[i] == doctest::Approx(orig[i]).epsilon(1e-3));
  CHECK(back[5] == 65504.f);  // largest half
  std::filesystem::remove(path);
}

TEST_CASE("nn: model weights save and load by name") {
  Tok2VecConfig c;
  c.embed.width = 8;
  c.embed.rows = {11, 7, 7, 5};
  c.encode.depth = 2;
  Model a = tok2vec(c), b = tok2vec(c);
  a->initialize(nullptr, nullptr, 1);
  b->initialize(nullptr, nullptr, 2);
  const std::string path = temp_path("weights.safetensors");
  save_weights(*a, path, StorageType::F32, {{"arch", "tok2vec"}});
  CHECK(load_weights(*b, path).at("arch") == "tok2vec");
  auto pa = named_params(*a), pb = named_params(*b);
  for (std::size_t i = 0; i < pa.size(); ++i) CHECK(pa[i].param->value.to_vector<float>() == pb[i].param->value.to_vector<float>());

  // A different architecture: the first disagreeing tensor is named, and the model is unchanged.
  c.encode.depth = 1;
  Model shallow = tok2vec(c);
  shallow->initialize(nullptr, nullptr, 3);
  const std::vector<float> before = named_params(*shallow)[0].param->value.to_vector<float>();
  try {
    load_weights(*shallow, path);
    FAIL("loaded weights of a deeper model");
  } catch (const ModelError& e) {
    CHECK(std::string(e.what()).find("tok2vec.encode.1.maxout.W") != std::string::npos);
    CHECK(std::string(e.what()).find(path) != std::string::npos);
  }
  CHECK(named_params(*shallow)[0].param->value.to_vector<float>() == before);
  Model lin = linear(3, 2);
  lin->initialize(nullptr, nullptr, 1);
  save_weights(*lin, path);
  Model wide = linear(4, 2);
  wide->initialize(nullptr, nullptr, 1);
  CHECK_THROWS_WITH_AS(load_weights(*wide, path), doctest::Contains("tensor 'W' has shape [3, 2], the model expects [4, 2]"), ModelError);
  std::filesystem::remove(path);
}

TEST_CASE("nn: safetensors refuses malformed files") {
  const std::string ok = R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  CHECK_NOTHROW(load_safetensors(write_raw("ok", ok, kFloats)));
  struct Case {
    const char* name;
    std::string header, data, expect;
    std::uint64_t claimed = UINT64_MAX;
  };
  const std::vector<Case> cases = {
      {"length_past_end", ok, kFloats, "exceeds the", 1000},
      {"empty_header", "", kFloats, "cannot hold", 0},
      {"not_json", "{\"t\":", kFloats, "unexpected end"},
      {"trailing", ok + "x", kFloats, "unexpected bytes"},
      {"not_object", "[1]", "", "not a JSON object"},
      {"float", R"({"t":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}})", kFloats, "integers"},
      {"literal", R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"x":null})", kFloats, "unsupported JSON value"},
      {"bad_escape", R"({"t\q":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", kFloats, "unknown escape"},
      {"lone_surrogate", R"({"t\ud800":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", kFloats, "surrogate"},
      {"duplicate", R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"t":{"dtype":"F32","shape":[0],"data_offsets":[8,8]}})", kFloats, "duplicate key"},
      {"dtype", R"({"t":{"dtype":"BF16","shape":[4],"data_offsets":[0,8]}})", kFloats, "tensor 't': unsupported dtype 'BF16'"},
      {"missing_field", R"({"t":{"dtype":"F32","shape":[2]}})", kFloats, "tensor 't': header entry needs"},
      {"unknown_field", R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"x":"y"}})", kFloats, "unknown header field 'x'"},
      {"negative_dim", R"({"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", kFloats, "tensor 't': shape holds"},
      {"size", R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", kFloats, "tensor 't': shape [3] F32 needs 12 bytes but data_offsets span 8"},
      {"offsets_reversed", R"({"t":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}})", kFloats, "0 <= begin <= end"},
      {"past_data", R"({"t":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}})", kFloats, "tensor 't': data_offsets [0, 16] run past the 8 bytes"},
      {"overlap", R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", kFloats, "tensor 'b': data overlaps"},
      {"gap", R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", kFloats, "tensor 'a': gap in the data"},
      {"trailing_data", ok, kFloats + "xxxx", "accounts for 8 bytes of data but the file holds 12"},
      {"too_many_dims", R"({"t":{"dtype":"F32","shape":[1,1,1,1,2],"data_offsets":[0,8]}})", kFloats, "at most 4"},
      {"metadata", R"({"__metadata__":{"a":1},"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})", kFloats, "__metadata__ value of 'a'"},
      {"deep", std::string(40, '[') + std::string(40, ']'), "", "nesting deeper"},
      {"control", "{\"t\x01\":{}}", "", "control character"},
      {"huge_int", R"({"t":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,8]}})", kFloats, "out of range"},
  };
  for (const Case& c : cases) {
    INFO("case " << std::string(c.name));
    const std::string path = write_raw(c.name, c.header, c.data, c.claimed);
    const std::string msg = failure<FormatError>(path);
    CHECK_MESSAGE(msg.find(c.expect) != std::string::npos, msg);
    CHECK_MESSAGE(msg.find(path) != std::string::npos, msg);
    std::filesystem::remove(path);
  }
  CHECK_THROWS_AS(load_safetensors(temp_path("does_not_exist")), IOError);
  const std::string short_path = temp_path("short");
  std::ofstream(short_path, std::ios::binary) << "abc";
  CHECK(failure<FormatError>(short_path).find("too short for the header length") != std::string::npos);
  std::filesystem::remove(short_path);
}

TEST_CASE("nn: safetensors header JSON reader") {
  const json::Value v = json::parse(R"( {"a": [1, -2, {"b": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}], "c": {}} )");
  REQUIRE(v.kind == json::Value::Kind::Object);
  const json::Value* a = v.find("a");
  REQUIRE(a != nullptr);
  CHECK(a->items[1].integer == -2);
  CHECK(a->items[2].find("b")->string == "x\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
  CHECK(v.find("c")->members.empty());
  CHECK(json::parse(json::quote(std::string("q\"\\\x01\n", 5))).string == std::string("q\"\\\x01\n", 5));
  for (const char* bad : {"", "{", "{\"a\"}", "{\"a\":1,}", "[1 2]", "01", "-", "1e5", "true", "\"abc", "{1:2}", "[1]]", "\"\\u12\""}) {
    INFO(bad);
    CHECK_THROWS_AS(json::parse(bad), FormatError);
  }
}
