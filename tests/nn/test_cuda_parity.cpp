// CUDA against CPU, op by op and for a whole tok2vec forward/backward built from the ops: every output
// must agree within f32 tolerance (integers exactly), no kernel may write outside its output (the
// harness's guard values), and CUDA must reject bad ids and labels as the CPU does. Each parity case is
// registered twice (PARITY_CASE): its CPU half runs everywhere, its CUDA half is reported skipped
// where no CUDA device is visible, as are the cases that need a device throughout.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "op_harness.hpp"
#include "op_test_util.hpp"
#include "weft/backend/scratch.hpp"

using namespace weft::test;
using weft::backend::AdamStep;

namespace {


Tensor random_keys(std::int64_t n, std::uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> v(static_cast<std::size_t>(n));
  for (auto& k : v) k = rng();
  return Tensor::from_vector(v, {n});
}

Tensor random_ids(const Shape& shape, std::int32_t rows, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<std::int32_t> dist(0, rows - 1);
  std::vector<std::int32_t> v(static_cast<std::size_t>(shape.numel()));
  for (auto& x : v) x = dist(rng);
  return Tensor::from_vector(v, shape);
}

Tensor i32(const std::vector<std::int32_t>& v) { return Tensor::from_vector(v, {static_cast<std::int64_t>(v.size())}); }

OpCase tolerant(double rtol, double atol) {
  OpCase c;
  c.rtol = rtol;
  c.atol = atol;
  return c;
}

Device cuda0() { return Device::cuda(0); }

}  // namespace

// A parity case: `body` runs as two test cases, "cpu half: NAME" (every op on the CPU alone, with the
// harness's guard checks; runs everywhere) and "cuda: NAME" (every op on every CUDA device compared
// with the CPU; skipped, and reported so, where no CUDA device is visible).
#define PARITY_CAT2(a, b) a##b
#define PARITY_CAT(a, b) PARITY_CAT2(a, b)
#define PARITY_CASE(name) PARITY_CASE_IMPL(name, PARITY_CAT(parity_case_, __LINE__))
#define PARITY_CASE_IMPL(name, fn)                                \
  static void fn();                                               \
  TEST_CASE("cpu half: " name) {                                  \
    const CpuOnly cpu_only;                                       \
    fn();                                                         \
  }                                                               \
  TEST_CASE("cuda: " name * doctest::skip(no_cuda_device())) { fn(); } \
  static void fn()

PARITY_CASE("gemm, every transpose, alpha, beta and bias") {
  struct Dims { std::int64_t m, n, k; };
  for (const Dims d : {Dims{1, 1, 1}, Dims{7, 5, 3}, Dims{64, 96, 288}, Dims{257, 129, 65}, Dims{3, 4, 0}, Dims{0, 4, 3}})
    for (int t = 0; t < 4; ++t) {
      const bool ta = t & 1, tb = t & 2;
      for (const bool with_bias : {false, true})
        for (const float beta : {0.f, 1.f, 0.5f}) {
          CAPTURE(d.m); CAPTURE(d.n); CAPTURE(d.k); CAPTURE(ta); CAPTURE(tb); CAPTURE(with_bias); CAPTURE(beta);
          OpCase c = tolerant(1e-4, 1e-4);
          const auto seed = static_cast<std::uint32_t>(d.m * 31 + d.n * 7 + d.k + t);
          c.in = {random_tensor(ta ? Shape{d.k, d.m} : Shape{d.m, d.k}, seed),
                  random_tensor(tb ? Shape{d.n, d.k} : Shape{d.k, d.n}, seed + 1), random_tensor({d.n}, seed + 2)};
          c.out = {random_tensor({d.m, d.n}, seed + 3)};
          check_op_on_all_devices(c, [&](Ops& ops, OpArgs& a) {
            ops.gemm(a.in[0], ta, a.in[1], tb, a.out[0], 0.75f, beta, with_bias ? &a.in[2] : nullptr);
            return 0.0;
          });
        }
    }
}

