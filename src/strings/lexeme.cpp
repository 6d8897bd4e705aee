#include "weft/strings/lexeme.hpp"

#include <array>
#include <string>

#include "strings/lex_like.hpp"
#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft::lex {

namespace {

constexpr std::size_t kShapeRun = 4;           // longer runs of one shape character are cut to this
constexpr std::size_t kLongShape = 100;        // spaCy's length (code points) from which the shape is "LONG"

std::size_t first_cp_len(std::string_view s) noexcept {
  std::size_t i = 0;
  if (!s.empty()) utf8::next(s, i);
  return i;
}

// Byte offset where the last `n` code points begin (0 when the string is shorter).
std::size_t last_cps_start(std::string_view s, std::size_t n) noexcept {
  std::size_t i = s.size();
  for (std::size_t k = 0; k < n && i > 0; ++k) {
    --i;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0u) == 0x80u) --i;
  }
  return i;
}

void shape_into(std::string_view s, std::string& out) {
  out.clear();
  if (s.size() >= kLongShape && utf8::length(s) >= kLongShape) {
    out = "LONG";
    return;
  }
  out.reserve(s.size());
  char32_t last = 0xFFFFFFFFu;
  std::size_t run = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t start = i;
    const char32_t c = utf8::next(s, i);
    char32_t sc;
    if (c < 0x80) {
      sc = (c >= 'A' && c <= 'Z') ? U'X' : (c >= 'a' && c <= 'z') ? U'x' : (c >= '0' && c <= '9') ? U'd' : c;
    } else if (start > 0 && unicode::is_mark(c)) {
      continue;  // a combining mark belongs to the character before it
    } else if (unicode::is_alpha(c)) {
      sc = unicode::is_upper(c) ? U'X' : U'x';
    } else if (unicode::is_digit(c)) {
      sc = U'd';
    } else {
      sc = c;
    }
    if (sc == last) {
      ++run;
    } else {
      run = 0;
      last = sc;
    }
    if (run >= kShapeRun) continue;
    if (sc == c)
      out.append(s.data() + start, i - start);
    else
      out += static_cast<char>(sc);
  }
}

// The per-character classes the flags need, as bits, so one pass can AND ("all characters are ...")
// and OR ("some character is ...") them. ASCII comes from a table; the rest asks unicode::.
enum CharBit : std::uint32_t {
  C_ALPHA = 1u << 0,
  C_DIGIT = 1u << 1,
  C_PUNCT = 1u << 2,
  C_SPACE = 1u << 3,
  C_CURRENCY = 1u << 4,
  C_UPPER = 1u << 5,
  C_LOWER = 1u << 6,
  C_TITLE = 1u << 7,
  C_MARK = 1u << 8,
};

constexpr std::array<std::uint16_t, 128> make_ascii_classes() {
  std::array<std::uint16_t, 128> t{};
  constexpr std::string_view punct = "!\"#%&'()*,-./:;?@[\\]_{}";  // general category P*
  for (int i = 0; i < 128; ++i) {
    std::uint32_t b = 0;
    if (i >= 'A' && i <= 'Z') b |= C_ALPHA | C_UPPER;
    if (i >= 'a' && i <= 'z') b |= C_ALPHA | C_LOWER;
    if (i >= '0' && i <= '9') b |= C_DIGIT;
    if ((i >= 0x09 && i <= 0x0D) || i == ' ') b |= C_SPACE;
    if (punct.find(static_cast<char>(i)) != std::string_view::npos) b |= C_PUNCT;
    if (i == '$') b |= C_CURRENCY;
    t[i] = static_cast<std::uint16_t>(b);
  }
  return t;
}

constexpr std::array<std::uint16_t, 128> kAsciiClasses = make_ascii_classes();

std::uint32_t classify(char32_t c) {
  if (c < 0x80) return kAsciiClasses[c];
  std::uint32_t b = 0;
  if (unicode::is_alpha(c)) b |= C_ALPHA;
  if (unicode::is_digit(c)) b |= C_DIGIT;
  if (unicode::is_punct(c)) b |= C_PUNCT;
  if (unicode::is_space(c)) b |= C_SPACE;
  if (unicode::is_currency(c)) b |= C_CURRENCY;
  if (unicode::is_upper(c)) b |= C_UPPER;
  if (unicode::is_lower(c)) b |= C_LOWER;
  if (unicode::is_titlecase(c)) b |= C_TITLE;
  if (unicode::is_mark(c)) b |= C_MARK;
  return b;
}

struct CharScan {
  std::uint32_t flags = 0;
  bool has_dot_or_colon = false;  // every LIKE_URL needs one
  bool has_at = false;            // every LIKE_EMAIL needs one
};

