// Raw memory per device: allocation, release, copies and zeroing behind one set of functions so that
// Tensor and ScratchArena never branch on the device themselves. The CPU versions live in
// device_memory.cpp; CUDA memory comes from the CUDA module (cuda_module.hpp, cuda/memory.cu).
#pragma once

#include <cstddef>

#include "weft/backend/device.hpp"

namespace weft::backend {

// CPU memory is aligned to this many bytes (a cache line; enough for AVX-512 loads).
inline constexpr std::size_t kCpuAlignment = 64;

// Never returns null for bytes > 0; throws ValueError for a CUDA device that is not available.
void* device_alloc(Device device, std::size_t bytes);
void device_free(Device device, void* ptr) noexcept;
// Copies bytes between any two devices; returns once dst holds the data (synchronous for the host).
void device_copy(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes);
void device_memset_zero(Device device, void* ptr, std::size_t bytes);

}  // namespace weft::backend
