// BiLSTM.v1: one bidirectional LSTM layer over the sequences of a Ragged (its lengths; the whole batch
// as one sequence when it has none): Ragged [N, nI] -> Ragged [N, nO] with nO = 2H, the forward
// direction's h in columns [0, H) and the backward direction's in [H, 2H), as PyTorch's
// bidirectional LSTM. Per direction, the input projection with its bias runs as one gemm over every
// row, and the recurrence is the backend's lstm_forward (sequences stepped together per timestep).
// Parameters, with PyTorch's names: W_ih [4H, nI], b [4H] (PyTorch's b_ih + b_hh), W_hh [4H, H], and
// the same with "_reverse"; gates in the order i, f, g, o. W_ih and W_hh uniform in +-1/sqrt(H) as
// PyTorch's; the bias zero except the forget gate's, 1 (Jozefowicz et al. 2015).
// bilstm() stacks `depth` such layers with dropout between them: spaCy's TorchBiLSTMEncoder.v1.
#pragma once

#include "weft/nn/layer.hpp"

namespace weft::nn {

class BiLSTM final : public Layer {
 public:
  // nO: the output width 2H (even, >= 2); nI: 0 to infer.
  BiLSTM(std::int64_t nO, std::int64_t nI);
  std::int64_t hidden() const noexcept { return nO_ / 2; }
  Forward forward(const Ragged& X, bool is_train) override;

 private:
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
  struct Direction {
    Param W_ih, b, W_hh;
  };
  Direction dir_[2];
};

struct BiLSTMConfig {
  std::int64_t width = 128;  // output width 2H of every layer
  int depth = 2;
  float dropout = 0.f;       // between layers, while training
};

// A chain labelled "lstm" of layers labelled "0".."depth-1" (parameters "lstm.0.W_ih", ...).
Model bilstm(const BiLSTMConfig& config);

}  // namespace weft::nn
