// Elementwise CPU ops: flat loops over contiguous f32; operands may alias (relu(x, x) is in place).
#include "../op_checks.hpp"
#include "cpu_ops.hpp"

namespace weft::backend {

void CpuOps::fill(Tensor& x, float value) {
  check::on("fill", "x", x, device(), DType::F32);
  float* p = x.data<float>();
  for (std::int64_t i = 0, n = x.numel(); i < n; ++i) p[i] = value;
}

void CpuOps::axpy(float alpha, const Tensor& x, Tensor& y) {
  check::elementwise("axpy", device(), x, y);
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  for (std::int64_t i = 0, n = x.numel(); i < n; ++i) yp[i] += alpha * xp[i];
}

void CpuOps::scale(Tensor& x, float alpha) {
  check::on("scale", "x", x, device(), DType::F32);
  float* p = x.data<float>();
  for (std::int64_t i = 0, n = x.numel(); i < n; ++i) p[i] *= alpha;
}

void CpuOps::add(const Tensor& a, const Tensor& b, Tensor& out) {
  check::elementwise("add", device(), a, b, out);
  const float* ap = a.data<float>();
  const float* bp = b.data<float>();
  float* op = out.data<float>();
  for (std::int64_t i = 0, n = a.numel(); i < n; ++i) op[i] = ap[i] + bp[i];
}

void CpuOps::mul(const Tensor& a, const Tensor& b, Tensor& out) {
  check::elementwise("mul", device(), a, b, out);
  const float* ap = a.data<float>();
  const float* bp = b.data<float>();
  float* op = out.data<float>();
  for (std::int64_t i = 0, n = a.numel(); i < n; ++i) op[i] = ap[i] * bp[i];
}

void CpuOps::relu(const Tensor& x, Tensor& y) {
  check::elementwise("relu", device(), x, y);
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  for (std::int64_t i = 0, n = x.numel(); i < n; ++i) yp[i] = xp[i] > 0.f ? xp[i] : 0.f;
}

void CpuOps::backprop_relu(const Tensor& dy, const Tensor& y, Tensor& dx) {
  check::elementwise("backprop_relu", device(), dy, y, dx);
  const float* dyp = dy.data<float>();
  const float* yp = y.data<float>();
  float* dxp = dx.data<float>();
  for (std::int64_t i = 0, n = dy.numel(); i < n; ++i) dxp[i] = yp[i] > 0.f ? dyp[i] : 0.f;
}

void CpuOps::cast(const Tensor& x, Tensor& y) {
  check::cast(device(), x, y);
  const std::int64_t n = x.numel();
  if (x.dtype() == y.dtype()) {
    y.copy_from(x.reshape(y.shape()));
  } else if (x.dtype() == DType::F32) {
    const float* xp = x.data<float>();
    auto* yp = static_cast<std::uint16_t*>(y.raw());
    for (std::int64_t i = 0; i < n; ++i) yp[i] = float_to_half(xp[i]);
  } else {
    const auto* xp = static_cast<const std::uint16_t*>(x.raw());
    float* yp = y.data<float>();
    for (std::int64_t i = 0; i < n; ++i) yp[i] = half_to_float(xp[i]);
  }
}

}  // namespace weft::backend
