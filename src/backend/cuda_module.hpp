// The seam between the core and the CUDA backend. The backend (src/backend/cuda/: CudaOps, the caching
// allocator, everything that needs the CUDA runtime or cuBLAS) is a separate shared module,
// libweft_cuda.so, so that a process which never touches a CUDA device never loads the CUDA runtime and
// cuBLAS (hundreds of MB of mappings). The module exports one C function, kCudaModuleEntry, returning
// a CudaModule; the core (cuda_module.cpp) finds and loads it on first use of a CUDA device and reaches
// CUDA only through it. Both sides are built from one source tree: the table passes C++ types (Ops,
// Device) and exceptions (weft::Error) across, so the core refuses a module whose abi or version differ.
#pragma once

#include <cstddef>

#include "weft/backend/device.hpp"
#include "weft/backend/device_info.hpp"
#include "weft/backend/ops.hpp"

namespace weft::backend {

// Bumped whenever CudaModule, Ops or Tensor change layout.
inline constexpr int kCudaModuleAbi = 2;
inline constexpr const char* kCudaModuleEntry = "weft_cuda_module";
inline constexpr const char* kCudaModuleFile = "libweft_cuda.so";

struct CudaModule {
  int abi = kCudaModuleAbi;
  const char* version = WEFT_VERSION;
  // Visible devices; when 0, *why says why ("no CUDA driver (...)"; a string that lives for the program).
  int (*device_count)(const char** why) noexcept = nullptr;
  // The CudaOps of a device (index already checked against device_count); lives for the program.
  Ops& (*ops)(int index) = nullptr;
  // Device memory from the module's caching allocator; copy is called when either side is a CUDA
  // device and is complete (host-visible) on return.
  void* (*alloc)(int index, std::size_t bytes) = nullptr;
  void (*free)(int index, void* ptr) noexcept = nullptr;
  void (*copy)(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes) = nullptr;
  void (*zero)(int index, void* ptr, std::size_t bytes) = nullptr;
  // The caching allocator's bytes in use, their peak since the last reset_peak, and bytes reserved.
  DeviceMemoryStats (*memory_stats)(int index) = nullptr;
  void (*reset_peak)(int index) = nullptr;
};

using CudaModuleEntryFn = const CudaModule* (*)() noexcept;

// Core side (cuda_module.cpp). The module of a CUDA device: loads it on first call, then checks that
// device.index is a visible device; throws ValueError naming the device and, when CUDA is not
// available, why (the module's path and dlerror, or the driver's answer).
const CudaModule& cuda_module(Device device);
// The module when it is loaded, else nullptr; for release paths, which cannot throw.
const CudaModule* loaded_cuda_module() noexcept;

}  // namespace weft::backend