PARITY_CASE("fill, axpy and scale") {
  for (const std::int64_t n : {std::int64_t{0}, std::int64_t{1}, std::int64_t{1000}, std::int64_t{300001}}) {
    CAPTURE(n);
    OpCase c;
    c.in = {random_tensor({n}, 1)};
    c.out = {random_tensor({n}, 2), random_tensor({n}, 3), random_tensor({n}, 4)};
    check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
      ops.fill(a.out[0], 2.5f);
      ops.axpy(-0.3f, a.in[0], a.out[1]);
      ops.scale(a.out[2], 1.7f);
      return 0.0;
    });
  }
}

PARITY_CASE("add and mul, also in place") {
  OpCase c;
  c.in = {random_tensor({33, 17}, 5), random_tensor({561}, 6)};
  c.out = {random_tensor({33, 17}, 7), random_tensor({33, 17}, 8), random_tensor({561}, 9)};
  check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.add(a.in[0], a.in[1], a.out[0]);
    ops.mul(a.in[0], a.in[1], a.out[1]);
    ops.mul(a.out[2], a.in[1], a.out[2]);  // out aliases an input
    ops.add(a.out[2], a.in[0], a.out[2]);
    return 0.0;
  });
}

PARITY_CASE("relu and its gradient") {
  OpCase c;
  c.in = {random_tensor({100, 31}, 10), random_tensor({100, 31}, 11)};
  c.out = {random_tensor({100, 31}, 12), random_tensor({100, 31}, 13), random_tensor({100, 31}, 14)};
  check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.relu(a.in[0], a.out[0]);
    ops.backprop_relu(a.in[1], a.out[0], a.out[1]);
    ops.relu(a.out[2], a.out[2]);  // in place
    return 0.0;
  });
}

TEST_CASE("parity harness: equal infinities are close, so the f16 cast's overflows compare (regression)") {
  // The first run on a GPU failed "cuda: cast f32 <-> f16" with "-inf vs -inf": the tolerance check
  // computed inf - inf = NaN. Runs without a GPU.
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(detail::close(inf, inf, 1e-5, 1e-6));
  CHECK(detail::close(-inf, -inf, 1e-5, 1e-6));
  CHECK_FALSE(detail::close(inf, -inf, 1e-5, 1e-6));
  CHECK_FALSE(detail::close(inf, 65504.0, 1e-5, 1e-6));
  CHECK_FALSE(detail::close(1.0, std::nan(""), 1e-5, 1e-6));
  CHECK(detail::close(1.0, 1.0 + 1e-7, 1e-5, 1e-6));
}

PARITY_CASE("cast f32 <-> f16") {
  OpCase c;
  Tensor x = random_tensor({1000}, 15, -70000.f, 70000.f);  // beyond f16's range: infinities must agree
  x.data<float>()[0] = 1e-8f;                                 // subnormal in f16
  x.data<float>()[1] = 0.f;
  c.in = {x, random_tensor({1000}, 16, -4.f, 4.f)};
  c.out = {Tensor::zeros({1000}, DType::F16), Tensor::zeros({1000}, DType::F32), Tensor::zeros({1000}, DType::F32)};
  check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.cast(a.in[0], a.out[0]);
    Tensor half = Tensor::empty({1000}, DType::F16, ops.device());
    ops.cast(a.in[1], half);
    ops.cast(half, a.out[1]);
    ops.cast(a.in[1], a.out[2]);  // same dtype: a copy
    return 0.0;
  });
}

PARITY_CASE("sum_rows, overwriting and accumulating") {
  for (const std::int64_t n : {std::int64_t{0}, std::int64_t{1}, std::int64_t{45}, std::int64_t{5000}, std::int64_t{100000}})
    for (const std::int64_t w : {std::int64_t{1}, std::int64_t{96}, std::int64_t{300}}) {
      CAPTURE(n); CAPTURE(w);
      // The CPU adds 100k rows one by one in f32; its rounding error, not CUDA's, sets the tolerance.
      OpCase c = tolerant(1e-3, 1e-2);
      c.in = {random_tensor({n, w}, 17)};
      c.out = {random_tensor({w}, 18), random_tensor({w}, 19)};
      check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
        ops.sum_rows(a.in[0], a.out[0], false);
        ops.sum_rows(a.in[0], a.out[1], true);
        return 0.0;
      });
    }
}

