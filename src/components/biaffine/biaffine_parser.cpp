// The graph-based (biaffine) dependency parser. See include/weft/components/biaffine/biaffine_parser.hpp.
#include "weft/components/biaffine/biaffine_parser.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <type_traits>

#include "weft/backend/argmax.hpp"
#include "weft/backend/ops.hpp"
#include "weft/components/biaffine/mst.hpp"
#include "weft/doc/doc_chunks.hpp"
#include "weft/error.hpp"
#include "weft/nn/chain.hpp"
#include "weft/nn/dropout.hpp"
#include "weft/nn/init.hpp"
#include "weft/nn/maxout.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft {

using backend::DType;
using backend::Shape;
using backend::Tensor;

// --- the network ---------------------------------------------------------------------------------------

BiaffineModel::BiaffineModel(std::int64_t width, std::int64_t arc_width, std::int64_t label_width, std::int64_t n_labels,
                             int pieces, float dropout)
    : Layer("BiaffineParserModel.v1", 2 * arc_width + 2 * label_width, width), arc_(arc_width), label_(label_width),
      n_labels_(n_labels) {
  static constexpr const char* kNames[] = {"arc_dep", "arc_head", "label_dep", "label_head"};
  for (int k = 0; k < 4; ++k) {
    nn::Model maxout = nn::maxout(k < 2 ? arc_width : label_width, width, pieces);
    nn::Model mlp = dropout > 0.f ? nn::chain({std::move(maxout), nn::dropout(dropout)}) : nn::chain({std::move(maxout)});
    mlp->set_label(kNames[k]);
    add_child(std::move(mlp));
  }
  register_param(U, "U");
  register_param(u, "u");
  register_param(root_arc, "root_arc");
  register_param(W_dist, "W_dist");
  register_param(b_dist, "b_dist");
  register_param(root_label, "root_label");
  register_param(W_dep, "W_dep");
  register_param(W_head, "W_head");
  register_param(W_both, "W_both");
  register_param(b, "b");
}

void BiaffineModel::initialize_self(const nn::Ragged*, const Tensor*, nn::Rng& rng) {
  for (const nn::Model& c : children()) c->initialize(nullptr, nullptr, rng);
  // U near zero and u at zero (Dozat and Manning start both at zero): heads are nearly equally likely
  // until the scorer learns.
  set_param(U, Shape{arc_, arc_}, nn::init::uniform(arc_ * arc_, -0.01f, 0.01f, rng));
  set_param(u, Shape{arc_}, nn::init::constant(arc_, 0.f));
  set_param(root_arc, Shape{arc_}, nn::init::uniform(arc_, -0.1f, 0.1f, rng));
  set_param(W_dist, Shape{kDistanceBuckets, arc_}, nn::init::glorot_uniform(kDistanceBuckets * arc_, arc_, kDistanceBuckets, rng));
  set_param(b_dist, Shape{kDistanceBuckets}, nn::init::constant(kDistanceBuckets, 0.f));
  set_param(root_label, Shape{label_}, nn::init::uniform(label_, -0.1f, 0.1f, rng));
  for (nn::Param* W : {&W_dep, &W_head, &W_both})
    set_param(*W, Shape{n_labels_, label_}, nn::init::glorot_uniform(n_labels_ * label_, label_, n_labels_, rng));
  set_param(b, Shape{n_labels_}, nn::init::constant(n_labels_, 0.f));
}

Tensor BiaffineModel::block(const Tensor& flat, int k, std::int64_t n) const {
  const std::int64_t offsets[] = {0, arc_, 2 * arc_, 2 * arc_ + label_, 2 * arc_ + 2 * label_};
  return flat.rows(n * offsets[k], n * offsets[k + 1]).reshape(Shape{n, offsets[k + 1] - offsets[k]});
}

