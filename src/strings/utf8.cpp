#include "weft/strings/utf8.hpp"

#include <simdjson.h>

#include <cstdint>
#include <cstring>

#include "weft/error.hpp"

namespace weft::utf8 {

namespace {

// One step of a scalar decode following Unicode's Table 3-7 (well-formed byte sequences). On failure
// `len` is the length of the maximal subpart of an ill-formed sequence (the bytes that could still
// have begun a valid sequence), which is exactly what WHATWG replaces with one U+FFFD.
struct Step {
  std::size_t len;
  const char* error;  // nullptr when the sequence is well formed
};

Step step(std::string_view s, std::size_t i) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return {1, nullptr};
  if (b0 < 0xC0) return {1, "unexpected continuation byte"};
  if (b0 == 0xC0 || b0 == 0xC1) return {1, "overlong encoding"};
  if (b0 >= 0xF8) return {1, "byte that never occurs in UTF-8"};
  if (b0 > 0xF4) return {1, "code point above U+10FFFF"};

  std::size_t need;
  unsigned char lo = 0x80, hi = 0xBF;  // the range allowed for the second byte
  const char* second_error = "missing continuation byte";
  if (b0 < 0xE0) {
    need = 1;
  } else if (b0 < 0xF0) {
    need = 2;
    if (b0 == 0xE0) { lo = 0xA0; second_error = "overlong encoding"; }
    if (b0 == 0xED) { hi = 0x9F; second_error = "surrogate code point"; }
  } else {
    need = 3;
    if (b0 == 0xF0) { lo = 0x90; second_error = "overlong encoding"; }
    if (b0 == 0xF4) { hi = 0x8F; second_error = "code point above U+10FFFF"; }
  }
  std::size_t k = 1;
  for (; k <= need; ++k) {
    if (i + k >= s.size()) return {k, "truncated sequence at end of input"};
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (k == 1) {
      if (b < lo || b > hi) {
        // A byte in 80..BF outside the narrowed range names the real problem; anything else is a missing byte.
        return {1, (b >= 0x80 && b <= 0xBF) ? second_error : "missing continuation byte"};
      }
    } else if (b < 0x80 || b > 0xBF) {
      return {k, "missing continuation byte"};
    }
  }
  return {need + 1, nullptr};
}

// Skips a run of ASCII eight bytes at a time; most text is mostly ASCII.
std::size_t skip_ascii(std::string_view s, std::size_t i) noexcept {
  while (i + 8 <= s.size()) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ULL) break;
    i += 8;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

struct Invalid {
  std::size_t offset;
  const char* error;
};

Invalid scan(std::string_view s) noexcept {
  std::size_t i = 0;
  while (true) {
    i = skip_ascii(s, i);
    if (i >= s.size()) return {npos, nullptr};
    const Step st = step(s, i);
    if (st.error) return {i, st.error};
    i += st.len;
  }
}

}  // namespace

bool valid(std::string_view s) noexcept { return simdjson::validate_utf8(s.data(), s.size()); }

std::size_t first_invalid(std::string_view s) noexcept {
  if (valid(s)) return npos;
  return scan(s).offset;
}

void check(std::string_view s, std::string_view what) {
  if (valid(s)) return;
  const Invalid bad = scan(s);
  // The offset is in the message rather than in Location: Location's offset would print a second
  // "byte N: " prefix, and callers that know a file and line add them with Error::locate.
  throw EncodingError("invalid UTF-8 at byte " + std::to_string(bad.offset) + " (" + std::string(what) + ": " +
                      bad.error + ")");
}

std::string repair(std::string_view s) {
  if (valid(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 16);
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t ascii_end = skip_ascii(s, i);
    out.append(s.data() + i, ascii_end - i);
    i = ascii_end;
    if (i >= s.size()) break;
    const Step st = step(s, i);
    if (st.error)
      out += "\xEF\xBF\xBD";
    else
      out.append(s.data() + i, st.len);
    i += st.len;
  }
  return out;
}

bool is_ascii(std::string_view s) noexcept { return skip_ascii(s, 0) == s.size(); }

std::size_t length(std::string_view s) noexcept {
  // Every code point has exactly one byte that is not a continuation byte (10xxxxxx).
  std::size_t n = 0;
  for (const char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0u) != 0x80u;
  return n;
}

char32_t prev(std::string_view s, std::size_t& i) noexcept {
  std::size_t j = i - 1;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0u) == 0x80u) --j;
  i = j;
  return next(s, j);
}

void append(std::string& out, char32_t c) {
  // Surrogates and values past U+10FFFF have no UTF-8 form; writing U+FFFD keeps the output valid.
  if ((c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) c = 0xFFFD;
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    const char b[2] = {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
    out.append(b, 2);
  } else if (c < 0x10000) {
    const char b[3] = {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
                       static_cast<char>(0x80 | (c & 0x3F))};
    out.append(b, 3);
  } else {
    const char b[4] = {static_cast<char>(0xF0 | (c >> 18)), static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
                       static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
    out.append(b, 4);
  }
}

}  // namespace weft::utf8