PARITY_CASE("sum_squares") {
  for (const std::int64_t n : {std::int64_t{0}, std::int64_t{3}, std::int64_t{12345}, std::int64_t{3000000}}) {
    CAPTURE(n);
    OpCase c = tolerant(1e-9, 1e-9);
    c.in = {random_tensor({n}, 20)};
    check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) { return ops.sum_squares(a.in[0]); });
  }
}

PARITY_CASE("argmax_rows, ties keep the first index") {
  Tensor x = random_tensor({300, 70}, 21);
  float* p = x.data<float>();
  for (std::int64_t i = 0; i < 300; i += 3) p[i * 70 + 5] = p[i * 70 + 40] = p[i * 70 + 69] = 5.f;  // ties across lanes
  OpCase c;
  c.in = {x, random_tensor({9, 1}, 22)};
  c.out = {Tensor::zeros({300}, DType::I32), Tensor::zeros({9}, DType::I32)};
  const OpResult r = check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.argmax_rows(a.in[0], a.out[0]);
    ops.argmax_rows(a.in[1], a.out[1]);
    return 0.0;
  });
  CHECK(r.out[0].to_vector<std::int32_t>()[0] == 5);
}

PARITY_CASE("argmax_segments: heads side by side, ties keep the first index in each") {
  // Segments of 1, 17, 40 and 3 columns (a narrow one, one wider than a warp), and a trailing column
  // no segment reads.
  const std::vector<std::int64_t> bounds{0, 1, 18, 58, 61};
  Tensor x = random_tensor({500, 62}, 23);
  float* p = x.data<float>();
  for (std::int64_t i = 0; i < 500; i += 2) p[i * 62 + 20] = p[i * 62 + 52] = 9.f;  // a tie across lanes in segment 2
  OpCase c;
  c.in = {x};
  c.out = {Tensor::zeros({500, 4}, DType::I32)};
  const OpResult r = check_op_on_all_devices(c, [&](Ops& ops, OpArgs& a) {
    ops.argmax_segments(a.in[0], bounds, a.out[0]);
    return 0.0;
  });
  const std::vector<std::int32_t> out = r.out[0].to_vector<std::int32_t>();
  CHECK(out[0] == 0);           // a one-column segment
  CHECK(out[2] == 20 - 18);     // the first of the tied columns, relative to the segment
}

PARITY_CASE("hash_rows matches the CPU exactly") {
  for (const std::int64_t rows : {std::int64_t{1}, std::int64_t{5000}, std::int64_t{2147483647}}) {
    CAPTURE(rows);
    OpCase c;
    c.in = {random_keys(10007, 23)};
    c.out = {Tensor::zeros({10007, 4}, DType::I32), Tensor::zeros({10007, 1}, DType::I32)};
    check_op_on_all_devices(c, [rows](Ops& ops, OpArgs& a) {
      ops.hash_rows(a.in[0], 0xfffffffeu, rows, a.out[0]);  // seed + s passes 2^32: 64-bit arithmetic
      ops.hash_rows(a.in[0], 17u, rows, a.out[1]);
      return 0.0;
    });
  }
}

PARITY_CASE("gather_sum_rows with one and several ids per row") {
  OpCase c;
  c.in = {random_tensor({1000, 96}, 24), random_ids({5000, 4}, 1000, 25), random_ids({5000}, 1000, 26)};
  c.out = {random_tensor({5000, 96}, 27), random_tensor({5000, 96}, 28)};
  check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.gather_sum_rows(a.in[0], a.in[1], a.out[0]);
    ops.gather_sum_rows(a.in[0], a.in[2], a.out[1]);
    return 0.0;
  });
}

PARITY_CASE("scatter_add_rows with repeated ids") {
  OpCase c = tolerant(1e-4, 1e-4);
  // 20000 contributions into 50 rows: heavy contention on the atomics.
  c.in = {random_ids({5000, 4}, 50, 29), random_tensor({5000, 64}, 30), random_ids({5000}, 7, 31)};
  c.out = {random_tensor({50, 64}, 32), random_tensor({7, 64}, 33)};
  check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
    ops.scatter_add_rows(a.out[0], a.in[0], a.in[1]);
    ops.scatter_add_rows(a.out[1], a.in[2], a.in[1]);
    return 0.0;
  });
}