nn::Forward BiaffineModel::forward(const nn::Ragged& X, bool is_train) {
  check_ready();
  const std::int64_t n = X.data.dim(0);
  Tensor Y = Tensor::empty(Shape{n * packed_width()}, DType::F32, device());
  std::vector<nn::Backprop> backs;
  for (int k = 0; k < 4; ++k) {
    nn::Forward f = children()[static_cast<std::size_t>(k)]->forward(X, is_train);
    Tensor view = block(Y, k, n);
    view.copy_from(f.Y.data);
    backs.push_back(std::move(f.backprop));
  }
  if (!is_train) return {{Y, X.lengths}, no_backprop()};
  const Shape x_shape = X.data.shape();
  nn::Backprop back = [this, backs = std::move(backs), n, x_shape](const Tensor& dY) {
    Tensor dX = Tensor::zeros(x_shape, DType::F32, device());
    for (int k = 0; k < 4; ++k) ops().axpy(1.f, backs[static_cast<std::size_t>(k)](block(dY, k, n)), dX);
    return dX;
  };
  return {{Y, X.lengths}, std::move(back)};
}

// --- scoring -------------------------------------------------------------------------------------------

namespace {

using Sentence = BiaffineParser::Sentence;

Tensor lengths_of(std::span<const Sentence> sentences) {
  std::vector<std::int32_t> v;
  v.reserve(sentences.size());
  for (const Sentence& s : sentences) v.push_back(s.n);
  return Tensor::from_vector(v, Shape{static_cast<std::int64_t>(v.size())});
}

// The arc scores of a batch: the per-sentence blocks s[i, j] (root, head bias and distance not yet
// added), the terms of the root candidate, of the head bias and of the distances, on the host;
// A = H_dep U on the model's device.
struct ArcScores {
  Tensor A;
  std::vector<float> blocks, root, head_bias, distance;  // distance: [N, kDistanceBuckets]
  float root_bias = 0.f;
  std::vector<std::int64_t> block_at;  // per sentence: its block's offset

  // Sentence s's scores as max_spanning_tree reads them: n x (n + 1), column 0 the root.
  void matrix(const Sentence& s, std::size_t index, std::vector<float>& out) const {
    const auto n = static_cast<std::size_t>(s.n);
    out.resize(n * (n + 1));
    const float* B = blocks.data() + block_at[index];
    for (std::size_t i = 0; i < n; ++i) {
      float* row = out.data() + i * (n + 1);
      row[0] = root[static_cast<std::size_t>(s.row) + i] + root_bias;
      const float* D = distance.data() + (static_cast<std::size_t>(s.row) + i) * static_cast<std::size_t>(BiaffineModel::kDistanceBuckets);
      for (std::size_t j = 0; j < n; ++j)
        row[j + 1] = B[i * n + j] + head_bias[static_cast<std::size_t>(s.row) + j] +
                     D[BiaffineModel::distance_bucket(static_cast<std::int64_t>(j) - static_cast<std::int64_t>(i))];
    }
  }
};

ArcScores arc_scores(BiaffineModel& m, const Tensor& R, std::int64_t n, std::span<const Sentence> sentences, const Tensor& lengths) {
  backend::Ops& o = backend::ops(R.device());
  const std::int64_t da = m.arc_width();
  ArcScores out;
  std::int64_t total = 0;
  for (const Sentence& s : sentences) {
    out.block_at.push_back(total);
    total += static_cast<std::int64_t>(s.n) * s.n;
  }
  const Tensor Hd = m.block(R, 0, n), Hh = m.block(R, 1, n);
  out.A = Tensor::empty(Shape{n, da}, DType::F32, R.device());
  o.gemm(Hd, false, m.U.value, false, out.A);
  Tensor blocks = Tensor::empty(Shape{total}, DType::F32, R.device());
  o.ragged_gemm_nt(out.A, Hh, lengths, blocks);
  Tensor root = Tensor::empty(Shape{n, 1}, DType::F32, R.device()), bias = Tensor::empty(Shape{n, 1}, DType::F32, R.device());
  o.gemm(out.A, false, m.root_arc.value.reshape(Shape{1, da}), true, root);
  o.gemm(Hh, false, m.u.value.reshape(Shape{1, da}), true, bias);
  Tensor distance = Tensor::empty(Shape{n, BiaffineModel::kDistanceBuckets}, DType::F32, R.device());
  o.gemm(Hd, false, m.W_dist.value, true, distance, 1.f, 0.f, &m.b_dist.value);
  out.distance = distance.to_vector<float>();
  out.blocks = blocks.to_vector<float>();
  out.root = root.to_vector<float>();
  out.head_bias = bias.to_vector<float>();
  const std::vector<float> r = m.root_arc.value.to_vector<float>(), uu = m.u.value.to_vector<float>();
  double rb = 0.0;
  for (std::size_t k = 0; k < r.size(); ++k) rb += static_cast<double>(r[k]) * uu[k];
  out.root_bias = static_cast<float>(rb);
  return out;
}

// The label scores of every word for the head rows `heads` (n: the root), with what their gradient needs.
struct LabelScores {
  Tensor ids, G, P, logits;  // head rows i32 [N]; gathered head representations, dep * head, scores [N, L]
};

LabelScores label_scores(BiaffineModel& m, const Tensor& R, std::int64_t n, const std::vector<std::int32_t>& heads) {
  backend::Ops& o = backend::ops(R.device());
  const std::int64_t dl = m.label_width();
  LabelScores s;
  const Tensor Ld = m.block(R, 2, n), Lh = m.block(R, 3, n);
  Tensor table = Tensor::empty(Shape{n + 1, dl}, DType::F32, R.device());
  Tensor words = table.rows(0, n), root = table.rows(n, n + 1);
  words.copy_from(Lh);
  root.copy_from(m.root_label.value.reshape(Shape{1, dl}));
  s.ids = Tensor::from_vector(heads, Shape{n}, R.device());
  s.G = Tensor::empty(Shape{n, dl}, DType::F32, R.device());
  o.gather_sum_rows(table, s.ids, s.G);
  s.P = Tensor::empty(Shape{n, dl}, DType::F32, R.device());
  o.mul(Ld, s.G, s.P);
  s.logits = Tensor::empty(Shape{n, m.n_labels()}, DType::F32, R.device());
  o.gemm(Ld, false, m.W_dep.value, true, s.logits, 1.f, 0.f, &m.b.value);
  o.gemm(s.G, false, m.W_head.value, true, s.logits, 1.f, 1.f);
  o.gemm(s.P, false, m.W_both.value, true, s.logits, 1.f, 1.f);
  return s;
}

// Gold trees: per word its head's row in the batch (n: the root; -1: no gold head) and label id (-1: none).
struct Gold {
  std::vector<std::int32_t> head, label;
};

}  // namespace

