// The CudaOps of each device, created on first use and kept for the program, and the parts of CudaOps
// that belong to no op family.
#include <map>
#include <memory>
#include <mutex>

#include "cuda_check.cuh"
#include "cuda_ops.cuh"

namespace weft::backend {

CudaOps::CudaOps(int index) : index_(index) {
  DeviceGuard guard(index_, "cuda ops");
  cublas_check(cublasCreate(&blas_), "cuda ops", "cublasCreate");
  // Every weft kernel runs on the legacy default stream; cuBLAS must too, for ordering with them.
  cublas_check(cublasSetStream(blas_, 0), "cuda ops", "cublasSetStream");
  // Plain f32 (no TF32 tensor cores): results must match the CPU within f32 tolerance.
  cublas_check(cublasSetMathMode(blas_, CUBLAS_DEFAULT_MATH), "cuda ops", "cublasSetMathMode");
}

void CudaOps::synchronize() {
  DeviceGuard guard(index_, "synchronize");
  cuda_check(cudaDeviceSynchronize(), "synchronize", "cudaDeviceSynchronize");
}

Ops& cuda_ops(int index) {
  static std::mutex mutex;
  // Never destroyed: destroying cuBLAS handles after the CUDA runtime has shut down at exit crashes.
  static auto* instances = new std::map<int, CudaOps*>();
  std::lock_guard lock(mutex);
  auto it = instances->find(index);
  if (it == instances->end()) it = instances->emplace(index, new CudaOps(index)).first;
  return *it->second;
}

}  // namespace weft::backend
