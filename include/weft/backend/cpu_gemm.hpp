// Which library runs a CPU gemm. CpuOps measures nothing at run time: Auto follows a per-shape rule
// derived from benchmarks/nn/bench_gemm (oneDNN's sgemm and Eigen each win somewhere). Forcing one is
// for benchmarks and tests that compare them; the choice is process-wide.
#pragma once

#include <cstdint>

namespace weft::backend {

enum class CpuGemm : unsigned char { Auto, Eigen, OneDNN };

// True when weft was built against oneDNN (WEFT_HAVE_ONEDNN); otherwise every gemm runs on Eigen and
// forcing OneDNN throws ValueError.
bool onednn_compiled() noexcept;
void set_cpu_gemm(CpuGemm choice);
CpuGemm cpu_gemm() noexcept;
// What Auto runs for c[m, n] = op(a)[m, k] @ op(b)[k, n] (never Auto).
CpuGemm cpu_gemm_for(std::int64_t m, std::int64_t n, std::int64_t k, bool trans_a, bool trans_b) noexcept;

}  // namespace weft::backend
