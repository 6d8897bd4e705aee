// What every transition-based component built on ParserModel (the dependency parser, the entity
// recognizer) does the same way, whatever its transition system:
//   - precompute_runs: the per-token parts of the hidden layer for a batch, computed about 512 words
//     at a time into scratch memory on the CPU (device_chunking().device_words at a time on a GPU,
//     where they stay), handed to a callback that runs the transitions over those words (whole Docs,
//     or runs of whole sentences of a long Doc);
//   - greedy_decode: greedy decoding of many states in lockstep, one output-layer product per round,
//     with the states scored on the host (the CPU) or on the model's device (a GPU: ChunkRows::device());
//   - softmax_valid / zero_cost_loss: the dynamic-oracle loss of one state, the negative log of the
//     probability the model gives the valid moves of least cost, and its gradient.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <span>
#include <vector>

#include "weft/backend/argmax.hpp"
#include "weft/components/parser/parser_model.hpp"
#include "weft/doc/doc.hpp"
#include "weft/doc/doc_chunks.hpp"
#include "weft/error.hpp"
#include "weft/nn/ragged.hpp"

namespace weft::transition {

// The "model" section of a transition-based component's config with its defaults filled in
// (weft.TransitionParserModel.v1, hidden_width 64, maxout_pieces 2), resolved once through the
// registry so that an unknown architecture or setting fails when the pipeline is built. ValueError
// names the component.
Json model_config(const Json& component_config, const std::string& component);
// The model of that section for the sizes the component knows.
std::shared_ptr<ParserModel> make_model(const Json& model_config, const ParserModelShape& shape, const std::string& component);

// The precomputed rows of one chunk of precompute_runs. Word i of the chunk (0: the first run's first
// word; -context to its size + context) has row(i). Normally every row is computed up front (data():
// the row of word 0). A run longer than a chunk (one sentence, or a Doc's words with no sentence start,
// which the parser or recognizer then works through alone) has its rows computed kBlockRows at a time
// as the transitions reach them, with the most recently used blocks kept (as many as the model has token
// slots, and a few more, so that the rows of one state stay valid while it is scored): its memory stays
// bounded however long the run. data() is null then.
class ChunkRows {
 public:
  static constexpr std::int64_t kBlockRows = 64;
  ChunkRows(const float* data, std::int64_t stride);
  // Rows that stay on the model's device, for greedy decoding there (greedy_decode_on_device); data()
  // is null and row() must not be called.
  explicit ChunkRows(ParserModel::DeviceRows& rows);
  ParserModel::DeviceRows* device() const noexcept { return device_; }
  // Lazily: the model, the vectors X of the batch and the batch rows [lo, hi) of words [-before, ...).
  ChunkRows(const ParserModel& m, const nn::Ragged& X, std::int64_t lo, std::int64_t hi, std::int64_t before);
  ~ChunkRows();
  ChunkRows(const ChunkRows&) = delete;
  ChunkRows& operator=(const ChunkRows&) = delete;
  const float* data() const noexcept { return data_; }
  std::int64_t stride() const noexcept { return stride_; }
  const float* row(std::int64_t i) const { return data_ != nullptr ? data_ + i * stride_ : lazy_row(i); }

