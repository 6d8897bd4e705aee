// Linear.v1: Y = X W^T + b, the affine layer (W [nO, nI], b [nO], as thinc lays them out). W starts
// Glorot-uniform and b at zero.
#pragma once

#include "weft/backend/cpu_int8.hpp"
#include "weft/nn/layer.hpp"

namespace weft::nn {

class Linear final : public Layer {
 public:
  explicit Linear(std::int64_t nO = 0, std::int64_t nI = 0);
  Forward forward(const Ragged& X, bool is_train) override;
  void prepare_inference() override;

 private:
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
  Param W_, b_;
  backend::Int8Weights W8_;  // W_ for inference's int8 product (prepare_inference)
};

Model linear(std::int64_t nO = 0, std::int64_t nI = 0);

}  // namespace weft::nn
