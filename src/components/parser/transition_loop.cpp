// Shared machinery of the transition-based components. See
// include/weft/components/parser/transition_loop.hpp.
#include "weft/components/parser/transition_loop.hpp"

#include <algorithm>
#include <cmath>

#include "weft/backend/scratch.hpp"
#include "weft/doc/doc_chunks.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft::transition {

Json model_config(const Json& component_config, const std::string& component) {
  Json m = component_config.value("model", Json::object());
  if (!m.is_object()) throw ValueError("component \"" + component + "\": \"model\" must be an object");
  if (!m.contains("@architectures")) m["@architectures"] = "weft.TransitionParserModel.v1";
  ParserModelShape probe;  // its hidden width and pieces are the defaults
  if (!m.contains("hidden_width")) m["hidden_width"] = probe.hidden;
  if (!m.contains("maxout_pieces")) m["maxout_pieces"] = probe.pieces;
  probe.width = probe.token_slots = probe.n_labels = probe.n_actions = 1;
  (void)make_model(m, probe, component);
  return m;
}

std::shared_ptr<ParserModel> make_model(const Json& model_config, const ParserModelShape& shape, const std::string& component) {
  const auto& make = Registry::global().get<ParserModelFactory>("architectures", model_config["@architectures"].get<std::string>());
  auto m = make(model_config, shape);
  m->set_label(component);
  return m;
}

namespace {

thread_local StateLog* t_state_log = nullptr;

}  // namespace

StateLog* state_log() noexcept { return t_state_log; }

StateLogScope::StateLogScope(StateLog& log) noexcept : was_(t_state_log) { t_state_log = &log; }

StateLogScope::~StateLogScope() { t_state_log = was_; }

void StateLog::record(const ParserModelShape& shape, const std::int64_t* w, const std::int32_t* l, const float* s,
                      std::int64_t S) {
  if (states > 0 && (token_slots != shape.token_slots || label_slots != shape.label_slots || n_actions != shape.n_actions))
    throw ModelError("StateLog: states of two models in one log");
  token_slots = shape.token_slots;
  label_slots = shape.label_slots;
  n_actions = shape.n_actions;
  for (std::int64_t i = 0; i < S * token_slots; ++i) words.push_back(w[i] >= 0 ? chunk_row + w[i] : -1);
  labels.insert(labels.end(), l, l + S * label_slots);
  scores.insert(scores.end(), s, s + S * n_actions);
  states += S;
}

std::vector<DocRun> whole_docs(std::span<const Doc> docs) {
  std::vector<DocRun> runs;
  std::int64_t row = 0;
  for (std::size_t k = 0; k < docs.size(); ++k) {
    const auto n = static_cast<std::int64_t>(docs[k].size());
    if (n > 0) runs.push_back({k, 0, n, row});
    row += n;
  }
  return runs;
}

struct ChunkRows::Lazy {
  const ParserModel* m;
  backend::Tensor X;  // the rows [lo, hi) of the batch's vectors
  std::int64_t before = 0, capacity = 0;
  std::uint64_t clock = 0;
  struct Block {
    std::int64_t id = -1;
    std::uint64_t used = 0;
    backend::Tensor rows;
  };
  std::vector<Block> blocks;
};

ChunkRows::ChunkRows(const float* data, std::int64_t stride) : data_(data), stride_(stride) {}

ChunkRows::ChunkRows(ParserModel::DeviceRows& rows) : device_(&rows) {}

ChunkRows::ChunkRows(const ParserModel& m, const nn::Ragged& X, std::int64_t lo, std::int64_t hi, std::int64_t before)
    : stride_(m.shape().token_slots * m.row_width()), lazy_(std::make_unique<Lazy>()) {
  lazy_->m = &m;
  lazy_->X = X.data.rows(lo, hi);
  lazy_->before = before;
  lazy_->capacity = m.shape().token_slots + 4;
}

ChunkRows::~ChunkRows() = default;

const float* ChunkRows::lazy_row(std::int64_t i) const {
  Lazy& l = *lazy_;
  const std::int64_t r = i + l.before, id = r / kBlockRows;  // row of l.X
  Lazy::Block* slot = nullptr;
  for (Lazy::Block& b : l.blocks)
    if (b.id == id) slot = &b;
  if (slot == nullptr) {
    if (static_cast<std::int64_t>(l.blocks.size()) < l.capacity) {
      slot = &l.blocks.emplace_back();
      slot->rows = backend::Tensor::empty({kBlockRows, stride_}, backend::DType::F32);
    } else {
      slot = &*std::min_element(l.blocks.begin(), l.blocks.end(), [](const auto& a, const auto& b) { return a.used < b.used; });
    }
    // A full block of rows; the last one padded with zero rows, so that every product has kBlockRows
    // rows and rounds as one over the whole run would.
    const std::int64_t first = id * kBlockRows, n = std::min(kBlockRows, l.X.dim(0) - first);
    backend::Tensor in = l.X.rows(first, first + n);
    if (n < kBlockRows) {
      in = backend::Tensor::zeros({kBlockRows, l.X.dim(1)}, backend::DType::F32);
      std::copy(l.X.data<float>() + first * l.X.dim(1), l.X.data<float>() + (first + n) * l.X.dim(1), in.data<float>());
    }
    l.m->precompute(in, slot->rows);
    slot->id = id;
  }
  slot->used = ++l.clock;
  return slot->rows.data<float>() + (r - id * kBlockRows) * stride_;
}