TEST_CASE("cuda: ids outside the table throw ValueError and write nothing" * doctest::skip(no_cuda_device())) {
  Ops& ops = weft::backend::ops(cuda0());
  const Tensor table = random_tensor({10, 4}, 34).to(cuda0());
  Tensor grad_table = Tensor::zeros({10, 4}, DType::F32, cuda0());
  Tensor out = Tensor::zeros({3, 4}, DType::F32, cuda0());
  for (const std::vector<std::int32_t>& bad : {std::vector<std::int32_t>{1, 10, 2}, std::vector<std::int32_t>{-1, 0, 0}}) {
    const Tensor ids = i32(bad).to(cuda0());
    CHECK_THROWS_AS(ops.gather_sum_rows(table, ids, out), weft::ValueError);
    CHECK_THROWS_AS(ops.scatter_add_rows(grad_table, ids, out), weft::ValueError);
  }
  CHECK(ops.sum_squares(grad_table) == 0.0);
  CHECK(ops.sum_squares(out) == 0.0);
}

PARITY_CASE("seq2col and its gradient across document boundaries") {
  const std::vector<std::vector<std::int32_t>> batches{{6}, {3, 0, 1, 2}, {0, 1, 1, 0, 4}, {1000, 37, 1, 250, 0, 2000}};
  for (const auto& lengths : batches) {
    std::int64_t n = 0;
    for (const std::int32_t l : lengths) n += l;
    for (const int window : {0, 1, 2, 4}) {
      CAPTURE(n); CAPTURE(window);
      const std::int64_t span = 2 * window + 1;
      OpCase c;
      c.in = {random_tensor({n, 13}, 35), random_tensor({n, span * 13}, 36)};
      c.host = {i32(lengths)};
      c.out = {random_tensor({n, span * 13}, 37), random_tensor({n, 13}, 38)};
      check_op_on_all_devices(c, [window](Ops& ops, OpArgs& a) {
        ops.seq2col(a.in[0], window, a.host[0], a.out[0]);
        ops.backprop_seq2col(a.in[1], window, a.host[0], a.out[1]);
        return 0.0;
      });
    }
  }
}

PARITY_CASE("lstm recurrence and its gradient over ragged sequences, both directions") {
  const std::vector<std::vector<std::int32_t>> batches{{6}, {3, 0, 1, 2}, {0, 1, 1, 0, 4}, {40, 7, 1, 25, 0, 33}};
  for (const auto& lengths : batches) {
    std::int64_t n = 0;
    for (const std::int32_t l : lengths) n += l;
    for (const std::int64_t H : {1, 16, 33}) {
      for (const bool reverse : {false, true}) {
        CAPTURE(n); CAPTURE(H); CAPTURE(reverse);
        OpCase c = tolerant(1e-4, 1e-5);
        c.in = {random_tensor({n, 4 * H}, 43, -2.f, 2.f), random_tensor({4 * H, H}, 44, -0.5f, 0.5f), random_tensor({n, H}, 45)};
        c.host = {i32(lengths)};
        c.out = {random_tensor({n, H}, 46), random_tensor({n, H}, 47), random_tensor({n, 4 * H}, 48),
                 random_tensor({n, 4 * H}, 49), random_tensor({4 * H, H}, 50)};
        check_op_on_all_devices(c, [reverse](Ops& ops, OpArgs& a) {
          ops.lstm_forward(a.in[0], a.in[1], a.host[0], reverse, a.out[0], a.out[1], a.out[2]);
          ops.backprop_lstm(a.in[2], a.in[1], a.host[0], reverse, a.out[0], a.out[1], a.out[2], a.out[3], a.out[4]);
          return 0.0;
        });
      }
    }
  }
}

