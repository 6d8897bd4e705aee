// Splitting text into whitespace-delimited chunks, the first step of every weft tokenizer. Whitespace
// is Unicode White_Space. ASCII takes a table lookup per byte; a non-ASCII character is decoded only
// when its lead byte can start a White_Space character (every non-ASCII White_Space code point is
// encoded with lead byte C2, E1, E2 or E3), so most of any text never reaches ICU.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft::detail {

// 0: never whitespace; 1: ASCII whitespace; 2: lead byte of a possible non-ASCII whitespace character.
inline constexpr std::array<unsigned char, 256> kSpaceClass = [] {
  std::array<unsigned char, 256> t{};
  for (unsigned char c : {'\t', '\n', '\v', '\f', '\r', ' '}) t[c] = 1;
  for (unsigned c : {0xC2u, 0xE1u, 0xE2u, 0xE3u}) t[c] = 2;
  return t;
}();

// Byte length of the whitespace character at text[i], or 0 when it is not whitespace (text valid UTF-8).
inline std::size_t space_length(std::string_view text, std::size_t i) noexcept {
  switch (kSpaceClass[static_cast<unsigned char>(text[i])]) {
    case 0: return 0;
    case 1: return 1;
    default: {
      std::size_t j = i;
      const char32_t c = utf8::next(text, j);
      return unicode::is_space(c) ? j - i : 0;
    }
  }
}

// Calls f(begin, end) for each maximal run of non-whitespace characters of `text` (valid UTF-8).
template <class F>
inline void for_each_chunk(std::string_view text, F&& f) {
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    while (i < n) {
      const std::size_t w = space_length(text, i);
      if (w == 0) break;
      i += w;
    }
    if (i >= n) break;
    const std::size_t start = i;
    ++i;  // text[start] is not whitespace; continuation bytes are class 0, so byte steps are safe
    while (i < n && (kSpaceClass[static_cast<unsigned char>(text[i])] == 0 || space_length(text, i) == 0)) ++i;
    f(start, i);
  }
}

}  // namespace weft::detail
