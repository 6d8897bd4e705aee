// seq2col, maxout and layer norm: forward against references, backward against finite differences,
// every device against the CPU.
#include <doctest/doctest.h>

#include <cmath>

#include "op_harness.hpp"
#include "op_test_util.hpp"

using namespace weft::test;

TEST_CASE("backend: seq2col respects document boundaries") {
  // Documents of 3, 0, 1 and 2 tokens, width 2, window 1: row i = [x[i-1], x[i], x[i+1]] within its document.
  const Tensor x = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {6, 2});
  const Tensor lengths = Tensor::from_vector(std::vector<std::int32_t>{3, 0, 1, 2}, {4});
  OpCase c;
  c.in = {x, random_tensor({6, 6}, 91)};
  c.host = {lengths};
  c.out = {random_tensor({6, 6}, 92), random_tensor({6, 2}, 93)};
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.seq2col(a.in[0], 1, a.host[0], a.out[0]);
    ops.backprop_seq2col(a.in[1], 1, a.host[0], a.out[1]);
    return 0.0;
  });
  const std::vector<float> want{0, 0, 1, 2, 3, 4,  1, 2, 3, 4, 5, 6,  3, 4, 5, 6, 0, 0,
                                0, 0, 7, 8, 0, 0,  0, 0, 9, 10, 11, 12,  9, 10, 11, 12, 0, 0};
  CHECK(values(r.out[0]) == want);
  // backprop: dx[j] sums the blocks that copied x[j].
  const std::vector<float> dy = values(c.in[1]), dx = values(r.out[1]);
  auto at = [&](int i, int block, int k) { return dy[static_cast<std::size_t>(i * 6 + block * 2 + k)]; };
  for (int k = 0; k < 2; ++k) {
    CHECK(dx[static_cast<std::size_t>(0 * 2 + k)] == doctest::Approx(at(0, 1, k) + at(1, 0, k)));
    CHECK(dx[static_cast<std::size_t>(1 * 2 + k)] == doctest::Approx(at(0, 2, k) + at(1, 1, k) + at(2, 0, k)));
    CHECK(dx[static_cast<std::size_t>(2 * 2 + k)] == doctest::Approx(at(1, 2, k) + at(2, 1, k)));
    CHECK(dx[static_cast<std::size_t>(3 * 2 + k)] == doctest::Approx(at(3, 1, k)));
    CHECK(dx[static_cast<std::size_t>(4 * 2 + k)] == doctest::Approx(at(4, 1, k) + at(5, 0, k)));
    CHECK(dx[static_cast<std::size_t>(5 * 2 + k)] == doctest::Approx(at(4, 2, k) + at(5, 1, k)));
  }
}

TEST_CASE("backend: seq2col gradient matches finite differences (window 2)") {
  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor x = random_tensor({7, 3}, 101);
  const Tensor lengths = Tensor::from_vector(std::vector<std::int32_t>{4, 3}, {2});
  const Tensor r = random_tensor({7, 15}, 102);
  Tensor y = Tensor::empty({7, 15}, DType::F32), dx = Tensor::empty({7, 3}, DType::F32);
  auto loss = [&] {
    ops.seq2col(x, 2, lengths, y);
    return project(y, r);
  };
  ops.backprop_seq2col(r, 2, lengths, dx);
  check_gradient(x, values(dx), loss);
}

