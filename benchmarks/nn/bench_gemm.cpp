// bench_gemm: single-thread CPU gemm throughput (GFLOP/s) at the shapes weft's models use, for Eigen,
// oneDNN and the Auto dispatch (cpu_gemm_for). Its table is where the per-shape rule in cpu_gemm.cpp
// comes from; rerun it after changing that rule or the target machine. With --int8 it compares, at the
// shipped model's shapes, the f32 product (Auto) with the int8 one inference uses (cpu_int8.hpp: the
// quantization of the input and the scaling of the sums included).
//   usage: bench_gemm [--int8] [min_seconds_per_measurement=0.05]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "weft/backend/cpu_gemm.hpp"
#include "weft/backend/cpu_int8.hpp"
#include "weft/backend/ops.hpp"
#include "weft/backend/threads.hpp"

using namespace weft::backend;

namespace {

struct GemmShape {
  const char* what;
  std::int64_t k, n;
  bool trans_a, trans_b;
};

Tensor random(const Shape& shape, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<float> v(static_cast<std::size_t>(shape.numel()));
  for (float& x : v) x = dist(rng);
  return Tensor::from_vector(v, shape);
}

// Best-of-5 GFLOP/s of c[m, n] = op(a) op(b), each run repeated for at least min_seconds; with int8,
// through int8_gemm (a [m, k] @ b[n, k]^T only).
double measure(CpuGemm impl, std::int64_t m, const GemmShape& s, double min_seconds, bool int8 = false) {
  set_cpu_gemm(impl);
  Ops& ops = weft::backend::ops(Device::cpu());
  const Tensor a = s.trans_a ? random({s.k, m}, 1) : random({m, s.k}, 1);
  const Tensor b = s.trans_b ? random({s.n, s.k}, 2) : random({s.k, s.n}, 2);
  Tensor c = Tensor::zeros({m, s.n}, DType::F32);
  const Int8Weights b8 = int8 ? quantize_weights(b) : Int8Weights{};
  const auto once = [&] {
    if (int8) int8_gemm(a, b8, c);
    else ops.gemm(a, s.trans_a, b, s.trans_b, c);
  };
  once();  // warm-up (oneDNN's first call initialises its kernels)
  double best = 0;
  for (int round = 0; round < 5; ++round) {
    std::int64_t reps = 0;
    const auto start = std::chrono::steady_clock::now();
    double elapsed = 0;
    do {
      once();
      ++reps;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    } while (elapsed < min_seconds / 5);
    best = std::max(best, 2.0 * static_cast<double>(m) * static_cast<double>(s.n) * static_cast<double>(s.k) *
                              static_cast<double>(reps) / elapsed / 1e9);
  }
  return best;
}

const char* name(CpuGemm c) { return c == CpuGemm::Eigen ? "eigen" : c == CpuGemm::OneDNN ? "onednn" : "auto"; }

}  // namespace

int main(int argc, char** argv) {
  const bool int8 = argc > 1 && std::string(argv[1]) == "--int8";
  const int arg = int8 ? 2 : 1;
  const double min_seconds = argc > arg ? std::atof(argv[arg]) : 0.05;
  set_cpu_threads(1);
  const std::vector<GemmShape> shapes{
      {"maxout 96x3, window 3 (fwd)", 288, 288, false, true},   // X[N,288] W[288,288]^T, as Linear stores W[out,in]
      {"maxout 96x3, window 3 (dX)", 288, 288, false, false},   // dY[N,288] W[288,288]
      {"width 96 linear (fwd)", 96, 96, false, true},
      {"embed concat 4x96 -> 96", 384, 96, false, true},
      {"tagger output 96 -> 50", 96, 50, false, true},
      // The shipped en_ewt_sm (width 64): an encoder block (window 1, 3 pieces), the parser's and the
      // recognizer's precompute (8 and 4 slots of 64 x 2 pieces), the morphologizer's output.
      {"en_ewt_sm encoder block", 192, 192, false, true},
      {"en_ewt_sm parser precompute", 64, 1024, false, true},
      {"en_ewt_sm ner precompute", 64, 512, false, true},
      {"en_ewt_sm morphologizer 64->231", 64, 231, false, true},
  };
  const std::vector<std::int64_t> rows{64, 128, 256, 512, 1024, 2048, 4096};
  if (int8) {
    if (!onednn_compiled()) {
      std::printf("int8 products need oneDNN, which this build lacks\n");
      return 1;
    }
    std::printf("single thread, best of 5, %.3fs per measurement; int8 includes quantizing a and scaling c\n", min_seconds);
    std::printf("%-34s %6s %5s %5s | %8s %8s | %6s\n", "shape (en_ewt_sm)", "N", "K", "out", "f32", "int8", "int8/f32");
    for (const GemmShape& s : shapes) {
      if (std::string(s.what).rfind("en_ewt_sm", 0) != 0) continue;
      for (std::int64_t m : rows) {
        const double f = measure(CpuGemm::Auto, m, s, min_seconds), q = measure(CpuGemm::Auto, m, s, min_seconds, true);
        std::printf("%-34s %6lld %5lld %5lld | %8.1f %8.1f | %6.2fx\n", s.what, static_cast<long long>(m),
                    static_cast<long long>(s.k), static_cast<long long>(s.n), f, q, q / f);
      }
    }
    return 0;
  }
  // Small batches (one short document at inference) locate where Eigen's lower call overhead wins.
  const std::vector<std::int64_t> small_rows{1, 2, 4, 8, 12, 16, 24, 32, 48};
  std::printf("single thread, best of 5, %.3fs per measurement; oneDNN compiled: %s\n", min_seconds,
              onednn_compiled() ? "yes" : "no");
  std::printf("%-30s %6s %5s %5s %3s | %8s %8s %8s | %-6s %-6s\n", "shape", "N", "K", "out", "tr", "eigen", "onednn",
              "auto", "auto", "faster");
  auto row = [&](const char* what, std::int64_t m, const GemmShape& s) {
    const double e = measure(CpuGemm::Eigen, m, s, min_seconds);
    const double d = onednn_compiled() ? measure(CpuGemm::OneDNN, m, s, min_seconds) : 0.0;
    const double a = measure(CpuGemm::Auto, m, s, min_seconds);
    const std::string tr = std::string(s.trans_a ? "T" : "N") + (s.trans_b ? "T" : "N");
    std::printf("%-30s %6lld %5lld %5lld %3s | %8.1f %8.1f %8.1f | %-6s %-6s\n", what, static_cast<long long>(m),
                static_cast<long long>(s.k), static_cast<long long>(s.n), tr.c_str(), e, d, a,
                name(cpu_gemm_for(m, s.n, s.k, s.trans_a, s.trans_b)), d > e ? "onednn" : "eigen");
  };
  for (const GemmShape& s : shapes)
    for (std::int64_t m : rows) row(s.what, m, s);
  for (const GemmShape& s : shapes)
    for (std::int64_t m : small_rows) row(s.what, m, s);
  // The weight gradient dW[288,288] = dY^T[288,N] X[N,288]: N is the inner dimension here.
  const GemmShape dw{"maxout 96x3 (dW = dY^T X)", 0, 288, true, false};
  for (std::int64_t n : rows) {
    GemmShape s = dw;
    s.k = n;
    row(s.what, 288, s);
  }
  set_cpu_gemm(CpuGemm::Auto);
  return 0;
}
