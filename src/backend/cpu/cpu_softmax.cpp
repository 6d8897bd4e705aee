// Softmax, log-softmax and the fused softmax cross-entropy on the CPU, each over the rows of a matrix.
// The row maximum is subtracted first so large logits cannot overflow exp.
#include <cmath>
#include <string>

#include "../op_checks.hpp"
#include "cpu_ops.hpp"
#include "weft/error.hpp"

namespace weft::backend {

namespace {

// Returns max and log(sum(exp(row - max))) of one row.
struct RowStats { float max; float log_sum; };

RowStats row_stats(const float* row, std::int64_t width) {
  float mx = row[0];
  for (std::int64_t j = 1; j < width; ++j) mx = row[j] > mx ? row[j] : mx;
  double sum = 0.0;
  for (std::int64_t j = 0; j < width; ++j) sum += std::exp(static_cast<double>(row[j] - mx));
  return {mx, static_cast<float>(std::log(sum))};
}

}  // namespace

void CpuOps::softmax(const Tensor& x, Tensor& y) {
  const check::Rows r = check::matrix("softmax", device(), x);
  check::on("softmax", "y", y, device(), DType::F32);
  check::shape("softmax", "y", y, x.shape());
  if (r.width == 0) return;
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  for (std::int64_t i = 0; i < r.n; ++i) {
    const RowStats s = row_stats(xp + i * r.width, r.width);
    for (std::int64_t j = 0; j < r.width; ++j) yp[i * r.width + j] = std::exp(xp[i * r.width + j] - s.max - s.log_sum);
  }
}

void CpuOps::log_softmax(const Tensor& x, Tensor& y) {
  const check::Rows r = check::matrix("log_softmax", device(), x);
  check::on("log_softmax", "y", y, device(), DType::F32);
  check::shape("log_softmax", "y", y, x.shape());
  if (r.width == 0) return;
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  for (std::int64_t i = 0; i < r.n; ++i) {
    const RowStats s = row_stats(xp + i * r.width, r.width);
    for (std::int64_t j = 0; j < r.width; ++j) yp[i * r.width + j] = xp[i * r.width + j] - s.max - s.log_sum;
  }
}

double CpuOps::softmax_cross_entropy(const Tensor& logits, const Tensor& labels, float grad_scale, Tensor& dlogits) {
  const check::Rows r = check::softmax_cross_entropy(device(), logits, labels, dlogits);
  const std::int32_t* lp = labels.data<std::int32_t>();
  for (std::int64_t i = 0; i < r.n; ++i)
    if (lp[i] >= r.width)
      throw ValueError("softmax_cross_entropy: label " + std::to_string(lp[i]) + " outside " + std::to_string(r.width) + " classes");
  const float* xp = logits.data<float>();
  float* dp = dlogits.data<float>();
  double loss = 0.0;
  for (std::int64_t i = 0; i < r.n; ++i) {
    const float* row = xp + i * r.width;
    float* drow = dp + i * r.width;
    if (lp[i] < 0) {
      for (std::int64_t j = 0; j < r.width; ++j) drow[j] = 0.f;
      continue;
    }
    const RowStats s = row_stats(row, r.width);
    loss -= static_cast<double>(row[lp[i]] - s.max - s.log_sum);
    for (std::int64_t j = 0; j < r.width; ++j) drow[j] = std::exp(row[j] - s.max - s.log_sum) * grad_scale;
    drow[lp[i]] -= grad_scale;
  }
  return loss;
}

}  // namespace weft::backend