PARITY_CASE("ragged_gemm_nt and its gradient over sentences of many lengths") {
  const std::vector<std::vector<std::int32_t>> batches{{1}, {5, 0, 1, 2}, {0, 0}, {40, 3, 17, 1, 120, 0, 9}};
  for (const auto& lengths : batches) {
    std::int64_t n = 0, blocks = 0;
    for (const std::int32_t l : lengths) n += l, blocks += static_cast<std::int64_t>(l) * l;
    for (const std::int64_t width : {std::int64_t{1}, std::int64_t{64}, std::int64_t{257}}) {
      CAPTURE(n); CAPTURE(width);
      OpCase c = tolerant(1e-4, 1e-4);
      c.in = {random_tensor({n, width}, 43), random_tensor({n, width}, 44), random_tensor({blocks}, 45)};
      c.host = {i32(lengths)};
      c.out = {random_tensor({blocks}, 46), random_tensor({n, width}, 47), random_tensor({n, width}, 48)};
      check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
        ops.ragged_gemm_nt(a.in[0], a.in[1], a.host[0], a.out[0]);
        ops.backprop_ragged_gemm_nt(a.in[2], a.in[0], a.in[1], a.host[0], a.out[1], a.out[2]);
        return 0.0;
      });
    }
  }
}

PARITY_CASE("maxout and its gradient") {
  for (const int pieces : {1, 2, 3, 7}) {
    CAPTURE(pieces);
    OpCase c;
    c.in = {random_tensor({777, 64 * pieces}, 39), random_tensor({777, 64}, 40)};
    c.out = {random_tensor({777, 64}, 41), Tensor::zeros({777, 64}, DType::U8), random_tensor({777, 64 * pieces}, 42)};
    check_op_on_all_devices(c, [pieces](Ops& ops, OpArgs& a) {
      ops.maxout(a.in[0], pieces, a.out[0], a.out[1]);
      ops.backprop_maxout(a.in[1], a.out[1], pieces, a.out[2]);
      return 0.0;
    });
  }
}

PARITY_CASE("layer_norm and its gradient") {
  for (const std::int64_t w : {std::int64_t{1}, std::int64_t{31}, std::int64_t{96}, std::int64_t{1000}}) {
    CAPTURE(w);
    const std::int64_t n = 517;
    OpCase c = tolerant(1e-4, 1e-4);
    c.in = {random_tensor({n, w}, 43, 5.f, 9.f),  // a large offset: the variance must not cancel
            random_tensor({w}, 44), random_tensor({w}, 45), random_tensor({n, w}, 46)};
    c.out = {random_tensor({n, w}, 47), random_tensor({n}, 48), random_tensor({n}, 49), random_tensor({n, w}, 50),
             random_tensor({w}, 51), random_tensor({w}, 52)};
    check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
      ops.layer_norm(a.in[0], a.in[1], a.in[2], 1e-5f, a.out[0], a.out[1], a.out[2]);
      ops.backprop_layer_norm(a.in[3], a.in[0], a.in[1], a.out[1], a.out[2], a.out[3], a.out[4], a.out[5]);
      return 0.0;
    });
  }
}

PARITY_CASE("softmax and log_softmax") {
  for (const std::int64_t w : {std::int64_t{1}, std::int64_t{17}, std::int64_t{50}, std::int64_t{2000}}) {
    CAPTURE(w);
    OpCase c = tolerant(1e-5, 1e-6);
    c.in = {random_tensor({301, w}, 53, -30.f, 30.f)};
    c.out = {random_tensor({301, w}, 54), random_tensor({301, w}, 55)};
    check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) {
      ops.softmax(a.in[0], a.out[0]);
      ops.log_softmax(a.in[0], a.out[1]);
      return 0.0;
    });
  }
}

PARITY_CASE("softmax_cross_entropy with ignored rows") {
  for (const std::int64_t w : {std::int64_t{1}, std::int64_t{20}, std::int64_t{300}}) {
    CAPTURE(w);
    const std::int64_t n = 4099;
    Tensor labels = random_ids({n}, static_cast<std::int32_t>(w), 56);
    for (std::int64_t i = 0; i < n; i += 5) labels.data<std::int32_t>()[i] = -1;
    OpCase c = tolerant(1e-5, 1e-6);
    c.in = {random_tensor({n, w}, 57, -8.f, 8.f), labels};
    c.out = {random_tensor({n, w}, 58)};
    check_op_on_all_devices(c, [](Ops& ops, OpArgs& a) { return ops.softmax_cross_entropy(a.in[0], a.in[1], 0.5f, a.out[0]); });
  }
}

