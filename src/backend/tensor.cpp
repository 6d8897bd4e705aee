#include "weft/backend/tensor.hpp"

#include <bit>
#include <cstring>

#include "device_memory.hpp"
#include "weft/error.hpp"

namespace weft::backend {

struct Storage {
  Device device;
  void* ptr = nullptr;
  Storage(Device d, std::size_t bytes) : device(d), ptr(device_alloc(d, bytes)) {}
  ~Storage() { device_free(device, ptr); }
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
};

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  Tensor t;
  t.shape_ = shape;
  t.dtype_ = dtype;
  t.device_ = device;
  if (t.bytes() > 0) {
    t.storage_ = std::make_shared<Storage>(device, t.bytes());
    t.data_ = t.storage_->ptr;
  } else if (device.is_cuda()) {
    device_free(device, device_alloc(device, 0));  // still reject CUDA in a build without it
  }
  return t;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  device_memset_zero(device, t.data_, t.bytes());
  return t;
}

Tensor Tensor::from_host(const void* data, std::size_t bytes, const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  if (bytes != t.bytes())
    throw ValueError("from_host: " + std::to_string(bytes) + " bytes given for a " + dtype_name(dtype) + " tensor of shape " +
                     shape.str() + " (" + std::to_string(t.bytes()) + " bytes)");
  device_copy(t.data_, device, data, Device::cpu(), bytes);
  return t;
}

Tensor Tensor::wrap(void* data, const Shape& shape, DType dtype, Device device) {
  Tensor t;
  t.shape_ = shape;
  t.dtype_ = dtype;
  t.device_ = device;
  t.data_ = data;
  if (data == nullptr && t.bytes() > 0) throw ValueError("Tensor::wrap: null pointer for a non-empty tensor");
  return t;
}

Tensor Tensor::reshape(const Shape& shape) const {
  if (shape.numel() != numel())
    throw ValueError("reshape: cannot view a tensor of shape " + shape_.str() + " as " + shape.str());
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::rows(std::int64_t begin, std::int64_t end) const {
  if (ndim() < 1) throw ValueError("rows: a 0-dimensional tensor has no rows");
  if (begin < 0 || begin > end || end > dim(0))
    throw ValueError("rows: range [" + std::to_string(begin) + ", " + std::to_string(end) + ") outside a tensor of shape " +
                     shape_.str());
  std::vector<std::int64_t> dims = shape_.dims();
  const std::size_t row_bytes = bytes() / static_cast<std::size_t>(dims[0] == 0 ? 1 : dims[0]);
  dims[0] = end - begin;
  Tensor t = *this;
  t.shape_ = Shape(dims);
  if (data_ != nullptr) t.data_ = static_cast<char*>(data_) + static_cast<std::size_t>(begin) * row_bytes;
  return t;
}

Tensor Tensor::to(Device device) const {
  Tensor t = empty(shape_, dtype_, device);
  device_copy(t.data_, device, data_, device_, bytes());
  return t;
}

void Tensor::copy_from(const Tensor& src) {
  if (!(src.shape_ == shape_) || src.dtype_ != dtype_)
    throw ValueError(std::string("copy_from: source ") + dtype_name(src.dtype_) + src.shape_.str() + " does not match destination " +
                     dtype_name(dtype_) + shape_.str());
  device_copy(data_, device_, src.data_, src.device_, bytes());
}

void Tensor::copy_to_host(void* dst) const { device_copy(dst, Device::cpu(), data_, device_, bytes()); }

// IEEE binary16 by bit manipulation rather than F16C so the result is identical on every host.
std::uint16_t float_to_half(float f) noexcept {
  const std::uint32_t x = std::bit_cast<std::uint32_t>(f);
  const std::uint32_t sign = (x >> 16) & 0x8000u;
  const std::uint32_t exp = (x >> 23) & 0xffu;
  std::uint32_t mant = x & 0x7fffffu;
  if (exp == 0xffu) return static_cast<std::uint16_t>(sign | 0x7c00u | (mant ? 0x200u | (mant >> 13) : 0u));
  const int e = static_cast<int>(exp) - 127 + 15;
  if (e >= 31) return static_cast<std::uint16_t>(sign | 0x7c00u);  // overflow to infinity
  if (e <= 0) {
    if (e < -10) return static_cast<std::uint16_t>(sign);  // below half the smallest subnormal
    mant |= 0x800000u;
    const int shift = 14 - e;
    std::uint32_t h = mant >> shift;
    const std::uint32_t rem = mant & ((1u << shift) - 1u);
    const std::uint32_t half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1u))) ++h;
    return static_cast<std::uint16_t>(sign | h);
  }
  std::uint32_t h = (static_cast<std::uint32_t>(e) << 10) | (mant >> 13);
  const std::uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // a carry into the exponent is still correct
  return static_cast<std::uint16_t>(sign | h);
}

float half_to_float(std::uint16_t h) noexcept {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  std::uint32_t exp = (h >> 10) & 0x1fu;
  std::uint32_t mant = h & 0x3ffu;
  std::uint32_t bits;
  if (exp == 0x1fu) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do { mant <<= 1; ++e; } while ((mant & 0x400u) == 0);
      bits = sign | (static_cast<std::uint32_t>(127 - 15 - e) << 23) | ((mant & 0x3ffu) << 13);
    }
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  return std::bit_cast<float>(bits);
}

}  // namespace weft::backend
