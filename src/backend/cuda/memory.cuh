// Device memory inside the CUDA module (memory.cu): the caching allocator the module's table hands to
// the core (cuda_module.hpp) and that ops use for their temporaries (launch.cuh's DeviceBuffer).
#pragma once

#include <cstddef>

#include "weft/backend/device.hpp"
#include "weft/backend/device_info.hpp"

namespace weft::backend {

// index is the CUDA device ordinal. cuda_memory_copy is called only when at least one side is a CUDA
// device; it must be complete (host-visible) on return.
void* cuda_memory_alloc(int index, std::size_t bytes);
void cuda_memory_free(int index, void* ptr) noexcept;
void cuda_memory_copy(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes);
void cuda_memory_zero(int index, void* ptr, std::size_t bytes);
DeviceMemoryStats cuda_memory_stats(int index);
void cuda_memory_reset_peak(int index);

}  // namespace weft::backend
