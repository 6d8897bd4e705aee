// The stable 64-bit string hash used everywhere a string is stored as a number (token attributes,
// model files, feature ids). It is XXH3-64 of the UTF-8 bytes with seed 0, which is fixed by the
// xxHash specification, so hashes agree across runs, machines and builds. The empty string hashes to 0
// so that a zeroed attribute means "unset".
#pragma once

#include <cstdint>
#include <string_view>

#include "weft/mix64.hpp"  // mix64, shared with the tensor backend

namespace weft {

using hash_t = std::uint64_t;

hash_t hash_string(std::string_view utf8) noexcept;

}  // namespace weft
