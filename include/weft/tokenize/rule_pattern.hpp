// RulePattern: one class of tokenizer rules compiled on its own, matching exactly as the rule-based
// Tokenizer applies that class (capturing-group context included). It is what Python's
// nlp.tokenizer.prefix_search, suffix_search, infix_finditer, token_match and url_match give: spaCy code
// that calls those on a string sees the affixes the tokenizer would take. Offsets are bytes.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/tokenize/tokenizer_rules.hpp"

namespace weft {

class AffixMatcher;

class RulePattern {
 public:
  // Whole: token_match / url_match, a pattern that must match an entire string (each rule is one
  // alternative). Throws ValueError for a pattern that does not compile.
  enum class Kind { Prefix, Suffix, Infix, Whole };
  RulePattern(Kind kind, std::vector<AffixRule> rules);
  ~RulePattern();
  RulePattern(RulePattern&&) noexcept;
  RulePattern& operator=(RulePattern&&) noexcept;

  Kind kind() const noexcept { return kind_; }
  const std::vector<AffixRule>& rules() const noexcept { return rules_; }

  // The [start, end) byte range the class takes from `s`: a prefix (start 0), a suffix (end s.size()),
  // the first infix at or after `pos`, or all of `s` for Whole; nullopt when nothing matches.
  std::optional<std::pair<std::size_t, std::size_t>> find(std::string_view s, std::size_t pos = 0) const;

 private:
  Kind kind_;
  std::vector<AffixRule> rules_;
  std::unique_ptr<AffixMatcher> affixes_;
  struct Whole;
  std::unique_ptr<Whole> whole_;
};

}  // namespace weft
