// Helpers for the op tests: deterministic random tensors and finite-difference gradient checks.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <vector>

#include "weft/backend/tensor.hpp"

namespace weft::test {

inline backend::Tensor random_tensor(const backend::Shape& shape, std::uint32_t seed, float lo = -1.f, float hi = 1.f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(static_cast<std::size_t>(shape.numel()));
  for (float& x : v) x = dist(rng);
  return backend::Tensor::from_vector(v, shape);
}

inline std::vector<float> values(const backend::Tensor& t) { return t.to_vector<float>(); }

// Checks `analytic` (dL/dx) against central differences of loss(x) for every element of x.
// loss must recompute from x's current contents; x is restored afterwards.
inline void check_gradient(backend::Tensor& x, const std::vector<float>& analytic, const std::function<double()>& loss,
                           double eps = 1e-2, double tol = 2e-2) {
  REQUIRE(static_cast<std::int64_t>(analytic.size()) == x.numel());
  float* p = x.data<float>();
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const float saved = p[i];
    p[i] = static_cast<float>(saved + eps);
    const double up = loss();
    p[i] = static_cast<float>(saved - eps);
    const double down = loss();
    p[i] = saved;
    const double numeric = (up - down) / (2 * eps);
    INFO("element " << i << ": analytic " << analytic[static_cast<std::size_t>(i)] << ", numeric " << numeric);
    CHECK(std::fabs(numeric - analytic[static_cast<std::size_t>(i)]) <= tol * (1.0 + std::fabs(numeric)));
  }
}

// sum(r * y): projecting an output on fixed random weights makes any op a scalar loss with dL/dy = r.
inline double project(const backend::Tensor& y, const backend::Tensor& r) {
  const float* a = y.data<float>();
  const float* b = r.data<float>();
  double s = 0;
  for (std::int64_t i = 0; i < y.numel(); ++i) s += static_cast<double>(a[i]) * b[i];
  return s;
}

}  // namespace weft::test
