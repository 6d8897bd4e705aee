#include "weft/nn/init.hpp"

#include <cmath>

namespace weft::nn::init {

namespace {
thread_local int t_weights_only = 0;
}  // namespace

WeightsOnlyScope::WeightsOnlyScope() noexcept { ++t_weights_only; }
WeightsOnlyScope::~WeightsOnlyScope() { --t_weights_only; }
bool weights_only() noexcept { return t_weights_only > 0; }

std::vector<float> glorot_uniform(std::int64_t n, std::int64_t fan_in, std::int64_t fan_out, Rng& rng) {
  const float s = std::sqrt(6.0f / static_cast<float>(fan_in + fan_out));
  return uniform(n, -s, s, rng);
}

std::vector<float> uniform(std::int64_t n, float lo, float hi, Rng& rng) {
  if (weights_only()) return {};
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = rng.uniform(lo, hi);
  return v;
}

std::vector<float> constant(std::int64_t n, float value) {
  if (weights_only()) return {};
  return std::vector<float>(static_cast<std::size_t>(n), value);
}

}  // namespace weft::nn::init