// --- the component -------------------------------------------------------------------------------------

BiaffineParser::BiaffineParser(std::string name, const Json& config, std::shared_ptr<Vocab> vocab)
    : TrainablePipe(std::move(name), config.is_object() && config.contains("tok2vec") ? config["tok2vec"] : Json(), std::move(vocab)) {
  if (!config.is_object()) throw ValueError("component \"" + this->name() + "\": config must be a JSON object");
  const std::string where = "the config of component \"" + this->name() + "\"";
  check_config_keys(config, {"tok2vec", "arc_width", "label_width", "maxout_pieces", "dropout", "max_sentence_length", "storage"}, where);
  const auto int_key = [&](const char* key, auto& value, std::int64_t lo, std::int64_t hi) {
    if (!config.contains(key)) return;
    if (!config[key].is_number_integer())
      throw ConfigError(where + ": \"" + key + "\" must be an integer");
    const auto v = config[key].get<std::int64_t>();
    if (v < lo || v > hi)
      throw ConfigError(where + ": \"" + key + "\" must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], not " + std::to_string(v));
    value = static_cast<std::remove_reference_t<decltype(value)>>(v);
  };
  int_key("arc_width", arc_width_, 1, 4096);
  int_key("label_width", label_width_, 1, 4096);
  int_key("maxout_pieces", pieces_, 1, 16);
  int_key("max_sentence_length", max_length_, 2, 100000);
  if (config.contains("dropout")) {
    if (!config["dropout"].is_number()) throw ConfigError(where + ": \"dropout\" must be a number");
    dropout_ = config["dropout"].get<float>();
    if (!(dropout_ >= 0.f && dropout_ < 1.f)) throw ConfigError(where + ": \"dropout\" must be in [0, 1)");
  }
  storage_ = config.value("storage", storage_);
  if (storage_ != "f16" && storage_ != "f32") throw ConfigError(where + ": \"storage\" must be \"f16\" or \"f32\"");
}

Json BiaffineParser::config() const {
  Json j = Json::object();
  j["tok2vec"] = tok2vec_config();
  j["arc_width"] = arc_width_;
  j["label_width"] = label_width_;
  j["maxout_pieces"] = pieces_;
  j["dropout"] = dropout_;
  j["max_sentence_length"] = max_length_;
  j["storage"] = storage_;
  return j;
}

