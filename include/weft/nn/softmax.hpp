// Softmax.v1: the classifier output, Y = softmax(X W^T + b) over each row. As in thinc, W and b start at
// zero, and backprop takes the gradient of the loss with respect to the logits (for cross-entropy that
// is Y - truth, see categorical_crossentropy), since softmax and cross-entropy cancel so cheaply.
#pragma once

#include "weft/nn/layer.hpp"

namespace weft::nn {

class Softmax final : public Layer {
 public:
  explicit Softmax(std::int64_t nO = 0, std::int64_t nI = 0);
  Forward forward(const Ragged& X, bool is_train) override;

 private:
  // Y may be i32 labels [N] (nO = largest + 1) or f32 scores [N, nO].
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
  Param W_, b_;
};

Model softmax(std::int64_t nO = 0, std::int64_t nI = 0);

}  // namespace weft::nn
