// Tokenizer ("weft.Tokenizer.v1"): spaCy's rule-based tokenization algorithm. Text is split on
// Unicode whitespace; each chunk is looked up in a per-thread cache and, on a miss, split by special
// cases (exact matches such as "don't" -> "do" "n't"), prefixes and suffixes stripped round by round,
// URL / token patterns that keep a remainder whole, and infixes. The rules are data (TokenizerRules,
// a language's tokenizer.json), so to_json() recreates the tokenizer exactly. The rules can be changed
// after construction (add_special_case, set_prefixes, ...: spaCy's tokenizer customization); to_json()
// then gives the changed rules, so a saved model keeps them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/tokenize/tokenizer_base.hpp"
#include "weft/tokenize/tokenizer_rules.hpp"

namespace weft {

class AffixMatcher;
class SpecialTable;
class ChunkCache;

struct TokenizerOptions {
  // Distinct chunks each thread's cache holds before it starts over (bounds memory while streaming).
  std::size_t cache_size = 1u << 16;
};

// One token as the tokenizer's engine produces it, without a Doc: a byte range of the input and its
// TokenFlag bits (TOKEN_MWT_NEXT).
struct TokenSpan {
  std::uint32_t idx = 0;
  std::uint32_t len = 0;
  std::uint8_t flags = 0;
  bool operator==(const TokenSpan&) const = default;
};

class Tokenizer final : public TokenizerBase {
 public:
  // Compiles the rules; throws ValueError for a pattern that does not compile or plain_chars that a
  // rule matches.
  Tokenizer(std::shared_ptr<Vocab> vocab, TokenizerRules rules, TokenizerOptions options = {});
  // From a config ({"@tokenizers": "weft.Tokenizer.v1", rules..., "cache_size": n}).
  static std::unique_ptr<Tokenizer> from_config(const Json& config, std::shared_ptr<Vocab> vocab);
  ~Tokenizer() override;
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;

  Doc operator()(std::string text) const override;
  std::vector<ExplainEntry> explain(std::string_view text) const override;
  std::string registry_name() const override { return "weft.Tokenizer.v1"; }
  Json to_json() const override;

  // The tokens of `text` as byte ranges (throws EncodingError for invalid UTF-8). The same tokens as
  // operator(), for callers that need no Doc.
  std::vector<TokenSpan> tokenize(std::string_view text) const;

  const TokenizerRules& rules() const noexcept { return rules_; }
  const TokenizerOptions& options() const noexcept { return options_; }

  // ---- changing the rules (spaCy's add_special_case, `tokenizer.rules = ...`, `prefix_search = ...`) ----
  // Each one rebuilds what it changes and starts every thread's chunk cache over. A pattern that does
  // not compile or a malformed special case throws ValueError and leaves the tokenizer as it was.
  // Replacing affix rules narrows plain_chars where a new rule could match inside a chunk made only of
  // plain characters, so the plain-chunk shortcut never changes a tokenization. Not thread-safe: no
  // other thread may use this tokenizer while its rules change (as in spaCy).
  // Adds a special case, replacing the one with the same text (check_special_case rules it).
  void add_special_case(SpecialCase special_case);
  // Replaces all special cases.
  void set_special_cases(std::vector<SpecialCase> special_cases);
  // Replace one class of affix rules (empty: none of that class).
  void set_prefixes(std::vector<AffixRule> rules);
  void set_suffixes(std::vector<AffixRule> rules);
  void set_infixes(std::vector<AffixRule> rules);
  // Replace the whole-remainder patterns ("" = none).
  void set_token_match(std::string pattern);
  void set_url_match(std::string pattern);

  // How a chunk was split; internal to the engine, public so its helpers can name it.
  struct Piece {
    std::uint32_t start = 0;  // byte offset inside the chunk
    std::uint32_t len = 0;
    std::uint8_t flags = 0;
    std::uint8_t rule = 0;    // a Rule
    std::uint16_t special = 0;  // 1-based piece number of a special case
    std::uint16_t norm = 0;     // norm id of a special-case piece (SpecialTable); 0 = none
  };
  enum Rule : std::uint8_t { TOKEN, SPECIAL, PREFIX, SUFFIX, INFIX, URL_MATCH, TOKEN_MATCH };

 private:
  // Splits one chunk (valid UTF-8, no whitespace) into pieces, appended to `out`. `fast` allows the
  // plain-chunk shortcut (explain() runs every rule, which must give the same tokens).
  void split_chunk(std::string_view chunk, std::vector<Piece>& out, bool fast) const;
  void split_core(std::string_view chunk, std::size_t begin, std::size_t end, std::vector<Piece>& out) const;
  bool is_plain(std::string_view chunk) const noexcept;
  bool token_match(std::string_view s) const;
  bool url_match(std::string_view s) const;
  void check_plain_chars() const;
  void set_affixes(Rule which, std::vector<AffixRule> rules);
  void reset_caches();
  ChunkCache& cache() const;
  template <class Emit>
  void run(std::string_view text, Emit&& emit) const;

  TokenizerRules rules_;
  TokenizerOptions options_;
  std::unique_ptr<AffixMatcher> prefixes_, suffixes_, infixes_;
  std::unique_ptr<SpecialTable> specials_;
  struct Patterns;
  std::unique_ptr<Patterns> patterns_;
  bool plain_[128] = {};
  // Distinguishes this instance's thread-local caches from any other's; a rule change takes a new one,
  // which makes every cache filled under the old rules unreachable.
  std::uint64_t id_;
};

}  // namespace weft
