// UTF-8 helpers used on every input boundary. weft's policy for invalid UTF-8 (documented in the README):
// by default text is rejected with an EncodingError naming the byte offset of the first bad sequence;
// callers that opt in replace each maximal invalid subpart with U+FFFD (repair), as WHATWG decoders do.
// Nothing downstream ever sees invalid UTF-8, so offsets and code-point counts are always well defined.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace weft::utf8 {

inline constexpr std::size_t npos = static_cast<std::size_t>(-1);

// True when `s` is well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
bool valid(std::string_view s) noexcept;
// Byte offset of the first invalid sequence, or npos.
std::size_t first_invalid(std::string_view s) noexcept;
// Throws EncodingError("invalid UTF-8 at byte N ...") when `s` is not valid; `what` names the input.
void check(std::string_view s, std::string_view what = "text");
// A copy of `s` with every maximal invalid subpart replaced by U+FFFD.
std::string repair(std::string_view s);
// True when every byte is below 0x80.
bool is_ascii(std::string_view s) noexcept;
// Number of code points (s must be valid).
std::size_t length(std::string_view s) noexcept;

// Decodes the code point at s[i] (s valid) and advances i past it.
inline char32_t next(std::string_view s, std::size_t& i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) { ++i; return b0; }
  if (b0 < 0xE0) {
    char32_t c = ((b0 & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
    i += 2;
    return c;
  }
  if (b0 < 0xF0) {
    char32_t c = ((b0 & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                 (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
    i += 3;
    return c;
  }
  char32_t c = ((b0 & 0x07u) << 18) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 12) |
               ((static_cast<unsigned char>(s[i + 2]) & 0x3Fu) << 6) | (static_cast<unsigned char>(s[i + 3]) & 0x3Fu);
  i += 4;
  return c;
}

// Decodes the code point that ends just before s[i] and moves i back to its first byte.
char32_t prev(std::string_view s, std::size_t& i) noexcept;
// Appends the UTF-8 encoding of c.
void append(std::string& out, char32_t c);

}  // namespace weft::utf8
