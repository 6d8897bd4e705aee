// TrainablePipe: a component with a neural model that `weft train` updates. Its model (the head) maps
// token vectors to per-token scores; the vectors come from the tok2vec component it listens to
// (spaCy's listener pattern: one encoder shared by several heads, run once per batch) or from an
// encoder of its own (a TokenEncoder from the "encoders" registry), chosen in its config.
// predict = encoder + head + set_annotations. What training does with it is its interface:
// initialize (labels, weights), update (one step's forward and backward pass, get_loss giving the
// gradient of the scores), metrics (what it is scored on), assigns (what it writes).
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "weft/nn/layer.hpp"
#include "weft/nn/loss.hpp"
#include "weft/pipeline/component.hpp"
#include "weft/pipeline/encoder.hpp"

namespace weft {

class TrainablePipe : public Component {
 public:
  // tok2vec_config: {"upstream": NAME} (optionally with "grad_factor") to listen to the pipeline's
  // tok2vec component NAME, or a
  // Tok2Vec config ({"width": ..., "features": [...]}) for an encoder of its own.
  TrainablePipe(std::string name, const Json& tok2vec_config, std::shared_ptr<Vocab> vocab);
  ~TrainablePipe() override;

  TrainablePipe* as_trainable() noexcept override { return this; }

  // The upstream tok2vec's name; empty when the component has its own encoder.
  const std::string& listens_to() const noexcept { return upstream_; }
  // How much of its gradient a listener sends back into the shared tok2vec in training ("grad_factor"
  // in its listener config, default 1; 0 trains the head on the encoder as the other heads shape it).
  float grad_factor() const noexcept { return grad_factor_; }
  // Its own encoder (null when it listens).
  TokenEncoder* own_encoder() const noexcept { return own_.get(); }
  // The tok2vec part of config().
  Json tok2vec_config() const;

  bool initialized() const noexcept { return model_ != nullptr && model_->initialized(); }
  // The head; throws ModelError before initialize()/from_disk().
  nn::Layer& model() const;

  // Learns the label set from gold Docs and initializes the head for token vectors of width `width`
  // (and the own encoder, if any).
  virtual void initialize(std::span<const Doc> gold, std::int64_t width, std::uint64_t seed) = 0;
  // Writes the annotations of `docs` from the head's scores [N, C] (rows of all docs back to back).
  virtual void set_annotations(std::span<Doc> docs, const backend::Tensor& scores) const = 0;
  // The loss of the scores against the gold Docs and its gradient (same shape as scores).
  virtual nn::Loss get_loss(std::span<const Doc> gold, const backend::Tensor& scores) const = 0;
  // The CoNLL 2018 metrics that score what it predicts ("UPOS", "Lemmas", ...).
  virtual std::vector<std::string> metrics() const = 0;

  // One training step: the head's forward pass over `shared` (the token vectors of the encoder it
  // listens to, from that encoder's forward pass over the batch) or, with an encoder of its own,
  // over that encoder's output for `encoder_input` (its keys drawn with `rng`); the loss against
  // `gold`; the backward pass through the head and its own encoder. Returns the loss and, for a
  // listener, the gradient of the shared vectors (not yet scaled by grad_factor()).
  struct Update {
    double loss = 0.0;
    backend::Tensor d_shared;
  };
  Update update(std::span<const Doc> gold, std::span<const Doc> encoder_input, const nn::Ragged* shared,
                std::mt19937_64& rng);
  // Derives the head's inference-only forms from its current weights (nn::Layer::prepare_inference:
  // int8 weights); load_model does it, and the trainer before each evaluation.
  void prepare_inference() {
    if (initialized()) model_->prepare_inference();
  }
  // Moves the head and its own encoder to a device and derives the inference forms used there.
  void to(backend::Device device) override;

  // Inside a pipeline: reads the upstream tok2vec's output from `context` (or runs its own encoder).
  void pipe(std::span<Doc> docs, PipeContext& context) const override;
  // Alone: only with an own encoder (a listener throws ValueError naming its upstream).
  void pipe(std::span<Doc> docs) const override;
  void operator()(Doc& doc) const override;

 protected:
  // The token vectors the head reads for `docs`: the upstream tok2vec's output or the own encoder's.
  nn::Ragged input(std::span<Doc> docs, PipeContext& context) const;
  // Saves/loads the head's weights and the own encoder (dir/weights.safetensors, dir/tok2vec/); the
  // two-argument form saves `weights` in place of the head's model.
  void save_model(const std::filesystem::path& dir) const { save_model(dir, model()); }
  void save_model(const std::filesystem::path& dir, nn::Layer& weights) const;
  void load_model(const std::filesystem::path& dir);
  void initialize_own_tok2vec(std::span<const Doc> gold, std::uint64_t seed);
  // The width of the token vectors the head reads when it has its own encoder (else 0).
  std::int64_t own_width() const noexcept;

  std::shared_ptr<Vocab> vocab_;
  nn::Model model_;
  std::string storage_ = "f16";  // weight storage on disk: "f16" or "f32"

 private:
  std::string upstream_;
  float grad_factor_ = 1.f;
  std::unique_ptr<TokenEncoder> own_;
};

// Softmax cross-entropy of the columns [col, col + C) of logits [N, total] against labels (one per
// row, -1 = no gold label): adds (softmax - target) / normalizer to the same columns of grad and
// returns the summed loss. The target is the one-hot label, or with label smoothing s > 0
// (1 - s) * onehot + s / C. Runs on the host.
double softmax_xent(const float* logits, std::int64_t n, std::int64_t total, std::int64_t col, std::int64_t C,
                    std::span<const std::int32_t> labels, float normalizer, float* grad, float smoothing = 0.f);

}  // namespace weft
