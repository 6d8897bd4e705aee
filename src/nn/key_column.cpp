#include "key_column.hpp"

#include <vector>

#include "weft/error.hpp"

namespace weft::nn::detail {

using backend::DType;
using backend::Shape;
using backend::Tensor;

Tensor key_column(const Tensor& keys, int column, backend::Device device, const std::string& layer) {
  if (keys.dtype() != DType::U64 || (keys.ndim() != 1 && keys.ndim() != 2))
    throw ValueError(layer + ": keys must be u64 [N] or [N, F], got " + backend::dtype_name(keys.dtype()) + " " + keys.shape().str());
  const std::int64_t n = keys.dim(0), width = keys.ndim() == 2 ? keys.dim(1) : 1;
  if (column < 0 || column >= width)
    throw ValueError(layer + ": reads key column " + std::to_string(column) + " but the keys have " + std::to_string(width));
  if (width == 1) return keys.device() == device ? keys.reshape(Shape{n}) : keys.reshape(Shape{n}).to(device);
  const Tensor host = keys.device().is_cpu() ? keys : keys.to(backend::Device::cpu());
  const std::uint64_t* k = host.data<std::uint64_t>();
  std::vector<std::uint64_t> col(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) col[static_cast<std::size_t>(i)] = k[i * width + column];
  return Tensor::from_vector(col, Shape{n}, device);
}

}  // namespace weft::nn::detail
