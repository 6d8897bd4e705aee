// MultiHashEmbed.v1: spaCy's token embedding. One HashEmbed per lexical feature (NORM, PREFIX, SUFFIX,
// SHAPE), optionally pretrained StaticVectors, concatenated and mixed to `width` by a Maxout with layer
// normalisation. Input: u64 keys [N, 4] (or [N, 5] with vectors: the fifth column is the vector row),
// on the CPU, with the document lengths.
#pragma once

#include <array>
#include <optional>

#include "weft/nn/layer.hpp"

namespace weft::nn {

enum Feature : int { NORM = 0, PREFIX = 1, SUFFIX = 2, SHAPE = 3 };
inline constexpr int kFeatureCount = 4;

struct MultiHashEmbedConfig {
  std::int64_t width = 96;
  std::array<std::int64_t, kFeatureCount> rows{5000, 2500, 2500, 2500};  // spaCy's defaults
  int maxout_pieces = 3;
  float dropout = 0.f;                              // after the mix (0: none)
  std::optional<Tensor> static_vectors;             // f32 [V, D]
};

// Labels its parts "norm", "prefix", "suffix", "shape", "vectors" (the tables) and "maxout",
// "layernorm" (the mix).
Model multi_hash_embed(const MultiHashEmbedConfig& config);

}  // namespace weft::nn