TEST_CASE("cuda: softmax_cross_entropy rejects labels past the classes" * doctest::skip(no_cuda_device())) {
  Ops& ops = weft::backend::ops(cuda0());
  const Tensor logits = random_tensor({4, 3}, 59).to(cuda0());
  Tensor d = Tensor::zeros({4, 3}, DType::F32, cuda0());
  CHECK_THROWS_AS(ops.softmax_cross_entropy(logits, i32({0, 2, 3, -1}).to(cuda0()), 1.f, d), weft::ValueError);
  CHECK(ops.sum_squares(d) == 0.0);
}

PARITY_CASE("dropout draws the CPU's mask") {
  for (const float rate : {0.f, 0.1f, 0.5f, 0.9f}) {
    CAPTURE(rate);
    OpCase c;
    c.rtol = 0;  // same mask, same f32 products: bit-identical
    c.atol = 0;
    c.in = {random_tensor({100003}, 60)};
    c.out = {random_tensor({100003}, 61), random_tensor({100003}, 62)};
    check_op_on_all_devices(c, [rate](Ops& ops, OpArgs& a) {
      ops.dropout(a.in[0], rate, 0x1234567890abcdefULL, a.out[0], a.out[1]);
      return 0.0;
    });
  }
}

PARITY_CASE("adam_update, plain, AdamW, L2 and gradient scaling") {
  AdamStep plain;
  AdamStep decoupled;
  decoupled.weight_decay = 0.01f;
  decoupled.lr_unscaled = 0.002f;
  AdamStep coupled;
  coupled.l2 = 1e-4f;
  coupled.grad_scale = 0.25f;
  for (const AdamStep& step : {plain, decoupled, coupled}) {
    OpCase c = tolerant(1e-5, 1e-6);
    c.in = {random_tensor({50001}, 63)};
    c.out = {random_tensor({50001}, 64), random_tensor({50001}, 65, -0.1f, 0.1f), random_tensor({50001}, 66, 0.f, 0.01f)};
    check_op_on_all_devices(c, [step](Ops& ops, OpArgs& a) {
      for (int t = 0; t < 3; ++t) ops.adam_update(a.out[0], a.in[0], a.out[1], a.out[2], step);
      return 0.0;
    });
  }
}

TEST_CASE("cuda: the caching allocator reuses blocks and copies between devices" * doctest::skip(no_cuda_device())) {
  const void* first = nullptr;
  {
    const Tensor t = Tensor::zeros({1000, 3}, DType::F32, cuda0());
    first = t.raw();
    CHECK(t.to_vector<float>() == std::vector<float>(3000, 0.f));
  }
  const Tensor again = Tensor::empty({1000, 3}, DType::F32, cuda0());
  CHECK(again.raw() == first);  // the freed block of the same size class came back
  const Tensor host = random_tensor({123, 7}, 67);
  const Tensor on_gpu = host.to(cuda0());
  const Tensor copy = on_gpu.clone();
  CHECK(copy.to(Device::cpu()).to_vector<float>() == host.to_vector<float>());
  auto& arena = weft::backend::ScratchArena::local(cuda0());
  weft::backend::ScratchArena::Scope scope(arena);
  Tensor scratch = arena.take({64, 64});
  weft::backend::ops(cuda0()).fill(scratch, 1.f);
  CHECK(weft::backend::ops(cuda0()).sum_squares(scratch) == 4096.0);
}

