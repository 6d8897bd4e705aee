// ONNX export of a pipeline's networks and their traces. See include/weft/components/interop/onnx_export.hpp.
#include "weft/components/interop/onnx_export.hpp"

#include <system_error>

#include "weft/backend/cpu_int8.hpp"
#include "weft/components/lemmatizer/lemmatizer.hpp"
#include "weft/components/ner/ner.hpp"
#include "weft/components/biaffine/biaffine_parser.hpp"
#include "weft/components/parser/parser.hpp"
#include "weft/components/parser/parser_model.hpp"
#include "weft/components/parser/transition_loop.hpp"
#include "weft/components/tagger/tagger.hpp"
#include "weft/components/tok2vec/tok2vec.hpp"
#include "weft/doc/doc_chunks.hpp"
#include "weft/error.hpp"
#include "weft/nn/hash_embed.hpp"
#include "weft/nn/onnx.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/pipeline.hpp"

namespace weft::interop {

namespace fs = std::filesystem;
namespace ox = nn::onnx;
using ox::Attribute;
using ox::Elem;
using ox::Graph;
using ox::ValueInfo;

namespace {

// A file name from a network name: characters other than letters, digits, '.', '-' and '_' become '_'.
std::string file_stem(const std::string& network) {
  std::string out = network;
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
    if (!ok) c = '_';
  }
  return out;
}

Json value_json(const ValueInfo& v) {
  Json shape = Json::array();
  for (const ox::Dim& d : v.shape) shape.push_back(d.param.empty() ? Json(d.value) : Json(d.param));
  Json j = Json::object();
  j["name"] = v.name;
  j["dtype"] = ox::elem_name(v.type);
  j["shape"] = shape;
  if (!v.doc.empty()) j["feed"] = v.doc;
  return j;
}

// The hash tables of a tok2vec model in column order.
std::vector<const nn::HashEmbed*> hash_tables(const nn::Layer& layer) {
  std::vector<const nn::HashEmbed*> out;
  if (const auto* h = dynamic_cast<const nn::HashEmbed*>(&layer)) out.push_back(h);
  for (const nn::Model& child : layer.children()) {
    const auto inner = hash_tables(*child);
    out.insert(out.end(), inner.begin(), inner.end());
  }
  return out;
}

const Tok2Vec& as_tok2vec(const TokenEncoder* e, const std::string& component) {
  const auto* t = dynamic_cast<const Tok2Vec*>(e);
  if (t == nullptr) throw ModelError("ONNX export: component \"" + component + "\" has an encoder that is not a weft.Tok2Vec.v1");
  return *t;
}

// One head's columns of a classifier's scores.
struct HeadColumns {
  std::string name;
  std::int64_t begin = 0, end = 0;
  std::vector<std::string> labels;  // empty where they are not strings (the lemmatizer's edit trees)
};

std::vector<HeadColumns> head_columns(const TrainablePipe& p, std::int64_t n_columns) {
  std::vector<HeadColumns> out;
  if (const auto* c = dynamic_cast<const TokenClassifier*>(&p)) {
    static constexpr const char* kAttr[] = {"pos", "tag", "morph", "feat", "dep", "sent_start"};
    std::int64_t at = 0;
    for (const TokenClassifier::Head& h : c->heads()) {
      std::string name = kAttr[static_cast<int>(h.attr)];
      if (h.attr == TokenClassifier::Attr::FEAT) name += "." + h.feature;
      const auto n = static_cast<std::int64_t>(h.labels.size());
      out.push_back({name, at, at + n, h.labels});
      at += n;
    }
    if (at != n_columns)
      throw ModelError("ONNX export: component \"" + p.name() + "\" has " + std::to_string(n_columns) + " columns for " +
                       std::to_string(at) + " labels");
  } else if (dynamic_cast<const Lemmatizer*>(&p) != nullptr) {
    out.push_back({"tree", 0, n_columns, {}});
  }
  return out;
}

class Exporter {
 public:
  explicit Exporter(fs::path dir) : dir_(std::move(dir)) {}

