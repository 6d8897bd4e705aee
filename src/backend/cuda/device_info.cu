// Device discovery through the CUDA runtime; compiled only when nvcc is found (WEFT_CUDA).
#include <cuda_runtime.h>

namespace weft::backend {

int cuda_runtime_device_count() noexcept {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error so later calls start clean
    return 0;
  }
  return n;
}

}  // namespace weft::backend
