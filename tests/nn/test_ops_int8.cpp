// Int8 products (backend/cpu_int8.hpp): against a double-precision reference within the bound the
// quantization allows, at the shapes the models use and at odd ones (tails of the vector loops), the
// saturation the 7-bit weights avoid, zero rows, and the errors.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <memory>

#include "op_harness.hpp"
#include "op_test_util.hpp"
#include "weft/backend/cpu_int8.hpp"
#include "weft/error.hpp"

using namespace weft::test;
using weft::backend::Int8Weights;

namespace {

// y[i, j] = sum_c x[i, c] W[j, c] in double, and the bound on the int8 product's error there: x is
// off by at most half its row's step s_i = range_i / 255 and W by half its row's step amax_j / 63.
struct Reference {
  std::vector<double> y, bound;
};

Reference reference(const Tensor& x, const Tensor& W) {
  const std::int64_t m = x.dim(0), k = x.dim(1), n = W.dim(0);
  const float* xp = x.data<float>();
  const float* wp = W.data<float>();
  Reference r;
  for (std::int64_t i = 0; i < m; ++i) {
    double lo = 0, hi = 0;
    for (std::int64_t c = 0; c < k; ++c) {
      lo = std::min(lo, static_cast<double>(xp[i * k + c]));
      hi = std::max(hi, static_cast<double>(xp[i * k + c]));
    }
    const double sx = (hi - lo) / 255;
    for (std::int64_t j = 0; j < n; ++j) {
      double amax = 0;
      for (std::int64_t c = 0; c < k; ++c) amax = std::max(amax, std::abs(static_cast<double>(wp[j * k + c])));
      const double sw = amax / 63;
      double s = 0, b = 0;
      for (std::int64_t c = 0; c < k; ++c) {
        const double a = xp[i * k + c], w = wp[j * k + c];
        s += a * w;
        b += std::abs(w) * sx / 2 + std::abs(a) * sw / 2 + sx * sw / 4;
      }
      r.y.push_back(s);
      r.bound.push_back(b * 1.001 + 1e-5 * std::abs(s) + 1e-6);  // and the float rounding
    }
  }
  return r;
}

}  // namespace

TEST_CASE("backend: int8 product agrees with the exact product within the quantization bound") {
  if (!weft::backend::onednn_compiled()) {
    MESSAGE("oneDNN not compiled in: no int8 products");
    return;
  }
  std::uint32_t seed = 40;
  // (m, n, k): the encoder block and the parser precompute of en_ewt_sm, one row, and odd sizes.
  for (const auto& [m, n, k] : std::vector<std::array<std::int64_t, 3>>{
           {300, 192, 192}, {70, 1024, 64}, {1, 8, 8}, {7, 13, 37}, {33, 5, 100}}) {
    CAPTURE(m);
    CAPTURE(n);
    CAPTURE(k);
    const Tensor x = random_tensor({m, k}, seed++, -3.f, 2.f);  // not symmetric: a zero point is needed
    const Tensor W = random_tensor({n, k}, seed++, -0.5f, 0.5f);
    const Int8Weights q = weft::backend::quantize_weights(W);
    CHECK(q.n == n);
    CHECK(q.k == k);
    Tensor y = Tensor::empty({m, n}, DType::F32);
    weft::backend::int8_gemm(x, q, y);
    const Reference r = reference(x, W);
    const std::vector<float> got = values(y);
    double worst = 0, worst_bound = 0;
    for (std::size_t e = 0; e < got.size(); ++e) {
      CHECK(std::abs(got[e] - r.y[e]) <= r.bound[e]);
      worst = std::max(worst, std::abs(got[e] - r.y[e]));
      worst_bound = std::max(worst_bound, r.bound[e]);
    }
    // The bound is loose; the error is far inside it (rounding errors cancel), and not zero.
    CHECK(worst > 0);
    CHECK(worst < worst_bound / 4);
  }
}

TEST_CASE("backend: int8 product at full-scale activations and weights does not saturate (7-bit weights)") {
  if (!weft::backend::onednn_compiled()) {
    MESSAGE("oneDNN not compiled in: no int8 products");
    return;
  }
  // Every activation quantizes to 255 and every weight to its largest value: with 8-bit weights the
  // AVX2 multiply-add's int16 pair sums (2 * 255 * 127) would saturate and the result come out about
  // half of k; with 7-bit ones (2 * 255 * 63 < 32767) it is exact.
  for (const std::int64_t k : {64, 192, 37}) {
    CAPTURE(k);
    const Tensor x = Tensor::from_vector(std::vector<float>(static_cast<std::size_t>(2 * k), 1.f), {2, k});
    std::vector<float> w(static_cast<std::size_t>(3 * k), 1.f);
    for (std::int64_t c = 0; c < k; ++c) w[static_cast<std::size_t>(k + c)] = -1.f;  // row 1: all -1
    const Tensor W = Tensor::from_vector(w, {3, k});
    Tensor y = Tensor::empty({2, 3}, DType::F32);
    weft::backend::int8_gemm(x, weft::backend::quantize_weights(W), y);
    const std::vector<float> got = values(y);
    for (int i = 0; i < 2; ++i) {
      CHECK(got[static_cast<std::size_t>(3 * i)] == doctest::Approx(static_cast<double>(k)).epsilon(1e-5));
      CHECK(got[static_cast<std::size_t>(3 * i + 1)] == doctest::Approx(-static_cast<double>(k)).epsilon(1e-5));
      CHECK(got[static_cast<std::size_t>(3 * i + 2)] == doctest::Approx(static_cast<double>(k)).epsilon(1e-5));
    }
  }
}