  void tok2vec(const std::string& network, const std::string& component, const Tok2Vec& t) {
    nn::Layer& model = t.model();
    // The BiLSTM (ONNX has an LSTM op, but weft's ragged batches would need a padded layout) and the
    // character features have no exporter yet: refuse rather than write a graph that differs.
    if (!t.settings().encoder.is_null())
      throw ModelError("ONNX export: tok2vec \"" + component + "\" has a BiLSTM.v1 encoder (" + t.settings().encoder.dump() +
                       "), which the ONNX exporter does not support yet");
    if (!t.settings().char_embed.is_null())
      throw ModelError("ONNX export: tok2vec \"" + component + "\" has CharEmbed.v1 character features (" +
                       t.settings().char_embed.dump() + "), which the ONNX exporter does not support yet");
    const auto tables = hash_tables(model);
    if (tables.empty()) throw ModelError("ONNX export: tok2vec \"" + component + "\" has no hash tables");
    const std::int64_t F = static_cast<std::int64_t>(tables.size()), H = tables.front()->n_hashes();
    Graph g(network, "weft tok2vec \"" + component + "\": hash embeddings, maxout mix and layer norm, then " +
                         std::to_string(t.settings().depth) + " residual CNN blocks");
    g.add_input({"rows", Elem::Int64, {"N", F, H},
                 "the hash rows of each token's feature keys: rows[i, f, h] = mix64(key[i, f], seed_f + h) % rows_f "
                 "(weft's feature keys and mix64, the tables below; weft.onnx.features computes them)"});
    g.add_input({"seq_ids", Elem::Int64, {"N"},
                 "the sequence of each token, tokens of one sequence consecutive: a new one at each Doc and at each "
                 "sentence start set before the tok2vec runs (the sentencizer's); the CNN windows never read across "
                 "sequences (zeros there)"});
    ox::LayerExporter ex(g, model, "rows", "seq_ids");
    const std::string y = ex.add(model, "rows");
    g.add_output(y, {"tokvecs", Elem::Float, {"N", t.width()}, "the token vectors (the heads' input)"});
    Json info = Json::object();
    info["kind"] = "tok2vec";
    info["component"] = component;
    info["width"] = t.width();
    info["depth"] = t.settings().depth;
    info["window_size"] = t.settings().window_size;
    info["n_hashes"] = H;
    Json tj = Json::array();
    const auto& specs = t.settings().features;
    for (std::size_t f = 0; f < tables.size(); ++f) {
      Json e = Json::object();
      e["name"] = tables[f]->label();
      if (f < specs.size()) e["feature"] = specs[f].to_json();
      e["rows"] = tables[f]->nV();
      e["seed"] = tables[f]->seed();
      tj.push_back(e);
    }
    info["tables"] = tj;
    save(network, g, std::move(info));
  }

  void classifier(const std::string& network, const std::string& reads, const TrainablePipe& p) {
    nn::Layer& model = p.model();
    const std::int64_t width = model.nI(), C = model.nO();
    Graph g(network, "weft " + p.factory_name() + " \"" + p.name() + "\": a linear layer over the token vectors, a softmax per head");
    g.add_input({"tokvecs", Elem::Float, {"N", width}, "output tokvecs of network \"" + reads + "\" for the same tokens"});
    ox::LayerExporter ex(g, model);
    const std::string scores = ex.add(model, "tokvecs");
    g.add_output(scores, {"scores", Elem::Float, {"N", C}, "the logits; weft annotates each head's argmax"});
    Json heads = Json::array();
    for (const HeadColumns& h : head_columns(p, C)) {
      const std::string starts = g.add_int64s(h.name + ".begin", {h.begin}, {1});
      const std::string ends = g.add_int64s(h.name + ".end", {h.end}, {1});
      const std::string axes = g.add_int64s(h.name + ".axes", {1}, {1});
      const std::string cols = g.op("Slice", {scores, starts, ends, axes}, {}, h.name + ".logits");
      const std::string probs = g.op("Softmax", {cols}, {Attribute::integer("axis", -1)}, h.name + ".softmax");
      g.add_output(probs, {"probs." + h.name, Elem::Float, {"N", h.end - h.begin}, "the softmax of head " + h.name + "'s columns"});
      Json hj = Json::object();
      hj["name"] = h.name;
      hj["columns"] = Json::array({h.begin, h.end});
      if (!h.labels.empty()) hj["labels"] = h.labels;
      heads.push_back(hj);
    }
    Json info = Json::object();
    info["kind"] = "classifier";
    info["component"] = p.name();
    info["factory"] = p.factory_name();
    info["reads"] = reads;
    info["heads"] = heads;
    save(network, g, std::move(info));
  }

