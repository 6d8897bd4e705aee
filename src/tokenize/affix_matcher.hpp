// AffixMatcher: one list of prefix, suffix or infix rules compiled into a single RE2 alternation, so
// each step of the tokenizer is one regular-expression match whatever the number of rules. Each
// alternative carries exactly one capturing group (the affix), which tells which rule matched.
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>
#include <vector>

#include "weft/tokenize/tokenizer_rules.hpp"

namespace re2 {
class RE2;
}

namespace weft {

class AffixMatcher {
 public:
  enum class Kind { Prefix, Suffix, Infix };
  struct Match {
    std::size_t start = 0;  // the affix, as byte offsets into the searched text
    std::size_t end = 0;
    std::size_t rule = 0;   // index into the rule list
  };

  // Throws ValueError naming `what` and the pattern when a rule does not compile or has more than one
  // capturing group.
  AffixMatcher(Kind kind, const std::vector<AffixRule>& rules, const char* what);
  ~AffixMatcher();
  AffixMatcher(AffixMatcher&&) noexcept;
  AffixMatcher& operator=(AffixMatcher&&) noexcept;

  bool empty() const noexcept { return re_ == nullptr; }
  const AffixRule& rule(std::size_t i) const noexcept { return rules_[i]; }

  // Prefix: the prefix of s ([0, end)); suffix: the suffix of s ([start, size)). Empty affixes count as
  // no match. Returns false when no rule matches.
  bool find_prefix(std::string_view s, Match& m) const;
  bool find_suffix(std::string_view s, Match& m) const;
  // Infix: the first non-empty infix at or after byte `pos` (s must be valid UTF-8).
  bool find_infix(std::string_view s, std::size_t pos, Match& m) const;

 private:
  bool run(std::string_view s, std::size_t pos, bool anchor_start, Match& m) const;
  Kind kind_;
  std::vector<AffixRule> rules_;
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace weft