void precompute_runs(const ParserModel& m, const nn::Ragged& X, std::span<Doc> docs,
                     const std::function<bool(const Doc&, std::size_t)>& unit_start, std::int64_t context, bool lazy,
                     const std::function<void(std::span<const DocRun>, const ChunkRows&)>& fn) {
  if (docs.empty()) return;
  const std::int64_t stride = m.shape().token_slots * m.row_width();
  const bool on_device = lazy && (device_paths() || !m.device().is_cpu());
  if (on_device || !m.device().is_cpu()) {
    // Large chunks (a GPU needs many rows to be busy), their rows kept on the device for greedy
    // decoding there, or else (beam search) copied to the host.
    for_each_chunk(docs, device_chunking(), unit_start, [&](std::span<const DocRun> runs) {
      const DocRun &first = runs.front(), &last = runs.back();
      const std::int64_t before = std::min(context, first.begin);
      const std::int64_t after = std::min(context, static_cast<std::int64_t>(docs[last.doc].size()) - last.end);
      const backend::Tensor x = X.data.rows(first.row - before, last.row + last.size() + after);
      if (on_device) {
        if (StateLog* log = state_log()) log->chunk_row = first.row;
        ParserModel::DeviceRows rows(m, x, before);
        fn(runs, ChunkRows(rows));
        return;
      }
      backend::Tensor P = backend::Tensor::empty({x.dim(0), stride}, backend::DType::F32, m.device());
      m.precompute(x, P);
      const backend::Tensor host = P.to(backend::Device::cpu());
      fn(runs, ChunkRows(host.data<float>() + before * stride, stride));
    });
    return;
  }
  // Chunks of about chunk_words words, so the transitions read the precomputed rows while they are
  // still in the cache (a word's rows take token_slots * HP floats, 4 KB for the parser's 8 slots; 512
  // words are 2 MB) and the matrix product stays large enough to run fast (measured with the 13-slot
  // parser: 32 words 139k words/s, 96 158k, 256 173k, 512 181k, 1024 167k).
  const InferenceChunking c = inference_chunking();
  backend::ScratchArena& arena = backend::ScratchArena::local(backend::Device::cpu());
  for_each_chunk(docs, c, unit_start, [&](std::span<const DocRun> runs) {
    const DocRun &first = runs.front(), &last = runs.back();
    const std::int64_t before = std::min(context, first.begin);
    const std::int64_t after = std::min(context, static_cast<std::int64_t>(docs[last.doc].size()) - last.end);
    const std::int64_t lo = first.row - before, hi = last.row + last.size() + after;
    if (lazy && runs.size() == 1 && first.size() > c.chunk_words &&
        static_cast<std::int64_t>(docs[first.doc].size()) > c.split_words) {
      fn(runs, ChunkRows(m, X, lo, hi, before));
      return;
    }
    backend::ScratchArena::Scope scope(arena);
    backend::Tensor P = arena.take(backend::Shape{hi - lo, stride});
    m.precompute(X.data.rows(lo, hi), P);
    fn(runs, ChunkRows(P.data<float>() + before * stride, stride));
  });
}

void softmax_valid(const float* scores, const std::uint8_t* valid, std::size_t n_actions, float* p) {
  float m = -INFINITY;
  for (std::size_t a = 0; a < n_actions; ++a)
    if (valid[a]) m = std::max(m, scores[a]);
  double sum = 0.0;
  for (std::size_t a = 0; a < n_actions; ++a) {
    p[a] = valid[a] ? std::exp(scores[a] - m) : 0.f;
    sum += p[a];
  }
  const auto inv = static_cast<float>(1.0 / sum);
  for (std::size_t a = 0; a < n_actions; ++a) p[a] *= inv;
}

double zero_cost_loss(const float* scores, const std::uint8_t* valid, const std::int32_t* costs, std::size_t n_actions,
                      float norm, float* p, float* d, std::size_t* best_gold) {
  std::int32_t min_cost = INT32_MAX;
  for (std::size_t a = 0; a < n_actions; ++a)
    if (valid[a]) min_cost = std::min(min_cost, costs[a]);
  softmax_valid(scores, valid, n_actions, p);
  double gold_mass = 0.0;
  for (std::size_t a = 0; a < n_actions; ++a)
    if (valid[a] && costs[a] == min_cost) gold_mass += p[a];
  const auto inv = static_cast<float>(1.0 / std::max(1e-30, gold_mass));
  std::size_t best = n_actions;
  for (std::size_t a = 0; a < n_actions; ++a) {
    const bool zero = valid[a] && costs[a] == min_cost;
    d[a] = valid[a] ? (p[a] - (zero ? p[a] * inv : 0.f)) / norm : 0.f;
    if (zero && (best == n_actions || scores[a] > scores[best])) best = a;
  }
  if (best_gold != nullptr) *best_gold = best;
  return -std::log(std::max(1e-30, gold_mass));
}

}  // namespace weft::transition
