// Softmax, log-softmax, softmax cross-entropy and dropout: references, gradients, determinism, and
// CPU/CUDA agreement (dropout masks must be bit-identical across devices).
#include <doctest/doctest.h>

#include <cmath>

#include "op_harness.hpp"
#include "op_test_util.hpp"

using namespace weft::test;

TEST_CASE("backend: softmax and log-softmax") {
  Tensor x = random_tensor({4, 6}, 141, -3.f, 3.f);
  x.data<float>()[0] = 80.f;  // large logits must not overflow
  OpCase c;
  c.in = {x};
  c.out = {random_tensor({4, 6}, 142), random_tensor({4, 6}, 143)};
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.softmax(a.in[0], a.out[0]);
    ops.log_softmax(a.in[0], a.out[1]);
    return 0.0;
  });
  const std::vector<float> xv = values(x), p = values(r.out[0]), lp = values(r.out[1]);
  for (std::size_t i = 0; i < 4; ++i) {
    double mx = xv[i * 6], z = 0, total = 0;
    for (std::size_t j = 0; j < 6; ++j) mx = std::max(mx, static_cast<double>(xv[i * 6 + j]));
    for (std::size_t j = 0; j < 6; ++j) z += std::exp(xv[i * 6 + j] - mx);
    for (std::size_t j = 0; j < 6; ++j) {
      CHECK(p[i * 6 + j] == doctest::Approx(std::exp(xv[i * 6 + j] - mx) / z));
      CHECK(lp[i * 6 + j] == doctest::Approx(xv[i * 6 + j] - mx - std::log(z)));
      total += p[i * 6 + j];
    }
    CHECK(total == doctest::Approx(1.0));
  }
}

TEST_CASE("backend: softmax cross-entropy loss and gradient") {
  const Tensor logits = random_tensor({5, 4}, 151, -2.f, 2.f);
  const Tensor labels = Tensor::from_vector(std::vector<std::int32_t>{2, -1, 0, 3, 3}, {5});
  OpCase c;
  c.in = {logits, labels};
  c.out = {random_tensor({5, 4}, 152)};
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    return ops.softmax_cross_entropy(a.in[0], a.in[1], 0.5f, a.out[0]);
  });
  const std::vector<float> xv = values(logits), d = values(r.out[0]);
  const std::vector<std::int32_t> lv = labels.to_vector<std::int32_t>();
  double loss = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    double z = 0;
    for (std::size_t j = 0; j < 4; ++j) z += std::exp(static_cast<double>(xv[i * 4 + j]));
    for (std::size_t j = 0; j < 4; ++j) {
      const double want = lv[i] < 0 ? 0.0 : 0.5 * (std::exp(xv[i * 4 + j]) / z - (static_cast<int>(j) == lv[i] ? 1 : 0));
      CHECK(d[i * 4 + j] == doctest::Approx(want));
    }
    if (lv[i] >= 0) loss -= xv[i * 4 + static_cast<std::size_t>(lv[i])] - std::log(z);
  }
  CHECK(r.value == doctest::Approx(loss));

  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor xg = logits.clone(), scratch = Tensor::empty({5, 4}, DType::F32), dx = Tensor::empty({5, 4}, DType::F32);
  ops.softmax_cross_entropy(xg, labels, 1.f, dx);
  check_gradient(xg, values(dx), [&] { return ops.softmax_cross_entropy(xg, labels, 1.f, scratch); }, 1e-2, 1e-2);

  const Tensor bad = Tensor::from_vector(std::vector<std::int32_t>{0, 4, 0, 0, 0}, {5});
  CHECK_THROWS_WITH_AS(ops.softmax_cross_entropy(logits, bad, 1.f, dx), doctest::Contains("label 4 outside 4 classes"), weft::ValueError);
}

TEST_CASE("backend: dropout masks are seeded, scaled and identical across devices") {
  const Tensor x = random_tensor({64, 50}, 161);
  OpCase c;
  c.in = {x};
  c.out = {random_tensor({64, 50}, 162), random_tensor({64, 50}, 163), random_tensor({64, 50}, 164),
           random_tensor({64, 50}, 165)};
  c.rtol = c.atol = 0;  // masks must be bit-identical on every device
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.dropout(a.in[0], 0.25f, 1234, a.out[0], a.out[1]);
    ops.dropout(a.in[0], 0.25f, 1235, a.out[2], a.out[3]);
    return 0.0;
  });
  const std::vector<float> xv = values(x), y = values(r.out[0]), mask = values(r.out[1]), mask2 = values(r.out[3]);
  std::size_t dropped = 0, differ = 0;
  for (std::size_t i = 0; i < xv.size(); ++i) {
    CHECK((mask[i] == 0.f || mask[i] == 1.f / 0.75f));
    CHECK(y[i] == xv[i] * mask[i]);
    dropped += mask[i] == 0.f;
    differ += mask[i] != mask2[i];
  }
  CHECK(dropped > 700);  // 25% of 3200 = 800
  CHECK(dropped < 900);
  CHECK(differ > 0);     // another seed, another mask

  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor y2 = Tensor::empty({64, 50}, DType::F32), m2 = Tensor::empty({64, 50}, DType::F32);
  ops.dropout(x, 0.25f, 1234, y2, m2);
  CHECK(values(m2) == mask);  // the same seed gives the same mask
  ops.dropout(x, 0.f, 99, y2, m2);
  CHECK(values(y2) == xv);
  CHECK_THROWS_AS(ops.dropout(x, 1.f, 1, y2, m2), weft::ValueError);
  CHECK_THROWS_AS(ops.dropout(x, -0.1f, 1, y2, m2), weft::ValueError);
}
