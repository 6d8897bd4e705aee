// The ONNX writer (nn/onnx.hpp): protobuf encoding details, names, and the layers it translates or
// refuses. Whether the files are valid ONNX that computes what the layers compute is checked with
// onnx.checker and ONNX Runtime on the shipped model (tests/python/test_interop.py).
#include <doctest/doctest.h>

#include <string>

#include "weft/error.hpp"
#include "weft/nn/chain.hpp"
#include "weft/nn/layer_norm.hpp"
#include "weft/nn/maxout.hpp"
#include "weft/nn/onnx.hpp"
#include "weft/nn/static_vectors.hpp"
#include "weft/nn/tok2vec.hpp"

using namespace weft;
using namespace weft::nn;

TEST_CASE("onnx: a model starts with its IR version and names weft and opset 17") {
  onnx::Graph g("g");
  g.add_input({"x", onnx::Elem::Float, {"N", 4}});
  const std::string y = g.op("Relu", {"x"});
  g.add_output(y, {"y", onnx::Elem::Float, {"N", 4}});
  const std::string bytes = g.serialize("1.2.3", {{"key", "value"}});
  REQUIRE(bytes.size() > 2);
  CHECK(bytes[0] == 0x08);  // field 1 (ir_version), varint
  CHECK(bytes[1] == static_cast<char>(onnx::kIrVersion));
  CHECK(bytes.find("weft") != std::string::npos);
  CHECK(bytes.find("1.2.3") != std::string::npos);
  // opset_import {domain: "", version: 17}: field 8, 4 bytes: field 1 empty, field 2 = 17.
  CHECK(bytes.find(std::string("\x42\x04\x0a\x00\x10\x11", 6)) != std::string::npos);
  CHECK(bytes.find("key") != std::string::npos);
}

TEST_CASE("onnx: a negative integer attribute is a ten-byte varint (two's complement)") {
  onnx::Graph g("g");
  g.add_input({"x", onnx::Elem::Float, {2, 3}});
  g.add_output(g.op("Softmax", {"x"}, {onnx::Attribute::integer("axis", -1)}), {"y", onnx::Elem::Float, {2, 3}});
  const std::string bytes = g.serialize("0");
  // AttributeProto.i (field 3) = -1: 0x18 then nine 0xff and 0x01.
  CHECK(bytes.find(std::string("\x18\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11)) != std::string::npos);
}

TEST_CASE("onnx: names are unique; a weight or input named twice is an error") {
  onnx::Graph g("g");
  g.add_input({"x", onnx::Elem::Float, {1}});
  CHECK_THROWS_AS(g.add_input({"x", onnx::Elem::Float, {1}}), ValueError);
  const std::string a = g.op("Relu", {"x"}, {}, "r"), b = g.op("Relu", {"x"}, {}, "r");
  CHECK(a == "r");
  CHECK(b != a);
  g.add_floats("w", {1.f}, {1});
  CHECK(g.add_floats("w", {2.f}, {1}) != "w");  // a constant's name is made unique
  g.add_weight("layer.W", backend::Tensor::zeros({1}, backend::DType::F32));
  CHECK_THROWS_AS(g.add_weight("layer.W", backend::Tensor::zeros({1}, backend::DType::F32)), ValueError);
  CHECK(g.int64_scalar(3) == g.int64_scalar(3));  // shared by value
}

TEST_CASE("onnx: the tok2vec translates; StaticVectors and hash tables without their input are refused") {
  Tok2VecConfig c;
  c.embed.width = 8;
  c.embed.rows = {10, 12};
  c.encode.width = 8;
  c.encode.depth = 2;
  Model m = tok2vec(c);
  const std::vector<std::uint64_t> keys{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const Ragged X{backend::Tensor::from_vector(keys, {6, 2}), backend::Tensor::from_vector(std::vector<std::int32_t>{4, 2}, {2})};
  m->initialize(&X, nullptr, 3);
  onnx::Graph g("t");
  g.add_input({"rows", onnx::Elem::Int64, {"N", 2, 4}});
  g.add_input({"seq_ids", onnx::Elem::Int64, {"N"}});
  onnx::LayerExporter ex(g, *m, "rows", "seq_ids");
  const std::string y = ex.add(*m, "rows");
  g.add_output(y, {"tokvecs", onnx::Elem::Float, {"N", 8}});
  CHECK(g.node_count() > 20);
  const std::string bytes = g.serialize("0");
  for (const char* name : {"tok2vec.embed.f0.E", "tok2vec.embed.f1.E", "tok2vec.embed.maxout.W", "tok2vec.encode.1.layernorm.G", "LayerNormalization",
                           "ReduceMax", "Where"})
    CHECK_MESSAGE(bytes.find(name) != std::string::npos, name);

  onnx::Graph g2("t2");
  g2.add_input({"x", onnx::Elem::Int64, {"N", 2, 4}});
  onnx::LayerExporter no_rows(g2, *m);
  CHECK_THROWS_WITH_AS(no_rows.add(*m, "x"), doctest::Contains("hash rows"), ModelError);

  Model sv = static_vectors(4, backend::Tensor::zeros({3, 2}, backend::DType::F32), 0);
  const Ragged rows{backend::Tensor::from_vector(std::vector<std::uint64_t>{0, 1}, {2}), {}};
  sv->initialize(&rows, nullptr, 1);
  onnx::Graph g3("sv");
  onnx::LayerExporter ex3(g3, *sv);
  CHECK_THROWS_WITH_AS(ex3.add(*sv, "x"), doctest::Contains("StaticVectors.v1"), ModelError);
}
