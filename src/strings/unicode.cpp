#include "weft/strings/unicode.hpp"

#include <unicode/bytestream.h>
#include <unicode/casemap.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <unicode/utypes.h>

#include <array>
#include <cstdint>

#include "weft/error.hpp"
#include "weft/strings/utf8.hpp"

namespace weft::unicode {

namespace {

// ASCII answers come from one table so the tokenizer's hot loop never calls into ICU for plain text.
enum AsciiBit : std::uint32_t {
  A_ALPHA = 1u << 0,
  A_DIGIT = 1u << 1,
  A_UPPER = 1u << 2,
  A_LOWER = 1u << 3,
  A_SPACE = 1u << 4,
  A_PUNCT = 1u << 5,
  A_SYMBOL = 1u << 6,
  A_CURRENCY = 1u << 7,
  A_OPEN = 1u << 8,
  A_CLOSE = 1u << 9,
  A_QUOTE = 1u << 10,
  A_LEFT = 1u << 11,
  A_RIGHT = 1u << 12,
};

constexpr bool contains(std::string_view set, char c) { return set.find(c) != std::string_view::npos; }

constexpr std::array<std::uint32_t, 128> make_ascii_table() {
  std::array<std::uint32_t, 128> t{};
  for (int i = 0; i < 128; ++i) {
    const char c = static_cast<char>(i);
    std::uint32_t b = 0;
    if (c >= 'A' && c <= 'Z') b |= A_ALPHA | A_UPPER;
    if (c >= 'a' && c <= 'z') b |= A_ALPHA | A_LOWER;
    if (c >= '0' && c <= '9') b |= A_DIGIT;
    if ((i >= 0x09 && i <= 0x0D) || c == ' ') b |= A_SPACE;
    if (contains("!\"#%&'()*,-./:;?@[\\]_{}", c)) b |= A_PUNCT;        // general category P*
    if (contains("$+<=>^`|~", c)) b |= A_SYMBOL;                       // general category S*
    if (c == '$') b |= A_CURRENCY;
    if (contains("([{<", c)) b |= A_OPEN;
    if (contains(")]}>", c)) b |= A_CLOSE;
    if (contains("\"'`", c)) b |= A_QUOTE;
    // " and ' open and close quotations alike; ` opens (as in ``quoted'').
    if (contains("([{<\"'`", c)) b |= A_LEFT;
    if (contains(")]}>\"'", c)) b |= A_RIGHT;
    t[i] = b;
  }
  return t;
}

constexpr std::array<std::uint32_t, 128> kAscii = make_ascii_table();

inline bool ascii_has(char32_t c, std::uint32_t bit) noexcept { return (kAscii[c] & bit) != 0; }

inline std::int32_t gc_mask(char32_t c) noexcept { return U_GET_GC_MASK(static_cast<UChar32>(c)); }

inline bool has(char32_t c, UProperty p) noexcept { return u_hasBinaryProperty(static_cast<UChar32>(c), p); }

inline std::int32_t bracket_type(char32_t c) noexcept {
  return u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_BIDI_PAIRED_BRACKET_TYPE);
}

// Quotation marks that are neither opening nor closing by category (the ASCII ones, fullwidth ",
// low-9 variants used both ways) count as both, as spaCy's lists do for " and '.
bool is_ambiguous_quote(char32_t c) noexcept {
  return is_quote(c) && (gc_mask(c) & (U_GC_PS_MASK | U_GC_PE_MASK | U_GC_PI_MASK | U_GC_PF_MASK)) == 0 &&
         c != 0x60 && c != 0xB4;
}

bool in_unspaced_script(UScriptCode s) noexcept {
  switch (s) {
    case USCRIPT_HAN:
    case USCRIPT_HIRAGANA:
    case USCRIPT_KATAKANA:
    case USCRIPT_KATAKANA_OR_HIRAGANA:
    case USCRIPT_THAI:
    case USCRIPT_LAO:
    case USCRIPT_KHMER:
    case USCRIPT_MYANMAR:
      return true;
    default:
      return false;
  }
}

template <class Fn>
std::string map_case(std::string_view utf8, Fn fn) {
  std::string out;
  out.reserve(utf8.size());
  icu::StringByteSink<std::string> sink(&out);
  UErrorCode status = U_ZERO_ERROR;
  fn(icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())), sink, status);
  if (U_FAILURE(status)) throw ValueError(std::string("ICU case mapping failed: ") + u_errorName(status));
  return out;
}

}  // namespace

bool is_alpha(char32_t c) noexcept { return c < 128 ? ascii_has(c, A_ALPHA) : u_isUAlphabetic(static_cast<UChar32>(c)); }

bool is_letter(char32_t c) noexcept { return c < 128 ? ascii_has(c, A_ALPHA) : (gc_mask(c) & U_GC_L_MASK) != 0; }

bool is_mark(char32_t c) noexcept { return c >= 0x300 && (gc_mask(c) & U_GC_M_MASK) != 0; }

bool is_digit(char32_t c) noexcept { return c < 128 ? ascii_has(c, A_DIGIT) : (gc_mask(c) & U_GC_ND_MASK) != 0; }

bool is_numeric(char32_t c) noexcept { return c < 128 ? ascii_has(c, A_DIGIT) : (gc_mask(c) & U_GC_N_MASK) != 0; }

