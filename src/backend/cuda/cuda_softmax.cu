// Softmax, log-softmax and the fused softmax cross-entropy on CUDA, one warp per row. The row maximum
// is subtracted first so large logits cannot overflow exp; the sum of exponentials accumulates in
// double, as on the CPU. The loss is summed per row and then deterministically (reduce.cuh).
#include <string>

#include "../op_checks.hpp"
#include "cuda_check.cuh"
#include "cuda_ops.cuh"
#include "launch.cuh"
#include "reduce.cuh"
#include "weft/error.hpp"

namespace weft::backend {

namespace {

struct RowStats { float max; float log_sum; };

// Called by a whole warp; every lane gets the row's statistics.
__device__ inline RowStats row_stats(const float* row, std::int64_t width) {
  float mx = row[0];
  for (std::int64_t j = cuda::lane(); j < width; j += cuda::kWarp) mx = row[j] > mx ? row[j] : mx;
  mx = cuda::warp_max(mx);
  double sum = 0.0;
  for (std::int64_t j = cuda::lane(); j < width; j += cuda::kWarp) sum += expf(row[j] - mx);
  sum = cuda::warp_sum(sum);
  return {mx, static_cast<float>(log(sum))};
}

template <bool kLog>
__global__ void softmax_kernel(const float* x, std::int64_t n, std::int64_t width, float* y) {
  for (std::int64_t row = cuda::global_warp(); row < n; row += cuda::grid_warps()) {
    const float* xr = x + row * width;
    const RowStats s = row_stats(xr, width);
    float* yr = y + row * width;
    for (std::int64_t j = cuda::lane(); j < width; j += cuda::kWarp)
      yr[j] = kLog ? xr[j] - s.max - s.log_sum : expf(xr[j] - s.max - s.log_sum);
  }
}

// first_bad = the smallest row whose label is >= width, or stays all ones.
__global__ void find_bad_label(const std::int32_t* labels, std::int64_t n, std::int64_t width,
                               unsigned long long* first_bad) {
  for (std::int64_t i = cuda::global_thread(); i < n; i += cuda::grid_threads())
    if (labels[i] >= width) atomicMin(first_bad, static_cast<unsigned long long>(i));
}

__global__ void cross_entropy_kernel(const float* x, const std::int32_t* labels, std::int64_t n, std::int64_t width,
                                     float grad_scale, float* dlogits, double* row_loss) {
  for (std::int64_t row = cuda::global_warp(); row < n; row += cuda::grid_warps()) {
    const float* xr = x + row * width;
    float* dr = dlogits + row * width;
    const std::int32_t label = labels[row];
    if (label < 0) {  // ignored row
      for (std::int64_t j = cuda::lane(); j < width; j += cuda::kWarp) dr[j] = 0.f;
      if (cuda::lane() == 0) row_loss[row] = 0.0;
      continue;
    }
    const RowStats s = row_stats(xr, width);
    for (std::int64_t j = cuda::lane(); j < width; j += cuda::kWarp) {
      const float p = expf(xr[j] - s.max - s.log_sum) * grad_scale;
      dr[j] = j == label ? p - grad_scale : p;
    }
    if (cuda::lane() == 0) row_loss[row] = -static_cast<double>(xr[label] - s.max - s.log_sum);
  }
}

struct ReadDouble {
  const double* x;
  __device__ double operator()(std::int64_t i) const { return x[i]; }
};

void check_softmax(const char* op, Device d, const Tensor& x, const Tensor& y) {
  check::matrix(op, d, x);
  check::on(op, "y", y, d, DType::F32);
  check::shape(op, "y", y, x.shape());
}

}  // namespace

void CudaOps::softmax(const Tensor& x, Tensor& y) {
  check_softmax("softmax", device(), x, y);
  if (x.dim(0) == 0 || x.dim(1) == 0) return;
  DeviceGuard guard(index_, "softmax");
  softmax_kernel<false><<<cuda::blocks_for_rows(x.dim(0)), cuda::kBlock>>>(x.data<float>(), x.dim(0), x.dim(1),
                                                                            y.data<float>());
  cuda_check_launch("softmax");
}

void CudaOps::log_softmax(const Tensor& x, Tensor& y) {
  check_softmax("log_softmax", device(), x, y);
  if (x.dim(0) == 0 || x.dim(1) == 0) return;
  DeviceGuard guard(index_, "log_softmax");
  softmax_kernel<true><<<cuda::blocks_for_rows(x.dim(0)), cuda::kBlock>>>(x.data<float>(), x.dim(0), x.dim(1),
                                                                           y.data<float>());
  cuda_check_launch("log_softmax");
}

double CudaOps::softmax_cross_entropy(const Tensor& logits, const Tensor& labels, float grad_scale, Tensor& dlogits) {
  const char* op = "softmax_cross_entropy";
  const check::Rows r = check::softmax_cross_entropy(device(), logits, labels, dlogits);
  if (r.n == 0) return 0.0;
  DeviceGuard guard(index_, op);
  const std::int32_t* lp = labels.data<std::int32_t>();
  // Labels are validated before anything is written, as on the CPU.
  {
    cuda::DeviceBuffer flag(index_, sizeof(unsigned long long));
    cuda_check(cudaMemsetAsync(flag.as<void>(), 0xff, sizeof(unsigned long long), 0), op, "cudaMemsetAsync");
    find_bad_label<<<cuda::blocks_for(r.n), cuda::kBlock>>>(lp, r.n, r.width, flag.as<unsigned long long>());
    cuda_check_launch(op);
    unsigned long long first = 0;
    cuda_check(cudaMemcpy(&first, flag.as<void>(), sizeof first, cudaMemcpyDeviceToHost), op, "cudaMemcpy");
    if (first != ~0ULL) {
      std::int32_t bad = 0;
      cuda_check(cudaMemcpy(&bad, lp + first, sizeof bad, cudaMemcpyDeviceToHost), op, "cudaMemcpy");
      throw ValueError(std::string(op) + ": label " + std::to_string(bad) + " outside " + std::to_string(r.width) +
                       " classes");
    }
  }
  if (r.width == 0) return 0.0;  // every label was < 0: nothing to learn, nothing to write
  cuda::DeviceBuffer row_loss(index_, static_cast<std::size_t>(r.n) * sizeof(double));
  cross_entropy_kernel<<<cuda::blocks_for_rows(r.n), cuda::kBlock>>>(logits.data<float>(), lp, r.n, r.width, grad_scale,
                                                                     dlogits.data<float>(), row_loss.as<double>());
  cuda_check_launch(op);
  return cuda::total_sum(index_, op, r.n, ReadDouble{row_loss.as<double>()});
}

}  // namespace weft::backend
