// The stable 64-bit string hash used everywhere a string is stored as a number (token attributes,
// model files, feature ids). It is XXH3-64 of the UTF-8 bytes with seed 0, which is fixed by the
// xxHash specification, so hashes agree across runs, machines and builds. The empty string hashes to 0
// so that a zeroed attribute means "unset".
#pragma once

#include <cstdint>
#include <string_view>

namespace weft {

using hash_t = std::uint64_t;

hash_t hash_string(std::string_view utf8) noexcept;

// Mixes a 64-bit key with a seed; used by hashed embeddings and caches (splitmix64 finaliser).
constexpr std::uint64_t mix64(std::uint64_t x, std::uint64_t seed = 0) noexcept {
  x += 0x9e3779b97f4a7c15ULL + seed * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace weft
