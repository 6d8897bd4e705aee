#include "pattern_scan.hpp"

#include <cstddef>
#include <string>

namespace weft {
namespace {

struct Unknown {};  // a construct the scan does not read: the caller assumes the worst

// What a sub-pattern can do over the plain alphabet P: the ASCII characters it can consume, whether it
// can match some string of P* (the empty one included) and whether it can match a non-empty one.
struct Info {
  AsciiSet chars;
  bool any = true;
  bool nonnull = false;
};

AsciiSet range(unsigned lo, unsigned hi) {
  AsciiSet s;
  for (unsigned c = lo; c <= hi && c < 128; ++c) s.set(c);
  return s;
}
const AsciiSet kDigits = range('0', '9');
const AsciiSet kUpper = range('A', 'Z');
const AsciiSet kLower = range('a', 'z');
AsciiSet word() { return kDigits | kUpper | kLower | range('_', '_'); }
AsciiSet space() { return range('\t', '\n') | range('\f', '\r') | range(' ', ' '); }
AsciiSet punct() { return range('!', '/') | range(':', '@') | range('[', '`') | range('{', '~'); }

// A character set: its ASCII members and whether it may hold non-ASCII characters too.
struct CharSet {
  AsciiSet ascii;
  bool other = false;
};

class Scanner {
 public:
  Scanner(std::string_view p, const AsciiSet& plain) : p_(p), plain_(plain) {}

  Info run() {
    Info i = alternation();
    if (pos_ != p_.size()) throw Unknown{};
    return i;
  }

 private:
  bool at_end() const { return pos_ >= p_.size(); }
  char peek() const { return p_[pos_]; }
  char next() {
    if (at_end()) throw Unknown{};
    return p_[pos_++];
  }

  Info of(CharSet s) const {
    if (fold_) {
      s.ascii |= (s.ascii & kUpper) << 32;
      s.ascii |= (s.ascii & kLower) >> 32;
      // Non-ASCII characters that fold to ASCII letters (KELVIN SIGN, LONG S).
      if (s.other) s.ascii |= range('k', 'k') | range('K', 'K') | range('s', 's') | range('S', 'S');
    }
    Info i;
    i.chars = s.ascii;
    i.any = i.nonnull = (s.ascii & plain_).any();
    return i;
  }
  static Info zero_width() { return Info{}; }

  // alternation := concat ('|' concat)*; (?flags) settings end with the enclosing group.
  Info alternation() {
    const bool fold = fold_;
    Info out = concat();
    while (!at_end() && peek() == '|') {
      ++pos_;
      const Info b = concat();
      out.chars |= b.chars;
      out.any = out.any || b.any;
      out.nonnull = out.nonnull || b.nonnull;
    }
    fold_ = fold;
    return out;
  }

  Info concat() {
    Info out;
    while (!at_end() && peek() != '|' && peek() != ')') {
      const Info a = repeat(atom());
      out.chars |= a.chars;
      out.nonnull = (out.nonnull && a.any) || (out.any && a.nonnull);
      out.any = out.any && a.any;
    }
    return out;
  }

  // Reads a {n}, {n,} or {n,m} at pos_ into min/max (max -1 = unbounded); false (nothing consumed)
  // when the brace is a literal.
  bool braces(long& min, long& max) {
    std::size_t i = pos_ + 1;
    auto number = [&](long& v) {
      const std::size_t start = i;
      v = 0;
      while (i < p_.size() && p_[i] >= '0' && p_[i] <= '9' && i - start < 6) v = v * 10 + (p_[i++] - '0');
      return i > start;
    };
    if (!number(min)) return false;
    max = min;
    if (i < p_.size() && p_[i] == ',') {
      ++i;
      if (!number(max)) max = -1;
    }
    if (i >= p_.size() || p_[i] != '}') return false;
    pos_ = i + 1;
    return true;
  }

  Info repeat(Info a) {
    for (;;) {
      if (at_end()) return a;
      long min = 0, max = -1;
      const char c = peek();
      if (c == '*') ++pos_;
      else if (c == '+') ++pos_, min = 1;
      else if (c == '?') ++pos_, max = 1;
      else if (c != '{' || !braces(min, max)) return a;
      if (!at_end() && peek() == '?') ++pos_;  // lazy
      if (min == 0) {
        a.any = true;
        a.nonnull = a.nonnull && max != 0;
      }
    }
  }

