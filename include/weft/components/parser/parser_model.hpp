// The parser's scoring model (weft.TransitionParserModel.v1, spaCy's TransitionBasedParser.v2 design):
// a hidden layer over the state's features whose per-token parts are precomputed once per batch, and a
// linear output layer over the transitions.
//
// A state is described by token slots (S0, B0, S0's leftmost child, ...) and label slots (the relations
// already given to some of those words). The hidden layer's pre-activation for a state is
//   b + sum over token slots f of (the slot's word w: P[w, f]; an empty slot: pad[f])
//     + sum over label slots k of L[k, the slot's label or "none"]
// where P = X @ W^T is computed for every token of the batch at once (forward()): each transition then
// costs one gather-sum of rows, a maxout and a small matrix-vector product, whatever the encoder's width.
// The hidden layer is a maxout of `pieces` pieces (layout [H, pieces], as the backend's maxout).
//
// score() and backprop_score() run on the host: training, and inference on the CPU, keep the small upper
// layers there (host_view() copies them off a GPU once per batch) while the precompute, a large matrix
// product, runs on the model's device. Inference on a GPU scores on the device instead (DeviceRows):
// the precomputed rows never leave it, and each round of greedy decoding sends the states' row ids
// (a few ints a state) and brings back their scores.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "weft/backend/cpu_int8.hpp"
#include "weft/json.hpp"
#include "weft/nn/layer.hpp"

namespace weft {

struct ParserModelShape {
  std::int64_t width = 0;        // token vector width (nI)
  std::int64_t token_slots = 0;  // F
  std::int64_t label_slots = 0;  // K
  std::int64_t n_labels = 0;     // label ids 0..n_labels-1 (the "none" row is n_labels)
  std::int64_t n_actions = 0;    // A
  std::int64_t hidden = 64;      // H
  int pieces = 2;                // maxout pieces
};

class ParserModel : public nn::Layer {
 public:
  explicit ParserModel(const ParserModelShape& shape);

  const ParserModelShape& shape() const noexcept { return shape_; }
  std::int64_t row_width() const noexcept { return shape_.hidden * shape_.pieces; }  // HP

  // X [N, width] -> P [N, token_slots * HP]: slot f of token w is P[w, f*HP .. (f+1)*HP).
  nn::Forward forward(const nn::Ragged& X, bool is_train) override;
  // The same product into P (preallocated [N, token_slots * HP] on the model's device): prediction
  // keeps P in scratch memory instead of a fresh allocation per batch.
  void precompute(const nn::Tensor& X, nn::Tensor& P) const;
  // Quantizes W from the current weights for an int8 precompute (backend/cpu_int8.hpp) on the CPU
  // (TrainablePipe::load_model does it, and the trainer before each evaluation). Until it runs, after a
  // training forward pass, on a GPU or with int8 products off, precompute() runs the f32 product.
  // Not thread-safe with precompute().
  void prepare_inference() override;

  // The rows a state's hidden layer sums, on the model's device, for greedy decoding there: one table
  // holding the precomputed parts of a chunk's words (P, word i's slot f at row i * token_slots + f), the
  // pad rows, the label rows and the bias. Scoring S states is one gather-sum of rows (in the order
  // score() adds them: bias, token slots, label slots), a maxout and the output layer's product, so on
  // the CPU it gives score()'s values exactly (a test runs it there against the host loop).
  //
  // In training (the second constructor) the table starts from the forward pass's P, score() keeps what
  // backprop() needs, backprop() adds the gradients of the states last scored (the output layer's to
  // its parameters, the rest to a gradient table of the same layout), and finish() adds the pad, label
  // and bias rows' gradients to their parameters and returns the gradient of P: the oracle's rounds of
  // many states at once on the device (transition::oracle_rounds), as the host's score() and
  // backprop_score() do one state at a time.
  class DeviceRows {
   public:
    // Precomputes the parts of X's rows (the chunk's words, word 0 at row `before`) on the model's device.
    DeviceRows(const ParserModel& m, const nn::Tensor& X, std::int64_t before);
    // Training over P [N, token_slots * HP] (the forward pass's output, on the model's device).
    DeviceRows(ParserModel& m, const nn::Tensor& P);
    // Scores [S, n_actions] into host memory for S states: words [S, token_slots] (the chunk's word in
    // each token slot, relative to word 0; -1 for an empty slot), labels [S, label_slots] (-1: none). In
    // training a dropout mask [S, hidden] (factors 0 or 1 / (1 - rate); null: none) multiplies the
    // hidden layer.
    void score(const std::int64_t* words, const std::int32_t* labels, std::int64_t S, float* scores,
               const float* dropout_mask = nullptr);
    // Training: the gradient d_scores [S, n_actions] (host) of the states last scored.
    void backprop(const float* d_scores);
    // Training: the pad, label and bias gradients into the parameters; returns the gradient of P.
    nn::Tensor finish();

