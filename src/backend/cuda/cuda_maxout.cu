// Maxout on CUDA: one thread per output unit picks the largest of its pieces (ties keep the first, as
// on the CPU) and records the winner as a byte; the backward pass routes each gradient to its winner.
#include "../op_checks.hpp"
#include "cuda_check.cuh"
#include "cuda_ops.cuh"
#include "launch.cuh"

namespace weft::backend {

namespace {

__global__ void maxout_kernel(const float* x, std::int64_t units, int pieces, float* y, std::uint8_t* which) {
  for (std::int64_t u = cuda::global_thread(); u < units; u += cuda::grid_threads()) {
    const float* cand = x + u * pieces;
    int best = 0;
    float best_value = cand[0];
    for (int p = 1; p < pieces; ++p)
      if (cand[p] > best_value) best = p, best_value = cand[p];
    y[u] = best_value;
    which[u] = static_cast<std::uint8_t>(best);
  }
}

__global__ void backprop_maxout_kernel(const float* dy, const std::uint8_t* which, std::int64_t units, int pieces,
                                       float* dx) {
  for (std::int64_t t = cuda::global_thread(); t < units * pieces; t += cuda::grid_threads()) {
    const std::int64_t u = t / pieces;
    const int p = static_cast<int>(t % pieces);
    // A winner >= pieces can only come from a corrupted `which`: its gradient is dropped, as on the CPU.
    dx[t] = which[u] == p ? dy[u] : 0.f;
  }
}

}  // namespace

void CudaOps::maxout(const Tensor& x, int pieces, Tensor& y, Tensor& which) {
  const check::Rows r = check::maxout("maxout", device(), x, pieces, y, which);
  const std::int64_t units = r.n * r.width;
  if (units == 0) return;
  DeviceGuard guard(index_, "maxout");
  maxout_kernel<<<cuda::blocks_for(units), cuda::kBlock>>>(x.data<float>(), units, pieces, y.data<float>(),
                                                           which.data<std::uint8_t>());
  cuda_check_launch("maxout");
}

void CudaOps::backprop_maxout(const Tensor& dy, const Tensor& which, int pieces, Tensor& dx) {
  const check::Rows r = check::maxout("backprop_maxout", device(), dx, pieces, dy, which);
  const std::int64_t units = r.n * r.width;
  if (units == 0) return;
  DeviceGuard guard(index_, "backprop_maxout");
  backprop_maxout_kernel<<<cuda::blocks_for(units * pieces), cuda::kBlock>>>(dy.data<float>(), which.data<std::uint8_t>(),
                                                                             units, pieces, dx.data<float>());
  cuda_check_launch("backprop_maxout");
}

}  // namespace weft::backend
