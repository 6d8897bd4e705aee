// MultiHashEmbed.v1: spaCy's token embedding. One HashEmbed per lexical feature (by default NORM, PREFIX,
// SUFFIX, SHAPE; the pipeline's tok2vec may name more, such as longer affixes), optionally pretrained
// StaticVectors, concatenated and mixed to `width` by a Maxout with layer normalisation. Input: u64 keys
// [N, F] (or [N, F + 1] with vectors: the last column is the vector row), on the CPU, with the document
// lengths.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "weft/nn/layer.hpp"

namespace weft::nn {

enum Feature : int { NORM = 0, PREFIX = 1, SUFFIX = 2, SHAPE = 3 };
inline constexpr int kFeatureCount = 4;

struct MultiHashEmbedConfig {
  std::int64_t width = 96;
  std::vector<std::int64_t> rows{5000, 2500, 2500, 2500};  // one table per key column (spaCy's defaults)
  // The tables' labels, one per entry of rows; empty: "norm", "prefix", "suffix", "shape" for four
  // tables, else "f0", "f1", ...
  std::vector<std::string> names;
  int maxout_pieces = 3;
  float dropout = 0.f;                              // after the mix (0: none)
  std::optional<Tensor> static_vectors;             // f32 [V, D]
  // Character features (CharEmbed.v1, labelled "chars") concatenated after the tables and vectors;
  // null: none.
  Model chars;
};

// Labels its parts by the table names, "vectors", "chars", and "maxout", "layernorm" (the mix).
Model multi_hash_embed(const MultiHashEmbedConfig& config);

}  // namespace weft::nn