TEST_CASE("backend: int8 product of zero rows and zero weights is exactly zero; empty and mismatched inputs") {
  if (!weft::backend::onednn_compiled()) {
    CHECK_THROWS_AS(weft::backend::int8_gemm(Tensor::zeros({1, 4}, DType::F32), weft::backend::quantize_weights(Tensor::zeros({2, 4}, DType::F32)),
                                             *std::make_unique<Tensor>(Tensor::empty({1, 2}, DType::F32))),
                    weft::ValueError);
    return;
  }
  Tensor x = random_tensor({3, 40}, 7);
  for (int c = 0; c < 40; ++c) x.data<float>()[40 + c] = 0.f;  // row 1 all zero
  Tensor W = random_tensor({9, 40}, 8);
  for (int c = 0; c < 40; ++c) W.data<float>()[4 * 40 + c] = 0.f;  // weight row 4 all zero
  Tensor y = Tensor::empty({3, 9}, DType::F32);
  weft::backend::int8_gemm(x, weft::backend::quantize_weights(W), y);
  const std::vector<float> got = values(y);
  for (int j = 0; j < 9; ++j) CHECK(got[static_cast<std::size_t>(9 + j)] == 0.f);
  for (int i = 0; i < 3; ++i) CHECK(got[static_cast<std::size_t>(9 * i + 4)] == 0.f);

  Tensor none = Tensor::empty({0, 9}, DType::F32);
  weft::backend::int8_gemm(Tensor::empty({0, 40}, DType::F32), weft::backend::quantize_weights(W), none);
  Tensor wrong = Tensor::empty({3, 8}, DType::F32);
  CHECK_THROWS_WITH_AS(weft::backend::int8_gemm(x, weft::backend::quantize_weights(W), wrong), doctest::Contains("int8_gemm: shapes"),
                       weft::ValueError);
  CHECK_THROWS_AS(weft::backend::quantize_weights(Tensor::zeros({4}, DType::F32)), weft::ValueError);
}

TEST_CASE("backend: quantizing a row's segments equals quantizing the row; a missing segment is zeros") {
  const Tensor x = random_tensor({3, 64}, 21, -2.f, 3.f);
  const float* rows[3] = {x.data<float>(), x.data<float>() + 64, x.data<float>() + 128};
  for (const int missing : {-1, 0, 2}) {
    CAPTURE(missing);
    std::vector<float> whole(x.data<float>(), x.data<float>() + 192);
    const float* segs[3] = {rows[0], rows[1], rows[2]};
    if (missing >= 0) {
      segs[missing] = nullptr;
      std::fill(whole.begin() + missing * 64, whole.begin() + (missing + 1) * 64, 0.f);
    }
    std::vector<std::uint8_t> a(192), b(192);
    float sa = 0, za = 0, sb = 0, zb = 0;
    weft::backend::quantize_segments(segs, 3, 64, a.data(), sa, za);
    const float* one = whole.data();
    weft::backend::quantize_segments(&one, 1, 192, b.data(), sb, zb);
    CHECK(a == b);
    CHECK(sa == sb);
    CHECK(za == zb);
    for (int c = 0; c < 192; ++c) CHECK(std::abs(sa * (a[static_cast<std::size_t>(c)] - za) - whole[static_cast<std::size_t>(c)]) <= sa / 2 * 1.0001f);
    if (missing >= 0) CHECK(a[static_cast<std::size_t>(missing * 64)] == za);  // zero is exact
  }
}

TEST_CASE("backend: the int8 switch is process-wide and a scope restores it") {
  const bool before = weft::backend::cpu_int8();
  {
    const weft::backend::CpuInt8Scope off(false);
    CHECK_FALSE(weft::backend::cpu_int8());
    CHECK_FALSE(weft::backend::int8_available());
    {
      const weft::backend::CpuInt8Scope on(true);
      CHECK(weft::backend::int8_available() == weft::backend::onednn_compiled());
    }
    CHECK_FALSE(weft::backend::cpu_int8());
  }
  CHECK(weft::backend::cpu_int8() == before);
}
