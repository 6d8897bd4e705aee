// TreebankTokenizer ("weft.TreebankTokenizer.v1"): the Penn Treebank word tokenization conventions
// as NLTK's TreebankWordTokenizer applies them (Robert MacIntyre's sed script): most punctuation
// split off, commas and colons unless a digit follows, only the text's final period, contractions
// and clitics ("do" "n't", "they" "'ll", "gon" "na", "can" "not") split.
//
// NLTK rewrites the text with a sequence of regular-expression substitutions and splits the result on
// whitespace. This runs the same substitutions (RE2) over a working copy that remembers, for every
// byte, the byte of the original text it came from, so each token maps back to its characters. The
// tokens' texts are the text's own: NLTK turns double quotes into `` and '' (the Treebank forms),
// which a Doc cannot do because it must reproduce its text; those tokens carry the Treebank form as
// their norm (token.norm_) instead. Clitic splits with no space between the pieces are multi-word
// tokens (UD: "don't" = "do" + "n't").
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/tokenize/tokenizer_base.hpp"

namespace weft {

// One token as the Treebank rules cut it: the byte range of the original text, the Treebank form
// (equal to the text except for converted quotes) and whether it continues a multi-word token
// begun by the token before it.
struct TreebankPiece {
  std::size_t begin = 0, end = 0;
  std::string form;
  bool mwt_continues = false;
};

class TreebankTokenizer final : public TokenizerBase {
 public:
  explicit TreebankTokenizer(std::shared_ptr<Vocab> vocab);
  ~TreebankTokenizer() override;
  // From a config; the only key is "@tokenizers" (others: ConfigError).
  static std::unique_ptr<TreebankTokenizer> from_config(const Json& config, std::shared_ptr<Vocab> vocab);

  Doc operator()(std::string text) const override;
  // Each token with what it is: "QUOTE" (a quote with a Treebank form of its own), "CONTRACTION" (a
  // clitic split off the word before it), else "TOKEN".
  std::vector<ExplainEntry> explain(std::string_view text) const override;
  std::string registry_name() const override { return "weft.TreebankTokenizer.v1"; }
  Json to_json() const override { return Json{{"@tokenizers", registry_name()}}; }

  // The pieces of `text` (valid UTF-8), in order: what NLTK's tokenize() returns is their forms.
  std::vector<TreebankPiece> pieces(std::string_view text) const;

 private:
  struct Rules;
  std::shared_ptr<const Rules> rules_;  // compiled once per process, shared
};

}  // namespace weft
