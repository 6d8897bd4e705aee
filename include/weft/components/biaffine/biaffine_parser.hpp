// The graph-based dependency parser (weft.BiaffineParser.v1, "biaffine_parser"): Dozat and Manning's
// (2017) deep biaffine attention over the token vectors of a tok2vec.
//   - Four MLPs (a maxout layer each, with dropout in training) map every token vector to an arc-dependent
//     and an arc-head representation ("arc_width") and a label-dependent and a label-head one
//     ("label_width"); one matrix product each over all tokens of a batch.
//   - Arc scores s[i, j] = h_dep_i^T U h_head_j + u^T h_head_j + w_b^T h_dep_i + c_b for every pair of
//     words of a sentence, with a learnt root representation as head candidate 0: A = H_dep U for all
//     tokens at once, then the per-sentence blocks A_s H_head_s^T with the backend's ragged product
//     (Ops::ragged_gemm_nt). The last two terms, not in Dozat and Manning, score the signed distance
//     j - i by buckets b (distance_bucket) as the dependent prefers it: a CNN tok2vec, unlike their
//     BiLSTM, tells a word little about where it stands, and without them a CI-sized run learnt far
//     slower (docs/experiments.md).
//   - Training: softmax cross-entropy over each dependent's head candidates within its sentence (the
//     root and every other word), plus the label loss for the gold head.
//   - Labels: for dependent i and head h, scores W_1 l_dep_i + W_2 l_head_h + W_3 (l_dep_i * l_head_h) + b
//     (a diagonal bilinear term plus linear ones; the root's label-head representation is learnt), for
//     the gold head in training and the predicted head at prediction. The root word takes the label of
//     the training roots ("root"); the others the best of the rest.
//   - Decoding: the maximum spanning tree of each sentence with exactly one word on the root (mst.hpp),
//     non-projective trees directly.
//   - Sentences: it parses within the sentences already on the Doc (CoNLL-U input, a sentencizer or a
//     senter before it); a Doc whose sentence starts are unset is one sentence. A sentence longer than
//     "max_sentence_length" words (default 512) is parsed in pieces of at most that many words, each its
//     own tree and sentence (its scores take n^2 floats). It marks every parsed token as a sentence
//     start or not, so doc.sents and the trees agree.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "weft/pipeline/trainable.hpp"

namespace weft {

// The parser's network: the four MLPs (forward() returns their outputs [N, arc], [N, arc], [N, label],
// [N, label] as blocks back to back in one flat tensor) and the biaffine scorers' parameters, whose
// gradients BiaffineParser::get_loss adds directly.
class BiaffineModel final : public nn::Layer {
 public:
  BiaffineModel(std::int64_t width, std::int64_t arc_width, std::int64_t label_width, std::int64_t n_labels, int pieces,
                float dropout);
  nn::Forward forward(const nn::Ragged& X, bool is_train) override;

  std::int64_t arc_width() const noexcept { return arc_; }
  std::int64_t label_width() const noexcept { return label_; }
  std::int64_t n_labels() const noexcept { return n_labels_; }
  // The flat output's blocks for N tokens.
  backend::Tensor block(const backend::Tensor& flat, int k, std::int64_t n) const;
  std::int64_t packed_width() const noexcept { return 2 * arc_ + 2 * label_; }

  // The signed distance j - i from a dependent i to a candidate head j, in buckets: 1..10 apart each
  // their own, then 11-15, 16-20, 21-30, 31-40 and beyond; left of the dependent below the middle
  // bucket, right above it.
  static constexpr std::int64_t kSideBuckets = 15, kDistanceBuckets = 2 * kSideBuckets + 1;
  static constexpr std::int64_t distance_bucket(std::int64_t d) noexcept {
    const std::int64_t a = d < 0 ? -d : d;
    const std::int64_t b = a <= 10 ? a : a <= 15 ? 11 : a <= 20 ? 12 : a <= 30 ? 13 : a <= 40 ? 14 : 15;
    return d < 0 ? kSideBuckets - b : kSideBuckets + b;
  }

  nn::Param U, u, root_arc;         // [arc, arc], [arc], [arc]
  nn::Param W_dist, b_dist;         // [kDistanceBuckets, arc], [kDistanceBuckets]
  nn::Param root_label;             // [label]
  nn::Param W_dep, W_head, W_both;  // [L, label] each
  nn::Param b;                      // [L]

 private:
  void initialize_self(const nn::Ragged* X, const backend::Tensor* Y, nn::Rng& rng) override;
  std::int64_t arc_, label_, n_labels_;
};

class BiaffineParser final : public TrainablePipe {
 public:
  BiaffineParser(std::string name, const Json& config, std::shared_ptr<Vocab> vocab);

  std::string factory_name() const override { return "weft.BiaffineParser.v1"; }
  std::vector<std::string> assigns() const override { return {"token.dep", "token.head", "token.is_sent_start", "doc.sents"}; }
  Json config() const override;
  const std::vector<std::string>& labels() const noexcept { return labels_; }

  // A sentence of a batch: its Doc, its first word there, its length and its first row in the batch.
  struct Sentence {
    std::size_t doc;
    std::int32_t begin, n;
    std::int64_t row;
  };

  void initialize(std::span<const Doc> gold, std::int64_t width, std::uint64_t seed) override;
  void set_annotations(std::span<Doc> docs, const backend::Tensor& scores) const override;
  // Runs the network and the decoding over groups of whole sentences of about
  // inference_chunking().chunk_words words (device_chunking() on a GPU), so memory stays bounded by
  // a group, not by the batch.
  void pipe(std::span<Doc> docs, PipeContext& context) const override;
  using TrainablePipe::pipe;
  nn::Loss get_loss(std::span<const Doc> gold, const backend::Tensor& scores) const override;
  std::vector<std::string> metrics() const override { return {"UAS", "LAS"}; }

  // dir/labels.json (width, labels, root) and dir/weights.safetensors.
  void to_disk(const std::filesystem::path& dir) const override;
  void from_disk(const std::filesystem::path& dir) override;

 private:
  void build(std::int64_t width);
  void index_labels();
  BiaffineModel& bmodel() const;
  // Parses `sentences` from their rows R of the network's output (row 0: the first sentence's first word).
  void parse(std::span<Doc> docs, std::span<const Sentence> sentences, const backend::Tensor& R) const;

  std::int64_t width_ = 0, arc_width_ = 256, label_width_ = 128;
  int pieces_ = 2;
  float dropout_ = 0.25f;
  std::int32_t max_length_ = 512;
  std::vector<std::string> labels_;
  std::unordered_map<std::string, std::int32_t> label_index_;
  std::vector<hash_t> label_hashes_;
  std::int32_t root_label_ = 0;
};

}  // namespace weft
