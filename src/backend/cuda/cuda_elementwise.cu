// Elementwise CUDA ops: one grid-stride loop per op over contiguous f32 (operands may alias, as on the
// CPU, since each element is read before it is written by the same thread), and the f32 <-> f16 cast.
#include <cuda_fp16.h>

#include "../op_checks.hpp"
#include "cuda_check.cuh"
#include "cuda_ops.cuh"
#include "launch.cuh"

namespace weft::backend {

namespace {

__global__ void fill_kernel(float* x, std::int64_t n, float value) {
  for (std::int64_t i = cuda::global_thread(); i < n; i += cuda::grid_threads()) x[i] = value;
}

__global__ void axpy_kernel(float alpha, const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = cuda::global_thread(); i < n; i += cuda::grid_threads()) y[i] += alpha * x[i];
}

__global__ void scale_kernel(float* x, std::int64_t n, float alpha) {
  for (std::int64_t i = cuda::global_thread(); i < n; i += cuda::grid_threads()) x[i] *= alpha;
}

__global__ void add_kernel(const float* a, const float* b, float* out, std::int64_t n) {
  for (std::int64_t i = cuda::global_thread(); i < n; i += cuda::grid_threads()) out[i] = a[i] + b[i];
}

__global__ void mul_kernel(const float* a, const float* b, float* out, std::int64_t n) {
  for (std::int64_t i = cuda::global_thread(); i < n; i += cuda::grid_threads()) out[i] = a[i] * b[i];
}

__global__ void relu_kernel(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = cuda::global_thread(); i < n; i += cuda::grid_threads()) y[i] = x[i] > 0.f ? x[i] : 0.f;
}

__global__ void backprop_relu_kernel(const float* dy, const float* y, float* dx, std::int64_t n) {
  for (std::int64_t i = cuda::global_thread(); i < n; i += cuda::grid_threads()) dx[i] = y[i] > 0.f ? dy[i] : 0.f;
}

__global__ void to_half_kernel(const float* x, __half* y, std::int64_t n) {
  for (std::int64_t i = cuda::global_thread(); i < n; i += cuda::grid_threads()) y[i] = __float2half_rn(x[i]);
}

__global__ void to_float_kernel(const __half* x, float* y, std::int64_t n) {
  for (std::int64_t i = cuda::global_thread(); i < n; i += cuda::grid_threads()) y[i] = __half2float(x[i]);
}

}  // namespace

void CudaOps::fill(Tensor& x, float value) {
  check::on("fill", "x", x, device(), DType::F32);
  const std::int64_t n = x.numel();
  if (n == 0) return;
  DeviceGuard guard(index_, "fill");
  fill_kernel<<<cuda::blocks_for(n), cuda::kBlock>>>(x.data<float>(), n, value);
  cuda_check_launch("fill");
}

void CudaOps::axpy(float alpha, const Tensor& x, Tensor& y) {
  check::elementwise("axpy", device(), x, y);
  const std::int64_t n = x.numel();
  if (n == 0) return;
  DeviceGuard guard(index_, "axpy");
  axpy_kernel<<<cuda::blocks_for(n), cuda::kBlock>>>(alpha, x.data<float>(), y.data<float>(), n);
  cuda_check_launch("axpy");
}

void CudaOps::scale(Tensor& x, float alpha) {
  check::on("scale", "x", x, device(), DType::F32);
  const std::int64_t n = x.numel();
  if (n == 0) return;
  DeviceGuard guard(index_, "scale");
  scale_kernel<<<cuda::blocks_for(n), cuda::kBlock>>>(x.data<float>(), n, alpha);
  cuda_check_launch("scale");
}

void CudaOps::add(const Tensor& a, const Tensor& b, Tensor& out) {
  check::elementwise("add", device(), a, b, out);
  const std::int64_t n = a.numel();
  if (n == 0) return;
  DeviceGuard guard(index_, "add");
  add_kernel<<<cuda::blocks_for(n), cuda::kBlock>>>(a.data<float>(), b.data<float>(), out.data<float>(), n);
  cuda_check_launch("add");
}

void CudaOps::mul(const Tensor& a, const Tensor& b, Tensor& out) {
  check::elementwise("mul", device(), a, b, out);
  const std::int64_t n = a.numel();
  if (n == 0) return;
  DeviceGuard guard(index_, "mul");
  mul_kernel<<<cuda::blocks_for(n), cuda::kBlock>>>(a.data<float>(), b.data<float>(), out.data<float>(), n);
  cuda_check_launch("mul");
}

void CudaOps::relu(const Tensor& x, Tensor& y) {
  check::elementwise("relu", device(), x, y);
  const std::int64_t n = x.numel();
  if (n == 0) return;
  DeviceGuard guard(index_, "relu");
  relu_kernel<<<cuda::blocks_for(n), cuda::kBlock>>>(x.data<float>(), y.data<float>(), n);
  cuda_check_launch("relu");
}

void CudaOps::backprop_relu(const Tensor& dy, const Tensor& y, Tensor& dx) {
  check::elementwise("backprop_relu", device(), dy, y, dx);
  const std::int64_t n = dy.numel();
  if (n == 0) return;
  DeviceGuard guard(index_, "backprop_relu");
  backprop_relu_kernel<<<cuda::blocks_for(n), cuda::kBlock>>>(dy.data<float>(), y.data<float>(), dx.data<float>(), n);
  cuda_check_launch("backprop_relu");
}

void CudaOps::cast(const Tensor& x, Tensor& y) {
  check::cast(device(), x, y);
  const std::int64_t n = x.numel();
  if (n == 0) return;
  DeviceGuard guard(index_, "cast");
  if (x.dtype() == y.dtype()) {
    cuda_check(cudaMemcpyAsync(y.raw(), x.raw(), x.bytes(), cudaMemcpyDeviceToDevice, 0), "cast", "cudaMemcpyAsync");
  } else if (x.dtype() == DType::F32) {
    to_half_kernel<<<cuda::blocks_for(n), cuda::kBlock>>>(x.data<float>(), static_cast<__half*>(y.raw()), n);
    cuda_check_launch("cast");
  } else {
    to_float_kernel<<<cuda::blocks_for(n), cuda::kBlock>>>(static_cast<const __half*>(x.raw()), y.data<float>(), n);
    cuda_check_launch("cast");
  }
}

}  // namespace weft::backend
