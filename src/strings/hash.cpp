#include "weft/strings/hash.hpp"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace weft {

hash_t hash_string(std::string_view utf8) noexcept {
  if (utf8.empty()) return 0;
  return XXH3_64bits(utf8.data(), utf8.size());
}

}  // namespace weft
