// MaxoutWindowEncoder.v1: spaCy's CNN context encoder. `depth` residual blocks, each
// X + LayerNorm(Maxout(expand_window(X))): every block widens a token's view by `window` tokens on
// each side, so depth 4 with window 1 sees four neighbours either way.
#pragma once

#include "weft/nn/layer.hpp"

namespace weft::nn {

struct WindowEncoderConfig {
  std::int64_t width = 96;
  int depth = 4;
  int window_size = 1;
  int maxout_pieces = 3;
  float dropout = 0.f;  // inside each block, after the normalisation (0: none)
};

// Blocks are labelled "0".."depth-1", their parts "maxout" and "layernorm".
Model maxout_window_encoder(const WindowEncoderConfig& config);

}  // namespace weft::nn
