// The ragged product behind the biaffine parser's per-sentence score matrices: the blocks against a
// naive reference, the gradient against finite differences, every device against the CPU (harness),
// and the argument checks.
#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "op_harness.hpp"
#include "op_test_util.hpp"
#include "weft/error.hpp"

using namespace weft::test;

namespace {

Tensor lengths_tensor(const std::vector<std::int32_t>& v) { return Tensor::from_vector(v, {static_cast<std::int64_t>(v.size())}); }

std::int64_t blocks_of(const std::vector<std::int32_t>& lengths) {
  std::int64_t total = 0;
  for (const std::int32_t n : lengths) total += static_cast<std::int64_t>(n) * n;
  return total;
}

}  // namespace

TEST_CASE("backend: ragged_gemm_nt writes each sequence's block a_s b_s^T back to back") {
  const std::vector<std::int32_t> lengths{3, 0, 1, 4};
  const std::int64_t n = 8, d = 5;
  const Tensor a = random_tensor({n, d}, 201), b = random_tensor({n, d}, 202);
  OpCase c;
  c.in = {a, b, random_tensor({blocks_of(lengths)}, 203)};
  c.host = {lengths_tensor(lengths)};
  c.out = {random_tensor({blocks_of(lengths)}, 204), random_tensor({n, d}, 205), random_tensor({n, d}, 206)};
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& x) {
    ops.ragged_gemm_nt(x.in[0], x.in[1], x.host[0], x.out[0]);
    ops.backprop_ragged_gemm_nt(x.in[2], x.in[0], x.in[1], x.host[0], x.out[1], x.out[2]);
    return 0.0;
  });
  const std::vector<float> av = values(a), bv = values(b), out = values(r.out[0]), dout = values(c.in[2]);
  const std::vector<float> da = values(r.out[1]), db = values(r.out[2]);
  std::int64_t row = 0, at = 0;
  for (const std::int32_t len : lengths) {
    for (std::int64_t i = 0; i < len; ++i)
      for (std::int64_t j = 0; j < len; ++j) {
        double want = 0.0;
        for (std::int64_t k = 0; k < d; ++k) want += av[static_cast<std::size_t>((row + i) * d + k)] * bv[static_cast<std::size_t>((row + j) * d + k)];
        CHECK(out[static_cast<std::size_t>(at + i * len + j)] == doctest::Approx(want).epsilon(1e-5));
      }
    // da_s = dout_s b_s, db_s = dout_s^T a_s: nothing crosses into another sequence.
    for (std::int64_t i = 0; i < len; ++i)
      for (std::int64_t k = 0; k < d; ++k) {
        double want_a = 0.0, want_b = 0.0;
        for (std::int64_t m = 0; m < len; ++m) {
          want_a += dout[static_cast<std::size_t>(at + i * len + m)] * bv[static_cast<std::size_t>((row + m) * d + k)];
          want_b += dout[static_cast<std::size_t>(at + m * len + i)] * av[static_cast<std::size_t>((row + m) * d + k)];
        }
        CHECK(da[static_cast<std::size_t>((row + i) * d + k)] == doctest::Approx(want_a).epsilon(1e-5));
        CHECK(db[static_cast<std::size_t>((row + i) * d + k)] == doctest::Approx(want_b).epsilon(1e-5));
      }
    row += len;
    at += static_cast<std::int64_t>(len) * len;
  }
}

TEST_CASE("backend: ragged_gemm_nt gradient matches finite differences") {
  Ops& ops = weft::backend::ops(Device::cpu());
  const std::vector<std::int32_t> lengths{2, 3, 1};
  Tensor a = random_tensor({6, 4}, 211), b = random_tensor({6, 4}, 212);
  const Tensor lengths_t = lengths_tensor(lengths);
  const Tensor proj = random_tensor({blocks_of(lengths)}, 213);
  Tensor y = Tensor::empty({blocks_of(lengths)}, DType::F32);
  Tensor da = Tensor::empty({6, 4}, DType::F32), db = Tensor::empty({6, 4}, DType::F32);
  auto loss = [&] {
    ops.ragged_gemm_nt(a, b, lengths_t, y);
    return project(y, proj);
  };
  ops.backprop_ragged_gemm_nt(proj, a, b, lengths_t, da, db);
  check_gradient(a, values(da), loss);
  check_gradient(b, values(db), loss);
}

TEST_CASE("backend: ragged_gemm_nt argument errors") {
  Ops& ops = weft::backend::ops(Device::cpu());
  const Tensor a = random_tensor({5, 3}, 221), b = random_tensor({5, 3}, 222);
  Tensor out = Tensor::empty({13}, DType::F32);  // 3^2 + 2^2
  const Tensor ok = lengths_tensor({3, 2});
  ops.ragged_gemm_nt(a, b, ok, out);
  CHECK_THROWS_WITH_AS(ops.ragged_gemm_nt(a, b, lengths_tensor({3, 3}), out), doctest::Contains("sum to 6 but a has 5 rows"),
                       weft::ValueError);
  CHECK_THROWS_WITH_AS(ops.ragged_gemm_nt(a, b, lengths_tensor({6, -1}), out), doctest::Contains("negative sequence length"),
                       weft::ValueError);
  Tensor small = Tensor::empty({12}, DType::F32);
  CHECK_THROWS_WITH_AS(ops.ragged_gemm_nt(a, b, ok, small), doctest::Contains("ragged_gemm_nt: tensor out has 12 elements, expected 13"),
                       weft::ValueError);
  CHECK_THROWS_WITH_AS(ops.ragged_gemm_nt(a, random_tensor({5, 4}, 223), ok, out), doctest::Contains("tensor b has shape"),
                       weft::ValueError);
  CHECK_THROWS_WITH_AS(ops.ragged_gemm_nt(a, b, Tensor::from_vector(std::vector<float>{3, 2}, {2}), out),
                       doctest::Contains("lengths"), weft::ValueError);
  Tensor da = Tensor::empty({5, 3}, DType::F32), bad = Tensor::empty({4, 3}, DType::F32);
  CHECK_THROWS_WITH_AS(ops.backprop_ragged_gemm_nt(out, a, b, ok, da, bad), doctest::Contains("backprop_ragged_gemm_nt: tensor db"),
                       weft::ValueError);
}