   private:
    const ParserModel& m_;
    ParserModel* train_ = nullptr;
    std::int64_t before_, words_, pad_row_, label_row_, bias_row_;
    nn::Tensor table_;
    std::vector<std::int32_t> ids_;
    // Training: the gradient table and what the states last scored left for backprop().
    nn::Tensor d_table_, last_ids_, last_h_, last_which_, last_mask_;
    std::int64_t last_S_ = 0;
    bool masked_ = false;
  };

  // Per-thread work space of score()/backprop_score().
  struct Scratch {
    std::vector<float> pre, hidden, d_hidden, d_pre;
    std::vector<std::uint8_t> which;
    std::vector<const float*> row_ptrs;
    std::vector<float> mask;  // the dropout mask of the state last scored (empty: none)
  };
  // Host copies of the upper parameters (views of the parameters themselves on the CPU) and their
  // gradients; valid until the model's parameters change. The gradient buffers are zero on creation.
  struct HostView {
    const float *b = nullptr, *pad = nullptr, *lab = nullptr, *Wo = nullptr, *bo = nullptr;
    std::vector<float> own;  // storage of the copies when the model is not on the CPU
    std::vector<float> db, dpad, dlab, dWo, dbo;
  };
  HostView host_view(bool with_grads) const;
  // Adds a HostView's gradients to the parameters' gradients.
  void add_grads(const HostView& view);

  // Scores of every action for one state. rows[f]: the token's precomputed slot f (a row of P) or
  // nullptr for an empty slot; labels[k]: the label id in label slot k, or -1. In training a dropout
  // mask (hidden width factors, 0 or 1 / (1 - rate)) multiplies the hidden layer.
  void score(const HostView& v, const float* const* rows, const std::int32_t* labels, float* scores, Scratch& s,
             const float* dropout_mask = nullptr) const;
  // The first half of score(): the hidden layer (hidden width floats) into h.
  void hidden(const HostView& v, const float* const* rows, const std::int32_t* labels, float* h, Scratch& s) const;
  // The second half for S states at once: scores [S, n_actions] = H [S, hidden] @ Wo^T + bo.
  void output(const HostView& v, const float* H, std::int64_t S, float* scores) const;
  // The gradient d_scores [n_actions] of the state last scored with `s`: adds to the view's gradients
  // and to d_rows[f] (the gradient of the P rows used; nullptr for an empty slot).
  void backprop_score(HostView& v, float* const* d_rows, const std::int32_t* labels, const float* d_scores,
                      Scratch& s) const;

 private:
  void initialize_self(const nn::Ragged* X, const nn::Tensor* Y, nn::Rng& rng) override;
  ParserModelShape shape_;
  nn::Param W_, b_, pad_, lab_, Wo_, bo_;
  backend::Int8Weights W8_;  // W_ quantized by prepare_inference()
};

// Registry category "architectures": the parser's model from its config section and the sizes the
// parser knows (width, slots, labels, actions); "hidden_width" and "maxout_pieces" come from the config.
using ParserModelFactory = std::function<std::shared_ptr<ParserModel>(const Json& config, ParserModelShape shape)>;

}  // namespace weft
