// Reductions on the CPU. Sums of squares accumulate in double: gradient norms over millions of
// parameters lose digits in f32, and clipping decisions depend on them.
#include <vector>

#include "../op_checks.hpp"
#include "cpu_ops.hpp"

namespace weft::backend {

void CpuOps::sum_rows(const Tensor& x, Tensor& out, bool accumulate) {
  const check::Rows r = check::sum_rows(device(), x, out);
  const float* xp = x.data<float>();
  float* op = out.data<float>();
  if (!accumulate)
    for (std::int64_t j = 0; j < r.width; ++j) op[j] = 0.f;
  for (std::int64_t i = 0; i < r.n; ++i) {
    const float* row = xp + i * r.width;
    for (std::int64_t j = 0; j < r.width; ++j) op[j] += row[j];
  }
}

double CpuOps::sum_squares(const Tensor& x) {
  check::on("sum_squares", "x", x, device(), DType::F32);
  const float* p = x.data<float>();
  double total = 0.0;
  for (std::int64_t i = 0, n = x.numel(); i < n; ++i) total += static_cast<double>(p[i]) * p[i];
  return total;
}

namespace {

// Row i's argmax among columns [c0, c1), relative to c0.
std::int32_t argmax_in(const float* row, std::int64_t c0, std::int64_t c1) {
  std::int64_t best = c0;
  for (std::int64_t j = c0 + 1; j < c1; ++j)
    if (row[j] > row[best]) best = j;  // ties keep the first index, as on CUDA
  return static_cast<std::int32_t>(best - c0);
}

}  // namespace

void CpuOps::argmax_rows(const Tensor& x, Tensor& out) {
  const check::Rows r = check::argmax_rows(device(), x, out);
  const float* xp = x.data<float>();
  std::int32_t* op = out.data<std::int32_t>();
  for (std::int64_t i = 0; i < r.n; ++i) op[i] = argmax_in(xp + i * r.width, 0, r.width);
}

void CpuOps::argmax_segments(const Tensor& x, const std::vector<std::int64_t>& bounds, Tensor& out) {
  const check::Rows r = check::argmax_segments(device(), x, bounds, out);
  const float* xp = x.data<float>();
  std::int32_t* op = out.data<std::int32_t>();
  const std::size_t H = bounds.size() - 1;
  for (std::int64_t i = 0; i < r.n; ++i)
    for (std::size_t h = 0; h < H; ++h) *op++ = argmax_in(xp + i * r.width, bounds[h], bounds[h + 1]);
}

}  // namespace weft::backend
