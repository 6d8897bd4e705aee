// Reductions on CUDA: column sums (bias gradients), the sum of squares (gradient norms, in double as
// on the CPU) and the argmax of each row. All deterministic: see reduce.cuh.
#include "../op_checks.hpp"
#include "cuda_check.cuh"
#include "cuda_ops.cuh"
#include "launch.cuh"
#include "reduce.cuh"

namespace weft::backend {

namespace {

struct ReadMatrix {
  const float* x;
  std::int64_t width;
  __device__ float operator()(std::int64_t i, std::int64_t j) const { return x[i * width + j]; }
};

struct Square {
  const float* x;
  __device__ double operator()(std::int64_t i) const { return static_cast<double>(x[i]) * x[i]; }
};

// One warp per row; ties go to the lower index, as on the CPU.
__global__ void argmax_kernel(const float* x, std::int64_t n, std::int64_t width, std::int32_t* out) {
  for (std::int64_t row = cuda::global_warp(); row < n; row += cuda::grid_warps()) {
    const float* r = x + row * width;
    float best = 0.f;
    std::int64_t best_j = -1;
    for (std::int64_t j = cuda::lane(); j < width; j += cuda::kWarp)
      if (best_j < 0 || r[j] > best) best = r[j], best_j = j;
    for (int offset = cuda::kWarp / 2; offset > 0; offset /= 2) {
      const float other = __shfl_xor_sync(0xffffffffu, best, offset);
      const std::int64_t other_j = __shfl_xor_sync(0xffffffffu, best_j, offset);
      const bool take = other_j >= 0 && (best_j < 0 || other > best || (other == best && other_j < best_j));
      if (take) best = other, best_j = other_j;
    }
    if (cuda::lane() == 0) out[row] = static_cast<std::int32_t>(best_j);
  }
}

}  // namespace

void CudaOps::sum_rows(const Tensor& x, Tensor& out, bool accumulate) {
  const check::Rows r = check::sum_rows(device(), x, out);
  DeviceGuard guard(index_, "sum_rows");
  cuda::column_sum(index_, "sum_rows", r.n, r.width, ReadMatrix{x.data<float>(), r.width}, out.data<float>(), accumulate);
}

double CudaOps::sum_squares(const Tensor& x) {
  check::on("sum_squares", "x", x, device(), DType::F32);
  DeviceGuard guard(index_, "sum_squares");
  return cuda::total_sum(index_, "sum_squares", x.numel(), Square{x.data<float>()});
}

void CudaOps::argmax_rows(const Tensor& x, Tensor& out) {
  const check::Rows r = check::argmax_rows(device(), x, out);
  if (r.n == 0) return;
  DeviceGuard guard(index_, "argmax_rows");
  argmax_kernel<<<cuda::blocks_for_rows(r.n), cuda::kBlock>>>(x.data<float>(), r.n, r.width, out.data<std::int32_t>());
  cuda_check_launch("argmax_rows");
}

}  // namespace weft::backend
