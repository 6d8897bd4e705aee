// TokenEncoder: what the pipeline and the trainer use of a token encoder (the tok2vec component that
// heads listen to, or a head's encoder of its own): its width and model, the feature keys of a
// training batch, inference, and its folder. The pipeline layer reaches encoders only through this
// interface; components/tok2vec implements it and registers a factory in the "encoders" category
// (weft.Tok2Vec.v1), which TrainablePipe uses for an encoder of its own.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <span>
#include <string>

#include "weft/doc/doc.hpp"
#include "weft/json.hpp"
#include "weft/nn/layer.hpp"
#include "weft/nn/ragged.hpp"

namespace weft {

class Vocab;

class TokenEncoder {
 public:
  virtual ~TokenEncoder() = default;

  // Width of the token vectors it outputs.
  virtual std::int64_t width() const noexcept = 0;
  // The trainable model: feature keys -> token vectors.
  virtual nn::Layer& model() const = 0;
  // The config that recreates it.
  virtual Json config() const = 0;
  // Learns what it needs from the training Docs (cached words, key counts) and draws its weights.
  virtual void initialize(std::span<const Doc> train, std::uint64_t seed) = 0;
  // The model's input for a training batch (with word dropout, when configured, drawn from rng).
  virtual nn::Ragged train_keys(std::span<const Doc> docs, std::mt19937_64& rng) const = 0;
  // Token vectors of a batch (inference).
  virtual nn::Ragged predict(std::span<const Doc> docs) const = 0;
  // Derives / drops the inference-only forms of the current weights (the trainer brackets each
  // evaluation with them).
  virtual void prepare_inference() = 0;
  virtual void discard_inference() noexcept = 0;
  // Moves its model to a device and derives the inference forms that device uses.
  virtual void to(backend::Device device) = 0;
  // Its folder in a saved model.
  virtual void to_disk(const std::filesystem::path& dir) const = 0;
  virtual void from_disk(const std::filesystem::path& dir) = 0;
};

// Registry factory type for the "encoders" category: (name, config, vocab) -> encoder.
using EncoderFactory =
    std::function<std::unique_ptr<TokenEncoder>(const std::string& name, const Json& config, std::shared_ptr<Vocab>)>;

}  // namespace weft
