// The seam between the device-neutral ops registry (ops.cpp) and the CUDA backend: ops(Device::cuda(i))
// calls this, and only src/backend/cuda/ knows what CudaOps looks like.
#pragma once

#include "weft/backend/ops.hpp"

namespace weft::backend {

#ifdef WEFT_HAVE_CUDA
// The CudaOps of device `index` (already checked against cuda_device_count()); lives for the program.
Ops& cuda_ops(int index);
#endif

}  // namespace weft::backend
