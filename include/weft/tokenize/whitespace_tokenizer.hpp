// WhitespaceTokenizer ("weft.WhitespaceTokenizer.v1"): one token per run of non-whitespace characters
// (Unicode White_Space). For input that is already tokenized, such as space-separated corpus lines,
// where the rule-based tokenizer would split tokens again.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/tokenize/tokenizer_base.hpp"

namespace weft {

class WhitespaceTokenizer final : public TokenizerBase {
 public:
  explicit WhitespaceTokenizer(std::shared_ptr<Vocab> vocab) : TokenizerBase(std::move(vocab)) {}
  // From a config; the only key is "@tokenizers" (throws FormatError for others).
  static std::unique_ptr<WhitespaceTokenizer> from_config(const Json& config, std::shared_ptr<Vocab> vocab);

  Doc operator()(std::string text) const override;
  std::vector<ExplainEntry> explain(std::string_view text) const override;
  std::string registry_name() const override { return "weft.WhitespaceTokenizer.v1"; }
  Json to_json() const override { return Json{{"@tokenizers", registry_name()}}; }
};

}  // namespace weft
