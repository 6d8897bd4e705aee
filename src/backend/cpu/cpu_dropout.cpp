// Inverted dropout on the CPU. The keep decision for element i is counter_uniform(seed, i) >= rate, a
// pure function of (seed, i), so CudaOps draws the identical mask.
#include "../op_checks.hpp"
#include "cpu_ops.hpp"
#include "weft/backend/counter_rng.hpp"

namespace weft::backend {

void CpuOps::dropout(const Tensor& x, float rate, std::uint64_t seed, Tensor& y, Tensor& mask) {
  check::dropout(device(), x, rate, y, mask);
  const float keep_scale = 1.f / (1.f - rate);
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  float* mp = mask.data<float>();
  for (std::int64_t i = 0, n = x.numel(); i < n; ++i) {
    const float m = counter_uniform(seed, static_cast<std::uint64_t>(i)) >= rate ? keep_scale : 0.f;
    mp[i] = m;
    yp[i] = xp[i] * m;
  }
}

}  // namespace weft::backend
