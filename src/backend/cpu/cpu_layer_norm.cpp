// Layer normalisation over each row on the CPU. Sums run in kLanes independent float partial sums (so
// the compiler vectorises them and no add waits on the previous one) that are combined in double; the
// variance is taken around the mean (two passes), so rows with a large offset keep their precision.
// mean and rstd are saved for the backward pass.
#include <cmath>

#include "../op_checks.hpp"
#include "cpu_ops.hpp"

namespace weft::backend {

namespace {

constexpr std::int64_t kLanes = 16;  // two AVX2 registers of partial sums

// sum_j f(j) over a row of width w, f evaluated in float.
template <class F>
double lane_sum(std::int64_t w, F&& f) {
  float acc[kLanes] = {};
  std::int64_t j = 0;
  for (; j + kLanes <= w; j += kLanes)
    for (std::int64_t l = 0; l < kLanes; ++l) acc[l] += f(j + l);
  double total = 0.0;
  for (; j < w; ++j) total += f(j);
  for (float a : acc) total += a;
  return total;
}

}  // namespace

void CpuOps::layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps, Tensor& y, Tensor& mean,
                        Tensor& rstd) {
  const check::Rows r = check::layer_norm(device(), x, gamma, beta, y, mean, rstd);
  const float* xp = x.data<float>();
  const float* g = gamma.data<float>();
  const float* b = beta.data<float>();
  float* yp = y.data<float>();
  float* mp = mean.data<float>();
  float* rp = rstd.data<float>();
  const std::int64_t w = r.width;
  const double inv_w = w > 0 ? 1.0 / static_cast<double>(w) : 0.0;
  for (std::int64_t i = 0; i < r.n; ++i) {
    const float* row = xp + i * w;
    const auto m = static_cast<float>(lane_sum(w, [row](std::int64_t j) { return row[j]; }) * inv_w);
    const double var = lane_sum(w, [row, m](std::int64_t j) { return (row[j] - m) * (row[j] - m); }) * inv_w;
    const auto rs = static_cast<float>(1.0 / std::sqrt(var + static_cast<double>(eps)));
    mp[i] = m;
    rp[i] = rs;
    float* out = yp + i * w;
    for (std::int64_t j = 0; j < w; ++j) out[j] = (row[j] - m) * rs * g[j] + b[j];
  }
}

void CpuOps::backprop_layer_norm(const Tensor& dy, const Tensor& x, const Tensor& gamma, const Tensor& mean,
                                 const Tensor& rstd, Tensor& dx, Tensor& dgamma, Tensor& dbeta) {
  const check::Rows r = check::backprop_layer_norm(device(), dy, x, gamma, mean, rstd, dx, dgamma, dbeta);
  const float* dyp = dy.data<float>();
  const float* xp = x.data<float>();
  const float* g = gamma.data<float>();
  const float* mp = mean.data<float>();
  const float* rp = rstd.data<float>();
  float* dxp = dx.data<float>();
  float* dg = dgamma.data<float>();
  float* db = dbeta.data<float>();
  const std::int64_t w = r.width;
  const double inv_w = w > 0 ? 1.0 / static_cast<double>(w) : 0.0;
  for (std::int64_t i = 0; i < r.n; ++i) {
    const float* row = xp + i * w;
    const float* drow = dyp + i * w;
    const float m = mp[i], rs = rp[i];
    // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), with dxhat = dy * gamma.
    const auto mean_d = static_cast<float>(lane_sum(w, [drow, g](std::int64_t j) { return drow[j] * g[j]; }) * inv_w);
    const auto mean_dx = static_cast<float>(
        lane_sum(w, [drow, g, row, m, rs](std::int64_t j) { return drow[j] * g[j] * ((row[j] - m) * rs); }) * inv_w);
    float* out = dxp + i * w;
    // Separate loops: with one output each, the compiler's aliasing checks stay simple enough to vectorise.
    for (std::int64_t j = 0; j < w; ++j) out[j] = rs * (drow[j] * g[j] - mean_d - (row[j] - m) * rs * mean_dx);
    for (std::int64_t j = 0; j < w; ++j) dg[j] += drow[j] * ((row[j] - m) * rs);
    for (std::int64_t j = 0; j < w; ++j) db[j] += drow[j];
  }
}

}  // namespace weft::backend
