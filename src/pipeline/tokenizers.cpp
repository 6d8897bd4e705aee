// Registers the built-in tokenizers in the "tokenizers" category.
#include "pipeline/builtins.hpp"
#include "weft/tokenize/tokenizer.hpp"
#include "weft/tokenize/whitespace_tokenizer.hpp"

namespace weft {

void register_tokenizers(Registry& r) {
  r.add("tokenizers", "weft.Tokenizer.v1",
        TokenizerFactory([](const Json& config, std::shared_ptr<Vocab> vocab) -> std::unique_ptr<TokenizerBase> {
          return Tokenizer::from_config(config, std::move(vocab));
        }),
        "rule-based tokenizer: special cases, prefixes, suffixes, infixes, URL and token patterns", "builtin");
  r.add("tokenizers", "weft.WhitespaceTokenizer.v1",
        TokenizerFactory([](const Json& config, std::shared_ptr<Vocab> vocab) -> std::unique_ptr<TokenizerBase> {
          return WhitespaceTokenizer::from_config(config, std::move(vocab));
        }),
        "one token per run of non-whitespace characters", "builtin");
}

}  // namespace weft
