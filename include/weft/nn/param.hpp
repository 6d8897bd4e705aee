// Param: one trainable tensor of a layer with the gradient that backprop accumulates into it. Both live
// on the model's device; the optimizer reads the gradient, updates the value and zeroes the gradient.
#pragma once

#include <string>

#include "weft/backend/tensor.hpp"

namespace weft::nn {

struct Param {
  std::string name;        // local to its layer ("W", "b", "E")
  backend::Tensor value;   // f32
  backend::Tensor grad;    // f32, same shape; += by backprop
};

// A parameter with its full dotted name in a model ("tok2vec.embed.norm.E").
struct NamedParam {
  std::string name;
  Param* param = nullptr;
};

}  // namespace weft::nn
