// LayerNorm.v1: normalises each row to zero mean and unit variance, then applies a learned gain G
// (starts at one) and bias b (starts at zero). It keeps deep residual stacks of Maxout layers stable.
#pragma once

#include "weft/nn/layer.hpp"

namespace weft::nn {

class LayerNorm final : public Layer {
 public:
  explicit LayerNorm(std::int64_t nI = 0, float eps = 1e-5f);
  Forward forward(const Ragged& X, bool is_train) override;
  const Tensor& gamma() const noexcept { return G_.value; }
  const Tensor& beta() const noexcept { return b_.value; }
  float eps() const noexcept { return eps_; }

 private:
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
  float eps_;
  Param G_, b_;
};

Model layer_norm(std::int64_t nI = 0);

}  // namespace weft::nn
