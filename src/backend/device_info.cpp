#include "weft/backend/device_info.hpp"

namespace weft::backend {

#ifdef WEFT_HAVE_CUDA
int cuda_runtime_device_count() noexcept;  // src/backend/cuda/device_info.cu
bool cuda_compiled() noexcept { return true; }
int cuda_device_count() noexcept { return cuda_runtime_device_count(); }
#else
bool cuda_compiled() noexcept { return false; }
int cuda_device_count() noexcept { return 0; }
#endif

}  // namespace weft::backend
