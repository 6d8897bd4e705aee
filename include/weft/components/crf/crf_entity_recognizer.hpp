// weft.CRFEntityRecognizer.v1: a linear-chain conditional random field (Lafferty, McCallum and Pereira
// 2001) over hand-built features, the classic statistical named-entity recognizer (CRFsuite, NLTK's
// CRFTagger, Stanford's CRFClassifier). Each word of a sentence gets a BILUO (or BIO) tag; a tag's score
// is the sum of the weights of the word's features for it plus a weight for the tag after the previous
// one; the tags of a sentence are the highest-scoring valid sequence (Viterbi, exact). Invalid
// transitions (I-PER after O, I-ORG after B-PER, a sentence ending inside an entity) are excluded in
// decoding and in training alike.
//
// Features of a word: its lowercase form, shape, prefixes and suffixes, the words and shapes around it,
// word bigrams, its position at a sentence start, Brown clusters and dictionary tags from a "lexicon",
// and gazetteer hits: where the patterns of an EntityRuler ("patterns": a JSONL file of spaCy's
// EntityRuler patterns) match, the label and the word's place in the match (B, I, L, U).
//
// Training maximizes the log-likelihood (forward-backward for the expected feature counts) with L2
// regularization, by AdaGrad over one sentence at a time: online updates touch only the features of
// the sentence and converge in a few passes, where L-BFGS needs a pass over all the data per iteration
// and about a hundred iterations. The weights are those after the last epoch (no averaging).
//
// Entities already on a Doc (an EntityRuler before it, entities set by hand) are kept; predicted
// entities that overlap them are dropped.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "weft/components/linear/linear.hpp"
#include "weft/pipeline/learner.hpp"

namespace weft {

class EntityRuler;

struct CRFEntityRecognizerConfig {
  std::string scheme = "BILUO";  // or "BIO"
  std::string lexicon;           // a clusters file (data/lexicon/en_clusters.tsv); "": none
  std::string patterns;          // an EntityRuler patterns JSONL file (gazetteer); "": none
  double learn_rate = 0.1;       // AdaGrad's step size
  double l2 = 1e-4;              // L2 coefficient, applied to the weights a sentence's update touches
  std::int64_t min_feature_count = 1;  // features seen fewer times in training are dropped
  static CRFEntityRecognizerConfig from_json(const Json& j);
  Json to_json() const;
};

class CRFEntityRecognizer final : public Component, public GoldLearner {
 public:
  CRFEntityRecognizer(std::string name, CRFEntityRecognizerConfig config, std::shared_ptr<Vocab> vocab);
  ~CRFEntityRecognizer() override;

  std::string factory_name() const override { return "weft.CRFEntityRecognizer.v1"; }
  Json config() const override { return config_.to_json(); }
  std::vector<std::string> assigns() const override { return {"doc.ents", "token.ent_iob", "token.ent_type"}; }
  void operator()(Doc& doc) const override;
  void set_tokenizer(std::shared_ptr<const TokenizerBase> tokenizer) override;

  // dir/labels.json (tags, transition weights), dir/weights.bin (feature weights), dir/lexicon.tsv,
  // dir/gazetteer/patterns.jsonl.
  void to_disk(const std::filesystem::path& dir) const override;
  void from_disk(const std::filesystem::path& dir) override;

  void begin_learning(std::span<const Doc> gold, std::uint64_t seed) override;
  double learn_epoch(std::span<const Doc> gold, std::span<const std::size_t> order) override;
  void finish_epoch() override;
  std::vector<std::string> learner_metrics() const override { return {"ENTS_F", "ENTS_P", "ENTS_R"}; }
  std::string learnt_summary() const override;

  bool trained() const noexcept { return trained_; }
  // The tags ("O", "B-PER", ...) and entity labels.
  const std::vector<std::string>& tags() const noexcept { return tags_; }
  std::vector<std::string> labels() const;
  std::size_t n_features() const noexcept { return weights_.features(); }
  // The best tag sequence of a sentence (tag indices) under the current weights.
  std::vector<std::int32_t> viterbi(const Doc& doc, std::size_t begin, std::size_t end) const;

 private:
  struct Learning;
  std::size_t features(const Doc& doc, const std::vector<linear::WordInfo>& words,
                       const std::vector<std::uint64_t>& gazetteer, std::size_t begin, std::size_t end, std::size_t i,
                       std::uint64_t* out) const;
  std::vector<std::uint64_t> gazetteer_hits(const Doc& doc) const;
  // Viterbi over tokens [begin, end) given every token's facts and gazetteer hits.
  std::vector<std::int32_t> decode(const Doc& doc, const std::vector<linear::WordInfo>& words,
                                   const std::vector<std::uint64_t>& gaz, std::size_t begin, std::size_t end) const;
  void index_tags(std::vector<std::string> labels);
  bool allowed(std::int32_t prev, std::int32_t next) const noexcept;  // prev -1: the sentence start
  bool allowed_last(std::int32_t tag) const noexcept;
  std::vector<std::int32_t> gold_tags(const Doc& doc, std::size_t begin, std::size_t end) const;

  CRFEntityRecognizerConfig config_;
  std::shared_ptr<Vocab> vocab_;
  std::shared_ptr<const Lexicon> lexicon_;
  std::unique_ptr<EntityRuler> gazetteer_;
  std::shared_ptr<const TokenizerBase> tokenizer_;  // the pipeline's, for the gazetteer's phrase patterns
  std::vector<std::string> tags_;          // "O", then per label B-, I-, L-, U- (BIO: B-, I-)
  std::vector<hash_t> tag_label_;          // the label's hash per tag (0 for O)
  std::vector<std::uint8_t> tag_kind_;     // 'O', 'B', 'I', 'L', 'U'
  std::vector<float> transitions_;         // [(T + 1) * T]: row T is the sentence start
  linear::SparseWeights weights_;
  std::unique_ptr<Learning> learning_;
  bool trained_ = false;
};

}  // namespace weft
