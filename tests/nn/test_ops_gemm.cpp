// gemm: every transpose combination, alpha/beta/bias, both CPU libraries, against a naive reference,
// on every device; plus the gradients the Linear layer derives from it.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "op_harness.hpp"
#include "op_test_util.hpp"
#include "weft/backend/cpu_gemm.hpp"

using namespace weft::test;
using weft::backend::CpuGemm;

namespace {

// c = alpha * op(a) op(b) + beta * c0 (+ bias), in double.
std::vector<float> naive_gemm(const Tensor& a, bool ta, const Tensor& b, bool tb, const Tensor& c0, float alpha, float beta,
                              const Tensor* bias) {
  const std::int64_t m = c0.dim(0), n = c0.dim(1), k = ta ? a.dim(0) : a.dim(1);
  const float* ap = a.data<float>();
  const float* bp = b.data<float>();
  std::vector<float> c = values(c0);
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::int64_t p = 0; p < k; ++p)
        s += static_cast<double>(ta ? ap[p * m + i] : ap[i * k + p]) * (tb ? bp[j * k + p] : bp[p * n + j]);
      double v = alpha * s + (beta == 0.f ? 0.0 : beta * c[static_cast<std::size_t>(i * n + j)]);
      if (bias != nullptr) v += bias->data<float>()[j];
      c[static_cast<std::size_t>(i * n + j)] = static_cast<float>(v);
    }
  return c;
}

struct GemmImplGuard {
  explicit GemmImplGuard(CpuGemm c) { weft::backend::set_cpu_gemm(c); }
  ~GemmImplGuard() { weft::backend::set_cpu_gemm(CpuGemm::Auto); }
};

}  // namespace

TEST_CASE("backend: gemm matches a naive reference for every transpose, alpha, beta and bias") {
  std::vector<CpuGemm> impls{CpuGemm::Auto, CpuGemm::Eigen};
  if (weft::backend::onednn_compiled()) impls.push_back(CpuGemm::OneDNN);
  const std::int64_t m = 7, n = 5, k = 9;
  std::uint32_t seed = 1;
  for (CpuGemm impl : impls) {
    GemmImplGuard guard(impl);
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb)
        for (int with_bias = 0; with_bias < 2; ++with_bias)
          for (float beta : {0.f, 1.f, 0.5f}) {
            CAPTURE(static_cast<int>(impl));
            CAPTURE(ta);
            CAPTURE(tb);
            CAPTURE(with_bias);
            CAPTURE(beta);
            OpCase c;
            c.in = {random_tensor(ta ? Shape{k, m} : Shape{m, k}, seed++), random_tensor(tb ? Shape{n, k} : Shape{k, n}, seed++),
                    random_tensor({n}, seed++)};
            c.out = {random_tensor({m, n}, seed++)};
            if (beta == 0.f) c.out[0].data<float>()[3] = std::numeric_limits<float>::quiet_NaN();  // beta = 0 overwrites
            const float alpha = 0.75f;
            const OpResult r = check_op_on_all_devices(c, [&](Ops& ops, OpArgs& x) {
              ops.gemm(x.in[0], ta, x.in[1], tb, x.out[0], alpha, beta, with_bias ? &x.in[2] : nullptr);
              return 0.0;
            });
            const std::vector<float> want = naive_gemm(c.in[0], ta, c.in[1], tb, c.out[0], alpha, beta, with_bias ? &c.in[2] : nullptr);
            const std::vector<float> got = values(r.out[0]);
            for (std::size_t i = 0; i < want.size(); ++i) CHECK(got[i] == doctest::Approx(want[i]).epsilon(1e-5));
          }
  }
}

TEST_CASE("backend: gemm at model shapes agrees between oneDNN and Eigen") {
  if (!weft::backend::onednn_compiled()) {
    MESSAGE("oneDNN not compiled in");
    return;
  }
  for (std::int64_t rows : {1, 64, 300}) {
    const Tensor a = random_tensor({rows, 288}, 11);
    const Tensor b = random_tensor({96, 288}, 12);
    Tensor c1 = Tensor::empty({rows, 96}, DType::F32), c2 = Tensor::empty({rows, 96}, DType::F32);
    {
      GemmImplGuard g(CpuGemm::Eigen);
      weft::backend::ops(Device::cpu()).gemm(a, false, b, true, c1);
    }
    {
      GemmImplGuard g(CpuGemm::OneDNN);
      weft::backend::ops(Device::cpu()).gemm(a, false, b, true, c2);
    }
    const std::vector<float> x = values(c1), y = values(c2);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(x[i] == doctest::Approx(y[i]).epsilon(1e-4));
  }
}

TEST_CASE("backend: gemm with an empty inner dimension scales c") {
  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor a = Tensor::empty({3, 0}, DType::F32), b = Tensor::empty({0, 2}, DType::F32);
  Tensor c = Tensor::from_vector(std::vector<float>{1, 2, 3, 4, 5, 6}, {3, 2});
  ops.gemm(a, false, b, false, c, 1.f, 0.5f);
  CHECK(values(c) == std::vector<float>{0.5f, 1, 1.5f, 2, 2.5f, 3});
  ops.gemm(a, false, b, false, c, 1.f, 0.f);
  CHECK(values(c) == std::vector<float>(6, 0.f));
}

TEST_CASE("backend: gemm gradients (dX = dY W^T, dW = X^T dY) match finite differences") {
  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor x = random_tensor({4, 6}, 21), w = random_tensor({6, 3}, 22), bias = random_tensor({3}, 23);
  const Tensor r = random_tensor({4, 3}, 24);
  Tensor y = Tensor::empty({4, 3}, DType::F32);
  auto loss = [&] {
    ops.gemm(x, false, w, false, y, 1.f, 0.f, &bias);
    return project(y, r);
  };
  Tensor dx = Tensor::empty({4, 6}, DType::F32), dw = Tensor::empty({6, 3}, DType::F32), db = Tensor::empty({3}, DType::F32);
  ops.gemm(r, false, w, true, dx);
  ops.gemm(x, true, r, false, dw);
  ops.sum_rows(r, db, false);
  check_gradient(x, values(dx), loss);
  check_gradient(w, values(dw), loss);
  check_gradient(bias, values(db), loss);
}

TEST_CASE("backend: gemm argument errors") {
  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor a = Tensor::zeros({2, 3}, DType::F32), b = Tensor::zeros({4, 5}, DType::F32), c = Tensor::zeros({2, 5}, DType::F32);
  CHECK_THROWS_WITH_AS(ops.gemm(a, false, b, false, c), doctest::Contains("gemm: inner dimensions"), weft::ValueError);
  Tensor b2 = Tensor::zeros({3, 5}, DType::F32), bad_c = Tensor::zeros({5, 2}, DType::F32);
  CHECK_THROWS_AS(ops.gemm(a, false, b2, false, bad_c), weft::ValueError);
  Tensor bias = Tensor::zeros({4}, DType::F32);
  CHECK_THROWS_AS(ops.gemm(a, false, b2, false, c, 1.f, 0.f, &bias), weft::ValueError);
  Tensor ai = Tensor::zeros({2, 3}, DType::I32);
  CHECK_THROWS_WITH_AS(ops.gemm(ai, false, b2, false, c), doctest::Contains("dtype i32"), weft::ValueError);
  Tensor a3 = Tensor::zeros({2, 3, 1}, DType::F32);
  CHECK_THROWS_AS(ops.gemm(a3, false, b2, false, c), weft::ValueError);
  ops.gemm(a, false, b2, false, c);  // the valid call goes through
}