BiaffineModel& BiaffineParser::bmodel() const { return static_cast<BiaffineModel&>(model()); }

void BiaffineParser::index_labels() {
  label_index_.clear();
  label_hashes_.clear();
  for (std::size_t k = 0; k < labels_.size(); ++k) {
    label_index_[labels_[k]] = static_cast<std::int32_t>(k);
    label_hashes_.push_back(vocab_->strings().add(labels_[k]));
  }
}

void BiaffineParser::build(std::int64_t width) {
  width_ = width;
  auto m = std::make_shared<BiaffineModel>(width, arc_width_, label_width_, static_cast<std::int64_t>(labels_.size()), pieces_, dropout_);
  m->set_label(name());
  model_ = std::move(m);
}

void BiaffineParser::initialize(std::span<const Doc> gold, std::int64_t width, std::uint64_t seed) {
  initialize_own_tok2vec(gold, seed);
  if (own_width() > 0) width = own_width();
  std::map<std::string, std::size_t> counts, roots;
  for (const Doc& d : gold) {
    if (!d.has_annotation(Attr::DEP)) continue;
    for (std::size_t i = 0; i < d.size(); ++i) {
      const TokenData& t = d.data(i);
      if (t.dep == 0) continue;
      ++counts[std::string(d.str(t.dep))];
      if (t.head == 0) ++roots[std::string(d.str(t.dep))];
    }
  }
  if (roots.empty()) throw ValueError("component \"" + name() + "\": no training Doc has a dependency tree");
  labels_.clear();
  for (const auto& [l, c] : counts) labels_.push_back(l);
  const std::string root = std::max_element(roots.begin(), roots.end(), [](const auto& a, const auto& b) { return a.second < b.second; })->first;
  root_label_ = static_cast<std::int32_t>(std::find(labels_.begin(), labels_.end(), root) - labels_.begin());
  index_labels();
  build(width);
  model_->initialize(nullptr, nullptr, seed);
}

namespace {

// The sentences of Docs as they are marked (a start at sent_start == 1; none: one sentence), longer
// ones cut into pieces of at most max_length words.
std::vector<Sentence> sentences_of(std::span<const Doc> docs, std::int32_t max_length) {
  std::vector<Sentence> out;
  std::int64_t row = 0;
  for (std::size_t d = 0; d < docs.size(); ++d) {
    const auto n = static_cast<std::int32_t>(docs[d].size());
    for (std::int32_t a = 0; a < n;) {
      std::int32_t b = a + 1;
      while (b < n && b - a < max_length && docs[d].data(static_cast<std::size_t>(b)).sent_start != 1) ++b;
      out.push_back({d, a, b - a, row + a});
      a = b;
    }
    row += n;
  }
  return out;
}

}  // namespace

void BiaffineParser::pipe(std::span<Doc> docs, PipeContext& context) const {
  if (docs.empty()) return;
  const nn::Ragged X = input(docs, context);
  const std::vector<Sentence> sentences = sentences_of(docs, max_length_);
  const std::int64_t limit =
      X.data.device().is_cpu() && !device_paths() ? inference_chunking().chunk_words : device_chunking().chunk_words;
  std::vector<Sentence> group;
  for (std::size_t k = 0; k < sentences.size();) {
    const std::int64_t row0 = sentences[k].row;
    std::int64_t rows = 0;
    group.clear();
    for (; k < sentences.size() && (group.empty() || rows + sentences[k].n <= limit); ++k) {
      group.push_back(sentences[k]);
      group.back().row -= row0;
      rows += sentences[k].n;
    }
    const nn::Ragged part{X.data.rows(row0, row0 + rows),
                          Tensor::from_vector(std::vector<std::int32_t>{static_cast<std::int32_t>(rows)}, Shape{1})};
    parse(docs, group, model().forward(part, false).Y.data);
  }
}

void BiaffineParser::set_annotations(std::span<Doc> docs, const Tensor& R) const {
  parse(docs, sentences_of(docs, max_length_), R);
}

