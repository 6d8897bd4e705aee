// Tensor: an n-dimensional array (up to 4 dimensions) of one dtype on one device, either owning its
// memory (shared by copies of the handle, freed with the last one) or a view into another tensor's.
// Copies between devices are explicit (to()). CPU memory is 64-byte aligned for SIMD; CUDA memory comes
// from the device's caching allocator. Shapes are row-major and contiguous: a view is always a
// contiguous range (row slices, reshapes), which is all the layers need and keeps every kernel simple.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "weft/backend/device.hpp"

namespace weft::backend {

enum class DType : std::uint8_t { F32, F16, I32, I64, U64, U8 };

std::size_t dtype_size(DType t) noexcept;
const char* dtype_name(DType t) noexcept;  // "f32", "f16", "i32", "i64", "u64", "u8"

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::F32; }
template <> constexpr DType dtype_of<std::int32_t>() { return DType::I32; }
template <> constexpr DType dtype_of<std::int64_t>() { return DType::I64; }
template <> constexpr DType dtype_of<std::uint64_t>() { return DType::U64; }
template <> constexpr DType dtype_of<std::uint8_t>() { return DType::U8; }

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims);
  explicit Shape(const std::vector<std::int64_t>& dims);
  int ndim() const noexcept { return ndim_; }
  std::int64_t operator[](int i) const noexcept { return dims_[static_cast<std::size_t>(i)]; }
  std::int64_t numel() const noexcept;
  std::vector<std::int64_t> dims() const { return {dims_.begin(), dims_.begin() + ndim_}; }
  std::string str() const;  // "[64, 96]"
  bool operator==(const Shape& o) const noexcept;

 private:
  std::array<std::int64_t, 4> dims_{};
  int ndim_ = 0;
};

// Raw memory owned by a tensor; released through the allocator of its device.
struct Storage;

class Tensor {
 public:
  Tensor() = default;
  // Uninitialised memory (empty) or zero-filled (zeros).
  static Tensor empty(const Shape& shape, DType dtype, Device device = Device::cpu());
  static Tensor zeros(const Shape& shape, DType dtype, Device device = Device::cpu());
  // A copy of host data.
  template <class T>
  static Tensor from_vector(const std::vector<T>& values, const Shape& shape, Device device = Device::cpu()) {
    return from_host(values.data(), values.size() * sizeof(T), shape, dtype_of<T>(), device);
  }
  static Tensor from_host(const void* data, std::size_t bytes, const Shape& shape, DType dtype, Device device);
  // A non-owning view of memory that outlives the tensor (e.g. a scratch arena's).
  static Tensor wrap(void* data, const Shape& shape, DType dtype, Device device = Device::cpu());

  bool defined() const noexcept { return data_ != nullptr || shape_.numel() == 0; }
  const Shape& shape() const noexcept { return shape_; }
  std::int64_t dim(int i) const noexcept { return shape_[i]; }
  int ndim() const noexcept { return shape_.ndim(); }
  std::int64_t numel() const noexcept { return shape_.numel(); }
  std::size_t bytes() const noexcept { return static_cast<std::size_t>(numel()) * dtype_size(dtype_); }
  DType dtype() const noexcept { return dtype_; }
  Device device() const noexcept { return device_; }

  void* raw() noexcept { return data_; }
  const void* raw() const noexcept { return data_; }
  // Typed access; throws ValueError when T does not match the dtype.
  template <class T> T* data() { check_dtype(dtype_of<T>()); return static_cast<T*>(data_); }
  template <class T> const T* data() const { check_dtype(dtype_of<T>()); return static_cast<const T*>(data_); }

  // Views sharing this tensor's memory.
  Tensor reshape(const Shape& shape) const;   // same numel
  Tensor rows(std::int64_t begin, std::int64_t end) const;  // slice of the first dimension

  // Copies.
  Tensor to(Device device) const;            // explicit device transfer (a copy even when the device is the same)
  Tensor clone() const { return to(device_); }
  void copy_from(const Tensor& src);          // same shape and dtype, any devices
  template <class T> std::vector<T> to_vector() const {
    std::vector<T> out(static_cast<std::size_t>(numel()));
    check_dtype(dtype_of<T>());
    copy_to_host(out.data());
    return out;
  }
  void copy_to_host(void* dst) const;

 private:
  void check_dtype(DType expected) const;
  std::shared_ptr<Storage> storage_;
  void* data_ = nullptr;
  Shape shape_;
  DType dtype_ = DType::F32;
  Device device_ = Device::cpu();
};

// f32 <-> f16 (IEEE binary16, round to nearest even) for weight storage.
std::uint16_t float_to_half(float f) noexcept;
float half_to_float(std::uint16_t h) noexcept;

}  // namespace weft::backend
