// Maxout.v1: an affine map to nO * nP values followed by the maximum over each output's nP pieces
// (spaCy's nonlinearity of choice: piecewise linear, no saturation). W [nO*nP, nI] row o*nP + p is piece
// p of output o, matching the backend's maxout layout; W Glorot-uniform (fan_in nI, fan_out nO), b zero.
#pragma once

#include "weft/nn/layer.hpp"

namespace weft::nn {

class Maxout final : public Layer {
 public:
  Maxout(std::int64_t nO, std::int64_t nI, int pieces);
  int pieces() const noexcept { return pieces_; }
  const Tensor& weights() const noexcept { return W_.value; }  // [nO * pieces, nI]
  const Tensor& bias() const noexcept { return b_.value; }     // [nO * pieces]
  Forward forward(const Ragged& X, bool is_train) override;

 private:
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
  int pieces_;
  Param W_, b_;
};

Model maxout(std::int64_t nO, std::int64_t nI, int pieces);

}  // namespace weft::nn
