// concat (Concat.v1): runs every layer on the same input and joins their outputs column-wise; the input
// gradient is the sum of the layers' input gradients. MultiHashEmbed joins its feature embeddings so.
#pragma once

#include <vector>

#include "weft/nn/layer.hpp"

namespace weft::nn {

class Concat final : public Layer {
 public:
  explicit Concat(std::vector<Model> layers);
  Forward forward(const Ragged& X, bool is_train) override;
  bool transparent() const noexcept override { return label().empty(); }

 private:
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
};

Model concat(std::vector<Model> layers);

}  // namespace weft::nn
