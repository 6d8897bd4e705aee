// StaticVectors.v1: pretrained word vectors, frozen, projected to the model's width by a learned W
// [nO, D] (Glorot-uniform, no bias), as spaCy's StaticVectors. The table is not a parameter: it is
// given at construction (from the vocabulary's vectors) and is not saved with the weights.
//
// Input: u64 [N] or [N, F] on the CPU whose column `column` holds each token's row in the table; a row
// >= the table size (e.g. UINT64_MAX) means "no vector" and yields zeros.
#pragma once

#include "weft/nn/layer.hpp"

namespace weft::nn {

class StaticVectors final : public Layer {
 public:
  // vectors: f32 [V, D], any device (copied).
  StaticVectors(std::int64_t nO, const Tensor& vectors, int column);
  Forward forward(const Ragged& X, bool is_train) override;
  void to(Device device) override;

 private:
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
  Tensor table_;  // [V + 1, D]: the vectors and a zero row for tokens without one
  int column_;
  Param W_;
};

Model static_vectors(std::int64_t nO, const Tensor& vectors, int column);

}  // namespace weft::nn
