// ONNX export of nn layers. See include/weft/nn/onnx.hpp.
//
// The protobuf encoding (https://protobuf.dev/programming-guides/encoding/): every field is a tag
// varint (field number << 3 | wire type) followed by a varint (wire type 0), 4 little-endian bytes
// (5: float) or a varint length and that many bytes (2: strings, bytes and nested messages). onnx.proto
// is proto2, whose repeated scalars are written one tag per element (parsers accept that and packed).
// The field numbers below are onnx.proto's.
#include "weft/nn/onnx.hpp"

#include <bit>
#include <cstring>
#include <fstream>

#include "weft/error.hpp"
#include "weft/nn/chain.hpp"
#include "weft/nn/concat.hpp"
#include "weft/nn/dropout.hpp"
#include "weft/nn/expand_window.hpp"
#include "weft/nn/hash_embed.hpp"
#include "weft/nn/layer_norm.hpp"
#include "weft/nn/linear.hpp"
#include "weft/nn/maxout.hpp"
#include "weft/nn/residual.hpp"
#include "weft/nn/softmax.hpp"

namespace weft::nn::onnx {

static_assert(std::endian::native == std::endian::little, "the ONNX writer stores raw data in host byte order");

namespace {

// A message being encoded.
class Proto {
 public:
  void varint(int field, std::uint64_t v) {
    tag(field, 0);
    raw_varint(v);
  }
  void int64(int field, std::int64_t v) { varint(field, static_cast<std::uint64_t>(v)); }  // negatives: 10 bytes
  void bytes(int field, std::string_view s) {
    tag(field, 2);
    raw_varint(s.size());
    out_.append(s.data(), s.size());
  }
  void message(int field, const Proto& m) { bytes(field, m.out_); }
  void real(int field, float f) {
    tag(field, 5);
    char b[4];
    std::memcpy(b, &f, 4);
    out_.append(b, 4);
  }
  const std::string& str() const noexcept { return out_; }