// A tok2vec step written with the ops alone, as the nn layers compose it: hash embedding, dropout,
// window encoding (seq2col + Linear + maxout + layer norm), a softmax output layer and the loss, then
// the whole backward pass into every parameter gradient and one Adam step on the embedding table.
PARITY_CASE("tok2vec forward and backward agree with the CPU") {
  const std::vector<std::int32_t> lengths{17, 1, 0, 250, 33, 699};
  const std::int64_t n = 1000, rows = 5000, width = 96, seeds = 4, pieces = 3, classes = 50;
  const Tensor labels = random_ids({n}, static_cast<std::int32_t>(classes), 70);
  OpCase c = tolerant(2e-3, 2e-4);
  c.in = {random_keys(n, 71), labels, random_tensor({rows, width}, 72), random_tensor({width * pieces, 3 * width}, 73, -0.1f, 0.1f),
          random_tensor({width * pieces}, 74), random_tensor({width}, 75), random_tensor({width}, 76),
          random_tensor({classes, width}, 77, -0.1f, 0.1f)};
  c.host = {i32(lengths)};
  // Outputs: encoded tokens, the embedding gradient and table after Adam, the window layer's weight
  // and bias gradients, the layer norm's gradients, the output layer's weight gradient.
  c.out = {Tensor::zeros({n, width}, DType::F32), Tensor::zeros({rows, width}, DType::F32),
           random_tensor({rows, width}, 78), Tensor::zeros({width * pieces, 3 * width}, DType::F32),
           Tensor::zeros({width * pieces}, DType::F32), Tensor::zeros({width}, DType::F32),
           Tensor::zeros({width}, DType::F32), Tensor::zeros({classes, width}, DType::F32)};
  check_op_on_all_devices(c, [&](Ops& ops, OpArgs& a) {
    const Device d = ops.device();
    const Tensor &keys = a.in[0], &lab = a.in[1], &W1 = a.in[3], &b1 = a.in[4], &gamma = a.in[5], &beta = a.in[6],
                 &Wout = a.in[7];
    Tensor &z = a.out[0], &dE = a.out[1], &E = a.out[2], &dW1 = a.out[3], &db1 = a.out[4], &dgamma = a.out[5],
           &dbeta = a.out[6], &dWout = a.out[7];
    E.copy_from(a.in[2]);
    auto f32 = [d](std::int64_t r, std::int64_t w) { return Tensor::empty({r, w}, DType::F32, d); };
    Tensor ids = Tensor::empty({n, seeds}, DType::I32, d);
    Tensor emb = f32(n, width), dropped = f32(n, width), mask = f32(n, width), cols = f32(n, 3 * width);
    Tensor h = f32(n, width * pieces), y = f32(n, width), logits = f32(n, classes), dlogits = f32(n, classes);
    Tensor which = Tensor::empty({n, width}, DType::U8, d), mean = Tensor::empty({n}, DType::F32, d), rstd = Tensor::empty({n}, DType::F32, d);
    // forward
    ops.hash_rows(keys, 11, rows, ids);
    ops.gather_sum_rows(E, ids, emb);
    ops.dropout(emb, 0.1f, 99, dropped, mask);
    ops.seq2col(dropped, 1, a.host[0], cols);
    ops.gemm(cols, false, W1, true, h, 1.f, 0.f, &b1);
    ops.maxout(h, static_cast<int>(pieces), y, which);
    ops.layer_norm(y, gamma, beta, 1e-5f, z, mean, rstd);
    ops.gemm(z, false, Wout, true, logits);
    const double loss = ops.softmax_cross_entropy(logits, lab, 1.f / static_cast<float>(n), dlogits);
    // backward
    Tensor dz = f32(n, width), dy = f32(n, width), dh = f32(n, width * pieces), dcols = f32(n, 3 * width);
    Tensor ddropped = f32(n, width), demb = f32(n, width);
    ops.gemm(dlogits, true, z, false, dWout);
    ops.gemm(dlogits, false, Wout, false, dz);
    ops.backprop_layer_norm(dz, y, gamma, mean, rstd, dy, dgamma, dbeta);
    ops.backprop_maxout(dy, which, static_cast<int>(pieces), dh);
    ops.sum_rows(dh, db1, false);
    ops.gemm(dh, true, cols, false, dW1);
    ops.gemm(dh, false, W1, false, dcols);
    ops.backprop_seq2col(dcols, 1, a.host[0], ddropped);
    ops.mul(ddropped, mask, demb);
    ops.scatter_add_rows(dE, ids, demb);
    Tensor m = Tensor::zeros({rows, width}, DType::F32, d), v = Tensor::zeros({rows, width}, DType::F32, d);
    // A large eps keeps the first Adam step a smooth function of the gradient (with eps = 1e-8 it is
    // lr * sign(g), and an element rounding to either side of zero would move by 2 * lr).
    AdamStep step;
    step.lr = 0.01f;
    step.eps = 0.1f;
    step.grad_scale = static_cast<float>(1.0 / std::max(1.0, std::sqrt(ops.sum_squares(dE))));
    ops.adam_update(E, dE, m, v, step);
    return loss;
  });
}