TEST_CASE("backend: maxout forward, backward and gradient") {
  const Tensor x = random_tensor({5, 12}, 111);  // 4 units of 3 pieces
  OpCase c;
  c.in = {x, random_tensor({5, 4}, 112)};
  c.out = {random_tensor({5, 4}, 113), Tensor::zeros({5, 4}, DType::U8), random_tensor({5, 12}, 114)};
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.maxout(a.in[0], 3, a.out[0], a.out[1]);
    ops.backprop_maxout(a.in[1], a.out[1], 3, a.out[2]);
    return 0.0;
  });
  const std::vector<float> xv = values(x), y = values(r.out[0]), dy = values(c.in[1]), dx = values(r.out[2]);
  const std::vector<std::uint8_t> which = r.out[1].to_vector<std::uint8_t>();
  for (std::size_t u = 0; u < 20; ++u) {
    std::size_t best = 0;
    for (std::size_t p = 1; p < 3; ++p)
      if (xv[u * 3 + p] > xv[u * 3 + best]) best = p;
    CHECK(which[u] == best);
    CHECK(y[u] == xv[u * 3 + best]);
    for (std::size_t p = 0; p < 3; ++p) CHECK(dx[u * 3 + p] == (p == best ? dy[u] : 0.f));
  }

  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor xg = random_tensor({3, 6}, 115);
  const Tensor proj = random_tensor({3, 2}, 116);
  Tensor yg = Tensor::empty({3, 2}, DType::F32), wg = Tensor::empty({3, 2}, DType::U8), dxg = Tensor::empty({3, 6}, DType::F32);
  auto loss = [&] {
    ops.maxout(xg, 3, yg, wg);
    return project(yg, proj);
  };
  loss();
  ops.backprop_maxout(proj, wg, 3, dxg);
  check_gradient(xg, values(dxg), loss, 1e-3);
}

TEST_CASE("backend: maxout's fixed-piece CPU paths match the reference, ties and tails included") {
  Ops& ops = weft::backend::ops(Device::cpu());
  for (int pieces = 2; pieces <= 5; ++pieces) {
    const std::size_t units = 8 * 4 + 5;  // vector blocks and a tail
    std::vector<float> xv = values(random_tensor({static_cast<std::int64_t>(units), pieces}, 140 + static_cast<std::uint32_t>(pieces)));
    for (std::size_t u = 0; u < units; u += 3) xv[u * static_cast<std::size_t>(pieces) + 1] = xv[u * static_cast<std::size_t>(pieces)];  // ties
    for (std::size_t u = 1; u < units; u += 4)
      for (int p = 0; p < pieces; ++p) xv[u * static_cast<std::size_t>(pieces) + static_cast<std::size_t>(p)] = 0.25f;
    const Tensor x = Tensor::from_vector(xv, {static_cast<std::int64_t>(units), pieces});
    Tensor y = Tensor::zeros({static_cast<std::int64_t>(units), 1}, DType::F32);
    Tensor which = Tensor::zeros({static_cast<std::int64_t>(units), 1}, DType::U8);
    ops.maxout(x, pieces, y, which);
    const Tensor dy = random_tensor({static_cast<std::int64_t>(units), 1}, 150);
    Tensor dx = random_tensor({static_cast<std::int64_t>(units), pieces}, 151);
    ops.backprop_maxout(dy, which, pieces, dx);
    const std::vector<float> yv = values(y), dyv = values(dy), dxv = values(dx);
    const std::vector<std::uint8_t> w = which.to_vector<std::uint8_t>();
    for (std::size_t u = 0; u < units; ++u) {
      std::size_t best = 0;
      for (std::size_t p = 1; p < static_cast<std::size_t>(pieces); ++p)
        if (xv[u * static_cast<std::size_t>(pieces) + p] > xv[u * static_cast<std::size_t>(pieces) + best]) best = p;
      CHECK(w[u] == best);
      CHECK(yv[u] == xv[u * static_cast<std::size_t>(pieces) + best]);
      for (std::size_t p = 0; p < static_cast<std::size_t>(pieces); ++p)
        CHECK(dxv[u * static_cast<std::size_t>(pieces) + p] == (p == best ? dyv[u] : 0.f));
    }
  }
}

