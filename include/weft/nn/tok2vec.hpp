// The tok2vec architecture: MultiHashEmbed followed by MaxoutWindowEncoder, the token-to-vector
// layer every spaCy pipeline component shares, optionally followed by a sequence encoder (a BiLSTM).
// Labelled "tok2vec" with parts "embed", "encode" (absent at depth 0) and "lstm", so its parameters
// are named "tok2vec.embed.norm.E", "tok2vec.encode.0.maxout.W", "tok2vec.lstm.0.W_ih", ...
#pragma once

#include "weft/nn/multi_hash_embed.hpp"
#include "weft/nn/window_encoder.hpp"

namespace weft::nn {

struct Tok2VecConfig {
  MultiHashEmbedConfig embed;
  WindowEncoderConfig encode;  // depth 0: no CNN
  Model sequence;              // after the CNN, labelled "lstm" (nn::bilstm); null: none
};

// The encoder's width follows the embedding's.
Model tok2vec(const Tok2VecConfig& config);

}  // namespace weft::nn
