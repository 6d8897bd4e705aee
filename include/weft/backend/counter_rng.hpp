// A counter-based random generator: the n-th draw under a seed is a pure function of (seed, n), so the
// CPU and every CUDA thread produce the same dropout mask without sharing state or drawing in order.
#pragma once

#include <cstdint>

#include "weft/mix64.hpp"

namespace weft::backend {

// Uniform in [0, 1) with 24 bits of resolution: exactly representable in f32, so a comparison against
// a rate decides the same way on every device.
WEFT_HOST_DEVICE constexpr float counter_uniform(std::uint64_t seed, std::uint64_t index) noexcept {
  return static_cast<float>(mix64(index, seed) >> 40) * (1.0f / 16777216.0f);
}

}  // namespace weft::backend
