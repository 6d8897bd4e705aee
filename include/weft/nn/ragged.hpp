// Ragged: the rows of several documents stored back to back, with each document's length. Layers pass
// it along so the window encoder knows where documents end (thinc's Ragged); every other layer works
// on the rows and hands the lengths through unchanged.
#pragma once

#include "weft/backend/tensor.hpp"

namespace weft::nn {

struct Ragged {
  backend::Tensor data;     // [N, ...] rows (feature keys stay on the CPU; activations on the model's device)
  backend::Tensor lengths;  // i32 [D] on the CPU, summing to N; undefined when nothing needs document boundaries
};

}  // namespace weft::nn
