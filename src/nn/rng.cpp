#include "weft/nn/rng.hpp"

#include "weft/mix64.hpp"

namespace weft::nn {

std::uint64_t Rng::next() noexcept {
  // splitmix64: the state walks by the golden-ratio increment and each draw is its finalised mix.
  state_ += 0x9e3779b97f4a7c15ULL;
  return mix64(state_);
}

float Rng::uniform() noexcept { return static_cast<float>(next() >> 40) * (1.0f / 16777216.0f); }

float Rng::uniform(float lo, float hi) noexcept { return lo + (hi - lo) * uniform(); }

}  // namespace weft::nn
