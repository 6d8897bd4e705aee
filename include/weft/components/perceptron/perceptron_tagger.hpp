// weft.PerceptronTagger.v1: the averaged perceptron part-of-speech tagger of NLTK (Matthew Honnibal's
// "A good POS tagger in about 200 lines of Python", nltk.tag.perceptron.PerceptronTagger), written in
// C++: greedy left-to-right decoding where each word's features include the tags already given to the
// two words before it, weights learnt by the perceptron rule on its own mistakes and averaged over
// every step (Collins 2002), and a tag dictionary of frequent unambiguous words that are tagged without
// the model. No neural network. One model predicts UPOS and XPOS ("heads", as weft.Tagger.v1), from
// one feature lookup per template; each head keeps its own tag history features.
//
// Features: "nltk" is NLTK's set (bias, the word normalized as NLTK does, its first character and
// last three, the words one and two either side, the neighbours' suffixes, the previous tag, the two
// previous tags, the previous tag with the word); "extended" (the default) adds the word's shape, more
// affixes, word bigrams and, with a "lexicon", Brown clusters and the lexicon's dictionary tags of the
// word and its neighbours. Features are 64-bit keys (a template id mixed with the values' hashes); the
// averaged weights live in one flat table (linear::SparseWeights).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "weft/components/linear/linear.hpp"
#include "weft/pipeline/learner.hpp"

namespace weft {

struct PerceptronTaggerConfig {
  std::vector<std::string> heads{"pos", "tag"};  // "pos" (UPOS) and/or "tag" (XPOS)
  std::string features = "extended";             // "nltk" or "extended"
  std::string lexicon;                           // a clusters file (data/lexicon/en_clusters.tsv); "": none
  // NLTK's tag dictionary: a word seen at least tagdict_min_count times with one tag at least
  // tagdict_min_share of the time gets that tag without the model (0: no dictionary).
  std::int64_t tagdict_min_count = 20;
  double tagdict_min_share = 0.97;
  // Throws ConfigError for unknown keys and bad values.
  static PerceptronTaggerConfig from_json(const Json& j);
  Json to_json() const;
};

class PerceptronTagger final : public Component, public GoldLearner {
 public:
  PerceptronTagger(std::string name, PerceptronTaggerConfig config, std::shared_ptr<Vocab> vocab);
  ~PerceptronTagger() override;

  std::string factory_name() const override { return "weft.PerceptronTagger.v1"; }
  Json config() const override { return config_.to_json(); }
  std::vector<std::string> assigns() const override;
  void operator()(Doc& doc) const override;

  // dir/labels.json (labels, tag dictionary), dir/weights.bin (averaged weights), dir/words.txt (the
  // training word forms, for the word cache), dir/lexicon.tsv.
  void to_disk(const std::filesystem::path& dir) const override;
  void from_disk(const std::filesystem::path& dir) override;

  void begin_learning(std::span<const Doc> gold, std::uint64_t seed) override;
  double learn_epoch(std::span<const Doc> gold, std::span<const std::size_t> order) override;
  void finish_epoch() override;
  std::vector<std::string> learner_metrics() const override;
  std::string learnt_summary() const override;

  bool trained() const noexcept { return trained_; }
  // Labels per head ("pos" -> UPOS names, "tag" -> XPOS).
  std::vector<std::pair<std::string, std::vector<std::string>>> labels() const;
  std::size_t n_features() const noexcept { return weights_.features(); }
  std::size_t n_weights() const noexcept { return weights_.entries(); }

 private:
  struct Head {
    bool pos = false;  // UPOS, else XPOS
    std::vector<std::string> labels;
    std::vector<hash_t> values;  // UPOS: enum value; XPOS: the label's hash
    std::uint32_t offset = 0;    // its first class in the shared class space
    std::unordered_map<hash_t, std::int32_t> tagdict;  // orth -> label
  };
  struct Learning;
  // The feature keys of token i of a sentence [begin, end) of `words`, given each head's previous two
  // tags (class indices; -1, -2: the sentence start markers); returns how many it wrote. The static
  // keys (not reading the tag history) come first: static_features() alone gives them.
  std::size_t features(const std::vector<linear::WordInfo>& words, std::size_t begin, std::size_t end, std::size_t i,
                       const std::int32_t (*prev)[2], std::uint64_t* out) const;
  // cached (optional): whether the word (0), its left (1) and right (2) neighbours are in the word
  // cache, whose rows then stand for their groups' keys, which are left out.
  std::size_t static_features(const std::vector<linear::WordInfo>& words, std::size_t begin, std::size_t end,
                              std::size_t i, std::uint64_t* out, const bool* cached = nullptr) const;
  enum Group : std::uint8_t { kSelf = 0, kLeft = 1, kRight = 2 };
  // The keys of a group's templates over word w.
  std::size_t word_keys(const linear::WordInfo& w, Group g, std::uint64_t* out) const;
  // The word cache from cache_forms_ and the weights: the facts of each training form and its three
  // groups' summed weights, which inference adds as rows instead of looking up each key.
  void build_word_cache();
  // tag_rows: leave out P1, P2 and P1P2, which decoding adds from tag_rows_.
  std::size_t history_features(const linear::WordInfo& word, const std::int32_t (*prev)[2], std::uint64_t* out,
                               bool tag_rows = false) const;
  void build_tag_rows();
  std::vector<linear::WordInfo> word_infos(const Doc& doc) const;
  std::int32_t gold_class(const Head& h, const TokenData& t) const;
  void index_labels();
  std::uint32_t n_classes() const noexcept;

  PerceptronTaggerConfig config_;
  std::shared_ptr<Vocab> vocab_;
  std::shared_ptr<const Lexicon> lexicon_;
  std::vector<Head> heads_;
  linear::SparseWeights weights_;
  std::vector<std::string> cache_forms_;  // the training word forms (words.txt)
  std::vector<linear::WordInfo> cache_info_;
  std::vector<float> cache_rows_;  // [word][group][class]
  std::unordered_map<hash_t, std::uint32_t> cache_index_;  // orth -> word
  // Per head: the P1, P2 and P1P2 weights summed per tag value: [V][C], [V][C], [V * V][C] (V: labels + 3).
  std::vector<std::vector<float>> tag_rows_;
  std::unique_ptr<Learning> learning_;
  bool trained_ = false;
};

}  // namespace weft