 private:
  void tag(int field, int wire) { raw_varint(static_cast<std::uint64_t>(field) << 3 | static_cast<std::uint64_t>(wire)); }
  void raw_varint(std::uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  std::string out_;
};

// onnx.proto field numbers.
namespace model { constexpr int ir_version = 1, producer_name = 2, producer_version = 3, graph = 7, opset_import = 8, metadata_props = 14; }
namespace opset { constexpr int domain = 1, version = 2; }
namespace entry { constexpr int key = 1, value = 2; }
namespace graph { constexpr int node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12; }
namespace node { constexpr int input = 1, output = 2, name = 3, op_type = 4, attribute = 5; }
namespace attr { constexpr int name = 1, f = 2, i = 3, s = 4, ints = 8, type = 20; }
namespace attr_type { constexpr int FLOAT = 1, INT = 2, STRING = 3, INTS = 7; }
namespace tensor { constexpr int dims = 1, data_type = 2, name = 8, raw_data = 9; }
namespace value_info { constexpr int name = 1, type = 2, doc_string = 3; }
namespace type_proto { constexpr int tensor_type = 1; }
namespace tensor_type { constexpr int elem_type = 1, shape = 2; }
namespace shape_proto { constexpr int dim = 1; }
namespace dimension { constexpr int dim_value = 1, dim_param = 2; }

Proto encode(const ValueInfo& v) {
  Proto shape;
  for (const Dim& d : v.shape) {
    Proto dim;
    if (d.param.empty()) dim.int64(dimension::dim_value, d.value);
    else dim.bytes(dimension::dim_param, d.param);
    shape.message(shape_proto::dim, dim);
  }
  Proto tt;
  tt.varint(tensor_type::elem_type, static_cast<std::uint64_t>(v.type));
  tt.message(tensor_type::shape, shape);
  Proto type;
  type.message(type_proto::tensor_type, tt);
  Proto out;
  out.bytes(value_info::name, v.name);
  out.message(value_info::type, type);
  if (!v.doc.empty()) out.bytes(value_info::doc_string, v.doc);
  return out;
}

Proto encode(const Attribute& a) {
  Proto p;
  p.bytes(attr::name, a.name);
  switch (a.kind) {
    case Attribute::Kind::Int:
      p.varint(attr::type, attr_type::INT);
      p.int64(attr::i, a.i);
      break;
    case Attribute::Kind::Float:
      p.varint(attr::type, attr_type::FLOAT);
      p.real(attr::f, a.f);
      break;
    case Attribute::Kind::Ints:
      p.varint(attr::type, attr_type::INTS);
      for (const std::int64_t v : a.ints) p.int64(attr::ints, v);
      break;
    case Attribute::Kind::String:
      p.varint(attr::type, attr_type::STRING);
      p.bytes(attr::s, a.s);
      break;
  }
  return p;
}

}  // namespace

const char* elem_name(Elem e) noexcept {
  switch (e) {
    case Elem::Float: return "float32";
    case Elem::Int32: return "int32";
    case Elem::Int64: return "int64";
    case Elem::Bool: return "bool";
  }
  return "?";
}

Attribute Attribute::integer(std::string name, std::int64_t v) {
  Attribute a;
  a.name = std::move(name);
  a.kind = Kind::Int;
  a.i = v;
  return a;
}

Attribute Attribute::real(std::string name, float v) {
  Attribute a;
  a.name = std::move(name);
  a.kind = Kind::Float;
  a.f = v;
  return a;
}

Attribute Attribute::integers(std::string name, std::vector<std::int64_t> v) {
  Attribute a;
  a.name = std::move(name);
  a.kind = Kind::Ints;
  a.ints = std::move(v);
  return a;
}

Attribute Attribute::string(std::string name, std::string v) {
  Attribute a;
  a.name = std::move(name);
  a.kind = Kind::String;
  a.s = std::move(v);
  return a;
}

Graph::Graph(std::string name, std::string doc) : name_(std::move(name)), doc_(std::move(doc)) {}

void Graph::take(const std::string& name) {
  if (name.empty()) throw ValueError("ONNX export: an empty value name");
  if (!used_.emplace(name, 1).second) throw ValueError("ONNX export: the name \"" + name + "\" is used twice");
}

std::string Graph::unique(const std::string& hint) {
  const std::string base = hint.empty() ? "v" : hint;
  if (used_.emplace(base, 1).second) return base;
  for (int& next = used_[base];; ++next) {
    std::string name = base + "_" + std::to_string(next);
    if (used_.emplace(name, 1).second) return name;
  }
}

bool Graph::has_input(const std::string& name) const {
  for (const ValueInfo& v : inputs_)
    if (v.name == name) return true;
  return false;
}

void Graph::add_input(ValueInfo v) {
  take(v.name);
  inputs_.push_back(std::move(v));
}

void Graph::add_output(const std::string& value, ValueInfo out) {
  if (value != out.name) {
    take(out.name);
    nodes_.push_back({"Identity", out.name, {value}, {out.name}, {}});
  }
  outputs_.push_back(std::move(out));
}

std::string Graph::add_weight(const std::string& name, const backend::Tensor& t) {
  if (t.dtype() != backend::DType::F32) throw ValueError("ONNX export: weight \"" + name + "\" is not f32");
  const backend::Tensor host = t.device().is_cpu() ? t : t.to(backend::Device::cpu());
  take(name);
  Initializer init{name, Elem::Float, host.shape().dims(), std::string(static_cast<const char*>(host.raw()), host.bytes())};
  inits_.push_back(std::move(init));
  return name;
}

std::string Graph::add_floats(const std::string& hint, const std::vector<float>& values, const std::vector<std::int64_t>& dims) {
  const std::string name = unique(hint);
  inits_.push_back({name, Elem::Float, dims,
                    std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float))});
  return name;
}

std::string Graph::add_int64s(const std::string& hint, const std::vector<std::int64_t>& values,
                              const std::vector<std::int64_t>& dims) {
  const std::string name = unique(hint);
  inits_.push_back({name, Elem::Int64, dims,
                    std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(std::int64_t))});
  return name;
}

std::string Graph::int64_scalar(std::int64_t v) {
  if (auto it = scalars_.find(v); it != scalars_.end()) return it->second;
  const std::string name = add_int64s(v < 0 ? "const_m" + std::to_string(-v) : "const_" + std::to_string(v), {v}, {});
  scalars_[v] = name;
  return name;
}

std::string Graph::op(const std::string& type, const std::vector<std::string>& inputs, const std::vector<Attribute>& attrs,
                      const std::string& hint) {
  std::string out = unique(hint.empty() ? type : hint);
  nodes_.push_back({type, out, inputs, {out}, attrs});
  return out;
}

