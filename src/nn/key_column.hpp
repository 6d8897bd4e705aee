// One column of a feature-key tensor (u64 [N] or [N, F]) as contiguous u64 [N] on a device. Keys come
// from Docs on the host; taking the column there costs one pass over N keys and keeps the backend free
// of strided copies.
#pragma once

#include <string>

#include "weft/backend/tensor.hpp"

namespace weft::nn::detail {

backend::Tensor key_column(const backend::Tensor& keys, int column, backend::Device device, const std::string& layer);

}  // namespace weft::nn::detail