 private:
  const float* lazy_row(std::int64_t i) const;
  const float* data_ = nullptr;
  std::int64_t stride_ = 0;
  ParserModel::DeviceRows* device_ = nullptr;
  struct Lazy;
  std::unique_ptr<Lazy> lazy_;
};

// Runs fn(runs, rows) over the chunks of `docs` (doc_chunks.hpp: groups of whole Docs, and a Doc longer
// than inference_chunking().split_words in runs of whole units, unit_start(doc, i) telling where a new
// one begins at token i > 0), rows holding the model's precomputed parts of the runs' words (X holds
// the vectors of all `docs`, in order) and of up to `context` words of their Docs before the first run
// and after the last one, on the host. With `lazy`, a run longer than a chunk gets rows computed as they
// are reached (ChunkRows); otherwise every row is computed up front. On a device (and with
// device_paths() on the CPU) the chunks hold up to device_chunking().device_words words and, with
// `lazy` (greedy decoding), their rows stay on the device (ChunkRows::device()).
void precompute_runs(const ParserModel& m, const nn::Ragged& X, std::span<Doc> docs,
                     const std::function<bool(const Doc&, std::size_t)>& unit_start, std::int64_t context, bool lazy,
                     const std::function<void(std::span<const DocRun>, const ChunkRows&)>& fn);
// The runs of whole Docs (every non-empty Doc of the batch).
std::vector<DocRun> whole_docs(std::span<const Doc> docs);

// Softmax of the valid actions' scores into p (invalid actions get 0).
void softmax_valid(const float* scores, const std::uint8_t* valid, std::size_t n_actions, float* p);

// The loss of one state: -log of the probability mass of the valid actions whose cost is least. Writes
// the softmax into p and the gradient of the scores, divided by `norm`, into d (0 for invalid
// actions); best_gold: the highest-scoring action of least cost.
double zero_cost_loss(const float* scores, const std::uint8_t* valid, const std::int32_t* costs, std::size_t n_actions,
                      float norm, float* p, float* d, std::size_t* best_gold);

// One round's end in greedy decoding: each active state takes its best valid action (scores and valid:
// a row of n_actions per state), and the states apply() reports final leave `active`.
template <class Apply>
void apply_best(std::vector<std::size_t>& active, const float* scores, const std::uint8_t* valid, std::int64_t n_actions,
                Apply&& apply) {
  std::size_t kept = 0;
  for (std::size_t k = 0; k < active.size(); ++k) {
    const auto row = static_cast<std::int64_t>(k) * n_actions;
    const std::int64_t best = backend::argmax_valid(scores + row, valid + row, n_actions);
    if (best < 0) throw ModelError("greedy decoding: a state has no valid move (a bug)");
    if (!apply(active[k], static_cast<std::size_t>(best))) active[kept++] = active[k];
  }
  active.resize(kept);
}

// What greedy decoding on the device path scored (greedy_decode_on_device: on a GPU, or on the CPU with
// device_paths()), recorded while a StateLog is installed on the thread (StateLogScope): the states of
// a batch as the exported ONNX scoring network takes them, and the scores weft gave them
// (weft.onnx.compare feeds the same states to ONNX Runtime). Nothing is recorded otherwise.
struct StateLog {
  std::int64_t token_slots = 0, label_slots = 0, n_actions = 0, states = 0;
  std::vector<std::int64_t> words;   // [states, token_slots]: the batch row of each slot's word, -1: empty
  std::vector<std::int32_t> labels;  // [states, label_slots]: label ids, -1: none
  std::vector<float> scores;         // [states, n_actions]
  std::int64_t chunk_row = 0;        // the batch row of the current chunk's word 0 (precompute_runs sets it)
  void record(const ParserModelShape& shape, const std::int64_t* w, const std::int32_t* l, const float* s, std::int64_t S);
};
// The thread's log (null: none).
StateLog* state_log() noexcept;
class StateLogScope {
 public:
  explicit StateLogScope(StateLog& log) noexcept;
  ~StateLogScope();
  StateLogScope(const StateLogScope&) = delete;
  StateLogScope& operator=(const StateLogScope&) = delete;