std::string Graph::serialize(const std::string& producer_version, const std::map<std::string, std::string>& metadata) const {
  Proto g;
  for (const Node& n : nodes_) {
    Proto p;
    for (const std::string& i : n.inputs) p.bytes(node::input, i);
    for (const std::string& o : n.outputs) p.bytes(node::output, o);
    p.bytes(node::name, n.name);
    p.bytes(node::op_type, n.type);
    for (const Attribute& a : n.attrs) p.message(node::attribute, encode(a));
    g.message(graph::node, p);
  }
  g.bytes(graph::name, name_);
  for (const Initializer& i : inits_) {
    Proto t;
    for (const std::int64_t d : i.dims) t.int64(tensor::dims, d);
    t.varint(tensor::data_type, static_cast<std::uint64_t>(i.type));
    t.bytes(tensor::name, i.name);
    t.bytes(tensor::raw_data, i.raw);
    g.message(graph::initializer, t);
  }
  if (!doc_.empty()) g.bytes(graph::doc_string, doc_);
  for (const ValueInfo& v : inputs_) g.message(graph::input, encode(v));
  for (const ValueInfo& v : outputs_) g.message(graph::output, encode(v));
  Proto m;
  m.int64(model::ir_version, kIrVersion);
  m.bytes(model::producer_name, "weft");
  m.bytes(model::producer_version, producer_version);
  m.message(model::graph, g);
  Proto op;
  op.bytes(opset::domain, "");
  op.int64(opset::version, kOpset);
  m.message(model::opset_import, op);
  for (const auto& [k, v] : metadata) {
    Proto e;
    e.bytes(entry::key, k);
    e.bytes(entry::value, v);
    m.message(model::metadata_props, e);
  }
  return m.str();
}

void Graph::save(const std::filesystem::path& path, const std::string& producer_version,
                 const std::map<std::string, std::string>& metadata) const {
  const std::string bytes = serialize(producer_version, metadata);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (out) out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw IOError("cannot write " + path.string());
}

LayerExporter::LayerExporter(Graph& g, Layer& root, std::string rows, std::string seq_ids)
    : g_(g), rows_(std::move(rows)), seq_ids_(std::move(seq_ids)) {
  for (const NamedParam& p : named_params(root)) names_[p.param] = p.name;
}

std::string LayerExporter::param(const Layer& layer, const std::string& local_name) {
  for (const Param* p : layer.params()) {
    if (p->name != local_name) continue;
    if (auto it = added_.find(p); it != added_.end()) return it->second;
    const auto named = names_.find(p);
    if (named == names_.end()) throw ModelError("ONNX export: " + layer.describe() + " is not inside the exported model");
    std::string name = g_.add_weight(named->second, p->value);
    added_[p] = name;
    return name;
  }
  throw ModelError("ONNX export: " + layer.describe() + " has no parameter \"" + local_name + "\"");
}

std::string LayerExporter::maxout(const std::string& z, std::int64_t units, std::int64_t pieces, const std::string& hint) {
  // [n, units * pieces] -> [n, units, pieces] (0 keeps n, also when n is 0) -> the largest piece.
  const std::string shape = g_.add_int64s(hint + ".shape", {0, units, pieces}, {3});
  const std::string r = g_.op("Reshape", {z, shape}, {}, hint + ".pieces");
  return g_.op("ReduceMax", {r}, {Attribute::integers("axes", {2}), Attribute::integer("keepdims", 0)}, hint);
}

const LayerExporter::Window& LayerExporter::window(std::int64_t offset) {
  if (auto it = windows_.find(offset); it != windows_.end()) return it->second;
  if (seq_ids_.empty()) throw ModelError("ONNX export: an expand_window layer needs the sequence ids input");
  if (positions_.empty()) {
    const std::string shape = g_.op("Shape", {seq_ids_}, {}, "n_rows.shape");
    count_ = g_.op("Gather", {shape, g_.int64_scalar(0)}, {Attribute::integer("axis", 0)}, "n_rows");
    positions_ = g_.op("Range", {g_.int64_scalar(0), count_, g_.int64_scalar(1)}, {}, "positions");
  }
  const std::string tag = offset < 0 ? "m" + std::to_string(-offset) : "p" + std::to_string(offset);
  // Row i reads row i + offset when that row exists and is in i's sequence.
  const std::string j = g_.op("Add", {positions_, g_.int64_scalar(offset)}, {}, "window." + tag + ".row");
  const std::string inside = g_.op("And",
                                   {g_.op("GreaterOrEqual", {j, g_.int64_scalar(0)}, {}, "window." + tag + ".ge0"),
                                    g_.op("Less", {j, count_}, {}, "window." + tag + ".ltn")},
                                   {}, "window." + tag + ".inside");
  Window w;
  w.index = g_.op("Where", {inside, j, positions_}, {}, "window." + tag + ".index");
  const std::string same = g_.op("Equal", {g_.op("Gather", {seq_ids_, w.index}, {Attribute::integer("axis", 0)}, "window." + tag + ".seq"), seq_ids_},
                                 {}, "window." + tag + ".same");
  const std::string valid = g_.op("And", {inside, same}, {}, "window." + tag + ".valid_row");
  const std::string axes = g_.add_int64s("window." + tag + ".axes", {1}, {1});
  w.valid = g_.op("Unsqueeze", {valid, axes}, {}, "window." + tag + ".valid");
  return windows_.emplace(offset, std::move(w)).first->second;
}

