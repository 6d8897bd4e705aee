// TokenizerRules: the data a rule-based Tokenizer runs on (affix patterns, special cases, token and
// URL patterns), exactly as a language's tokenizer.json spells it. Rules are data, not code, so a
// model folder's tokenizer.json recreates its tokenizer and users can edit rules without rebuilding.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "weft/json.hpp"

namespace weft {

// One prefix, suffix or infix pattern (RE2 syntax). Without a capturing group the whole match is the
// affix; with one group (RE2 has no lookaround) the group is the affix and the rest of the match is
// context: a prefix ends where the group ends, a suffix starts where the group starts, an infix is the
// group. `mwt`: the affix and its neighbouring piece of the chunk are one surface token (UD multi-word
// token: "Bush's" = "Bush" + "'s").
struct AffixRule {
  std::string pattern;
  bool mwt = false;
  bool operator==(const AffixRule&) const = default;
};

// One piece of a special case. `mwt`: this piece and the next are words of one surface token.
// `norm`: the token's norm (spaCy's NORM in a special case); "" = the lexeme's own.
struct SpecialPiece {
  std::string orth;
  bool mwt = false;
  std::string norm;
  SpecialPiece() = default;
  SpecialPiece(std::string orth_, bool mwt_ = false, std::string norm_ = {})  // NOLINT: {"do", true} reads well
      : orth(std::move(orth_)), mwt(mwt_), norm(std::move(norm_)) {}
  bool operator==(const SpecialPiece&) const = default;
};

struct SpecialCase {
  std::string text;  // the exact chunk (or chunk remainder) it matches
  std::vector<SpecialPiece> pieces;  // their orths concatenate to `text`
  bool operator==(const SpecialCase&) const = default;
};

// Throws ValueError unless `sc` is a usable special case: a non-empty text, at least one piece, no empty
// orth, and orths that concatenate to the text (spaCy's E997: special cases may not change the text).
void check_special_case(const SpecialCase& sc);

struct TokenizerRules {
  std::vector<AffixRule> prefixes;
  std::vector<AffixRule> suffixes;
  std::vector<AffixRule> infixes;
  std::vector<SpecialCase> special_cases;
  // Kept whole whenever a chunk remainder of at most 4 KiB matches it entirely (it is tried in every
  // affix round, and the bound keeps long chunks linear); "" = none.
  std::string token_match;
  std::string url_match;    // kept whole when the remainder left by affix stripping matches; "" = none
  // ASCII characters that no prefix, suffix or infix rule can match inside a chunk made only of them:
  // such a chunk skips the regular expressions (checked at construction against short strings).
  std::string plain_chars;

  // Reads the rule keys of a tokenizer config; throws FormatError on a malformed value and ValueError
  // when a special case's pieces do not spell its text.
  static TokenizerRules from_json(const Json& config);
  // The rule keys, in the form from_json reads.
  Json to_json() const;
  bool operator==(const TokenizerRules&) const = default;
};

}  // namespace weft
