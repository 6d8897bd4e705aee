// chain (Chain.v1): feeds each layer's output to the next, and back-propagates in reverse. Arguments
// that are themselves unlabelled chains are spliced in, as thinc does, so nesting adds no name segments.
#pragma once

#include <vector>

#include "weft/nn/layer.hpp"

namespace weft::nn {

class Chain final : public Layer {
 public:
  explicit Chain(std::vector<Model> layers);
  Forward forward(const Ragged& X, bool is_train) override;
  bool transparent() const noexcept override { return label().empty(); }

 private:
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
};

Model chain(std::vector<Model> layers);

}  // namespace weft::nn
