// RegexpTokenizer ("weft.RegexpTokenizer.v1"): tokens from a regular expression in the config, as
// NLTK's RegexpTokenizer(pattern, gaps=False): each match of the pattern is a token, or with
// "gaps": true the pattern matches the separators and the text between matches is the tokens.
//
// Config: {"@tokenizers": "weft.RegexpTokenizer.v1", "pattern": "...", "gaps": false}. The pattern
// is RE2 syntax (no lookaround or backreferences), matched as NLTK compiles it (multi-line, `.`
// matching newlines, Unicode): \w, \d, \s and their negations get Python's Unicode meaning (RE2's
// are ASCII), except that \W and \S inside [...] are refused (RE2 has no form for them); \b stays
// ASCII. Without "pattern" it is NLTK's WordPunctTokenizer pattern, \w+|[^\w\s]+.
// A token never begins or ends with whitespace (a Doc has no whitespace tokens): whitespace at the
// edges of a match (or of a gap's text) is left out, and a match of whitespace only, or an empty
// one, makes no token; with "gaps", an empty match separates nothing. Capturing groups are refused
// (NLTK's documented rule: use (?:...)), since NLTK's findall would return the group instead of the
// match.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "weft/tokenize/tokenizer_base.hpp"

namespace re2 {
class RE2;
}

namespace weft {

class RegexpTokenizer final : public TokenizerBase {
 public:
  // NLTK's WordPunctTokenizer pattern.
  static constexpr const char* kDefaultPattern = R"(\w+|[^\w\s]+)";
  // The pattern with \w \W \d \D \s \S written as Python's Unicode classes (\w: the regex module's
  // Alphabetic, marks, decimal digits and connector punctuation; \s: White_Space), as RE2 compiles it.
  static std::string unicode_classes(const std::string& pattern);

  // Throws ConfigError (a ValueError) naming the pattern when it is empty, does not compile or has a
  // capturing group.
  RegexpTokenizer(std::shared_ptr<Vocab> vocab, std::string pattern, bool gaps = false);
  ~RegexpTokenizer() override;
  // From a config: "pattern" (string), "gaps" (bool); other keys: ConfigError.
  static std::unique_ptr<RegexpTokenizer> from_config(const Json& config, std::shared_ptr<Vocab> vocab);

  Doc operator()(std::string text) const override;
  // Every token is "TOKEN" (a match), or "GAP" with "gaps" (text between separators).
  std::vector<ExplainEntry> explain(std::string_view text) const override;
  std::string registry_name() const override { return "weft.RegexpTokenizer.v1"; }
  Json to_json() const override;

  const std::string& pattern() const noexcept { return pattern_; }
  bool gaps() const noexcept { return gaps_; }
  // Byte ranges [begin, end) of the tokens of `text` (valid UTF-8).
  std::vector<std::pair<std::size_t, std::size_t>> spans(std::string_view text) const;

 private:
  std::string pattern_;
  bool gaps_ = false;
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace weft
