// The index of the largest score in a row of host floats, the first on ties: the decision of every
// classifier and transition decoder, once per token or move over tens to hundreds of classes.
#pragma once

#include <cstdint>

namespace weft::backend {

// Among all n scores; -1 when n is 0.
std::int64_t argmax(const float* scores, std::int64_t n);

// Among the valid ones (valid[a] != 0); -1 when none is valid. A valid -inf score still counts.
std::int64_t argmax_valid(const float* scores, const std::uint8_t* valid, std::int64_t n);

}  // namespace weft::backend
