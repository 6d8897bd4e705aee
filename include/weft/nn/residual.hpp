// Residual.v1: Y = X + f(X) for an inner layer f of equal input and output width, so gradients reach
// lower layers through the identity path (the window encoder stacks its blocks this way).
#pragma once

#include "weft/nn/layer.hpp"

namespace weft::nn {

class Residual final : public Layer {
 public:
  explicit Residual(Model inner);
  Forward forward(const Ragged& X, bool is_train) override;

 private:
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
};

Model residual(Model inner);

}  // namespace weft::nn
