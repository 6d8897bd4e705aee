// The entity recognizer (weft.EntityRecognizer.v1, spaCy's "ner"): transition-based BILUO tagging
// (biluo.hpp) over the token vectors of a tok2vec, with the parser's precomputed-feature model
// (parser_model.hpp, "model": {"@architectures": "weft.TransitionParserModel.v1", "hidden_width": 64,
// "maxout_pieces": 2}) and the shared transition machinery (transition_loop.hpp).
//   - State features: the token slots B0 (the word to label), B0-1, B0+1 and E0 (the first word of the
//     open entity), and one label slot (the open entity's label).
//   - Greedy decoding, all Docs of a batch in lockstep; a Doc is one sequence, entities never cross a
//     sentence start, and entities already on the Doc (an entity ruler before it) are kept.
//   - Training: the dynamic oracle of biluo.hpp with exploration (follow the model's own best move
//     with probability "explore", else the best zero-cost one), as the parser.
//   - Output: ent_iob / ent_type on every word (O outside entities), read back by doc.ents().
#pragma once

#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "weft/components/ner/biluo.hpp"
#include "weft/components/parser/parser_model.hpp"
#include "weft/components/parser/transition_loop.hpp"
#include "weft/doc/doc_chunks.hpp"
#include "weft/pipeline/trainable.hpp"

namespace weft {

class EntityRecognizer final : public TrainablePipe {
 public:
  EntityRecognizer(std::string name, const Json& config, std::shared_ptr<Vocab> vocab);
  ~EntityRecognizer() override;

  std::string factory_name() const override { return "weft.EntityRecognizer.v1"; }
  std::vector<std::string> assigns() const override { return {"doc.ents", "token.ent_iob", "token.ent_type"}; }
  Json config() const override;

  // The entity labels ("LOC", "ORG", "PER", ...), sorted.
  const std::vector<std::string>& labels() const noexcept { return labels_; }
  std::size_t n_actions() const noexcept { return actions_.size(); }
  // The moves in the order of the model's scores ("O", "B-PER", "I-PER", "L-PER", "U-PER", ...), and the
  // state's slots in the order the model reads them (token slots B0, B0-1, B0+1, E0; label slot E0).
  std::vector<std::string> action_names() const;
  static std::vector<std::string> token_slot_names() { return {"B0", "B0-1", "B0+1", "E0"}; }
  static std::vector<std::string> label_slot_names() { return {"E0"}; }

  void initialize(std::span<const Doc> gold, std::int64_t width, std::uint64_t seed) override;
  void set_annotations(std::span<Doc> docs, const backend::Tensor& scores) const override;
  void pipe(std::span<Doc> docs, PipeContext& context) const override;
  using TrainablePipe::pipe;
  nn::Loss get_loss(std::span<const Doc> gold, const backend::Tensor& scores) const override;
  std::vector<std::string> metrics() const override { return {"ENTS_F"}; }

  // dir/labels.json (width, labels) and dir/weights.safetensors.
  void to_disk(const std::filesystem::path& dir) const override;
  void from_disk(const std::filesystem::path& dir) override;

 private:
  void build(std::int64_t width);
  void index_labels();
  ParserModel& pmodel() const;
  // Decodes the words of `runs` (whole Docs, or runs of whole sentences of one Doc) under the
  // constraints of their Docs (by Doc index), from their precomputed rows (word 0 of `rows`: the first
  // run's first word, the others following in batch order, with the row of the word before and after a
  // run that does not start or end its Doc).
  void decode_runs(std::span<Doc> docs, const std::vector<biluo::Constraints>& constraints, std::span<const DocRun> runs,
                   const transition::ChunkRows& rows) const;

  Json model_config_;
  float explore_ = 0.9f;
  std::int64_t width_ = 0;
  std::vector<std::string> labels_;
  std::unordered_map<hash_t, std::int32_t> label_index_;  // hash of the label -> id
  std::vector<hash_t> label_hashes_;
  std::vector<biluo::Action> actions_;
  mutable std::mt19937_64 rng_{0};  // exploration during training
};

}  // namespace weft