void BiaffineParser::parse(std::span<Doc> docs, std::span<const Sentence> sentences, const Tensor& R) const {
  BiaffineModel& m = bmodel();
  const std::int64_t n = R.numel() / m.packed_width();
  if (n == 0) return;
  const ArcScores arcs = arc_scores(m, R, n, sentences, lengths_of(sentences));
  std::vector<std::int32_t> heads(static_cast<std::size_t>(n));  // head rows, n for the root
  std::vector<float> matrix;
  for (std::size_t k = 0; k < sentences.size(); ++k) {
    const Sentence& s = sentences[k];
    arcs.matrix(s, k, matrix);
    const std::vector<std::int32_t> tree = biaffine::max_spanning_tree(matrix, s.n);
    for (std::int32_t i = 0; i < s.n; ++i) {
      const std::int32_t h = tree[static_cast<std::size_t>(i)];
      heads[static_cast<std::size_t>(s.row + i)] = h == 0 ? static_cast<std::int32_t>(n) : static_cast<std::int32_t>(s.row) + h - 1;
    }
  }
  const LabelScores labels = label_scores(m, R, n, heads);
  const std::vector<float> logits = labels.logits.to_vector<float>();
  const auto L = static_cast<std::int64_t>(labels_.size());
  std::vector<float> row(static_cast<std::size_t>(L));
  for (const Sentence& s : sentences) {
    Doc& d = docs[s.doc];
    for (std::int32_t i = 0; i < s.n; ++i) {
      const std::int64_t r = s.row + i;
      const std::int32_t h = heads[static_cast<std::size_t>(r)];
      std::int32_t label = root_label_;
      if (h != n) {  // the best label but the root's
        std::copy(logits.begin() + r * L, logits.begin() + (r + 1) * L, row.begin());
        if (L > 1) row[static_cast<std::size_t>(root_label_)] = -std::numeric_limits<float>::infinity();
        label = static_cast<std::int32_t>(backend::argmax(row.data(), L));
      }
      TokenData& t = d.data(static_cast<std::size_t>(s.begin + i));
      t.head = h == n ? 0 : static_cast<std::int32_t>(h - r);
      t.dep = label_hashes_[static_cast<std::size_t>(label)];
      t.sent_start = i == 0 ? 1 : -1;
    }
  }
}

