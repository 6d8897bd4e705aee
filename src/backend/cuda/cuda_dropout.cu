// Inverted dropout on CUDA. Element i is kept when counter_uniform(seed, i) >= rate: the same pure
// function of (seed, i) as on the CPU (counter_rng.hpp), so both devices draw the identical mask.
#include "../op_checks.hpp"
#include "cuda_check.cuh"
#include "cuda_ops.cuh"
#include "launch.cuh"
#include "weft/backend/counter_rng.hpp"

namespace weft::backend {

namespace {

__global__ void dropout_kernel(const float* x, std::int64_t n, float rate, float keep_scale, std::uint64_t seed, float* y,
                               float* mask) {
  for (std::int64_t i = cuda::global_thread(); i < n; i += cuda::grid_threads()) {
    const float m = counter_uniform(seed, static_cast<std::uint64_t>(i)) >= rate ? keep_scale : 0.f;
    mask[i] = m;
    y[i] = x[i] * m;
  }
}

}  // namespace

void CudaOps::dropout(const Tensor& x, float rate, std::uint64_t seed, Tensor& y, Tensor& mask) {
  check::dropout(device(), x, rate, y, mask);
  const std::int64_t n = x.numel();
  if (n == 0) return;
  DeviceGuard guard(index_, "dropout");
  // Computed on the host, as the CPU does, so the kept value is the same f32 on both devices.
  const float keep_scale = 1.f / (1.f - rate);
  dropout_kernel<<<cuda::blocks_for(n), cuda::kBlock>>>(x.data<float>(), n, rate, keep_scale, seed, y.data<float>(),
                                                        mask.data<float>());
  cuda_check_launch("dropout");
}

}  // namespace weft::backend