  void transition(const std::string& component, const std::string& reads, const TrainablePipe& p, ParserModel& m,
                  const std::vector<std::string>& token_slots, const std::vector<std::string>& label_slots,
                  const std::vector<std::string>& labels, const std::vector<std::string>& actions) {
    const ParserModelShape& sh = m.shape();
    const std::int64_t F = sh.token_slots, K = sh.label_slots, L = sh.n_labels, HP = m.row_width();
    const std::string pre_name = component + ".precompute", score_name = component + ".score";
    {
      Graph g(pre_name, "weft " + p.factory_name() + " \"" + component + "\": each token's part of the hidden layer for "
                            "every token slot, P = tokvecs W^T");
      g.add_input({"tokvecs", Elem::Float, {"N", sh.width}, "output tokvecs of network \"" + reads + "\" for the same tokens"});
      ox::LayerExporter ex(g, m);
      const std::string P = g.op("Gemm", {"tokvecs", ex.param(m, "W")}, {Attribute::integer("transB", 1)}, "precompute");
      g.add_output(P, {"P", Elem::Float, {"N", F * HP},
                       "row i: token i's part for token slot f in columns [f * " + std::to_string(HP) + ", (f + 1) * " +
                           std::to_string(HP) + ")"});
      Json info = Json::object();
      info["kind"] = "precompute";
      info["component"] = component;
      info["factory"] = p.factory_name();
      info["reads"] = reads;
      save(pre_name, g, std::move(info));
    }
    Graph g(score_name, "weft " + p.factory_name() + " \"" + component + "\": the scores of states from their slots' rows "
                          "of P, the pad and label rows and the bias, a maxout and the output layer");
    g.add_input({"P", Elem::Float, {"N", F * HP}, "output P of network \"" + pre_name + "\" for the batch's tokens"});
    g.add_input({"token_rows", Elem::Int64, {"S", F},
                 "per state, the row of P (the batch's token) in each token slot, -1 for an empty slot"});
    if (K > 0)
      g.add_input({"label_ids", Elem::Int64, {"S", K}, "per state, the label id (index into labels) in each label slot, -1 for none"});
    ox::LayerExporter ex(g, m);
    // The table of rows: P's rows (token w's slot f at w * F + f), then the pad rows, then the label rows.
    const std::string shape = g.op("Shape", {"P"}, {}, "P.shape");
    const std::string n1 = g.op("Gather", {shape, g.add_int64s("first", {0}, {1})}, {Attribute::integer("axis", 0)}, "n_tokens");
    const std::string nf1 = g.op("Mul", {n1, g.add_int64s("F", {F}, {1})}, {}, "n_token_rows");
    const std::string flat = g.op("Concat", {nf1, g.add_int64s("HP", {HP}, {1})}, {Attribute::integer("axis", 0)}, "rows.shape");
    const std::string rows = g.op("Reshape", {"P", flat}, {}, "P.rows");
    const std::string table = g.op("Concat", {rows, ex.param(m, "pad"), ex.param(m, "labels")}, {Attribute::integer("axis", 0)}, "table");
    const std::string nf = g.op("Mul", {g.op("Gather", {shape, g.int64_scalar(0)}, {Attribute::integer("axis", 0)}, "n"),
                                        g.int64_scalar(F)},
                                {}, "pad_row");
    std::vector<std::int64_t> slots(static_cast<std::size_t>(F));
    for (std::int64_t f = 0; f < F; ++f) slots[static_cast<std::size_t>(f)] = f;
    const std::string slot = g.add_int64s("slot", slots, {F});
    const std::string present = g.op("GreaterOrEqual", {"token_rows", g.int64_scalar(0)}, {}, "token.present");
    const std::string token_ids =
        g.op("Where",
             {present, g.op("Add", {g.op("Mul", {"token_rows", g.int64_scalar(F)}, {}, "token.first"), slot}, {}, "token.row"),
              g.op("Add", {nf, slot}, {}, "token.pad")},
             {}, "token.ids");
    std::vector<std::string> ids{token_ids};
    if (K > 0) {
      std::vector<std::int64_t> offsets(static_cast<std::size_t>(K));
      for (std::int64_t k = 0; k < K; ++k) offsets[static_cast<std::size_t>(k)] = k * (L + 1);
      const std::string given = g.op("GreaterOrEqual", {"label_ids", g.int64_scalar(0)}, {}, "label.given");
      const std::string label = g.op("Where", {given, "label_ids", g.int64_scalar(L)}, {}, "label.id");
      const std::string base = g.op("Add", {nf, g.int64_scalar(F)}, {}, "label.first");
      ids.push_back(g.op("Add", {g.op("Add", {label, g.add_int64s("label.offset", offsets, {K})}, {}, "label.in_table"), base}, {},
                         "label.ids"));
    }
    const std::string all = ids.size() == 1 ? ids.front() : g.op("Concat", ids, {Attribute::integer("axis", 1)}, "ids");
    const std::string gathered = g.op("Gather", {table, all}, {Attribute::integer("axis", 0)}, "state.rows");
    const std::string summed =
        g.op("ReduceSum", {gathered, g.add_int64s("slot_axis", {1}, {1})}, {Attribute::integer("keepdims", 0)}, "state.sum");
    const std::string pre = g.op("Add", {summed, ex.param(m, "b")}, {}, "hidden.pre");
    const std::string hidden = ex.maxout(pre, sh.hidden, sh.pieces, "hidden");
    const std::string scores =
        g.op("Gemm", {hidden, ex.param(m, "out.W"), ex.param(m, "out.b")}, {Attribute::integer("transB", 1)}, "output");
    g.add_output(scores, {"scores", Elem::Float, {"S", sh.n_actions}, "the score of each move (actions); weft takes the best valid one"});
    Json info = Json::object();
    info["kind"] = "transition_scores";
    info["component"] = component;
    info["factory"] = p.factory_name();
    info["reads"] = pre_name;
    info["token_slots"] = token_slots;
    info["label_slots"] = label_slots;
    info["labels"] = labels;
    info["actions"] = actions;
    info["hidden_width"] = sh.hidden;
    info["maxout_pieces"] = sh.pieces;
    save(score_name, g, std::move(info));
  }

