// Categorical cross-entropy of softmax outputs against gold labels: the loss value and the gradient
// Softmax.v1's backprop expects (Y - onehot, with respect to the logits). Labels < 0 mark rows without
// a gold label (they add no loss and get zero gradient).
#pragma once

#include "weft/backend/tensor.hpp"

namespace weft::nn {

struct Loss {
  double value = 0.0;     // summed over labelled rows, or their mean when normalized
  backend::Tensor grad;   // [N, C] on the probabilities' device
  std::int64_t n_labelled = 0;
};

// probs f32 [N, C] (rows summing to one); labels i32 [N], any device. normalize divides the loss and
// the gradient by the number of labelled rows.
Loss categorical_crossentropy(const backend::Tensor& probs, const backend::Tensor& labels, bool normalize = true);

}  // namespace weft::nn
