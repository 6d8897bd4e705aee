// The interface every tokenizer implements: text in, Doc out. Tokenizers are made through the
// Registry ("tokenizers" category) from a JSON config, so alternatives (the rule-based
// weft.Tokenizer.v1, weft.WhitespaceTokenizer.v1, user entries) are interchangeable in a pipeline.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/doc/doc.hpp"
#include "weft/json.hpp"

namespace weft {

// One line of tokenizer.explain(): the rule that produced a token and the token's text.
// Rules: "TOKEN" (a chunk kept whole), "SPECIAL-n" (n-th piece of a special case), "PREFIX", "SUFFIX",
// "INFIX", "URL_MATCH", "TOKEN_MATCH".
struct ExplainEntry {
  std::string rule;
  std::string text;
};

class TokenizerBase {
 public:
  explicit TokenizerBase(std::shared_ptr<Vocab> vocab) : vocab_(std::move(vocab)) {}
  virtual ~TokenizerBase() = default;

  // Tokenizes `text` into a new Doc. Throws EncodingError for invalid UTF-8.
  virtual Doc operator()(std::string text) const = 0;
  // Which rule produced each token (the same tokens operator() gives).
  virtual std::vector<ExplainEntry> explain(std::string_view text) const = 0;
  // The registry name ("weft.Tokenizer.v1") and the config that recreates this tokenizer (saved as
  // tokenizer.json in a model folder; it holds the complete rules, not a reference to them).
  virtual std::string registry_name() const = 0;
  virtual Json to_json() const = 0;

  const std::shared_ptr<Vocab>& vocab() const noexcept { return vocab_; }

 protected:
  std::shared_ptr<Vocab> vocab_;
};

// Registry factory type for the "tokenizers" category: (config, vocab) -> tokenizer.
using TokenizerFactory = std::function<std::unique_ptr<TokenizerBase>(const Json& config, std::shared_ptr<Vocab>)>;

// Makes a tokenizer from a config whose "@tokenizers" key names the registry entry.
std::unique_ptr<TokenizerBase> make_tokenizer(const Json& config, std::shared_ptr<Vocab> vocab);

}  // namespace weft
