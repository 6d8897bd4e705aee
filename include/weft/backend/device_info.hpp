// What compute devices this build of weft can use: whether the CUDA backend was compiled in and how
// many CUDA devices the runtime sees. Tests and benchmarks use it to skip GPU work cleanly.
#pragma once

namespace weft::backend {

bool cuda_compiled() noexcept;
// Number of visible CUDA devices; 0 when CUDA is not compiled in or no driver/GPU is present.
int cuda_device_count() noexcept;

}  // namespace weft::backend
