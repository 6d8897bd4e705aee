// The tok2vec architecture: MultiHashEmbed followed by MaxoutWindowEncoder, the token-to-vector
// layer every spaCy pipeline component shares. Labelled "tok2vec" with parts "embed" and "encode", so
// its parameters are named "tok2vec.embed.norm.E", "tok2vec.encode.0.maxout.W", ...
#pragma once

#include "weft/nn/multi_hash_embed.hpp"
#include "weft/nn/window_encoder.hpp"

namespace weft::nn {

struct Tok2VecConfig {
  MultiHashEmbedConfig embed;
  WindowEncoderConfig encode;
};

// The encoder's width follows the embedding's.
Model tok2vec(const Tok2VecConfig& config);

}  // namespace weft::nn