nn::Loss BiaffineParser::get_loss(std::span<const Doc> gold, const Tensor& R) const {
  BiaffineModel& m = bmodel();
  backend::Ops& o = backend::ops(R.device());
  const std::int64_t n = R.numel() / m.packed_width();
  nn::Loss out;
  out.grad = Tensor::zeros(R.shape(), DType::F32, R.device());
  if (n == 0) return out;
  // The gold sentences (no length limit: the gold trees are whole) and each word's gold head and label.
  const std::vector<Sentence> sentences = sentences_of(gold, std::numeric_limits<std::int32_t>::max());
  Gold g{std::vector<std::int32_t>(static_cast<std::size_t>(n), -1), std::vector<std::int32_t>(static_cast<std::size_t>(n), -1)};
  std::int64_t labelled = 0;
  for (const Sentence& s : sentences) {
    const Doc& d = gold[s.doc];
    if (!d.has_annotation(Attr::DEP)) continue;
    for (std::int32_t i = 0; i < s.n; ++i) {
      const TokenData& t = d.data(static_cast<std::size_t>(s.begin + i));
      if (t.dep == 0) continue;
      const std::int32_t h = i + t.head;  // in the sentence
      if (h < 0 || h >= s.n) continue;   // a head outside its sentence: no gold arc
      const std::size_t r = static_cast<std::size_t>(s.row + i);
      g.head[r] = t.head == 0 ? static_cast<std::int32_t>(n) : static_cast<std::int32_t>(s.row + h);
      const auto it = label_index_.find(std::string(d.str(t.dep)));
      g.label[r] = it == label_index_.end() ? -1 : it->second;
      ++labelled;
    }
  }
  out.n_labelled = labelled;
  const float norm = static_cast<float>(std::max<std::int64_t>(1, labelled));
  const Tensor lengths = lengths_of(sentences);
  const ArcScores arcs = arc_scores(m, R, n, sentences, lengths);
  // Softmax cross-entropy over each dependent's head candidates (the root and the other words).
  std::vector<float> d_blocks(arcs.blocks.size(), 0.f), d_root(static_cast<std::size_t>(n), 0.f), d_bias(static_cast<std::size_t>(n), 0.f);
  std::vector<float> d_distance(arcs.distance.size(), 0.f);
  std::vector<float> matrix;
  std::vector<double> p;
  double d_root_bias = 0.0;
  for (std::size_t k = 0; k < sentences.size(); ++k) {
    const Sentence& s = sentences[k];
    const auto sn = static_cast<std::size_t>(s.n);
    arcs.matrix(s, k, matrix);
    for (std::size_t i = 0; i < sn; ++i) {
      const std::size_t r = static_cast<std::size_t>(s.row) + i;
      if (g.head[r] < 0) continue;
      const std::size_t gold_col = g.head[r] == n ? 0 : static_cast<std::size_t>(g.head[r] - s.row) + 1;
      const float* z = matrix.data() + i * (sn + 1);
      float mx = z[0];
      for (std::size_t j = 1; j <= sn; ++j)
        if (j != i + 1) mx = std::max(mx, z[j]);
      p.assign(sn + 1, 0.0);
      double sum = 0.0;
      for (std::size_t j = 0; j <= sn; ++j)
        if (j != i + 1) sum += (p[j] = std::exp(static_cast<double>(z[j] - mx)));
      out.value -= std::log(std::max(1e-30, p[gold_col] / sum));
      for (std::size_t j = 0; j <= sn; ++j) {
        const float dz = static_cast<float>((p[j] / sum - (j == gold_col ? 1.0 : 0.0)) / norm);
        if (j == 0) {
          d_root[r] = dz;
          d_root_bias += dz;
        } else {
          d_blocks[static_cast<std::size_t>(arcs.block_at[k]) + i * sn + (j - 1)] = dz;
          d_bias[static_cast<std::size_t>(s.row) + j - 1] += dz;
          d_distance[r * static_cast<std::size_t>(BiaffineModel::kDistanceBuckets) +
                     static_cast<std::size_t>(BiaffineModel::distance_bucket(static_cast<std::int64_t>(j - 1) - static_cast<std::int64_t>(i)))] += dz;
        }
      }
    }
  }
  const std::int64_t da = m.arc_width(), dl = m.label_width();
  const Tensor Hd = m.block(R, 0, n), Hh = m.block(R, 1, n), Ld = m.block(R, 2, n);
  Tensor dHd = m.block(out.grad, 0, n), dHh = m.block(out.grad, 1, n), dLd = m.block(out.grad, 2, n), dLh = m.block(out.grad, 3, n);
  // Arcs backward: s = A Hh^T per sentence, root_i = A_i . r, bias_j = Hh_j . u, root bias r . u.
  {
    const Tensor dS = Tensor::from_vector(d_blocks, Shape{static_cast<std::int64_t>(d_blocks.size())}, R.device());
    const Tensor dR = Tensor::from_vector(d_root, Shape{n, 1}, R.device());
    const Tensor dB = Tensor::from_vector(d_bias, Shape{n, 1}, R.device());
    Tensor dA = Tensor::empty(Shape{n, da}, DType::F32, R.device());
    o.backprop_ragged_gemm_nt(dS, arcs.A, Hh, lengths, dA, dHh);
    const Tensor r = m.root_arc.value.reshape(Shape{1, da}), uu = m.u.value.reshape(Shape{1, da});
    Tensor dr = m.root_arc.grad.reshape(Shape{1, da}), du = m.u.grad.reshape(Shape{1, da});
    o.gemm(dR, true, arcs.A, false, dr, 1.f, 1.f);
    o.gemm(dR, false, r, false, dA, 1.f, 1.f);
    o.axpy(static_cast<float>(d_root_bias), m.u.value, m.root_arc.grad);
    o.axpy(static_cast<float>(d_root_bias), m.root_arc.value, m.u.grad);
    o.gemm(dB, true, Hh, false, du, 1.f, 1.f);
    o.gemm(dB, false, uu, false, dHh, 1.f, 1.f);
    o.gemm(Hd, true, dA, false, m.U.grad, 1.f, 1.f);
    o.gemm(dA, false, m.U.value, true, dHd);
    const Tensor dD = Tensor::from_vector(d_distance, Shape{n, BiaffineModel::kDistanceBuckets}, R.device());
    o.gemm(dD, false, m.W_dist.value, false, dHd, 1.f, 1.f);
    o.gemm(dD, true, Hd, false, m.W_dist.grad, 1.f, 1.f);
    o.sum_rows(dD, m.b_dist.grad, true);
  }
  // Labels for the gold heads (a word without one: any row, its label ignored).
  std::vector<std::int32_t> heads = g.head;
  for (std::size_t r = 0; r < heads.size(); ++r)
    if (heads[r] < 0) heads[r] = static_cast<std::int32_t>(r);
  const LabelScores ls = label_scores(m, R, n, heads);
  const Tensor gold_labels = Tensor::from_vector(g.label, Shape{n}, R.device());
  Tensor d_logits = Tensor::empty(ls.logits.shape(), DType::F32, R.device());
  out.value += o.softmax_cross_entropy(ls.logits, gold_labels, 1.f / norm, d_logits);
  o.gemm(d_logits, true, Ld, false, m.W_dep.grad, 1.f, 1.f);
  o.gemm(d_logits, true, ls.G, false, m.W_head.grad, 1.f, 1.f);
  o.gemm(d_logits, true, ls.P, false, m.W_both.grad, 1.f, 1.f);
  o.sum_rows(d_logits, m.b.grad, true);
  Tensor dP = Tensor::empty(Shape{n, dl}, DType::F32, R.device()), tmp = Tensor::empty(Shape{n, dl}, DType::F32, R.device());
  o.gemm(d_logits, false, m.W_both.value, false, dP);
  o.gemm(d_logits, false, m.W_dep.value, false, dLd);
  o.mul(dP, ls.G, tmp);
  o.axpy(1.f, tmp, dLd);
  Tensor dG = Tensor::empty(Shape{n, dl}, DType::F32, R.device());
  o.gemm(d_logits, false, m.W_head.value, false, dG);
  o.mul(dP, Ld, tmp);
  o.axpy(1.f, tmp, dG);
  Tensor d_table = Tensor::zeros(Shape{n + 1, dl}, DType::F32, R.device());
  o.scatter_add_rows(d_table, ls.ids, dG);
  dLh.copy_from(d_table.rows(0, n));
  o.axpy(1.f, d_table.rows(n, n + 1).reshape(Shape{dl}), m.root_label.grad);
  return out;
}

