// Elementwise ops, reductions, cast and the Adam update against plain references, on every device.
#include <doctest/doctest.h>

#include <cmath>

#include "op_harness.hpp"
#include "op_test_util.hpp"

using namespace weft::test;

TEST_CASE("backend: elementwise ops") {
  const Tensor a = random_tensor({5, 7}, 1), b = random_tensor({5, 7}, 2);
  const std::vector<float> av = values(a), bv = values(b);
  OpCase c;
  c.in = {a, b};
  c.out = {random_tensor({5, 7}, 3), random_tensor({5, 7}, 4), random_tensor({5, 7}, 5), random_tensor({5, 7}, 6),
           random_tensor({5, 7}, 7), random_tensor({5, 7}, 8), random_tensor({35}, 9)};
  const std::vector<float> y0 = values(c.out[2]), s0 = values(c.out[3]);
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& x) {
    ops.add(x.in[0], x.in[1], x.out[0]);
    ops.mul(x.in[0], x.in[1], x.out[1]);
    ops.axpy(-0.5f, x.in[0], x.out[2]);
    ops.scale(x.out[3], 3.f);
    ops.relu(x.in[0], x.out[4]);
    ops.backprop_relu(x.in[1], x.out[4], x.out[5]);
    ops.fill(x.out[6], 2.5f);
    return 0.0;
  });
  for (std::size_t i = 0; i < av.size(); ++i) {
    CHECK(values(r.out[0])[i] == doctest::Approx(av[i] + bv[i]));
    CHECK(values(r.out[1])[i] == doctest::Approx(av[i] * bv[i]));
    CHECK(values(r.out[2])[i] == doctest::Approx(y0[i] - 0.5f * av[i]));
    CHECK(values(r.out[3])[i] == doctest::Approx(3.f * s0[i]));
    CHECK(values(r.out[4])[i] == (av[i] > 0 ? av[i] : 0.f));
    CHECK(values(r.out[5])[i] == (av[i] > 0 ? bv[i] : 0.f));
    CHECK(values(r.out[6])[i] == 2.5f);
  }
}

TEST_CASE("backend: relu gradient matches finite differences") {
  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor x = random_tensor({3, 8}, 31);
  for (std::int64_t i = 0; i < x.numel(); ++i)  // keep away from the kink, where differences are meaningless
    if (std::fabs(x.data<float>()[i]) < 0.05f) x.data<float>()[i] = 0.3f;
  const Tensor r = random_tensor({3, 8}, 32);
  Tensor y = Tensor::empty({3, 8}, DType::F32), dx = Tensor::empty({3, 8}, DType::F32);
  auto loss = [&] {
    ops.relu(x, y);
    return project(y, r);
  };
  loss();
  ops.backprop_relu(r, y, dx);
  check_gradient(x, values(dx), loss, 1e-2);
}

TEST_CASE("backend: reductions") {
  const Tensor x = random_tensor({6, 4}, 41);
  std::vector<float> xv = values(x);
  OpCase c;
  c.in = {x};
  c.out = {random_tensor({4}, 42), random_tensor({4}, 43), Tensor::zeros({6}, DType::I32)};
  const std::vector<float> acc0 = values(c.out[1]);
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.sum_rows(a.in[0], a.out[0], false);
    ops.sum_rows(a.in[0], a.out[1], true);
    ops.argmax_rows(a.in[0], a.out[2]);
    return ops.sum_squares(a.in[0]);
  });
  double sq = 0;
  for (float v : xv) sq += static_cast<double>(v) * v;
  CHECK(r.value == doctest::Approx(sq));
  for (std::size_t j = 0; j < 4; ++j) {
    float s = 0;
    for (std::size_t i = 0; i < 6; ++i) s += xv[i * 4 + j];
    CHECK(values(r.out[0])[j] == doctest::Approx(s));
    CHECK(values(r.out[1])[j] == doctest::Approx(s + acc0[j]));
  }
  const std::vector<std::int32_t> am = r.out[2].to_vector<std::int32_t>();
  for (std::size_t i = 0; i < 6; ++i) {
    std::size_t best = 0;
    for (std::size_t j = 1; j < 4; ++j)
      if (xv[i * 4 + j] > xv[i * 4 + best]) best = j;
    CHECK(am[i] == static_cast<std::int32_t>(best));
  }
  // Ties pick the first index.
  Tensor tie = Tensor::from_vector(std::vector<float>{1, 3, 3, 0}, {1, 4});
  Tensor out = Tensor::zeros({1}, DType::I32);
  weft::backend::ops(Device::cpu()).argmax_rows(tie, out);
  CHECK(out.to_vector<std::int32_t>()[0] == 1);
}

