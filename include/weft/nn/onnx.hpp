// ONNX export: a writer of ONNX's protobuf model format (onnx.proto's ModelProto, encoded here by hand:
// weft depends on no protobuf library) and the translation of weft's layers into ONNX operators, so that
// ONNX Runtime and other ONNX tools run a network exactly as weft's inference forward pass does.
//
// Graph builds one graph (nodes, initializers, inputs, outputs) and serializes it as a model of opset
// kOpset (17). LayerExporter adds a layer tree's forward pass to a graph: Chain, Concat, Residual,
// HashEmbed, Maxout, LayerNorm, expand_window, Linear, Softmax and Dropout (the identity at inference);
// initializers take the parameters' full weft names ("tok2vec.encode.0.maxout.W"). Inputs a layer tree
// reads besides its main input:
//   - HashEmbed: int64 [N, F, n_hashes], the rows of the token's key of column f in table f's hash
//     table (what backend hash_rows computes from the keys: mix64(key, seed + h) % rows); the export
//     takes rows rather than keys because mix64's xor-shifts need BitwiseXor (opset 18, not 17) and
//     the keys themselves can only be made by weft (lexicon features, the unknown-word key).
//   - expand_window: int64 [N], the sequence each row belongs to (rows of one sequence consecutive):
//     a window never reads a row of another sequence, which gives zeros, as seq2col's padding.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "weft/backend/tensor.hpp"
#include "weft/nn/layer.hpp"

namespace weft::nn::onnx {

inline constexpr std::int64_t kOpset = 17;
inline constexpr std::int64_t kIrVersion = 8;  // the IR version of opset 17 (ONNX 1.12)

// TensorProto.DataType values.
enum class Elem : int { Float = 1, Int32 = 6, Int64 = 7, Bool = 9 };
const char* elem_name(Elem e) noexcept;  // "float32", "int32", "int64", "bool"

// A dimension of a graph input or output: a fixed size, or a symbolic one ("N").
struct Dim {
  std::int64_t value = -1;
  std::string param;
  Dim(std::int64_t v) : value(v) {}  // NOLINT: sizes read naturally in shape lists
  Dim(const char* p) : param(p) {}   // NOLINT
  Dim(std::string p) : param(std::move(p)) {}  // NOLINT
};

struct ValueInfo {
  std::string name;
  Elem type = Elem::Float;
  std::vector<Dim> shape;
  std::string doc;  // what the manifest says about it ("feed")
  ValueInfo(std::string name_, Elem type_, std::vector<Dim> shape_, std::string doc_ = "")
      : name(std::move(name_)), type(type_), shape(std::move(shape_)), doc(std::move(doc_)) {}
};

struct Attribute {
  enum class Kind { Int, Float, Ints, String };
  std::string name;
  Kind kind = Kind::Int;
  std::int64_t i = 0;
  float f = 0.f;
  std::vector<std::int64_t> ints;
  std::string s;
  static Attribute integer(std::string name, std::int64_t v);
  static Attribute real(std::string name, float v);
  static Attribute integers(std::string name, std::vector<std::int64_t> v);
  static Attribute string(std::string name, std::string v);
};

class Graph {
 public:
  explicit Graph(std::string name, std::string doc = "");

  void add_input(ValueInfo v);
  // Makes `value` a graph output named out.name (through an Identity node when the names differ).
  void add_output(const std::string& value, ValueInfo out);
  // An initializer of f32 values named exactly `name` (a weight; copied from any device).
  std::string add_weight(const std::string& name, const backend::Tensor& t);
  // Constant initializers, named after `hint` (made unique); returns the name.
  std::string add_floats(const std::string& hint, const std::vector<float>& values, const std::vector<std::int64_t>& dims);
  std::string add_int64s(const std::string& hint, const std::vector<std::int64_t>& values, const std::vector<std::int64_t>& dims);
  // A scalar int64 constant (dims []), shared by value.
  std::string int64_scalar(std::int64_t v);
  // A node with one output, named after `hint` (made unique); returns the output's name.
  std::string op(const std::string& type, const std::vector<std::string>& inputs, const std::vector<Attribute>& attrs = {},
                 const std::string& hint = "");
  // A fresh value name from `hint`.
  std::string unique(const std::string& hint);
  bool has_input(const std::string& name) const;

  std::size_t node_count() const noexcept { return nodes_.size(); }
  const std::vector<ValueInfo>& inputs() const noexcept { return inputs_; }
  const std::vector<ValueInfo>& outputs() const noexcept { return outputs_; }

  // The ModelProto bytes: this graph, opset kOpset of the default domain, IR version kIrVersion, and
  // `metadata` as metadata_props.
  std::string serialize(const std::string& producer_version, const std::map<std::string, std::string>& metadata = {}) const;
  // Writes serialize() to `path`; IOError naming the file when it cannot be written.
  void save(const std::filesystem::path& path, const std::string& producer_version,
            const std::map<std::string, std::string>& metadata = {}) const;

 private:
  struct Node {
    std::string type, name;
    std::vector<std::string> inputs, outputs;
    std::vector<Attribute> attrs;
  };
  struct Initializer {
    std::string name;
    Elem type;
    std::vector<std::int64_t> dims;
    std::string raw;  // little-endian values
  };
  std::string name_, doc_;
  std::vector<Node> nodes_;
  std::vector<Initializer> inits_;
  std::vector<ValueInfo> inputs_, outputs_;
  std::map<std::string, int> used_;  // names taken, and the next suffix to try per hint
  std::map<std::int64_t, std::string> scalars_;
  void take(const std::string& name);
};

// Translates layer trees into a graph. One exporter per graph: it caches what several layers share
// (the window gathers of each offset).
class LayerExporter {
 public:
  // root: the tree whose parameters name the initializers (named_params(root)); rows and seq_ids: the
  // graph inputs HashEmbed and expand_window read (empty when the tree has no such layer).
  LayerExporter(Graph& g, Layer& root, std::string rows = "", std::string seq_ids = "");
  // Adds the inference forward pass of `layer` (root or a layer inside it) on x; returns its output.
  // ModelError for a layer type ONNX export does not cover (naming it).
  std::string add(const Layer& layer, const std::string& x);
  // The initializer of one parameter, named by its full name (added once).
  std::string param(const Layer& layer, const std::string& local_name);
  // The maxout of z [n, units * pieces] (weft's layout: piece p of unit u at u * pieces + p).
  std::string maxout(const std::string& z, std::int64_t units, std::int64_t pieces, const std::string& hint);

 private:
  struct Window {
    std::string index, valid;  // int64 [N] rows to gather, bool [N, 1] whether the row is in the sequence
  };
  const Window& window(std::int64_t offset);
  std::string expand_window(const std::string& x, int n_window, const std::string& hint);
  Graph& g_;
  std::map<const Param*, std::string> names_;
  std::map<const Param*, std::string> added_;
  std::string rows_, seq_ids_;
  std::string positions_, count_;  // Range(0, N) and N, made on first use
  std::map<std::int64_t, Window> windows_;
};

}  // namespace weft::nn::onnx
