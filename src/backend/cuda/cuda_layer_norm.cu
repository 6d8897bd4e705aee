// Layer normalisation over each row on CUDA, one warp per row. Means, variances and the backward
// pass's row sums accumulate in double, as on the CPU; the parameter gradients are deterministic
// column sums (reduce.cuh) added onto dgamma and dbeta.
#include "../op_checks.hpp"
#include "cuda_check.cuh"
#include "cuda_ops.cuh"
#include "launch.cuh"
#include "reduce.cuh"

namespace weft::backend {

namespace {

__global__ void layer_norm_kernel(const float* x, std::int64_t n, std::int64_t width, const float* gamma, const float* beta,
                                  float eps, float* y, float* mean, float* rstd) {
  for (std::int64_t row = cuda::global_warp(); row < n; row += cuda::grid_warps()) {
    const float* xr = x + row * width;
    double sum = 0.0;
    for (std::int64_t j = cuda::lane(); j < width; j += cuda::kWarp) sum += xr[j];
    sum = cuda::warp_sum(sum);
    const double mu = width > 0 ? sum / static_cast<double>(width) : 0.0;
    double var = 0.0;
    for (std::int64_t j = cuda::lane(); j < width; j += cuda::kWarp) var += (xr[j] - mu) * (xr[j] - mu);
    var = cuda::warp_sum(var);
    var = width > 0 ? var / static_cast<double>(width) : 0.0;
    const auto m = static_cast<float>(mu);
    const auto rs = static_cast<float>(1.0 / sqrt(var + static_cast<double>(eps)));
    if (cuda::lane() == 0) {
      mean[row] = m;
      rstd[row] = rs;
    }
    float* yr = y + row * width;
    for (std::int64_t j = cuda::lane(); j < width; j += cuda::kWarp) yr[j] = (xr[j] - m) * rs * gamma[j] + beta[j];
  }
}

// dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), with dxhat = dy * gamma.
__global__ void layer_norm_dx_kernel(const float* dy, const float* x, std::int64_t n, std::int64_t width,
                                     const float* gamma, const float* mean, const float* rstd, float* dx) {
  const double inv_w = width > 0 ? 1.0 / static_cast<double>(width) : 0.0;
  for (std::int64_t row = cuda::global_warp(); row < n; row += cuda::grid_warps()) {
    const float* xr = x + row * width;
    const float* dr = dy + row * width;
    const float m = mean[row], rs = rstd[row];
    double sum_d = 0.0, sum_dx = 0.0;
    for (std::int64_t j = cuda::lane(); j < width; j += cuda::kWarp) {
      const float xhat = (xr[j] - m) * rs;
      const float dxhat = dr[j] * gamma[j];
      sum_d += dxhat;
      sum_dx += static_cast<double>(dxhat) * xhat;
    }
    const auto mean_d = static_cast<float>(cuda::warp_sum(sum_d) * inv_w);
    const auto mean_dx = static_cast<float>(cuda::warp_sum(sum_dx) * inv_w);
    float* out = dx + row * width;
    for (std::int64_t j = cuda::lane(); j < width; j += cuda::kWarp) {
      const float xhat = (xr[j] - m) * rs;
      out[j] = rs * (dr[j] * gamma[j] - mean_d - xhat * mean_dx);
    }
  }
}

struct GammaGrad {  // dy * xhat
  const float* dy;
  const float* x;
  const float* mean;
  const float* rstd;
  std::int64_t width;
  __device__ float operator()(std::int64_t i, std::int64_t j) const {
    return dy[i * width + j] * ((x[i * width + j] - mean[i]) * rstd[i]);
  }
};

struct BetaGrad {  // dy
  const float* dy;
  std::int64_t width;
  __device__ float operator()(std::int64_t i, std::int64_t j) const { return dy[i * width + j]; }
};

}  // namespace

void CudaOps::layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps, Tensor& y, Tensor& mean,
                         Tensor& rstd) {
  const check::Rows r = check::layer_norm(device(), x, gamma, beta, y, mean, rstd);
  if (r.n == 0) return;
  DeviceGuard guard(index_, "layer_norm");
  layer_norm_kernel<<<cuda::blocks_for_rows(r.n), cuda::kBlock>>>(x.data<float>(), r.n, r.width, gamma.data<float>(),
                                                                  beta.data<float>(), eps, y.data<float>(),
                                                                  mean.data<float>(), rstd.data<float>());
  cuda_check_launch("layer_norm");
}

void CudaOps::backprop_layer_norm(const Tensor& dy, const Tensor& x, const Tensor& gamma, const Tensor& mean,
                                  const Tensor& rstd, Tensor& dx, Tensor& dgamma, Tensor& dbeta) {
  const check::Rows r = check::backprop_layer_norm(device(), dy, x, gamma, mean, rstd, dx, dgamma, dbeta);
  if (r.n == 0 || r.width == 0) return;
  DeviceGuard guard(index_, "backprop_layer_norm");
  layer_norm_dx_kernel<<<cuda::blocks_for_rows(r.n), cuda::kBlock>>>(dy.data<float>(), x.data<float>(), r.n, r.width,
                                                                     gamma.data<float>(), mean.data<float>(),
                                                                     rstd.data<float>(), dx.data<float>());
  cuda_check_launch("backprop_layer_norm");
  cuda::column_sum(index_, "backprop_layer_norm", r.n, r.width,
                   GammaGrad{dy.data<float>(), x.data<float>(), mean.data<float>(), rstd.data<float>(), r.width},
                   dgamma.data<float>(), true);
  cuda::column_sum(index_, "backprop_layer_norm", r.n, r.width, BetaGrad{dy.data<float>(), r.width}, dbeta.data<float>(),
                   true);
}

}  // namespace weft::backend
