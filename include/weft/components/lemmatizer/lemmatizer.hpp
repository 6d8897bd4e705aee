// The trainable edit-tree lemmatizer (weft.Lemmatizer.v1, spaCy's trainable_lemmatizer): a softmax
// over the edit trees learnt from the training lemmas (LemmaTrees) picks how to rewrite each form into
// its lemma. Prediction walks the top_k trees best first and applies the first that fits the form;
// when none does (or the classifier prefers the "rare tree" label) the lookup table of training
// (form, UPOS) pairs answers, else the lowercased form. It reads the UPOS a tagger set before it.
// With lookup_first (the default) a (form, UPOS) pair that training saw at least twice, always with
// the same lemma, takes that lemma directly and only the other tokens go through the classifier, which
// saves most of its cost (taking every seen pair from the table instead cost 0.12 points of lemma
// accuracy on EWT dev: pairs such as (her, PRON) need the context).
#pragma once

#include <optional>

#include "weft/components/lemmatizer/lemma_trees.hpp"
#include "weft/pipeline/trainable.hpp"

namespace weft {

class Lemmatizer final : public TrainablePipe {
 public:
  Lemmatizer(std::string name, const Json& config, std::shared_ptr<Vocab> vocab);

  std::string factory_name() const override { return "weft.Lemmatizer.v1"; }
  std::vector<std::string> assigns() const override { return {"token.lemma"}; }
  Json config() const override;
  const LemmaTrees& trees() const;

  void initialize(std::span<const Doc> gold, std::int64_t width, std::uint64_t seed) override;
  void set_annotations(std::span<Doc> docs, const backend::Tensor& scores) const override;
  void pipe(std::span<Doc> docs, PipeContext& context) const override;
  using TrainablePipe::pipe;
  nn::Loss get_loss(std::span<const Doc> gold, const backend::Tensor& scores) const override;
  std::vector<std::string> metrics() const override { return {"Lemmas"}; }

  // dir/trees.bin, dir/lemma_trees.json, dir/lemmatizer.json (width) and dir/weights.safetensors.
  void to_disk(const std::filesystem::path& dir) const override;
  void from_disk(const std::filesystem::path& dir) override;

 private:
  void build(std::int64_t width);
  // Adds the lookup table's lemmas to the vocab's strings, so prediction stores their hashes directly.
  void intern_lemmas();
  std::uint32_t min_tree_freq_ = 3;
  int top_k_ = 4;
  bool lookup_first_ = true;
  std::string lemmatize(const Doc& d, std::size_t i, const float* scores, std::int64_t C,
                        std::vector<std::size_t>& ranked) const;
  std::optional<LemmaTrees> trees_;
  std::int64_t width_ = 0;
};

}  // namespace weft
