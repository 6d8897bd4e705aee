// The parts of tensor.hpp that own no memory: dtypes, shapes and the dtype check of typed access.
// Kept apart from tensor.cpp (allocation and copies) because the CUDA module (src/backend/cuda/)
// links these, and only these, from the core: see the backend section of docs/architecture.md.
#include <string>

#include "weft/backend/tensor.hpp"
#include "weft/error.hpp"

namespace weft::backend {

std::size_t dtype_size(DType t) noexcept {
  switch (t) {
    case DType::F32: case DType::I32: return 4;
    case DType::F16: return 2;
    case DType::I64: case DType::U64: return 8;
    case DType::U8: return 1;
  }
  return 0;
}

const char* dtype_name(DType t) noexcept {
  switch (t) {
    case DType::F32: return "f32";
    case DType::F16: return "f16";
    case DType::I32: return "i32";
    case DType::I64: return "i64";
    case DType::U64: return "u64";
    case DType::U8: return "u8";
  }
  return "?";
}

Shape::Shape(std::initializer_list<std::int64_t> dims) : Shape(std::vector<std::int64_t>(dims)) {}

Shape::Shape(const std::vector<std::int64_t>& dims) {
  if (dims.size() > dims_.size())
    throw ValueError("a tensor has at most 4 dimensions, got " + std::to_string(dims.size()));
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] < 0) throw ValueError("negative dimension " + std::to_string(dims[i]) + " in a tensor shape");
    dims_[i] = dims[i];
  }
  ndim_ = static_cast<int>(dims.size());
}

std::int64_t Shape::numel() const noexcept {
  std::int64_t n = 1;
  for (int i = 0; i < ndim_; ++i) n *= dims_[static_cast<std::size_t>(i)];
  return n;
}

std::string Shape::str() const {
  std::string s = "[";
  for (int i = 0; i < ndim_; ++i) s += (i ? ", " : "") + std::to_string(dims_[static_cast<std::size_t>(i)]);
  return s + "]";
}

bool Shape::operator==(const Shape& o) const noexcept {
  if (ndim_ != o.ndim_) return false;
  for (int i = 0; i < ndim_; ++i)
    if (dims_[static_cast<std::size_t>(i)] != o.dims_[static_cast<std::size_t>(i)]) return false;
  return true;
}

void Tensor::check_dtype(DType expected) const {
  if (expected != dtype_)
    throw ValueError(std::string("tensor has dtype ") + dtype_name(dtype_) + ", accessed as " + dtype_name(expected));
}

}  // namespace weft::backend