  Json networks() && { return std::move(networks_); }

 private:
  void save(const std::string& network, const Graph& g, Json info) {
    const std::string file = file_stem(network) + ".onnx";
    for (const std::string& f : files_)
      if (f == file) throw ValueError("ONNX export: two networks would be written to " + (dir_ / file).string());
    files_.push_back(file);
    g.save(dir_ / file, WEFT_VERSION, {{"weft.network", network}});
    Json j = Json::object();
    j["name"] = network;
    j["file"] = file;
    for (auto& [k, v] : info.items()) j[k] = v;
    Json ins = Json::array(), outs = Json::array();
    for (const ValueInfo& v : g.inputs()) ins.push_back(value_json(v));
    for (const ValueInfo& v : g.outputs()) outs.push_back(value_json(v));
    j["inputs"] = ins;
    j["outputs"] = outs;
    networks_.push_back(std::move(j));
  }

  fs::path dir_;
  std::vector<std::string> files_;
  Json networks_ = Json::array();
};

// The model of a transition component, or null.
ParserModel* transition_model(const TrainablePipe& p) { return dynamic_cast<ParserModel*>(&p.model()); }

// Sets the device paths for the life of the object.
class DevicePaths {
 public:
  explicit DevicePaths(bool on) : was_(device_paths()) { set_device_paths(on); }
  ~DevicePaths() { set_device_paths(was_); }
  DevicePaths(const DevicePaths&) = delete;
  DevicePaths& operator=(const DevicePaths&) = delete;

 private:
  bool was_;
};

backend::Tensor host(const backend::Tensor& t) { return t.device().is_cpu() ? t : t.to(backend::Device::cpu()); }

}  // namespace

Json export_onnx(const Pipeline& nlp, const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) throw IOError("cannot export to " + dir.string() + ": not a directory");
  fs::create_directories(dir, ec);
  if (ec) throw IOError("cannot create " + dir.string() + ": " + ec.message());
  Exporter ex(dir);
  for (const std::string& name : nlp.pipe_names()) {
    Component& c = nlp.get_pipe(name);
    if (const auto* t = dynamic_cast<const Tok2Vec*>(&c)) {
      ex.tok2vec(name, name, *t);
      continue;
    }
    const TrainablePipe* p = c.as_trainable();
    if (p == nullptr) continue;  // rule-based: no network
    if (!p->initialized()) throw ModelError("ONNX export: component \"" + name + "\" has no trained model");
    std::string reads = p->listens_to();
    if (reads.empty()) {
      reads = name + ".tok2vec";
      ex.tok2vec(reads, name, as_tok2vec(p->own_encoder(), name));
    }
    if (ParserModel* m = transition_model(*p)) {
      if (const auto* dp = dynamic_cast<const DependencyParser*>(p))
        ex.transition(name, reads, *p, *m, dp->token_slot_names(), dp->label_slot_names(), dp->labels(), dp->action_names());
      else if (const auto* ner = dynamic_cast<const EntityRecognizer*>(p))
        ex.transition(name, reads, *p, *m, EntityRecognizer::token_slot_names(), EntityRecognizer::label_slot_names(), ner->labels(),
                      ner->action_names());
      else
        throw ModelError("ONNX export: component \"" + name + "\" (" + p->factory_name() + ") has a transition model of a kind it does not know");
      continue;
    }
    if (dynamic_cast<const BiaffineParser*>(p) != nullptr)
      throw ModelError("ONNX export: component \"" + name + "\" (weft.BiaffineParser.v1) has no ONNX form yet (its biaffine "
                       "scorers and tree decoding are not exported)");
    ex.classifier(name, reads, *p);
  }
  Json manifest = Json::object();
  manifest["format"] = "weft-onnx";
  manifest["format_version"] = kManifestVersion;
  manifest["weft_version"] = WEFT_VERSION;
  manifest["opset"] = ox::kOpset;
  manifest["lang"] = nlp.lang();
  if (nlp.meta().contains("name")) manifest["model"] = nlp.meta()["name"];
  if (nlp.meta().contains("version")) manifest["model_version"] = nlp.meta()["version"];
  manifest["pipeline"] = nlp.pipe_names();
  manifest["weights"] =
      "f32, the values of the model's weights (CPU inference may run its products in int8, a run-time form of the same weights)";
  manifest["networks"] = std::move(ex).networks();
  write_model_json(dir / "manifest.json", manifest, 2);
  return manifest;
}

