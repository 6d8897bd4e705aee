// tok2vec throughput (spaCy's default architecture: MultiHashEmbed width 96 over NORM, PREFIX, SUFFIX,
// SHAPE with rows 5000/2500/2500/2500; MaxoutWindowEncoder depth 4, window 1, 3 pieces), prediction and
// training, in tokens per second on one thread, against the rate its matrix multiplications alone allow
// on this machine (measured here with ops.gemm at the same shapes).
//
//   bench_tok2vec [--device cpu|cuda:0] [--batch TOKENS] [--doc-len TOKENS] [--seconds S]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "weft/backend/ops.hpp"
#include "weft/backend/threads.hpp"
#include "weft/error.hpp"
#include "weft/nn/tok2vec.hpp"

using namespace weft;
using namespace weft::nn;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::string device = "cpu";
  std::int64_t batch = 2000;
  std::int64_t doc_len = 20;
  double seconds = 2.0;
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (v == nullptr) {
      std::fprintf(stderr, "%s needs a value\n", k.c_str());
      std::exit(2);
    }
    if (k == "--device") a.device = v;
    else if (k == "--batch") a.batch = std::atoll(v);
    else if (k == "--doc-len") a.doc_len = std::atoll(v);
    else if (k == "--seconds") a.seconds = std::atof(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
    ++i;
  }
  if (a.batch < 1 || a.doc_len < 1 || a.seconds <= 0) {
    std::fprintf(stderr, "--batch, --doc-len and --seconds must be positive\n");
    std::exit(2);
  }
  return a;
}

// Runs body repeatedly for about `seconds` after one warm-up call; returns seconds per call.
template <class F>
double time_per_call(backend::Ops& ops, double seconds, F&& body) {
  body();
  ops.synchronize();
  int calls = 0;
  const auto start = Clock::now();
  double elapsed = 0;
  do {
    body();
    ++calls;
    ops.synchronize();
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  } while (elapsed < seconds);
  return elapsed / calls;
}

// Seconds for c[m, n] = op(a) @ op(b) with op(a) [m, k], op(b) [k, n].
double gemm_seconds(backend::Ops& ops, Device d, std::int64_t m, std::int64_t n, std::int64_t k, bool ta, bool tb, double seconds) {
  Tensor a = Tensor::zeros(ta ? Shape{k, m} : Shape{m, k}, DType::F32, d);
  Tensor b = Tensor::zeros(tb ? Shape{n, k} : Shape{k, n}, DType::F32, d);
  Tensor c = Tensor::zeros(Shape{m, n}, DType::F32, d);
  ops.fill(a, 0.5f);
  ops.fill(b, 0.25f);
  return time_per_call(ops, seconds, [&] { ops.gemm(a, ta, b, tb, c, 1.f, 0.f); });
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  backend::set_cpu_threads(1);
  const Device device = Device::parse(args.device);
  backend::Ops* device_ops = nullptr;
  try {
    device_ops = &backend::ops(device);  // a CUDA device loads the CUDA module, or says why it cannot
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_tok2vec: %s\n", e.what());
    return 2;
  }
  backend::Ops& ops = *device_ops;

  Tok2VecConfig config;  // spaCy's defaults
  Model model = tok2vec(config);
  const std::int64_t docs = (args.batch + args.doc_len - 1) / args.doc_len, n = docs * args.doc_len;
  Rng rng(1);
  std::vector<std::uint64_t> keys(static_cast<std::size_t>(n * 4));
  for (auto& k : keys) k = rng.next() % 200000;
  std::vector<std::int32_t> lengths(static_cast<std::size_t>(docs), static_cast<std::int32_t>(args.doc_len));
  const Ragged X{Tensor::from_vector(keys, Shape{n, 4}), Tensor::from_vector(lengths, Shape{docs})};
  model->initialize(&X, nullptr, 1);
  model->to(device);

  const double t_predict = time_per_call(ops, args.seconds, [&] { model->predict(X); });
  Tensor dY = Tensor::zeros(Shape{n, config.embed.width}, DType::F32, device);
  ops.fill(dY, 0.01f);
  const double t_train = time_per_call(ops, args.seconds, [&] {
    Forward f = model->forward(X, true);
    f.backprop(dY);
  });

  // FLOPs per token of the matrix products (2 per multiply-add). The mix: Maxout 4*96 -> 96 x 3 pieces;
  // each encoder block: Maxout over the window, (3*96) -> 96 x 3. Training adds dX and dW, each as large.
  const std::int64_t w = config.embed.width, p = config.embed.maxout_pieces, window = 2 * config.encode.window_size + 1;
  const std::int64_t depth = config.encode.depth, mix_in = 4 * w, enc_in = window * w, out = w * p;
  const double mix_flops = 2.0 * mix_in * out, enc_flops = 2.0 * enc_in * out;
  const double fwd_flops = mix_flops + depth * enc_flops;
  const double gs = std::min(1.0, args.seconds / 2);
  // Forward: X W^T; backward: dZ^T X (dW) and dZ W (dX); per shape, seconds per token.
  const double mix_fwd = gemm_seconds(ops, device, n, out, mix_in, false, true, gs) / n;
  const double enc_fwd = gemm_seconds(ops, device, n, out, enc_in, false, true, gs) / n;
  const double mix_dw = gemm_seconds(ops, device, out, mix_in, n, true, false, gs) / n;
  const double enc_dw = gemm_seconds(ops, device, out, enc_in, n, true, false, gs) / n;
  const double mix_dx = gemm_seconds(ops, device, n, mix_in, out, false, false, gs) / n;
  const double enc_dx = gemm_seconds(ops, device, n, enc_in, out, false, false, gs) / n;
  const double bound_predict = 1.0 / (mix_fwd + depth * enc_fwd);
  const double bound_train = 1.0 / (mix_fwd + mix_dw + mix_dx + depth * (enc_fwd + enc_dw + enc_dx));

  const double predict_rate = n / t_predict, train_rate = n / t_train;
  std::printf("tok2vec (MultiHashEmbed width %lld rows 5000/2500/2500/2500; MaxoutWindowEncoder depth %lld window %d pieces %lld)\n",
              static_cast<long long>(w), static_cast<long long>(depth), config.encode.window_size, static_cast<long long>(p));
  std::printf("device %s, %d CPU thread(s), batch %lld tokens in %lld docs of %lld\n", device.str().c_str(), backend::cpu_threads(),
              static_cast<long long>(n), static_cast<long long>(docs), static_cast<long long>(args.doc_len));
  std::printf("gemm FLOPs per token: forward %.0f (mix %.0f + %lld x %.0f), training %.0f\n", fwd_flops, mix_flops,
              static_cast<long long>(depth), enc_flops, 3 * fwd_flops);
  std::printf("gemm GFLOP/s measured: mix fwd %.1f, enc fwd %.1f, enc dW %.1f, enc dX %.1f\n", mix_flops / mix_fwd / 1e9,
              enc_flops / enc_fwd / 1e9, enc_flops / enc_dw / 1e9, enc_flops / enc_dx / 1e9);
  std::printf("predict:  %10.0f tokens/s  (gemm bound %10.0f tokens/s, %.1f%%)\n", predict_rate, bound_predict, 100 * predict_rate / bound_predict);
  std::printf("train:    %10.0f tokens/s  (gemm bound %10.0f tokens/s, %.1f%%)\n", train_rate, bound_train, 100 * train_rate / bound_train);
  return 0;
}
