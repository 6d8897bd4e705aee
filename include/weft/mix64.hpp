// mix64: the splitmix64 finaliser applied to a 64-bit key and a seed. It is the one hash shared by the
// text layer (caches, feature ids) and the tensor backend (hashed embedding rows, dropout masks), so it
// lives here without dependencies and compiles for CUDA device code as well as the host.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define WEFT_HOST_DEVICE __host__ __device__
#else
#define WEFT_HOST_DEVICE
#endif

namespace weft {

// Mixes a 64-bit key with a seed; used by hashed embeddings and caches (splitmix64 finaliser).
WEFT_HOST_DEVICE constexpr std::uint64_t mix64(std::uint64_t x, std::uint64_t seed = 0) noexcept {
  x += 0x9e3779b97f4a7c15ULL + seed * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace weft