  // Flags of (?flags) or (?flags:; only i (case folding) changes what can match.
  void flags() {
    bool on = true;
    for (;;) {
      const char c = next();
      if (c == ':' || c == ')') {
        --pos_;
        return;
      }
      if (c == '-') on = false;
      else if (c == 'i') fold_ = on;
      else if (c != 'm' && c != 's' && c != 'U') throw Unknown{};
    }
  }

  Info atom() {
    const char c = next();
    switch (c) {
      case '(': {
        const bool fold = fold_;
        if (!at_end() && peek() == '?') {
          ++pos_;
          const char k = next();
          if (k == 'P' || k == '<') {  // (?P<name>...) or (?<name>...)
            if (k == 'P' && next() != '<') throw Unknown{};
            while (next() != '>') {
            }
          } else if (k != ':') {
            --pos_;
            flags();
            if (next() == ')') return zero_width();  // (?i): for the rest of the enclosing group
          }
        }
        Info i = alternation();
        if (next() != ')') throw Unknown{};
        fold_ = fold;
        return i;
      }
      case '[': return of(char_class());
      case '.': return of({~AsciiSet(), true});
      case '^':
      case '$': return zero_width();
      case '\\': return escape();
      default: break;
    }
    if (c == ')' || c == '|' || c == '*' || c == '+' || c == '?') throw Unknown{};
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80) return of({range(u, u), false});
    while (!at_end() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80) ++pos_;
    return of({AsciiSet(), true});
  }

  // After a backslash, outside a class.
  Info escape() {
    const char c = next();
    switch (c) {
      case 'b':
      case 'B':
      case 'A':
      case 'z': return zero_width();
      case 'Q': {
        Info out;
        while (!at_end()) {
          if (p_.compare(pos_, 2, "\\E") == 0) {
            pos_ += 2;
            break;
          }
          const Info a = atom_literal();
          out.chars |= a.chars;
          out.nonnull = (out.nonnull && a.any) || (out.any && a.nonnull);
          out.any = out.any && a.any;
        }
        return out;
      }
      default: --pos_; return of(escape_set());
    }
  }

  Info atom_literal() {
    const auto u = static_cast<unsigned char>(next());
    if (u < 0x80) return of({range(u, u), false});
    while (!at_end() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80) ++pos_;
    return of({AsciiSet(), true});
  }

  // A Unicode class name's ASCII members (unknown names: every character).
  static CharSet property(const std::string& name) {
    if (name == "L" || name == "Latin") return {kUpper | kLower, true};
    if (name == "Lu") return {kUpper, true};
    if (name == "Ll") return {kLower, true};
    if (name == "Lt" || name == "Lm" || name == "Lo" || name == "M" || name == "Mn" || name == "Mc" || name == "Me" ||
        name == "Nl" || name == "No" || name == "Greek" || name == "Cyrillic" || name == "Han" || name == "Arabic" ||
        name == "Hebrew" || name == "Hiragana" || name == "Katakana")
      return {AsciiSet(), true};
    if (name == "N" || name == "Nd") return {kDigits, true};
    if (name == "Sc") return {range('$', '$'), true};
    return {~AsciiSet(), true};
  }

  // The set an escape stands for (pos_ at the character after the backslash).
  CharSet escape_set() {
    const char c = next();
    switch (c) {
      case 'd': return {kDigits, false};
      case 'D': return {~kDigits, true};
      case 's': return {space(), false};
      case 'S': return {~space(), true};
      case 'w': return {word(), false};
      case 'W': return {~word(), true};
      case 'C': return {~AsciiSet(), true};
      case 'a': return {range(7, 7), false};
      case 'f': return {range('\f', '\f'), false};
      case 't': return {range('\t', '\t'), false};
      case 'n': return {range('\n', '\n'), false};
      case 'r': return {range('\r', '\r'), false};
      case 'v': return {range('\v', '\v'), false};
      case 'p':
      case 'P': {
        std::string name;
        if (!at_end() && peek() == '{') {
          ++pos_;
          for (char k = next(); k != '}'; k = next()) name += k;
        } else {
          name = std::string(1, next());
        }
        bool negate = c == 'P';
        if (!name.empty() && name[0] == '^') {
          negate = !negate;
          name.erase(0, 1);
        }
        CharSet s = property(name);
        if (negate) s = {~s.ascii, true};
        return s;
      }
      case 'x': {
        unsigned long v = 0;
        if (!at_end() && peek() == '{') {
          ++pos_;
          for (char k = next(); k != '}'; k = next()) v = v * 16 + hex(k);
        } else {
          v = hex(next()) * 16;
          v += hex(next());
        }
        return v < 128 ? CharSet{range(v, v), false} : CharSet{AsciiSet(), true};
      }
      default: break;
    }
    if (c >= '0' && c <= '7') {
      unsigned v = static_cast<unsigned>(c - '0');
      for (int k = 0; k < 2 && !at_end() && peek() >= '0' && peek() <= '7'; ++k) v = v * 8 + (next() - '0');
      return v < 128 ? CharSet{range(v, v), false} : CharSet{AsciiSet(), true};
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
      return {range(u, u), false};  // an escaped punctuation character
    }
    throw Unknown{};
  }

