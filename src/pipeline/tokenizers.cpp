// Registers the built-in tokenizers in the "tokenizers" category.
#include "pipeline/builtins.hpp"
#include "weft/tokenize/regexp_tokenizer.hpp"
#include "weft/tokenize/tokenizer.hpp"
#include "weft/tokenize/treebank_tokenizer.hpp"
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
  // Variants (issue 22): NLTK's tokenizers behind the same interface.
  r.add("tokenizers", "weft.TreebankTokenizer.v1",
        TokenizerFactory([](const Json& config, std::shared_ptr<Vocab> vocab) -> std::unique_ptr<TokenizerBase> {
          return TreebankTokenizer::from_config(config, std::move(vocab));
        }),
        "Penn Treebank word tokenization as NLTK's TreebankWordTokenizer (contractions split, quotes' "
        "Treebank forms as norms)",
        "builtin");
  r.add("tokenizers", "weft.RegexpTokenizer.v1",
        TokenizerFactory([](const Json& config, std::shared_ptr<Vocab> vocab) -> std::unique_ptr<TokenizerBase> {
          return RegexpTokenizer::from_config(config, std::move(vocab));
        }),
        "tokens from an RE2 pattern in the config, as NLTK's RegexpTokenizer (\"pattern\", \"gaps\"; default: "
        "NLTK's WordPunct pattern)",
        "builtin");
}

}  // namespace weft