std::string LayerExporter::expand_window(const std::string& x, int n_window, const std::string& hint) {
  if (n_window == 0) return x;
  std::vector<std::string> parts;
  std::string zero;
  for (std::int64_t o = -n_window; o <= n_window; ++o) {
    if (o == 0) {
      parts.push_back(x);
      continue;
    }
    if (zero.empty()) zero = g_.add_floats("zero", {0.f}, {});
    const Window& w = window(o);
    const std::string rows = g_.op("Gather", {x, w.index}, {Attribute::integer("axis", 0)}, hint + ".gather");
    parts.push_back(g_.op("Where", {w.valid, rows, zero}, {}, hint + ".shift"));
  }
  return g_.op("Concat", parts, {Attribute::integer("axis", 1)}, hint);
}

std::string LayerExporter::add(const Layer& layer, const std::string& x) {
  const std::string hint = layer.label().empty() ? layer.type() : layer.label();
  if (dynamic_cast<const Chain*>(&layer) != nullptr) {
    std::string y = x;
    for (const Model& child : layer.children()) y = add(*child, y);
    return y;
  }
  if (dynamic_cast<const Concat*>(&layer) != nullptr) {
    std::vector<std::string> parts;
    for (const Model& child : layer.children()) parts.push_back(add(*child, x));
    return parts.size() == 1 ? parts.front() : g_.op("Concat", parts, {Attribute::integer("axis", 1)}, hint + ".concat");
  }
  if (dynamic_cast<const Residual*>(&layer) != nullptr)
    return g_.op("Add", {x, add(*layer.children().at(0), x)}, {}, hint + ".residual");
  if (dynamic_cast<const Dropout*>(&layer) != nullptr) return x;  // the identity at inference
  if (const auto* h = dynamic_cast<const HashEmbed*>(&layer)) {
    if (rows_.empty()) throw ModelError("ONNX export: " + layer.describe() + " needs the hash rows input");
    // rows[:, column, :] -> the table's rows [n, n_hashes, width] -> their sum.
    const std::string ids = g_.op("Gather", {rows_, g_.int64_scalar(h->column())}, {Attribute::integer("axis", 1)}, hint + ".rows");
    const std::string vecs = g_.op("Gather", {param(layer, "E"), ids}, {Attribute::integer("axis", 0)}, hint + ".vectors");
    const std::string axes = g_.add_int64s(hint + ".axes", {1}, {1});
    return g_.op("ReduceSum", {vecs, axes}, {Attribute::integer("keepdims", 0)}, hint);
  }
  if (const auto* m = dynamic_cast<const Maxout*>(&layer)) {
    const std::string z = g_.op("Gemm", {x, param(layer, "W"), param(layer, "b")}, {Attribute::integer("transB", 1)}, hint + ".affine");
    return maxout(z, m->nO(), m->pieces(), hint);
  }
  if (const auto* n = dynamic_cast<const LayerNorm*>(&layer))
    return g_.op("LayerNormalization", {x, param(layer, "G"), param(layer, "b")},
                 {Attribute::integer("axis", -1), Attribute::real("epsilon", n->eps())}, hint);
  if (const auto* w = dynamic_cast<const ExpandWindow*>(&layer)) return expand_window(x, w->n_window(), hint + ".window");
  if (dynamic_cast<const Linear*>(&layer) != nullptr)
    return g_.op("Gemm", {x, param(layer, "W"), param(layer, "b")}, {Attribute::integer("transB", 1)}, hint);
  if (dynamic_cast<const Softmax*>(&layer) != nullptr) {
    const std::string z = g_.op("Gemm", {x, param(layer, "W"), param(layer, "b")}, {Attribute::integer("transB", 1)}, hint + ".logits");
    return g_.op("Softmax", {z}, {Attribute::integer("axis", -1)}, hint);
  }
  throw ModelError("ONNX export: " + layer.describe() + " is not supported (Chain, Concat, Residual, Dropout, HashEmbed, "
                   "Maxout, LayerNorm, expand_window, Linear and Softmax are)");
}

}  // namespace weft::nn::onnx
