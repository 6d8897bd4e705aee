// Sentencizer ("sentencizer", "weft.Sentencizer.v1"): rule-based sentence boundaries for pipelines
// without a parser. A sentence ends after a token made only of sentence-final punctuation ("." "!?"
// "..."), keeping closing brackets and quotes that follow it, and at a newline between tokens.
// Abbreviations ("U.S.", "Dr.") are single tokens from the tokenizer, so their periods never split.
#pragma once

#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "weft/pipeline/component.hpp"

namespace weft {

struct SentencizerConfig {
  // Characters that end a sentence; a token made only of them is sentence-final.
  std::vector<std::string> punct_chars;
  // A newline in the whitespace between two tokens starts a new sentence.
  bool split_on_newlines = true;
  // After an ellipsis ("...", "…"), a lowercase word continues the sentence.
  bool ellipsis_lowercase_continues = true;
  // Mark only the sentence starts and leave every other token undecided (sent_start 0), so a parser
  // after the sentencizer keeps these boundaries and may add its own between them. By default every
  // other token is marked "not a start" (-1), which a parser respects (spaCy's behaviour).
  bool only_starts = false;
  // Replace boundaries already set on a token (spaCy's `overwrite`); by default a token whose sentence
  // start is decided (given with the input, set by hand, or by an earlier pass) keeps it.
  bool overwrite = false;

  // spaCy's sentencizer punctuation plus the ellipsis.
  static std::vector<std::string> default_punct_chars();
  // Reads the keys present in `j` over `base` (unknown keys throw FormatError).
  static SentencizerConfig from_json(const Json& j, SentencizerConfig base);
  Json to_json() const;
};

class Sentencizer final : public Component {
 public:
  Sentencizer(std::string name, SentencizerConfig config);
  // The factory: the language's defaults (LanguageData::sentencizer of the vocab's language, when
  // registered) overridden by `config`.
  static std::unique_ptr<Sentencizer> from_config(const std::string& name, const Json& config,
                                                  const std::shared_ptr<Vocab>& vocab);

  std::string factory_name() const override { return "weft.Sentencizer.v1"; }
  std::vector<std::string> assigns() const override { return {"token.is_sent_start"}; }
  Json config() const override { return config_.to_json(); }
  // Sets sent_start to 1 or -1 on every token.
  void operator()(Doc& doc) const override;

 private:
  bool is_final(std::string_view token) const;
  SentencizerConfig config_;
  std::unordered_set<char32_t> punct_;
};

}  // namespace weft
