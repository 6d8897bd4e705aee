// Punkt (Kiss and Strunk 2006, "Unsupervised Multilingual Sentence Boundary Detection"): sentence
// boundaries from parameters learnt without supervision from raw text: abbreviation types (a
// period after them is not a boundary), collocations (pairs such as ("s", "bach") whose period is not
// a boundary), frequent sentence starters, and the orthographic contexts (capitalised or not, at
// a sentence start or inside) of every word type. This is NLTK's PunktTrainer and
// PunktSentenceTokenizer (nltk/tokenize/punkt.py) written again in C++, step for step, so that the
// same text gives the same parameters and the same sentences; offsets are bytes of UTF-8 text where
// NLTK's are code points.
//
// PunktSentencizer ("weft.PunktSentencizer.v1") is the pipeline component: it finds the sentences of
// a Doc's text with these parameters and marks the first token of each (token.is_sent_start), and it
// is a TextLearner, so `weft train` trains it from a raw-text corpus. The parameters are saved in
// its folder of a model (punkt.json).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "weft/pipeline/component.hpp"

namespace weft {

namespace punkt {

// Orthographic context flags of a word type (NLTK's _ORTHO_*): upper/lower case first letter, at the
// beginning of a sentence, inside one, or where that is unknown.
enum Ortho : std::uint32_t {
  BEG_UC = 1u << 1,
  MID_UC = 1u << 2,
  UNK_UC = 1u << 3,
  BEG_LC = 1u << 4,
  MID_LC = 1u << 5,
  UNK_LC = 1u << 6,
  UC = BEG_UC | MID_UC | UNK_UC,
  LC = BEG_LC | MID_LC | UNK_LC,
};

// What training learns (NLTK's PunktParameters). Types are lowercased words, numbers as "##number##".
struct Parameters {
  std::set<std::string> abbrev_types;                           // without their final period
  std::set<std::pair<std::string, std::string>> collocations;   // (type before the period, type after)
  std::set<std::string> sent_starters;
  std::unordered_map<std::string, std::uint32_t> ortho_context;  // type -> Ortho flags

  std::uint32_t ortho(const std::string& type) const {
    const auto it = ortho_context.find(type);
    return it == ortho_context.end() ? 0 : it->second;
  }
  // {"abbrev_types": [...], "collocations": [[a, b], ...], "sent_starters": [...], "ortho_context":
  // {type: flags}}, sorted, so that a model folder is the same for the same training.
  Json to_json() const;
  // Throws FormatError naming `where` for anything else.
  static Parameters from_json(const Json& j, const std::string& where);
};

// NLTK's PunktTrainer's customization variables.
struct TrainerSettings {
  double abbrev = 0.3;               // ABBREV: score from which a type is an abbreviation
  bool ignore_abbrev_penalty = false;  // IGNORE_ABBREV_PENALTY
  std::int64_t abbrev_backoff = 5;   // ABBREV_BACKOFF: rare abbreviations occur fewer times than this
  double collocation = 7.88;         // COLLOCATION: least log-likelihood of a collocation
  double sent_starter = 30;          // SENT_STARTER: least log-likelihood of a frequent sentence starter
  bool include_all_collocs = false;  // INCLUDE_ALL_COLLOCS
  bool include_abbrev_collocs = false;  // INCLUDE_ABBREV_COLLOCS
  std::int64_t min_colloc_freq = 1;  // MIN_COLLOC_FREQ

  // The config keys (abbrev_threshold, ignore_abbrev_penalty, abbrev_backoff, collocation_threshold,
  // sent_starter_threshold, include_all_collocs, include_abbrev_collocs, min_colloc_freq).
  Json to_json() const;
  // Reads those keys of `config` that are present (ConfigError for a value of the wrong type).
  void read(const Json& config);
};

// What one training run found, besides the parameters: the counts NLTK's trainer keeps.
struct TrainingStats {
  std::int64_t tokens = 0;           // words (Punkt's word tokenization)
  std::int64_t period_tokens = 0;    // of them ending in a period
  std::int64_t sentence_breaks = 0;  // breaks marked by the first pass
};

// PunktTrainer(text).get_params(): learns the parameters from raw text (lines split at "\n"; an empty
// line starts a paragraph).
Parameters train(std::string_view text, const TrainerSettings& settings = {}, TrainingStats* stats = nullptr);

// PunktSentenceTokenizer.span_tokenize(text, realign_boundaries): the sentences of `text` (valid
// UTF-8) as byte ranges; the last one ends before trailing whitespace. With realign_boundaries,
// closing quotes and brackets after a sentence's final punctuation stay in that sentence.
std::vector<std::pair<std::size_t, std::size_t>> sentence_spans(std::string_view text, const Parameters& params,
                                                                 bool realign_boundaries = true);

// PunktLanguageVars.word_tokenize: Punkt's words of one line (punctuation other than periods split off).
std::vector<std::string_view> word_tokenize(std::string_view line);

}  // namespace punkt

struct PunktSentencizerConfig {
  // Also start a sentence at a token after a newline (as weft.Sentencizer.v1 does); NLTK's Punkt
  // treats a newline as any other whitespace.
  bool split_on_newlines = true;
  // Keep closing quotes and brackets after a sentence's final punctuation in that sentence (NLTK's
  // realign_boundaries).
  bool realign_boundaries = true;
  // Replace sentence starts already decided on a token (given with the input, set by hand).
  bool overwrite = false;
  punkt::TrainerSettings training;

  static PunktSentencizerConfig from_json(const Json& j);  // ConfigError for unknown keys or bad values
  Json to_json() const;
};

class PunktSentencizer final : public Component, public TextLearner {
 public:
  PunktSentencizer(std::string name, PunktSentencizerConfig config);

  std::string factory_name() const override { return "weft.PunktSentencizer.v1"; }
  std::vector<std::string> assigns() const override { return {"token.is_sent_start"}; }
  Json config() const override { return config_.to_json(); }
  // Marks the first token of each sentence 1 (the first token at or after the sentence's start) and
  // the others -1; decided tokens keep their value unless "overwrite".
  void operator()(Doc& doc) const override;

  void to_disk(const std::filesystem::path& dir) const override;
  // Reads punkt.json (ModelError naming it when it is missing or malformed).
  void from_disk(const std::filesystem::path& dir) override;

  TextLearner* as_text_learner() noexcept override { return this; }
  void learn_from_text(std::string_view text) override;
  std::string learnt_summary() const override;

  const punkt::Parameters& parameters() const noexcept { return params_; }
  void set_parameters(punkt::Parameters params) { params_ = std::move(params); }
  // The sentences Punkt finds in `text` (byte ranges), as NLTK's span_tokenize with this component's
  // parameters and realign_boundaries; split_on_newlines applies to Docs only.
  std::vector<std::pair<std::size_t, std::size_t>> sentence_spans(std::string_view text) const;

 private:
  PunktSentencizerConfig config_;
  punkt::Parameters params_;
  punkt::TrainingStats stats_;
};

}  // namespace weft
