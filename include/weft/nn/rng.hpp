// Rng: the seeded generator behind every random choice of nn (weight initialisation, dropout seeds). A
// splitmix64 stream with its own float conversion, so the same seed gives the same weights with every
// compiler and standard library (std:: distributions are implementation-defined).
#pragma once

#include <cstdint>

namespace weft::nn {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) noexcept : state_(seed) {}
  std::uint64_t next() noexcept;
  float uniform() noexcept;                     // [0, 1), 24 bits
  float uniform(float lo, float hi) noexcept;   // [lo, hi)

 private:
  std::uint64_t state_;
};

}  // namespace weft::nn
