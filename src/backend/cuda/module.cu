// The entry point of the CUDA module, libweft_cuda.so (cuda_module.hpp): device discovery through the
// CUDA runtime, and the table of functions through which the core reaches CudaOps and device memory.
// The module's link exports this function and nothing else (module.map).
#include <cuda_runtime.h>
#include <dlfcn.h>

#include <string>

#include "../cuda_module.hpp"
#include "cuda_ops.cuh"
#include "memory.cuh"

namespace weft::backend {

namespace {

struct Discovery {
  int count = 0;
  std::string why;  // when count == 0
};

Discovery discover() {
  int n = 0;
  const cudaError_t status = cudaGetDeviceCount(&n);
  if (status == cudaSuccess && n > 0) return {n, {}};
  cudaGetLastError();  // clear the sticky error so later calls start clean
  if (status == cudaSuccess) return {0, "no CUDA device"};
  const std::string detail = std::string(" (") + cudaGetErrorName(status) + ": " + cudaGetErrorString(status) + ")";
  if (status == cudaErrorInsufficientDriver) {
    // The runtime has tried to load the driver library: it is either absent or too old.
    if (dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD) == nullptr) return {0, "no CUDA driver: libcuda.so.1 not found"};
    return {0, "the CUDA driver is older than this CUDA runtime" + detail};
  }
  if (status == cudaErrorNoDevice) return {0, "no CUDA device" + detail};
  return {0, "the CUDA runtime found no usable device" + detail};
}

int device_count(const char** why) noexcept {
  // Asked once: the answer does not change while the program runs (the runtime initialises once).
  static const Discovery* found = [] {
    try {
      return new Discovery(discover());
    } catch (...) {
      return new Discovery{0, "out of memory while asking the CUDA runtime for devices"};
    }
  }();
  if (why != nullptr) *why = found->why.c_str();
  return found->count;
}

CudaModule make_module() {
  CudaModule m;
  m.device_count = &device_count;
  m.ops = &cuda_ops;
  m.alloc = &cuda_memory_alloc;
  m.free = &cuda_memory_free;
  m.copy = &cuda_memory_copy;
  m.zero = &cuda_memory_zero;
  m.memory_stats = &cuda_memory_stats;
  m.reset_peak = &cuda_memory_reset_peak;
  return m;
}

}  // namespace

}  // namespace weft::backend

extern "C" __attribute__((visibility("default"))) const weft::backend::CudaModule* weft_cuda_module() noexcept {
  static const weft::backend::CudaModule module = weft::backend::make_module();
  return &module;
}
