#include "weft/tokenize/rule_pattern.hpp"

#include <re2/re2.h>

#include <string>

#include "affix_matcher.hpp"
#include "weft/error.hpp"

namespace weft {

struct RulePattern::Whole {
  std::unique_ptr<RE2> re;
};

RulePattern::RulePattern(Kind kind, std::vector<AffixRule> rules) : kind_(kind), rules_(std::move(rules)) {
  if (kind_ != Kind::Whole) {
    affixes_ = std::make_unique<AffixMatcher>(
        kind_ == Kind::Prefix ? AffixMatcher::Kind::Prefix
        : kind_ == Kind::Suffix ? AffixMatcher::Kind::Suffix
                                : AffixMatcher::Kind::Infix,
        rules_, kind_ == Kind::Prefix ? "prefix" : kind_ == Kind::Suffix ? "suffix" : "infix");
    return;
  }
  whole_ = std::make_unique<Whole>();
  if (rules_.empty()) return;
  std::string combined;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    if (i) combined += '|';
    combined += "(?:" + rules_[i].pattern + ")";
  }
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(64 << 20);
  whole_->re = std::make_unique<RE2>(combined, o);
  if (!whole_->re->ok()) {
    throw ValueError("tokenizer pattern \"" + combined + "\" does not compile: " + whole_->re->error());
  }
}

RulePattern::~RulePattern() = default;
RulePattern::RulePattern(RulePattern&&) noexcept = default;
RulePattern& RulePattern::operator=(RulePattern&&) noexcept = default;

std::optional<std::pair<std::size_t, std::size_t>> RulePattern::find(std::string_view s, std::size_t pos) const {
  AffixMatcher::Match m;
  switch (kind_) {
    case Kind::Prefix:
      if (affixes_->find_prefix(s, m)) return std::pair{m.start, m.end};
      return std::nullopt;
    case Kind::Suffix:
      if (affixes_->find_suffix(s, m)) return std::pair{m.start, m.end};
      return std::nullopt;
    case Kind::Infix:
      if (affixes_->find_infix(s, pos, m)) return std::pair{m.start, m.end};
      return std::nullopt;
    case Kind::Whole:
      if (whole_->re && whole_->re->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::ANCHOR_BOTH,
                                          nullptr, 0)) {
        return std::pair{std::size_t{0}, s.size()};
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace weft
