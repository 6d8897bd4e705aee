// The dependency parser (weft.DependencyParser.v1, spaCy's "parser"): a transition-based parser over the
// token vectors of a tok2vec, as spaCy's design; greedy, or with "beam_width": B > 1 a beam search at
// prediction (paths ranked by the summed log-probabilities of their moves; training stays greedy).
//   - Transitions: a TransitionSystem from the registry ("transitions": "weft.ArcEager.v1", the
//     arc-eager system with sentence boundaries of arc_eager.hpp, or "weft.ArcHybrid.v1", arc-hybrid
//     with the same BREAK move, arc_hybrid.hpp). Both share State, Action and the feature slots.
//   - Model: a ParserModel from the registry ("model": {"@architectures": "weft.TransitionParserModel.v1",
//     "hidden_width": 64, "maxout_pieces": 2}): per-token parts of the hidden layer are precomputed once
//     per batch; each transition is a gather-sum, a maxout and the output layer (parser_model.hpp).
//   - State features ("features": 13 or 8): the token slots S0 S1 S2 B0 B1 B2 S0L1 S0R1 S0L2 S0R2
//     B0L1 S1L1 S1R1 (L1/L2: leftmost and second leftmost dependent, R1/R2 rightmost ones), and the
//     relations already given to S0 S1 S0L1 S0R1 S0L2 S0R2 B0L1 S1L1 S1R1 as learnt label embeddings;
//     8 keeps S0 S1 S2 B0 B1 S0L1 S0R1 B0L1 and the labels of S0 S0L1 S0R1 B0L1 (spaCy's set).
//   - Non-projective trees: training trees are projectivized (nonproj.hpp) and the parser predicts the
//     decorated labels; decorations seen fewer than "min_label_freq" times (default 30) fall back to the
//     plain label. Predictions are deprojectivized per sentence.
//   - Sentences: a Doc's sentence starts that are already set (CoNLL-U input, a sentencizer before the
//     parser) split it into segments parsed apart; inside a segment the parser's BREAK move decides the
//     sentence starts (a token marked "not a start" cannot get one), and set_annotations marks every
//     token it parsed as a start or not, so doc.sents comes from the parser.
//   - Training: each gold Doc is parsed with the model's own moves (with probability "explore", else
//     the best zero-cost move), and each state's loss is the negative log of the probability the model
//     gives the zero-cost moves among the valid ones (the dynamic oracle of the transition system). get_loss()
//     puts the gradient of the output and hidden layers straight into the model's parameters and returns
//     that of the precomputed parts.
#pragma once

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "weft/components/parser/arc_eager.hpp"
#include "weft/components/parser/arc_hybrid.hpp"
#include "weft/components/parser/parser_model.hpp"
#include "weft/components/parser/transition_loop.hpp"
#include "weft/doc/doc_chunks.hpp"
#include "weft/pipeline/trainable.hpp"

namespace weft {

// A transition system over arc_eager::State and its moves (registry category "transition_systems").
class TransitionSystem {
 public:
  virtual ~TransitionSystem() = default;
  virtual std::string name() const = 0;
  virtual bool is_final(const arc_eager::State& s) const = 0;
  virtual bool valid(const arc_eager::State& s, const arc_eager::Action& a) const = 0;
  virtual void apply(arc_eager::State& s, const arc_eager::Action& a) const = 0;
  virtual std::int32_t cost(const arc_eager::State& s, const arc_eager::Action& a, const arc_eager::GoldParse& g) const = 0;
  // The head and dependent of the arc a LEFT or RIGHT move would add in `s` ({-1, -1} when it cannot).
  virtual arc_hybrid::Arc arc(const arc_eager::State& s, arc_eager::Action::Move m) const = 0;
};
using TransitionSystemFactory = std::function<std::unique_ptr<TransitionSystem>()>;

class DependencyParser final : public TrainablePipe {
 public:
  DependencyParser(std::string name, const Json& config, std::shared_ptr<Vocab> vocab);
  ~DependencyParser() override;

  std::string factory_name() const override { return "weft.DependencyParser.v1"; }
  std::vector<std::string> assigns() const override {
    return {"token.dep", "token.head", "token.is_sent_start", "doc.sents"};
  }
  Json config() const override;

  // Labels as the model predicts them (decorated ones included); the root label is "root"-like: the
  // label of the gold roots.
  const std::vector<std::string>& labels() const noexcept { return labels_; }
  std::size_t n_actions() const noexcept { return actions_.size(); }
  // The moves in the order of the model's scores ("SHIFT", "REDUCE", "LEFT-nsubj", "RIGHT-obj",
  // "BREAK"), and the names of the state's token and label slots ("S0", "B0L1", ...) in the order the
  // model reads them (the ONNX export's manifest).
  std::vector<std::string> action_names() const;
  std::vector<std::string> token_slot_names() const;
  std::vector<std::string> label_slot_names() const;

  void initialize(std::span<const Doc> gold, std::int64_t width, std::uint64_t seed) override;
  void set_annotations(std::span<Doc> docs, const backend::Tensor& scores) const override;
  void pipe(std::span<Doc> docs, PipeContext& context) const override;
  using TrainablePipe::pipe;
  nn::Loss get_loss(std::span<const Doc> gold, const backend::Tensor& scores) const override;
  std::vector<std::string> metrics() const override { return {"UAS", "LAS"}; }

  // dir/labels.json (width, labels, actions) and dir/weights.safetensors.
  void to_disk(const std::filesystem::path& dir) const override;
  void from_disk(const std::filesystem::path& dir) override;

 private:
  void build(std::int64_t width);
  void index_labels();
  ParserModel& pmodel() const;
  // Parses the words of `runs` (whole Docs, or runs of whole segments of one Doc) from their
  // precomputed rows (word 0 of `rows`: the first run's first word, the others following in batch order).
  void parse_runs(std::span<Doc> docs, std::span<const DocRun> runs, const transition::ChunkRows& rows) const;
  // Makes the words [begin, end) of a parsed segment one tree: a policy can leave several headless words
  // on the stack at the end of the buffer, and each became a root; all but the root of the largest tree
  // are attached to that one with the label "dep" (UD's unspecified dependency).
  // Writes the parse of the segment of `d` starting at word a: heads, labels, sentence starts.
  void write_segment(Doc& d, std::int32_t a, arc_eager::State& st) const;
  void single_root(std::vector<std::int32_t>& heads, std::vector<std::int32_t>& labels, std::int32_t begin,
                   std::int32_t end) const;

  Json model_config_;
  std::string transitions_name_ = "weft.ArcEager.v1";
  std::unique_ptr<TransitionSystem> system_;
  int n_features_ = 13;
  int min_label_freq_ = 30;
  float explore_ = 0.9f;
  float dropout_ = 0.f;  // dropout on the hidden layer in training
  int beam_width_ = 1;  // 1: greedy; > 1: beam search at prediction (training stays greedy)
  std::int64_t width_ = 0;
  std::vector<std::string> labels_;
  std::unordered_map<std::string, std::int32_t> label_index_;
  std::vector<hash_t> label_hashes_;  // the undecorated label, interned
  std::int32_t root_label_ = 0;
  std::int32_t dep_label_ = 0;  // "dep", for the extra roots single_root() attaches
  std::vector<arc_eager::Action> actions_;
  mutable std::mt19937_64 rng_{0};                          // exploration during training
};

}  // namespace weft
