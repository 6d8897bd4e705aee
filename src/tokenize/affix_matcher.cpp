#include "affix_matcher.hpp"

#include <re2/re2.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/error.hpp"

namespace weft {
namespace {

// The DFA cache of a big Unicode alternation outgrows RE2's 8 MB default, which silently falls back
// to the slower NFA.
constexpr std::int64_t kMaxMem = 64 << 20;

RE2::Options options() {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(kMaxMem);
  return o;
}

// The capturing groups of an RE2 pattern, read from its text (escapes, \Q...\E and character classes
// skipped), or -1 when its parentheses do not balance, so that it could not stand alone inside a group.
// Only a shortcut: the constructor checks the combined pattern's group count against it.
int capturing_groups(std::string_view p) {
  int groups = 0, depth = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      if (i + 1 < p.size() && p[i + 1] == 'Q') {
        const std::size_t e = p.find("\\E", i + 2);
        if (e == std::string_view::npos) break;
        i = e + 1;
      } else {
        ++i;
      }
    } else if (c == '[') {
      std::size_t j = i + 1;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;  // a leading ] is a literal
      for (; j < p.size() && p[j] != ']'; ++j) {
        if (p[j] == '\\') {
          ++j;
        } else if (p[j] == '[' && j + 1 < p.size() && p[j + 1] == ':') {  // [:alpha:]
          const std::size_t e = p.find(":]", j + 2);
          if (e != std::string_view::npos) j = e + 1;
        }
      }
      if (j >= p.size()) return -1;
      i = j;
    } else if (c == '(') {
      ++depth;
      if (i + 1 < p.size() && p[i + 1] != '?') {
        ++groups;
      } else if (p.substr(i + 1, 3) == "?P<" || (p.substr(i + 1, 2) == "?<" && i + 3 < p.size() && p[i + 3] != '=' && p[i + 3] != '!')) {
        ++groups;  // a named group
      }
    } else if (c == ')') {
      if (--depth < 0) return -1;
    }
  }
  return depth == 0 ? groups : -1;
}

}  // namespace

AffixMatcher::AffixMatcher(Kind kind, const std::vector<AffixRule>& rules, const char* what)
    : kind_(kind), rules_(rules) {
  if (rules_.empty()) return;
  // Each alternative gets exactly one capturing group: its own, or one around it.
  const auto combine = [&](const std::vector<int>& groups) {
    std::string combined;
    for (std::size_t i = 0; i < rules_.size(); ++i) {
      if (i) combined += '|';
      combined += groups[i] == 0 ? "(" + rules_[i].pattern + ")" : "(?:" + rules_[i].pattern + ")";
    }
    // A trailing $ lets RE2 run its reverse DFA from the end of the text, so finding a suffix costs the
    // suffix's length, not the chunk's.
    if (kind_ == Kind::Suffix) combined = "(?:" + combined + ")$";
    return std::make_unique<RE2>(combined, options());
  };
  // Fast path: the groups read from the patterns' text and one compilation, of the combined pattern
  // (compiling every rule on its own as well took 0.14 s of the English rules' 0.25 s). It stands when the
  // combination compiles with one group per rule.
  std::vector<int> groups(rules_.size());
  bool scanned = true;
  for (std::size_t i = 0; i < rules_.size() && scanned; ++i) {
    groups[i] = capturing_groups(rules_[i].pattern);
    scanned = groups[i] == 0 || groups[i] == 1;
  }
  if (scanned) {
    re_ = combine(groups);
    if (re_->ok() && static_cast<std::size_t>(re_->NumberOfCapturingGroups()) == rules_.size()) return;
    re_.reset();
  }
  // Each rule on its own, which names the rule at fault.
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const std::string& p = rules_[i].pattern;
    RE2 single(p, options());
    if (!single.ok()) {
      throw ValueError(std::string("tokenizer ") + what + " pattern \"" + p + "\" does not compile: " + single.error());
    }
    groups[i] = single.NumberOfCapturingGroups();
    if (groups[i] > 1) {
      throw ValueError(std::string("tokenizer ") + what + " pattern \"" + p +
                       "\" has more than one capturing group (use (?:...) for grouping)");
    }
  }
  re_ = combine(groups);
  if (!re_->ok()) throw ValueError(std::string("tokenizer ") + what + " patterns do not combine: " + re_->error());
}

AffixMatcher::~AffixMatcher() = default;
AffixMatcher::AffixMatcher(AffixMatcher&&) noexcept = default;
AffixMatcher& AffixMatcher::operator=(AffixMatcher&&) noexcept = default;

bool AffixMatcher::run(std::string_view s, std::size_t pos, bool anchor_start, Match& m) const {
  const std::size_t n = rules_.size() + 1;
  // Rule lists are short; the submatch array lives on the stack for the common sizes.
  re2::StringPiece small[64];
  std::vector<re2::StringPiece> big;
  re2::StringPiece* groups = small;
  if (n > 64) {
    big.resize(n);
    groups = big.data();
  }
  const re2::StringPiece text(s.data(), s.size());
  if (!re_->Match(text, pos, s.size(), anchor_start ? RE2::ANCHOR_START : RE2::UNANCHORED, groups,
                  static_cast<int>(n))) {
    return false;
  }
  for (std::size_t g = 1; g < n; ++g) {
    if (groups[g].data() == nullptr) continue;
    m.start = static_cast<std::size_t>(groups[g].data() - s.data());
    m.end = m.start + groups[g].size();
    m.rule = g - 1;
    return true;
  }
  return false;
}

bool AffixMatcher::find_prefix(std::string_view s, Match& m) const {
  if (!re_ || s.empty() || !run(s, 0, true, m)) return false;
  m.start = 0;
  return m.end > 0;
}

bool AffixMatcher::find_suffix(std::string_view s, Match& m) const {
  if (!re_ || s.empty() || !run(s, 0, false, m)) return false;
  m.end = s.size();
  return m.start < s.size();
}

bool AffixMatcher::find_infix(std::string_view s, std::size_t pos, Match& m) const {
  if (!re_) return false;
  while (pos < s.size()) {
    if (!run(s, pos, false, m)) return false;
    if (m.end > m.start) return true;
    // An empty infix: search again from the next code point after it.
    pos = m.start + 1;
    while (pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) ++pos;
  }
  return false;
}

}  // namespace weft