std::vector<NetworkTrace> trace_networks(const Pipeline& nlp, std::span<Doc> docs) {
  if (!nlp.device().is_cpu())
    throw ValueError("tracing a pipeline's networks runs on the CPU: move it there first (nlp.to(\"cpu\"))");
  const backend::CpuInt8Scope f32(false);
  const DevicePaths layers(true);
  std::vector<NetworkTrace> out;
  PipeContext context;
  const auto trace_tok2vec = [&](const std::string& network, const Tok2Vec& t, const backend::Tensor& tokvecs) {
    out.push_back({network, {{"rows", t.hash_rows(docs)}, {"seq_ids", Tok2Vec::sequence_ids(docs)}}, {{"tokvecs", host(tokvecs)}}});
  };
  for (const std::string& name : nlp.pipe_names()) {
    Component& c = nlp.get_pipe(name);
    if (const auto* t = dynamic_cast<const Tok2Vec*>(&c)) {
      c.pipe(docs, context);
      trace_tok2vec(name, *t, context.tok2vec.at(name).data);
      continue;
    }
    TrainablePipe* p = c.as_trainable();
    if (p == nullptr || !p->initialized()) {
      c.pipe(docs, context);
      continue;
    }
    nn::Ragged X;
    if (p->listens_to().empty()) {
      const Tok2Vec& t = as_tok2vec(p->own_encoder(), name);
      X = t.predict_layers(docs);
      trace_tok2vec(name + ".tok2vec", t, X.data);
    } else {
      const auto it = context.tok2vec.find(p->listens_to());
      if (it == context.tok2vec.end())
        throw ValueError("component \"" + name + "\" listens to tok2vec \"" + p->listens_to() + "\", which did not run before it");
      X = it->second;
    }
    const backend::Tensor tokvecs = host(X.data);
    if (ParserModel* m = transition_model(*p)) {
      backend::Tensor P = backend::Tensor::empty({X.data.dim(0), m->shape().token_slots * m->row_width()}, backend::DType::F32, m->device());
      m->precompute(X.data, P);
      P = host(P);
      out.push_back({name + ".precompute", {{"tokvecs", tokvecs}}, {{"P", P}}});
      transition::StateLog log;
      {
        transition::StateLogScope scope(log);
        c.pipe(docs, context);
      }
      const ParserModelShape& sh = m->shape();
      const std::int64_t S = log.states;
      if (S == 0 && X.data.dim(0) > 0)
        throw ValueError("component \"" + name + "\" scored no state in greedy decoding (a beam search, \"beam_width\" > 1, "
                         "is not traced): set its beam_width to 1 to compare its scoring network");
      NetworkTrace tr{name + ".score", {{"P", P}, {"token_rows", backend::Tensor::from_vector(log.words, {S, sh.token_slots})}}, {}};
      if (sh.label_slots > 0) {
        const std::vector<std::int64_t> labels(log.labels.begin(), log.labels.end());
        tr.inputs.emplace_back("label_ids", backend::Tensor::from_vector(labels, {S, sh.label_slots}));
      }
      tr.outputs.emplace_back("scores", backend::Tensor::from_vector(log.scores, {S, sh.n_actions}));
      out.push_back(std::move(tr));
      continue;
    }
    out.push_back({name, {{"tokvecs", tokvecs}}, {{"scores", host(p->model().predict(X).data)}}});
    c.pipe(docs, context);
  }
  return out;
}

}  // namespace weft::interop
