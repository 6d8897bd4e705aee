#include "device_memory.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

#include "weft/error.hpp"

namespace weft::backend {

#ifndef WEFT_HAVE_CUDA
namespace {

[[noreturn]] void no_cuda() { throw ValueError("CUDA not compiled in: this build of weft has no CUDA backend"); }

}  // namespace
#endif

void* device_alloc(Device device, std::size_t bytes) {
  if (device.is_cuda()) {
#ifdef WEFT_HAVE_CUDA
    return cuda_memory_alloc(device.index, bytes);
#else
    no_cuda();
#endif
  }
  // aligned_alloc wants a multiple of the alignment; a zero-byte request still gets a unique pointer.
  std::size_t rounded = (bytes + kCpuAlignment - 1) / kCpuAlignment * kCpuAlignment;
  if (rounded == 0) rounded = kCpuAlignment;
  void* p = std::aligned_alloc(kCpuAlignment, rounded);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void device_free(Device device, void* ptr) noexcept {
  if (ptr == nullptr) return;
  if (device.is_cuda()) {
#ifdef WEFT_HAVE_CUDA
    cuda_memory_free(device.index, ptr);
#endif
    return;
  }
  std::free(ptr);
}

void device_copy(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes) {
  if (bytes == 0) return;
  if (dst_device.is_cuda() || src_device.is_cuda()) {
#ifdef WEFT_HAVE_CUDA
    cuda_memory_copy(dst, dst_device, src, src_device, bytes);
    return;
#else
    no_cuda();
#endif
  }
  std::memmove(dst, src, bytes);
}

void device_memset_zero(Device device, void* ptr, std::size_t bytes) {
  if (bytes == 0) return;
  if (device.is_cuda()) {
#ifdef WEFT_HAVE_CUDA
    cuda_memory_zero(device.index, ptr, bytes);
    return;
#else
    no_cuda();
#endif
  }
  std::memset(ptr, 0, bytes);
}

}  // namespace weft::backend
