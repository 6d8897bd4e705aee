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

// The warp's argmax of r[0, width), complete in lane 0; ties go to the lower index, as on the CPU.
__device__ std::int64_t warp_argmax(const float* r, std::int64_t width) {
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
  return best_j;
}

// One warp per (row, segment); bounds: H + 1 column indices on the device.
__global__ void argmax_segments_kernel(const float* x, std::int64_t n, std::int64_t width, const std::int64_t* bounds,
                                       std::int64_t H, std::int32_t* out) {
  for (std::int64_t t = cuda::global_warp(); t < n * H; t += cuda::grid_warps()) {
    const std::int64_t row = t / H, h = t % H;
    const std::int64_t c0 = bounds[h];
    const std::int64_t best = warp_argmax(x + row * width + c0, bounds[h + 1] - c0);
    if (cuda::lane() == 0) out[t] = static_cast<std::int32_t>(best);
  }
}

// One warp per row.
__global__ void argmax_kernel(const float* x, std::int64_t n, std::int64_t width, std::int32_t* out) {
  for (std::int64_t row = cuda::global_warp(); row < n; row += cuda::grid_warps()) {
    const std::int64_t best = warp_argmax(x + row * width, width);
    if (cuda::lane() == 0) out[row] = static_cast<std::int32_t>(best);
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

void CudaOps::argmax_segments(const Tensor& x, const std::vector<std::int64_t>& bounds, Tensor& out) {
  const check::Rows r = check::argmax_segments(device(), x, bounds, out);
  const auto H = static_cast<std::int64_t>(bounds.size()) - 1;
  if (r.n == 0) return;
  DeviceGuard guard(index_, "argmax_segments");
  cuda::DeviceBuffer b(index_, bounds.size() * sizeof(std::int64_t));
  // From pageable memory this returns once the data is staged.
  cuda_check(cudaMemcpyAsync(b.as<void>(), bounds.data(), bounds.size() * sizeof(std::int64_t), cudaMemcpyHostToDevice, 0),
             "argmax_segments", "cudaMemcpyAsync");
  argmax_segments_kernel<<<cuda::blocks_for_rows(r.n * H), cuda::kBlock>>>(x.data<float>(), r.n, r.width,
                                                                          b.as<std::int64_t>(), H, out.data<std::int32_t>());
  cuda_check_launch("argmax_segments");
}

}  // namespace weft::backend
