// Error checking for CUDA runtime and cuBLAS calls: every call's status is checked at once and turned
// into a CudaError naming the op that failed and the runtime's own description, because a sticky CUDA
// error reported three ops later points at the wrong place.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <string>

#include "weft/error.hpp"

namespace weft::backend {

// A failure inside the CUDA runtime or cuBLAS (out of device memory, a kernel fault, a lost device).
class CudaError : public Error { using Error::Error; };

inline void cuda_check(cudaError_t status, const char* op, const char* call) {
  if (status != cudaSuccess)
    throw CudaError(std::string(op) + ": " + call + " failed: " + cudaGetErrorName(status) + " (" +
                    cudaGetErrorString(status) + ")");
}

inline void cublas_check(cublasStatus_t status, const char* op, const char* call) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw CudaError(std::string(op) + ": " + call + " failed: " + cublasGetStatusName(status) + " (" +
                    cublasGetStatusString(status) + ")");
}

// After a kernel launch: reports bad launch configurations at once (execution faults surface at the
// next synchronising call, which is checked too).
inline void cuda_check_launch(const char* op) { cuda_check(cudaGetLastError(), op, "kernel launch"); }

// Makes `index` the calling thread's current device for the lifetime of the guard, so ops on several
// GPUs can be called from one thread in any order.
class DeviceGuard {
 public:
  DeviceGuard(int index, const char* op) {
    cuda_check(cudaGetDevice(&previous_), op, "cudaGetDevice");
    if (previous_ != index) cuda_check(cudaSetDevice(index), op, "cudaSetDevice");
  }
  ~DeviceGuard() {
    int current = previous_;
    if (cudaGetDevice(&current) == cudaSuccess && current != previous_) cudaSetDevice(previous_);
  }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int previous_ = 0;
};

}  // namespace weft::backend