// One pass over the code points for the character-class flags and the case flags.
CharScan char_flags(std::string_view s) {
  CharScan out;
  if (s.empty()) return out;
  std::uint32_t all = ~0u, any = 0;
  bool ascii = true, title = true, prev_cased = false;
  std::size_t count = 0;
  char32_t only = 0;  // the code point when there is just one
  std::size_t i = 0;
  while (i < s.size()) {
    const char32_t c = utf8::next(s, i);
    ++count;
    only = c;
    std::uint32_t b = classify(c);
    if (c < 0x80) {
      out.has_dot_or_colon |= c == '.' || c == ':';
      out.has_at |= c == '@';
    } else {
      ascii = false;
    }
    // A combining mark after a character keeps IS_ALPHA and does not break a titlecase word.
    const bool mark = count > 1 && (b & C_MARK);
    if (mark) b |= C_ALPHA;
    all &= b;
    any |= b;
    // Python's str.istitle: cased characters must follow uncased ones exactly when uppercase.
    if (b & (C_UPPER | C_TITLE)) {
      if (prev_cased) title = false;
      prev_cased = true;
    } else if (b & C_LOWER) {
      if (!prev_cased) title = false;
      prev_cased = true;
    } else if (!mark) {
      prev_cased = false;
    }
  }
  std::uint32_t f = 0;
  auto set = [&f](LexFlag flag, bool on) { f |= static_cast<std::uint32_t>(on) << flag; };
  const bool cased = any & (C_UPPER | C_LOWER | C_TITLE);
  set(FLAG_IS_ALPHA, all & C_ALPHA);
  set(FLAG_IS_ASCII, ascii);
  set(FLAG_IS_DIGIT, all & C_DIGIT);
  set(FLAG_IS_PUNCT, all & C_PUNCT);
  set(FLAG_IS_SPACE, all & C_SPACE);
  set(FLAG_IS_CURRENCY, all & C_CURRENCY);
  set(FLAG_IS_LOWER, (any & C_LOWER) && !(any & (C_UPPER | C_TITLE)));
  set(FLAG_IS_UPPER, (any & C_UPPER) && !(any & (C_LOWER | C_TITLE)));
  set(FLAG_IS_TITLE, title && cased);
  const bool single = count == 1;
  set(FLAG_IS_BRACKET, single && (unicode::is_open_bracket(only) || unicode::is_close_bracket(only)));
  set(FLAG_IS_QUOTE, (single && unicode::is_quote(only)) || s == "''" || s == "``");
  set(FLAG_IS_LEFT_PUNCT, (single && unicode::is_left_punct(only)) || s == "``");
  set(FLAG_IS_RIGHT_PUNCT, (single && unicode::is_right_punct(only)) || s == "''");
  out.flags = f;
  return out;
}

std::uint32_t all_flags(std::string_view s, const std::string& lowered, const LexAttrData& data) {
  const CharScan scan = char_flags(s);
  std::uint32_t f = scan.flags;
  auto set = [&f](LexFlag flag, bool on) { f |= static_cast<std::uint32_t>(on) << flag; };
  set(FLAG_LIKE_NUM, detail::like_num_lowered(lowered, data));
  set(FLAG_LIKE_URL, scan.has_dot_or_colon && like_url(s));
  set(FLAG_LIKE_EMAIL, scan.has_at && like_email(s));
  set(FLAG_IS_STOP, !data.stop_words.empty() && data.stop_words.count(lowered) != 0);
  return f;
}

const std::string& norm_of(const std::string& lowered, const LexAttrData& data) {
  if (data.norm_exceptions.empty()) return lowered;
  const auto it = data.norm_exceptions.find(lowered);
  return it == data.norm_exceptions.end() ? lowered : it->second;
}

}  // namespace

std::string lower(std::string_view s) { return unicode::lower(s); }

std::string shape(std::string_view s) {
  std::string out;
  shape_into(s, out);
  return out;
}

std::string prefix(std::string_view s) { return std::string(s.substr(0, first_cp_len(s))); }

std::string suffix(std::string_view s) { return std::string(s.substr(last_cps_start(s, 3))); }

std::string norm(std::string_view s, const LexAttrData& data) { return norm_of(lower(s), data); }

std::uint32_t flags(std::string_view s, const LexAttrData& data) { return all_flags(s, lower(s), data); }

Lexeme make(std::string_view s, const LexAttrData& data) {
  // Prefix and suffix are hashed as views of `s`; lower and shape fit the small-string buffer for
  // most words, so a typical word allocates nothing.
  const std::string lowered = lower(s);
  std::string shp;
  shape_into(s, shp);
  Lexeme lex;
  lex.orth = hash_string(s);
  lex.lower = hash_string(lowered);
  lex.norm = hash_string(norm_of(lowered, data));
  lex.shape = hash_string(shp);
  lex.prefix = hash_string(s.substr(0, first_cp_len(s)));
  lex.suffix = hash_string(s.substr(last_cps_start(s, 3)));
  lex.flags = all_flags(s, lowered, data);
  lex.length = static_cast<std::uint32_t>(utf8::length(s));
  return lex;
}

LexemeStrings strings(std::string_view s, const LexAttrData& data) {
  LexemeStrings out;
  out.lower = lower(s);
  out.norm = norm_of(out.lower, data);
  shape_into(s, out.shape);
  out.prefix = prefix(s);
  out.suffix = suffix(s);
  return out;
}

}  // namespace weft::lex
