// CPU gemm: oneDNN's sgemm or Eigen's product, whichever bench_gemm measured faster for the shape.
// The bias is fused by writing it into c first and accumulating the product onto it (beta = 1), which
// saves a second pass over c.
#include <atomic>

#include <Eigen/Core>

#include "../op_checks.hpp"
#include "cpu_ops.hpp"
#include "cpu_threads.hpp"
#include "weft/backend/cpu_gemm.hpp"
#include "weft/error.hpp"

#if defined(WEFT_HAVE_ONEDNN)
#include <oneapi/dnnl/dnnl.h>
#endif

namespace weft::backend {

namespace {

using MatrixR = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstMap = Eigen::Map<const MatrixR, Eigen::Unaligned>;
using Map = Eigen::Map<MatrixR, Eigen::Unaligned>;

std::atomic<CpuGemm>& choice() {
  static std::atomic<CpuGemm> c{CpuGemm::Auto};
  return c;
}

// c = alpha * op(a) op(b) + beta * c; beta is 0 (overwrite) or 1 after the bias prologue, or any value.
void eigen_gemm(const float* a, bool ta, const float* b, bool tb, float* c, std::int64_t m, std::int64_t n,
                std::int64_t k, float alpha, float beta) {
  Map cm(c, m, n);
  const ConstMap am(a, ta ? k : m, ta ? m : k);
  const ConstMap bm(b, tb ? n : k, tb ? k : n);
  if (beta == 0.f) {
    cm.setZero();  // c may hold garbage (NaN) that beta * c would keep
  } else if (beta != 1.f) {
    cm *= beta;
  }
  if (!ta && !tb) cm.noalias() += alpha * (am * bm);
  else if (ta && !tb) cm.noalias() += alpha * (am.transpose() * bm);
  else if (!ta && tb) cm.noalias() += alpha * (am * bm.transpose());
  else cm.noalias() += alpha * (am.transpose() * bm.transpose());
}

#if defined(WEFT_HAVE_ONEDNN)
void onednn_gemm(const float* a, bool ta, const float* b, bool tb, float* c, std::int64_t m, std::int64_t n,
                 std::int64_t k, float alpha, float beta) {
  apply_cpu_threads();
  const dnnl_status_t status = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, alpha, a, ta ? m : k, b, tb ? k : n,
                                          beta, c, n);
  if (status != dnnl_success) throw ValueError("gemm: oneDNN sgemm failed with status " + std::to_string(status));
}
#endif

}  // namespace

bool onednn_compiled() noexcept {
#if defined(WEFT_HAVE_ONEDNN)
  return true;
#else
  return false;
#endif
}

void set_cpu_gemm(CpuGemm c) {
  if (c == CpuGemm::OneDNN && !onednn_compiled()) throw ValueError("set_cpu_gemm: oneDNN is not compiled in");
  choice().store(c);
}

CpuGemm cpu_gemm() noexcept { return choice().load(); }

CpuGemm cpu_gemm_for(std::int64_t m, std::int64_t n, std::int64_t k, bool trans_a, bool trans_b) noexcept {
  (void)k;
  (void)trans_a;
  if (!onednn_compiled()) return CpuGemm::Eigen;
  // From bench_gemm (single thread, x86-64-v3, oneDNN 2.6): oneDNN's sgemm is about 2x Eigen from 2 rows
  // up, except a single row (a gemv, where they tie or Eigen wins) and a band of 16..47 rows against a
  // narrow transposed weight, where oneDNN's small-m kernel is up to 1.5x slower than Eigen.
  if (trans_b) {
    if (m == 1) return CpuGemm::Eigen;
    if (n <= 96 && m >= 16 && m < (n <= 64 ? 48 : 24)) return CpuGemm::Eigen;
  }
  return CpuGemm::OneDNN;
}

void CpuOps::gemm(const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, Tensor& c, float alpha, float beta,
                  const Tensor* bias) {
  const check::GemmDims d = check::gemm(device(), a, trans_a, b, trans_b, c, bias);
  if (d.m == 0 || d.n == 0) return;
  float* cp = c.data<float>();
  if (bias != nullptr) {
    Map cm(cp, d.m, d.n);
    const Eigen::Map<const Eigen::RowVectorXf> bv(bias->data<float>(), d.n);
    if (beta == 0.f) cm.rowwise() = bv;
    else {
      if (beta != 1.f) cm *= beta;
      cm.rowwise() += bv;
    }
    beta = 1.f;
  }
  if (d.k == 0) {  // an empty product: only the beta * c part remains
    if (beta == 0.f) Map(cp, d.m, d.n).setZero();
    else if (beta != 1.f) Map(cp, d.m, d.n) *= beta;
    return;
  }
  CpuGemm impl = cpu_gemm();
  if (impl == CpuGemm::Auto) impl = cpu_gemm_for(d.m, d.n, d.k, trans_a, trans_b);
#if defined(WEFT_HAVE_ONEDNN)
  if (impl == CpuGemm::OneDNN) {
    onednn_gemm(a.data<float>(), trans_a, b.data<float>(), trans_b, cp, d.m, d.n, d.k, alpha, beta);
    return;
  }
#endif
  eigen_gemm(a.data<float>(), trans_a, b.data<float>(), trans_b, cp, d.m, d.n, d.k, alpha, beta);
}

}  // namespace weft::backend
