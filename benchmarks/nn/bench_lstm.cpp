// bench_lstm: the CPU cost of the LSTM recurrence (ops lstm_forward) and of a BiLSTM.v1 layer's
// inference forward pass, per word, over chunks of sentences as the tok2vec feeds them (about 512
// words of sentences of 5-34 words), for each gemm choice (auto, Eigen, oneDNN). The per-step products
// alone are timed too, to show how much of the recurrence they are.
//   usage: bench_lstm [hidden=64] [input width=64] [reps=20]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "weft/backend/cpu_gemm.hpp"
#include "weft/backend/ops.hpp"
#include "weft/nn/bilstm.hpp"

using namespace weft::backend;

namespace {

template <class Body>
double best_seconds(int reps, Body&& body) {
  double best = 1e9;
  for (int r = 0; r < reps; ++r) {
    const auto start = std::chrono::steady_clock::now();
    body();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t H = argc > 1 ? std::atol(argv[1]) : 64, nI = argc > 2 ? std::atol(argv[2]) : 64;
  const int reps = argc > 3 ? std::atoi(argv[3]) : 20;
  std::mt19937 rng(1);
  std::vector<std::int32_t> lens;
  std::int64_t n = 0;
  while (n < 512) {
    lens.push_back(static_cast<std::int32_t>(5 + rng() % 30));
    n += lens.back();
  }
  std::uniform_real_distribution<float> u(-1.f, 1.f);
  std::vector<float> xv(static_cast<std::size_t>(n * 4 * H)), wv(static_cast<std::size_t>(4 * H * H)), iv(static_cast<std::size_t>(n * nI));
  for (float& v : xv) v = u(rng);
  for (float& v : wv) v = 0.2f * u(rng);
  for (float& v : iv) v = u(rng);
  const Tensor xproj = Tensor::from_vector(xv, {n, 4 * H}), W = Tensor::from_vector(wv, {4 * H, H});
  const Tensor lengths = Tensor::from_vector(lens, {static_cast<std::int64_t>(lens.size())});
  Tensor h = Tensor::empty({n, H}, DType::F32), c = Tensor::empty({n, H}, DType::F32), g = Tensor::empty({n, 4 * H}, DType::F32);
  const weft::nn::Ragged X{Tensor::from_vector(iv, {n, nI}), lengths};
  weft::nn::Model layer = weft::nn::bilstm({2 * H, 1, 0.f});
  layer->initialize(&X, nullptr, 1);
  Ops& o = ops(Device::cpu());
  std::printf("%lld words in %zu sentences, hidden %lld, input %lld\n", static_cast<long long>(n), lens.size(),
              static_cast<long long>(H), static_cast<long long>(nI));
  const char* names[] = {"auto", "eigen", "onednn"};
  const CpuGemm choices[] = {CpuGemm::Auto, CpuGemm::Eigen, CpuGemm::OneDNN};
  for (int m = 0; m < 3; ++m) {
    if (choices[m] == CpuGemm::OneDNN && !onednn_compiled()) continue;
    set_cpu_gemm(choices[m]);
    const double rec = best_seconds(reps, [&] { o.lstm_forward(xproj, W, lengths, false, h, c, g); });
    const double bi = best_seconds(reps, [&] { (void)layer->predict(X); });
    std::printf("%-7s recurrence %.3f us/word (one direction); BiLSTM layer %.3f us/word (%.0f words/s)\n", names[m],
                rec * 1e6 / static_cast<double>(n), bi * 1e6 / static_cast<double>(n), static_cast<double>(n) / bi);
  }
  set_cpu_gemm(CpuGemm::Auto);
  // The recurrence's products alone: at step t, [running sentences, H] x [H, 4H].
  std::vector<std::int64_t> active;
  for (std::int32_t t = 0;; ++t) {
    std::int64_t k = 0;
    for (const std::int32_t l : lens) k += l > t;
    if (k == 0) break;
    active.push_back(k);
  }
  Tensor hs = Tensor::empty({static_cast<std::int64_t>(lens.size()), H}, DType::F32);
  Tensor hh = Tensor::empty({static_cast<std::int64_t>(lens.size()), 4 * H}, DType::F32);
  o.fill(hs, 0.5f);
  const double prods = best_seconds(reps, [&] {
    for (std::size_t t = 1; t < active.size(); ++t) {
      const Tensor a = hs.rows(0, active[t]);
      Tensor b = hh.rows(0, active[t]);
      o.gemm(a, false, W, true, b);
    }
  });
  std::printf("auto    the per-step products alone: %.3f us/word\n", prods * 1e6 / static_cast<double>(n));
  return 0;
}
