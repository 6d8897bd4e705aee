// Layer normalisation over each row on the CPU. Means and variances accumulate in double so wide rows
// with a large offset keep their precision; mean and rstd are saved for the backward pass.
#include <cmath>

#include "../op_checks.hpp"
#include "cpu_ops.hpp"

namespace weft::backend {

void CpuOps::layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps, Tensor& y, Tensor& mean,
                        Tensor& rstd) {
  const check::Rows r = check::layer_norm(device(), x, gamma, beta, y, mean, rstd);
  const float* xp = x.data<float>();
  const float* g = gamma.data<float>();
  const float* b = beta.data<float>();
  float* yp = y.data<float>();
  float* mp = mean.data<float>();
  float* rp = rstd.data<float>();
  for (std::int64_t i = 0; i < r.n; ++i) {
    const float* row = xp + i * r.width;
    double sum = 0.0;
    for (std::int64_t j = 0; j < r.width; ++j) sum += row[j];
    const double mu = r.width > 0 ? sum / static_cast<double>(r.width) : 0.0;
    double var = 0.0;
    for (std::int64_t j = 0; j < r.width; ++j) var += (row[j] - mu) * (row[j] - mu);
    var = r.width > 0 ? var / static_cast<double>(r.width) : 0.0;
    const auto m = static_cast<float>(mu);
    const auto rs = static_cast<float>(1.0 / std::sqrt(var + static_cast<double>(eps)));
    mp[i] = m;
    rp[i] = rs;
    float* out = yp + i * r.width;
    for (std::int64_t j = 0; j < r.width; ++j) out[j] = (row[j] - m) * rs * g[j] + b[j];
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
  const double inv_w = r.width > 0 ? 1.0 / static_cast<double>(r.width) : 0.0;
  for (std::int64_t i = 0; i < r.n; ++i) {
    const float* row = xp + i * r.width;
    const float* drow = dyp + i * r.width;
    const float m = mp[i], rs = rp[i];
    // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), with dxhat = dy * gamma.
    double sum_d = 0.0, sum_dx = 0.0;
    for (std::int64_t j = 0; j < r.width; ++j) {
      const float xhat = (row[j] - m) * rs;
      const float dxhat = drow[j] * g[j];
      sum_d += dxhat;
      sum_dx += static_cast<double>(dxhat) * xhat;
      dg[j] += drow[j] * xhat;
      db[j] += drow[j];
    }
    const auto mean_d = static_cast<float>(sum_d * inv_w);
    const auto mean_dx = static_cast<float>(sum_dx * inv_w);
    float* out = dxp + i * r.width;
    for (std::int64_t j = 0; j < r.width; ++j) {
      const float xhat = (row[j] - m) * rs;
      out[j] = rs * (drow[j] * g[j] - mean_d - xhat * mean_dx);
    }
  }
}

}  // namespace weft::backend