  static unsigned hex(char k) {
    if (k >= '0' && k <= '9') return static_cast<unsigned>(k - '0');
    if (k >= 'a' && k <= 'f') return static_cast<unsigned>(k - 'a' + 10);
    if (k >= 'A' && k <= 'F') return static_cast<unsigned>(k - 'A' + 10);
    throw Unknown{};
  }

  static CharSet posix(const std::string& name) {
    if (name == "alpha") return {kUpper | kLower, false};
    if (name == "digit") return {kDigits, false};
    if (name == "alnum") return {kUpper | kLower | kDigits, false};
    if (name == "upper") return {kUpper, false};
    if (name == "lower") return {kLower, false};
    if (name == "word") return {word(), false};
    if (name == "punct") return {punct(), false};
    if (name == "space") return {space() | range('\v', '\v'), false};
    return {~AsciiSet(), false};
  }

  // After '[': the class up to its ']'.
  CharSet char_class() {
    bool negate = false;
    if (!at_end() && peek() == '^') {
      negate = true;
      ++pos_;
    }
    CharSet s;
    bool first = true;
    for (;;) {
      char c = next();
      if (c == ']' && !first) break;
      first = false;
      if (c == '[' && !at_end() && peek() == ':') {
        const std::size_t close = p_.find(":]", pos_ + 1);
        if (close == std::string_view::npos) throw Unknown{};
        std::string name(p_.substr(pos_ + 1, close - pos_ - 1));
        pos_ = close + 2;
        bool neg = false;
        if (!name.empty() && name[0] == '^') {
          neg = true;
          name.erase(0, 1);
        }
        CharSet p = posix(name);
        if (neg) p = {~p.ascii, true};
        s.ascii |= p.ascii;
        s.other = s.other || p.other;
        continue;
      }
      // One character (or an escape standing for a set), maybe the start of a range.
      unsigned lo = 0;
      if (c == '\\') {
        const CharSet e = escape_set();
        if (e.ascii.count() != 1 || e.other) {
          s.ascii |= e.ascii;
          s.other = s.other || e.other;
          continue;
        }
        for (unsigned k = 0; k < 128; ++k)
          if (e.ascii[k]) lo = k;
      } else if (static_cast<unsigned char>(c) >= 0x80) {
        while (!at_end() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80) ++pos_;
        lo = 0x80;
      } else {
        lo = static_cast<unsigned char>(c);
      }
      if (pos_ + 1 < p_.size() && peek() == '-' && p_[pos_ + 1] != ']') {
        ++pos_;
        const char h = next();
        unsigned hi = 0x80;
        if (h == '\\') {
          const CharSet e = escape_set();
          if (e.ascii.count() != 1 || e.other) throw Unknown{};
          for (unsigned k = 0; k < 128; ++k)
            if (e.ascii[k]) hi = k;
        } else if (static_cast<unsigned char>(h) >= 0x80) {
          while (!at_end() && (static_cast<unsigned char>(peek()) & 0xC0) == 0x80) ++pos_;
        } else {
          hi = static_cast<unsigned char>(h);
        }
        if (lo < 128) s.ascii |= range(lo, hi > 127 ? 127 : hi);
        if (hi >= 0x80) s.other = true;
      } else if (lo < 128) {
        s.ascii.set(lo);
      } else {
        s.other = true;
      }
    }
    if (fold_) {
      s.ascii |= (s.ascii & kUpper) << 32;
      s.ascii |= (s.ascii & kLower) >> 32;
      if (s.other) s.ascii |= range('k', 'k') | range('K', 'K') | range('s', 's') | range('S', 'S');
    }
    if (negate) s = {~s.ascii, true};
    return s;
  }

  std::string_view p_;
  std::size_t pos_ = 0;
  const AsciiSet& plain_;
  bool fold_ = false;
};

}  // namespace

PatternScan scan_pattern(std::string_view pattern, const AsciiSet& plain) {
  try {
    const Info i = Scanner(pattern, plain).run();
    return {i.chars, i.nonnull};
  } catch (const Unknown&) {
    return {~AsciiSet(), true};
  }
}

}  // namespace weft