void BiaffineParser::to_disk(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  Json j = Json::object();
  j["width"] = width_;
  j["labels"] = labels_;
  j["root"] = labels_.at(static_cast<std::size_t>(root_label_));
  write_model_json(dir / "labels.json", j, 1);
  save_model(dir);
}

void BiaffineParser::from_disk(const std::filesystem::path& dir) {
  const auto path = dir / "labels.json";
  const Json j = read_model_json(path);
  try {
    if (!j.is_object()) throw ModelError("not an object");
    width_ = j.at("width").get<std::int64_t>();
    if (width_ < 1) throw ModelError("\"width\" must be positive");
    labels_ = j.at("labels").get<std::vector<std::string>>();
    if (labels_.empty()) throw ModelError("no labels");
    const std::string root = j.at("root").get<std::string>();
    const auto it = std::find(labels_.begin(), labels_.end(), root);
    if (it == labels_.end()) throw ModelError("the root label \"" + root + "\" is not among the labels");
    root_label_ = static_cast<std::int32_t>(it - labels_.begin());
  } catch (const ModelError& e) {
    throw ModelError(path.string() + ": " + e.what());
  } catch (const std::exception& e) {
    throw ModelError(path.string() + ": expected {\"width\", \"labels\", \"root\"}: " + e.what());
  }
  index_labels();
  build(width_);
  load_model(dir);
}

void register_biaffine_parser(Registry& r) {
  ComponentFactory make = [](const std::string& name, const Json& config, std::shared_ptr<Vocab> vocab) {
    return std::unique_ptr<Component>(std::make_unique<BiaffineParser>(name, config, std::move(vocab)));
  };
  const char* what = "graph-based dependency parser (biaffine arc and label scores, maximum spanning tree decoding)";
  r.add("components", "biaffine_parser", make, what, "builtin");
  r.add("components", "weft.BiaffineParser.v1", make, what, "builtin");
}

}  // namespace weft