bool is_upper(char32_t c) noexcept { return c < 128 ? ascii_has(c, A_UPPER) : u_isUUppercase(static_cast<UChar32>(c)); }

bool is_titlecase(char32_t c) noexcept { return c >= 128 && (gc_mask(c) & U_GC_LT_MASK) != 0; }

bool is_lower(char32_t c) noexcept { return c < 128 ? ascii_has(c, A_LOWER) : u_isULowercase(static_cast<UChar32>(c)); }

bool is_space(char32_t c) noexcept { return c < 128 ? ascii_has(c, A_SPACE) : u_isUWhiteSpace(static_cast<UChar32>(c)); }

bool is_punct(char32_t c) noexcept { return c < 128 ? ascii_has(c, A_PUNCT) : (gc_mask(c) & U_GC_P_MASK) != 0; }

bool is_symbol(char32_t c) noexcept { return c < 128 ? ascii_has(c, A_SYMBOL) : (gc_mask(c) & U_GC_S_MASK) != 0; }

bool is_currency(char32_t c) noexcept { return c < 128 ? ascii_has(c, A_CURRENCY) : (gc_mask(c) & U_GC_SC_MASK) != 0; }

bool is_emoji(char32_t c) noexcept {
  if (c < 128) return false;
  return has(c, UCHAR_EXTENDED_PICTOGRAPHIC) || has(c, UCHAR_EMOJI_PRESENTATION) || has(c, UCHAR_REGIONAL_INDICATOR);
}

bool is_open_bracket(char32_t c) noexcept {
  return c < 128 ? ascii_has(c, A_OPEN) : bracket_type(c) == U_BPT_OPEN;
}

bool is_close_bracket(char32_t c) noexcept {
  return c < 128 ? ascii_has(c, A_CLOSE) : bracket_type(c) == U_BPT_CLOSE;
}

bool is_quote(char32_t c) noexcept {
  if (c < 128) return ascii_has(c, A_QUOTE);
  // ´ is used as an apostrophe; ❮ ❯ are quotation ornaments spaCy lists with the quotes.
  return c == 0xB4 || c == 0x276E || c == 0x276F || has(c, UCHAR_QUOTATION_MARK);
}

bool is_left_punct(char32_t c) noexcept {
  if (c < 128) return ascii_has(c, A_LEFT);
  return (gc_mask(c) & (U_GC_PS_MASK | U_GC_PI_MASK)) != 0 || is_ambiguous_quote(c);
}

bool is_right_punct(char32_t c) noexcept {
  if (c < 128) return ascii_has(c, A_RIGHT);
  return (gc_mask(c) & (U_GC_PE_MASK | U_GC_PF_MASK)) != 0 || c == 0xB4 || is_ambiguous_quote(c);
}

bool is_unspaced_script(char32_t c) noexcept {
  if (c < 0x0E00) return false;  // every script in the set starts at Thai (U+0E00) or later
  UErrorCode status = U_ZERO_ERROR;
  const UScriptCode script = uscript_getScript(static_cast<UChar32>(c), &status);
  if (U_FAILURE(status)) return false;
  if (in_unspaced_script(script)) return true;
  // Letters shared by several scripts (the prolonged sound mark ー, iteration marks) are Common or
  // Inherited; their Script_Extensions say which scripts use them.
  if ((script == USCRIPT_COMMON || script == USCRIPT_INHERITED) && (gc_mask(c) & (U_GC_L_MASK | U_GC_M_MASK))) {
    for (UScriptCode s : {USCRIPT_HAN, USCRIPT_HIRAGANA, USCRIPT_KATAKANA, USCRIPT_THAI, USCRIPT_LAO, USCRIPT_KHMER,
                          USCRIPT_MYANMAR})
      if (uscript_hasScript(static_cast<UChar32>(c), s)) return true;
  }
  return false;
}

char32_t to_lower(char32_t c) noexcept {
  if (c < 128) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  return static_cast<char32_t>(u_tolower(static_cast<UChar32>(c)));
}

char32_t to_upper(char32_t c) noexcept {
  if (c < 128) return (c >= 'a' && c <= 'z') ? c - 32 : c;
  return static_cast<char32_t>(u_toupper(static_cast<UChar32>(c)));
}

std::string lower(std::string_view utf8) {
  if (utf8::is_ascii(utf8)) {
    std::string out(utf8);
    for (char& ch : out)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
    return out;
  }
  // Full case mapping on the UTF-8 directly: context-sensitive rules (final sigma) and
  // one-to-many mappings (İ -> i̇) apply; the root locale ("") keeps results locale-independent.
  return map_case(utf8, [](icu::StringPiece src, icu::ByteSink& sink, UErrorCode& status) {
    icu::CaseMap::utf8ToLower("", 0, src, sink, nullptr, status);
  });
}

std::string upper(std::string_view utf8) {
  if (utf8::is_ascii(utf8)) {
    std::string out(utf8);
    for (char& ch : out)
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 32);
    return out;
  }
  return map_case(utf8, [](icu::StringPiece src, icu::ByteSink& sink, UErrorCode& status) {
    icu::CaseMap::utf8ToUpper("", 0, src, sink, nullptr, status);
  });
}

}  // namespace weft::unicode