TEST_CASE("backend: layer norm forward and gradients") {
  const Tensor x = random_tensor({4, 9}, 121, -2.f, 3.f);
  const Tensor gamma = random_tensor({9}, 122, 0.5f, 1.5f), beta = random_tensor({9}, 123);
  OpCase c;
  c.in = {x, gamma, beta, random_tensor({4, 9}, 124)};
  c.out = {random_tensor({4, 9}, 125), random_tensor({4}, 126), random_tensor({4}, 127), random_tensor({4, 9}, 128),
           random_tensor({9}, 129), random_tensor({9}, 130)};
  c.rtol = c.atol = 1e-4;
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.layer_norm(a.in[0], a.in[1], a.in[2], 1e-5f, a.out[0], a.out[1], a.out[2]);
    ops.backprop_layer_norm(a.in[3], a.in[0], a.in[1], a.out[1], a.out[2], a.out[3], a.out[4], a.out[5]);
    return 0.0;
  });
  const std::vector<float> xv = values(x), g = values(gamma), b = values(beta), y = values(r.out[0]);
  for (std::size_t i = 0; i < 4; ++i) {
    double mu = 0, var = 0;
    for (std::size_t j = 0; j < 9; ++j) mu += xv[i * 9 + j] / 9.0;
    for (std::size_t j = 0; j < 9; ++j) var += (xv[i * 9 + j] - mu) * (xv[i * 9 + j] - mu) / 9.0;
    CHECK(values(r.out[1])[i] == doctest::Approx(mu));
    CHECK(values(r.out[2])[i] == doctest::Approx(1 / std::sqrt(var + 1e-5)));
    for (std::size_t j = 0; j < 9; ++j)
      CHECK(y[i * 9 + j] == doctest::Approx((xv[i * 9 + j] - mu) / std::sqrt(var + 1e-5) * g[j] + b[j]).epsilon(1e-4));
  }

  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor xg = x.clone(), gg = gamma.clone(), bg = beta.clone();
  const Tensor proj = random_tensor({4, 9}, 131);
  Tensor yg = Tensor::empty({4, 9}, DType::F32), mean = Tensor::empty({4}, DType::F32), rstd = Tensor::empty({4}, DType::F32);
  auto loss = [&] {
    ops.layer_norm(xg, gg, bg, 1e-5f, yg, mean, rstd);
    return project(yg, proj);
  };
  loss();
  Tensor dx = Tensor::empty({4, 9}, DType::F32), dg = Tensor::zeros({9}, DType::F32), db = Tensor::zeros({9}, DType::F32);
  ops.backprop_layer_norm(proj, xg, gg, mean, rstd, dx, dg, db);
  check_gradient(xg, values(dx), loss, 1e-2, 3e-2);
  check_gradient(gg, values(dg), loss);
  check_gradient(bg, values(db), loss);
}

TEST_CASE("backend: window op argument errors") {
  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor x = Tensor::zeros({5, 2}, DType::F32), out = Tensor::zeros({5, 6}, DType::F32);
  Tensor short_lengths = Tensor::from_vector(std::vector<std::int32_t>{2, 2}, {2});
  CHECK_THROWS_WITH_AS(ops.seq2col(x, 1, short_lengths, out), doctest::Contains("sum to 4 but x has 5 rows"), weft::ValueError);
  Tensor lengths = Tensor::from_vector(std::vector<std::int32_t>{2, 3}, {2});
  CHECK_THROWS_AS(ops.seq2col(x, 2, lengths, out), weft::ValueError);   // out width must be 5 * 2
  CHECK_THROWS_AS(ops.seq2col(x, -1, lengths, out), weft::ValueError);
  Tensor negative = Tensor::from_vector(std::vector<std::int32_t>{6, -1}, {2});
  CHECK_THROWS_AS(ops.seq2col(x, 1, negative, out), weft::ValueError);
  ops.seq2col(x, 1, lengths, out);
  Tensor y = Tensor::zeros({5, 1}, DType::F32), which = Tensor::zeros({5, 1}, DType::U8);
  CHECK_THROWS_WITH_AS(ops.maxout(x, 3, y, which), doctest::Contains("not a multiple of 3"), weft::ValueError);
  CHECK_THROWS_AS(ops.maxout(x, 0, y, which), weft::ValueError);
  Tensor which_f = Tensor::zeros({5, 1}, DType::F32);
  CHECK_THROWS_AS(ops.maxout(x, 2, y, which_f), weft::ValueError);
  Tensor g = Tensor::zeros({3}, DType::F32), m = Tensor::zeros({5}, DType::F32);
  CHECK_THROWS_AS(ops.layer_norm(x, g, g, 1e-5f, x, m, m), weft::ValueError);
}