TEST_CASE("backend: argmax_segments decides each head of a row apart, and checks its bounds") {
  const Tensor x = Tensor::from_vector(std::vector<float>{1, 5, 2, 7, 7, 0, 4,  //
                                                          9, 0, 3, 3, 1, 8, 8},
                                       {2, 7});
  Tensor out = Tensor::zeros({2, 3}, DType::I32);
  Ops& ops = weft::backend::ops(Device::cpu());
  const std::vector<std::int64_t> bounds{0, 2, 5, 7};
  ops.argmax_segments(x, bounds, out);
  CHECK(out.to_vector<std::int32_t>() == std::vector<std::int32_t>{1, 1, 1, 0, 0, 0});
  // It agrees with argmax_rows over one segment covering the row.
  Tensor one = Tensor::zeros({2, 1}, DType::I32), rows = Tensor::zeros({2}, DType::I32);
  ops.argmax_segments(x, std::vector<std::int64_t>{0, 7}, one);
  ops.argmax_rows(x, rows);
  CHECK(one.to_vector<std::int32_t>() == rows.to_vector<std::int32_t>());
  const auto bad = [&](std::vector<std::int64_t> b, Tensor& o) { ops.argmax_segments(x, b, o); };
  CHECK_THROWS_WITH_AS(bad({0, 3, 3, 7}, out), doctest::Contains("bounds must increase"), weft::ValueError);
  CHECK_THROWS_WITH_AS(bad({1, 3, 5, 7}, out), doctest::Contains("start at column 0"), weft::ValueError);
  CHECK_THROWS_WITH_AS(bad({0, 3, 5, 8}, out), doctest::Contains("bounds end at column 8"), weft::ValueError);
  CHECK_THROWS_AS(bad({0, 7}, out), weft::ValueError);  // out has 6 elements, not 2
  CHECK_THROWS_AS(bad({0}, out), weft::ValueError);
}

TEST_CASE("backend: cast between f32 and f16") {
  const Tensor x = random_tensor({3, 5}, 51, -100.f, 100.f);
  OpCase c;
  c.in = {x};
  c.out = {Tensor::zeros({3, 5}, DType::F16), Tensor::zeros({15}, DType::F32)};
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.cast(a.in[0], a.out[0]);
    ops.cast(a.out[0], a.out[1]);
    return 0.0;
  });
  const auto* h = static_cast<const std::uint16_t*>(r.out[0].raw());
  const std::vector<float> xv = values(x), back = values(r.out[1]);
  for (std::size_t i = 0; i < xv.size(); ++i) {
    CHECK(h[i] == weft::backend::float_to_half(xv[i]));
    CHECK(back[i] == weft::backend::half_to_float(h[i]));
    CHECK(back[i] == doctest::Approx(xv[i]).epsilon(1e-3));
  }
}

TEST_CASE("backend: adam update matches the reference formula") {
  weft::backend::AdamStep step;
  step.lr = 0.01f;
  step.lr_unscaled = 0.02f;
  step.weight_decay = 0.1f;
  step.l2 = 0.001f;
  step.grad_scale = 0.5f;
  OpCase c;
  c.in = {random_tensor({40}, 61)};
  c.out = {random_tensor({40}, 62), random_tensor({40}, 63), random_tensor({40}, 64, 0.f, 1.f)};
  const std::vector<float> g = values(c.in[0]), p0 = values(c.out[0]), m0 = values(c.out[1]), v0 = values(c.out[2]);
  const OpResult r = check_op_on_all_devices(c, [&](Ops& ops, OpArgs& a) {
    ops.adam_update(a.out[0], a.in[0], a.out[1], a.out[2], step);
    return 0.0;
  });
  for (std::size_t i = 0; i < g.size(); ++i) {
    const double gi = g[i] * 0.5 + 0.001 * p0[i];
    const double m = 0.9 * m0[i] + 0.1 * gi;
    const double v = 0.999 * v0[i] + 0.001 * gi * gi;
    const double p = p0[i] - 0.01 * m / (std::sqrt(v) + 1e-8) - 0.02 * 0.1 * p0[i];
    CHECK(values(r.out[1])[i] == doctest::Approx(m).epsilon(1e-5));
    CHECK(values(r.out[2])[i] == doctest::Approx(v).epsilon(1e-5));
    CHECK(values(r.out[0])[i] == doctest::Approx(p).epsilon(1e-5));
  }
}

TEST_CASE("backend: elementwise argument errors") {
  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor a = Tensor::zeros({4}, DType::F32), b = Tensor::zeros({5}, DType::F32), i = Tensor::zeros({4}, DType::I32);
  CHECK_THROWS_WITH_AS(ops.add(a, b, a), doctest::Contains("add: tensor b has 5 elements"), weft::ValueError);
  CHECK_THROWS_AS(ops.relu(a, i), weft::ValueError);
  CHECK_THROWS_AS(ops.axpy(1.f, a, b), weft::ValueError);
  CHECK_THROWS_AS(ops.cast(i, a), weft::ValueError);
  weft::backend::AdamStep step;
  CHECK_THROWS_AS(ops.adam_update(a, a, a, b, step), weft::ValueError);
  CHECK_THROWS_AS(ops.argmax_rows(Tensor::zeros({2, 3}, DType::F32), a), weft::ValueError);
}
