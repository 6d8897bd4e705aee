// What compute devices this build of weft can use: whether the CUDA backend was built and how many CUDA
// devices it sees. The CUDA backend is a module (libweft_cuda.so) loaded on the first question about a
// CUDA device (any function here, ops(Device::cuda(i)), a tensor moved to a GPU), never before; see
// the backend section of docs/architecture.md for where it is looked for. Tests and benchmarks use this
// to skip GPU work cleanly. Every function is safe to call from static initialisation and any thread.
#pragma once

#include <cstddef>
#include <string>

#include "weft/backend/device.hpp"

namespace weft::backend {

struct CudaInfo {
  bool compiled = false;  // this build has a CUDA backend (it made libweft_cuda.so)
  std::string module;     // the module loaded, "" when none
  int devices = 0;        // visible CUDA devices
  std::string error;      // when devices == 0, why: "libweft_cuda.so not found at ...: ...", "no CUDA driver (...)"
};

// Loads the CUDA module on the first call (with WEFT_CUDA_MODULE=/path, that file and no other).
const CudaInfo& cuda_info() noexcept;

bool cuda_compiled() noexcept;
// Number of visible CUDA devices; 0 when CUDA is not compiled in, the module cannot be loaded or no
// driver/GPU is present (cuda_info().error says which).
int cuda_device_count() noexcept;

// Device memory of a CUDA device's caching allocator (bytes, counted by the allocator's size classes):
// in use now, the most in use since the last reset_peak_device_memory (or the first allocation), and
// reserved from the driver (in use and cached). Throws ValueError for a device that is not available
// and for the CPU (whose memory the process's peak RSS measures).
struct DeviceMemoryStats {
  std::size_t in_use = 0, peak = 0, reserved = 0;
};
DeviceMemoryStats device_memory_stats(Device device);
void reset_peak_device_memory(Device device);

}  // namespace weft::backend
