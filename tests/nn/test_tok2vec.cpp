// tok2vec across devices and runs: the same seed gives the same weights and outputs, and a forward and
// backward pass on CUDA matches the CPU's (skipped when no CUDA device is visible).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "weft/backend/ops.hpp"
#include "weft/error.hpp"
#include "weft/nn/bilstm.hpp"
#include "weft/nn/char_embed.hpp"
#include "weft/nn/tok2vec.hpp"

using namespace weft;
using namespace weft::nn;

namespace {

Ragged sample_keys(std::int64_t docs, std::int64_t len, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::uint64_t> keys(static_cast<std::size_t>(docs * len * 4));
  for (auto& k : keys) k = rng.next() % 300;
  std::vector<std::int32_t> lengths(static_cast<std::size_t>(docs), static_cast<std::int32_t>(len));
  return {Tensor::from_vector(keys, Shape{docs * len, 4}), Tensor::from_vector(lengths, Shape{docs})};
}

double max_diff(const Tensor& a, const Tensor& b) {
  const std::vector<float> x = a.to_vector<float>(), y = b.to_vector<float>();
  REQUIRE(x.size() == y.size());
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) d = std::max(d, static_cast<double>(std::fabs(x[i] - y[i])));
  return d;
}

}  // namespace

TEST_CASE("nn: tok2vec is deterministic given a seed") {
  Tok2VecConfig c;
  c.embed.width = 16;
  c.encode.depth = 2;
  Ragged X = sample_keys(3, 7, 1);
  auto run = [&](std::uint64_t seed) {
    Model m = tok2vec(c);
    m->initialize(&X, nullptr, seed);
    return m->predict(X).data.to_vector<float>();
  };
  CHECK(run(5) == run(5));
  CHECK(run(5) != run(6));
}

TEST_CASE("nn: tok2vec predict equals the training forward and keeps no backprop") {
  Model model = tok2vec(Tok2VecConfig{});
  Ragged X = sample_keys(4, 9, 2);
  model->initialize(&X, nullptr, 3);
  const std::vector<float> trained = model->forward(X, true).Y.data.to_vector<float>();
  CHECK(model->predict(X).data.to_vector<float>() == trained);
  Forward f = model->forward(X, false);
  CHECK(f.Y.data.to_vector<float>() == trained);
  CHECK_THROWS_AS(f.backprop(Tensor::zeros(f.Y.data.shape(), DType::F32)), ModelError);
}

TEST_CASE("nn: tok2vec forward and backward agree on CUDA and CPU" * doctest::skip(!backend::cuda_available())) {
  Tok2VecConfig c;
  Ragged X = sample_keys(20, 25, 2);
  Model cpu = tok2vec(c), gpu = tok2vec(c);
  cpu->initialize(&X, nullptr, 9);
  gpu->initialize(&X, nullptr, 9);
  gpu->to(backend::Device::cuda(0));
  Forward fc = cpu->forward(X, true), fg = gpu->forward(X, true);
  CHECK(max_diff(fc.Y.data, fg.Y.data.to(backend::Device::cpu())) < 1e-3);
  Rng rng(4);
  std::vector<float> d(static_cast<std::size_t>(fc.Y.data.numel()));
  for (float& v : d) v = rng.uniform(-1.f, 1.f);
  const Tensor dY = Tensor::from_vector(d, fc.Y.data.shape());
  fc.backprop(dY);
  fg.backprop(dY.to(backend::Device::cuda(0)));
  auto pc = named_params(*cpu), pg = named_params(*gpu);
  for (std::size_t i = 0; i < pc.size(); ++i) {
    INFO(pc[i].name);
    const Tensor g = pg[i].param->grad.to(backend::Device::cpu());
    const std::vector<float> ref = pc[i].param->grad.to_vector<float>();
    double scale = 1e-6;
    for (float v : ref) scale = std::max(scale, static_cast<double>(std::fabs(v)));
    CHECK(max_diff(pc[i].param->grad, g) <= 1e-3 * scale + 1e-4);
  }
}

TEST_CASE("cuda: tok2vec with character features and a BiLSTM: forward and backward agree with the CPU" *
          doctest::skip(!backend::cuda_available())) {
  // 4 feature columns, then 4 character columns (code points), in sentences of 1 to 60 words.
  Rng rng(7);
  std::vector<std::int32_t> lengths{60, 1, 23, 0, 7, 41};
  std::int64_t n = 0;
  for (const std::int32_t l : lengths) n += l;
  std::vector<std::uint64_t> keys(static_cast<std::size_t>(n * 8));
  for (std::int64_t i = 0; i < n; ++i)
    for (int c = 0; c < 8; ++c) keys[static_cast<std::size_t>(i * 8 + c)] = c < 4 ? rng.next() % 300 : 'a' + rng.next() % 300;
  const Ragged X{Tensor::from_vector(keys, Shape{n, 8}), Tensor::from_vector(lengths, Shape{static_cast<std::int64_t>(lengths.size())})};
  auto make = [] {
    Tok2VecConfig c;
    c.embed.width = 32;
    c.embed.chars = char_embed(8, 4, 400, 4);
    c.encode.depth = 1;
    c.sequence = bilstm({48, 2, 0.f});
    return tok2vec(c);
  };
  Model cpu = make(), gpu = make();
  cpu->initialize(&X, nullptr, 9);
  gpu->initialize(&X, nullptr, 9);
  gpu->to(backend::Device::cuda(0));
  Forward fc = cpu->forward(X, true), fg = gpu->forward(X, true);
  CHECK(max_diff(fc.Y.data, fg.Y.data.to(backend::Device::cpu())) < 1e-3);
  std::vector<float> d(static_cast<std::size_t>(fc.Y.data.numel()));
  for (float& v : d) v = rng.uniform(-1.f, 1.f);
  const Tensor dY = Tensor::from_vector(d, fc.Y.data.shape());
  fc.backprop(dY);
  fg.backprop(dY.to(backend::Device::cuda(0)));
  auto pc = named_params(*cpu), pg = named_params(*gpu);
  REQUIRE(pc.size() == pg.size());
  for (std::size_t i = 0; i < pc.size(); ++i) {
    INFO(pc[i].name);
    const Tensor g = pg[i].param->grad.to(backend::Device::cpu());
    const std::vector<float> ref = pc[i].param->grad.to_vector<float>();
    double scale = 1e-6;
    for (float v : ref) scale = std::max(scale, static_cast<double>(std::fabs(v)));
    CHECK(max_diff(pc[i].param->grad, g) <= 1e-3 * scale + 1e-4);
  }
}