 private:
  StateLog* was_;
};

// Greedy decoding of the states `active` (indices into the caller's states) in lockstep. For every
// unfinished state k, each round calls prepare(k, rows, labels, valid) to fill the state's feature rows
// (token_slots pointers into P, nullptr for an empty slot), label ids (label_slots, -1 for none) and
// valid actions (n_actions bytes), scores all states with one output-layer product, and calls
// apply(k, action) with the best valid action; apply returns true when the state is final.
template <class Prepare, class Apply>
void greedy_decode(const ParserModel& m, const ParserModel::HostView& view, std::vector<std::size_t> active,
                   Prepare&& prepare, Apply&& apply) {
  const ParserModelShape& shape = m.shape();
  const std::int64_t H = shape.hidden, A = shape.n_actions;
  std::vector<const float*> rows(static_cast<std::size_t>(shape.token_slots));
  std::vector<std::int32_t> labels(static_cast<std::size_t>(std::max<std::int64_t>(1, shape.label_slots)));
  std::vector<float> hidden, scores;
  std::vector<std::uint8_t> valid;
  ParserModel::Scratch scratch;
  while (!active.empty()) {
    const auto S = static_cast<std::int64_t>(active.size());
    hidden.resize(static_cast<std::size_t>(S * H));
    scores.resize(static_cast<std::size_t>(S * A));
    valid.resize(static_cast<std::size_t>(S * A));
    for (std::size_t k = 0; k < active.size(); ++k) {
      prepare(active[k], rows.data(), labels.data(), valid.data() + static_cast<std::int64_t>(k) * A);
      m.hidden(view, rows.data(), labels.data(), hidden.data() + static_cast<std::int64_t>(k) * H, scratch);
    }
    m.output(view, hidden.data(), S, scores.data());
    apply_best(active, scores.data(), valid.data(), A, apply);
  }
}

// greedy_decode with the states scored on the model's device: prepare(k, words, labels, valid) fills
// the chunk's word in each token slot (-1 for an empty slot), the label ids and the valid actions.
template <class Prepare, class Apply>
void greedy_decode_on_device(const ParserModel& m, ParserModel::DeviceRows& rows, std::vector<std::size_t> active,
                             Prepare&& prepare, Apply&& apply) {
  const ParserModelShape& shape = m.shape();
  const std::int64_t F = shape.token_slots, K = shape.label_slots, A = shape.n_actions;
  std::vector<std::int64_t> words;
  std::vector<std::int32_t> labels;
  std::vector<float> scores;
  std::vector<std::uint8_t> valid;
  while (!active.empty()) {
    const auto S = static_cast<std::int64_t>(active.size());
    words.resize(static_cast<std::size_t>(S * F));
    labels.resize(static_cast<std::size_t>(std::max<std::int64_t>(1, S * K)));
    scores.resize(static_cast<std::size_t>(S * A));
    valid.resize(static_cast<std::size_t>(S * A));
    for (std::size_t k = 0; k < active.size(); ++k) {
      const auto i = static_cast<std::int64_t>(k);
      prepare(active[k], words.data() + i * F, labels.data() + i * K, valid.data() + i * A);
    }
    rows.score(words.data(), labels.data(), S, scores.data());
    if (StateLog* log = state_log()) log->record(shape, words.data(), labels.data(), scores.data(), S);
    apply_best(active, scores.data(), valid.data(), A, apply);
  }
}

// The dynamic oracle's rounds in training with every state of a batch in lockstep, scored on the
// model's device (`rows`: ParserModel::DeviceRows made for training). Each round, prepare(k, words,
// labels, valid, costs) gives state k's token-slot words (-1: empty), label ids, valid actions and
// their costs; all states are scored at once (with a dropout mask of the hidden layer drawn from rng for
// each state when dropout > 0); each state's zero-cost loss and its gradient (divided by norm) go back
// in one backprop; then each state takes its best zero-cost action, or with probability `explore` its
// best valid one, and apply(k, action) says whether it is final. Returns the summed loss. The host's
// loop (score / backprop_score one state at a time) computes the same, drawing its random numbers in
// another order.
template <class Prepare, class Apply>
double oracle_rounds(const ParserModel& m, ParserModel::DeviceRows& rows, std::vector<std::size_t> active, float norm,
                     float dropout, float explore, std::mt19937_64& rng, Prepare&& prepare, Apply&& apply) {
  const ParserModelShape& shape = m.shape();
  const std::int64_t F = shape.token_slots, K = shape.label_slots, A = shape.n_actions, H = shape.hidden;
  const auto a_count = static_cast<std::size_t>(A);
  std::vector<std::int64_t> words;
  std::vector<std::int32_t> labels, costs;
  std::vector<float> scores, grads, mask, p(a_count);
  std::vector<std::uint8_t> valid;
  std::vector<std::size_t> best_gold;
  std::uniform_real_distribution<float> coin(0.f, 1.f);
  const float keep = dropout > 0.f ? 1.f / (1.f - dropout) : 1.f;
  double loss = 0.0;
  while (!active.empty()) {
    const auto S = static_cast<std::int64_t>(active.size());
    const auto n = static_cast<std::size_t>(S);
    words.resize(n * static_cast<std::size_t>(F));
    labels.resize(std::max<std::size_t>(1, n * static_cast<std::size_t>(K)));
    scores.resize(n * a_count);
    grads.resize(n * a_count);
    valid.resize(n * a_count);
    costs.resize(n * a_count);
    best_gold.resize(n);
    for (std::size_t k = 0; k < n; ++k)
      prepare(active[k], words.data() + k * static_cast<std::size_t>(F), labels.data() + k * static_cast<std::size_t>(K),
              valid.data() + k * a_count, costs.data() + k * a_count);
    if (dropout > 0.f) {
      mask.resize(n * static_cast<std::size_t>(H));
      for (float& x : mask) x = coin(rng) < dropout ? 0.f : keep;
    }
    rows.score(words.data(), labels.data(), S, scores.data(), dropout > 0.f ? mask.data() : nullptr);
    for (std::size_t k = 0; k < n; ++k)
      loss += zero_cost_loss(scores.data() + k * a_count, valid.data() + k * a_count, costs.data() + k * a_count, a_count, norm,
                             p.data(), grads.data() + k * a_count, &best_gold[k]);
    rows.backprop(grads.data());
    std::size_t kept = 0;
    for (std::size_t k = 0; k < n; ++k) {
      std::size_t chosen = best_gold[k];
      if (coin(rng) < explore) {
        const std::int64_t b = backend::argmax_valid(scores.data() + k * a_count, valid.data() + k * a_count, A);
        if (b >= 0) chosen = static_cast<std::size_t>(b);
      }
      if (!apply(active[k], chosen)) active[kept++] = active[k];
    }
    active.resize(kept);
  }
  return loss;
}

}  // namespace weft::transition
