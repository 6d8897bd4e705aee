// Dropout.v1: in training, zeroes each value with probability `rate` and scales the rest by 1/(1-rate)
// (inverted dropout, so prediction is the identity). Each training call draws a new mask from a seed
// taken at initialize() and a call counter, so a run is reproducible.
#pragma once

#include <atomic>

#include "weft/nn/layer.hpp"

namespace weft::nn {

class Dropout final : public Layer {
 public:
  explicit Dropout(float rate);
  float rate() const noexcept { return rate_; }
  Forward forward(const Ragged& X, bool is_train) override;

 private:
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
  float rate_;
  std::uint64_t seed_ = 0;
  std::atomic<std::uint64_t> calls_{0};
};

Model dropout(float rate);

}  // namespace weft::nn
