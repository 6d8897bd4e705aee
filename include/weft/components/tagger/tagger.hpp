// Token classifiers: a linear layer over each token's vector with one softmax head per annotation.
// The tagger (weft.Tagger.v1) predicts UPOS and XPOS with two heads over one matrix product; the
// morphologizer (weft.Morphologizer.v1) predicts the whole UD FEATS string as one label, as spaCy's
// morphologizer does (per-feature heads were measured against it; see docs/architecture.md). The heads
// are a config choice ("heads": ["pos", "tag", "morph"]), so any mix is one component. A "dep" head is
// an auxiliary training task (multi-task learning): it predicts each token's dependency label and on
// which side its head lies ("nsubj>", "obj<", "root"), which teaches the shared encoder syntax; it
// annotates nothing, and saving the component drops it (its labels, its rows of the weights and its
// name in the config), so a trained model never computes it.
// The statistical sentence segmenter (weft.SentenceRecognizer.v1, spaCy's "senter") is the same class with
// one "sent_start" head: labels "S" (starts a sentence) and "I" (does not), learnt from training Docs of
// several sentences (corpora.sentences_per_doc), written as token.is_sent_start on every token. With
// "overwrite": false (spaCy's default) it keeps the starts an earlier component decided (a rule-based
// sentencizer with "only_starts") and decides the others.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "weft/pipeline/trainable.hpp"

namespace weft {

class TokenClassifier final : public TrainablePipe {
 public:
  // FEAT: one UD feature (Number, Tense, ...), its values plus "_" for absent; the "feats" entry of
  // "heads" becomes one FEAT head per feature seen in training, and their predictions are joined into
  // the FEATS string (per-feature heads, the alternative to one label per whole FEATS string).
  enum class Attr : std::uint8_t { POS, TAG, MORPH, FEAT, DEP, SENT };
  struct Head {
    Attr attr;
    std::string feature;  // FEAT heads
    std::vector<std::string> labels;              // "_" is the empty FEATS label
    std::unordered_map<hash_t, std::int32_t> index;  // hash of label -> position
    std::vector<hash_t> hashes;                   // hash stored on the token (0 for "_"); POS: the enum value
  };

  // factory: "weft.Tagger.v1" or "weft.Morphologizer.v1" (their default heads differ).
  TokenClassifier(std::string name, std::string factory, const Json& config, std::shared_ptr<Vocab> vocab);

  std::string factory_name() const override { return factory_; }
  // From its annotating heads: token.pos, token.tag, token.morph.
  std::vector<std::string> assigns() const override;
  Json config() const override;
  const std::vector<Head>& heads() const noexcept { return heads_; }
  // A "sent_start" head among the heads (a senter).
  bool has_sent_head() const noexcept { return sent_head_; }

  void initialize(std::span<const Doc> gold, std::int64_t width, std::uint64_t seed) override;
  void set_annotations(std::span<Doc> docs, const backend::Tensor& scores) const override;
  // Scores at most inference_chunking().split_words rows at a time, so a long Doc's scores take bounded
  // memory.
  void pipe(std::span<Doc> docs, PipeContext& context) const override;
  using TrainablePipe::pipe;
  nn::Loss get_loss(std::span<const Doc> gold, const backend::Tensor& scores) const override;
  std::vector<std::string> metrics() const override;

  // dir/labels.json and dir/weights.safetensors.
  void to_disk(const std::filesystem::path& dir) const override;
  void from_disk(const std::filesystem::path& dir) override;

 private:
  void build(std::int64_t width);
  // Auxiliary heads after the others, so the annotating heads' columns come first.
  void order_heads();
  std::int64_t columns(bool with_aux) const;
  void index_labels();
  // Writes token i's annotation from its row of scores; feats: a buffer.
  void annotate(Doc& d, std::size_t i, const float* s, std::string& feats) const;
  // The same from each annotating head's best label (on a GPU the argmax runs there, and only the
  // labels come back).
  void annotate_best(Doc& d, std::size_t i, const std::int32_t* best, std::string& feats) const;
  // Writes head h's label `best` on token t (FEAT heads into feats); false for an auxiliary head.
  bool apply_head(const Head& h, std::size_t best, TokenData& t, std::string& feats) const;
  std::int32_t gold_label(const Head& h, const Doc& doc, std::size_t i, bool annotated) const;

  std::string factory_;
  std::vector<Head> heads_;
  bool per_feature_ = false;  // "feats" in the config's heads
  std::int64_t width_ = 0;
  float label_smoothing_ = 0.f;  // training target (1 - s) * onehot + s / C per head
  bool overwrite_ = false;       // sent_start head: replace sentence starts already decided
  bool sent_head_ = false;       // set with the heads in the constructor
};

}  // namespace weft
