// Rng: the seeded generator behind every random choice of nn (weight initialisation, dropout seeds). A
// splitmix64 stream with its own float conversion, so the same seed gives the same weights with every
// compiler and standard library (std:: distributions are implementation-defined).
#pragma once

#include <cstdint>
#include <string_view>

#include "weft/mix64.hpp"

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

// The seed of the random stream `name` in a run seeded with `seed`. Every user of randomness draws
// from a stream of its own (a component's initial weights by its name, its encoder's as
// "<name>.tok2vec", the trainer's batch order, ...), so no two users share a sequence and adding one
// changes no other's draws. The name is hashed with FNV-1a, then mixed with the seed (mix64).
constexpr std::uint64_t stream_seed(std::uint64_t seed, std::string_view name) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  return mix64(h, seed);
}

}  // namespace weft::nn
