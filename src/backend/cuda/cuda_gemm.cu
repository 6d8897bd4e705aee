// gemm on CUDA through cuBLAS. weft is row-major and cuBLAS column-major: a row-major matrix read as
// column-major is its transpose, so c = op(a) op(b) is computed as c^T = op(b)^T op(a)^T by passing b
// first. The bias is fused as on the CPU: written into c first (c = bias + beta * c), then the product
// is accumulated onto it with beta = 1.
#include <climits>
#include <string>

#include "../op_checks.hpp"
#include "cuda_check.cuh"
#include "cuda_ops.cuh"
#include "launch.cuh"
#include "weft/error.hpp"

namespace weft::backend {

namespace {

// c[i, j] = bias[j] + beta * c[i, j]; beta == 0 ignores c, which may hold garbage (NaN).
__global__ void bias_prologue(float* c, const float* bias, std::int64_t m, std::int64_t n, float beta) {
  for (std::int64_t i = cuda::global_thread(); i < m * n; i += cuda::grid_threads()) {
    const float b = bias[i % n];
    c[i] = beta == 0.f ? b : b + beta * c[i];
  }
}

// c *= beta for an empty product (k == 0), where cuBLAS is not called.
__global__ void scale_c(float* c, std::int64_t count, float beta) {
  for (std::int64_t i = cuda::global_thread(); i < count; i += cuda::grid_threads())
    c[i] = beta == 0.f ? 0.f : beta * c[i];
}

}  // namespace

void CudaOps::gemm(const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, Tensor& c, float alpha, float beta,
                   const Tensor* bias) {
  const check::GemmDims d = check::gemm(device(), a, trans_a, b, trans_b, c, bias);
  if (d.m == 0 || d.n == 0) return;
  if (d.m > INT_MAX || d.n > INT_MAX || d.k > INT_MAX || a.dim(1) > INT_MAX || b.dim(1) > INT_MAX)
    throw ValueError("gemm: dimensions [" + std::to_string(d.m) + ", " + std::to_string(d.n) + ", " + std::to_string(d.k) +
                     "] exceed cuBLAS's 32-bit sizes");
  DeviceGuard guard(index_, "gemm");
  float* cp = c.data<float>();
  const std::int64_t count = d.m * d.n;
  if (bias != nullptr) {
    bias_prologue<<<cuda::blocks_for(count), cuda::kBlock>>>(cp, bias->data<float>(), d.m, d.n, beta);
    cuda_check_launch("gemm");
    beta = 1.f;
  }
  if (d.k == 0) {
    if (beta != 1.f) {
      scale_c<<<cuda::blocks_for(count), cuda::kBlock>>>(cp, count, beta);
      cuda_check_launch("gemm");
    }
    return;
  }
  // Leading dimensions are the stored row lengths, whatever the transposition.
  gemm_rows(a.data<float>(), trans_a, a.dim(1), b.data<float>(), trans_b, b.dim(1), cp, d.n, d.m, d.n, d.k, alpha, beta);
}

void CudaOps::gemm_rows(const float* a, bool trans_a, std::int64_t lda, const float* b, bool trans_b, std::int64_t ldb,
                        float* c, std::int64_t ldc, std::int64_t m, std::int64_t n, std::int64_t k, float alpha, float beta) {
  std::lock_guard lock(blas_mutex_);
  cublas_check(cublasSgemm(blas_, trans_b ? CUBLAS_OP_T : CUBLAS_OP_N, trans_a ? CUBLAS_OP_T : CUBLAS_OP_N,
                           static_cast<int>(n), static_cast<int>(m), static_cast<int>(k), &alpha, b, static_cast<int>(ldb), a,
                           static_cast<int>(lda), &beta, c, static_cast<int>(ldc)),
               "gemm", "cublasSgemm");
}

}  // namespace weft::backend
