#include "weft/nn/tok2vec.hpp"

#include "weft/nn/chain.hpp"

namespace weft::nn {

Model tok2vec(const Tok2VecConfig& config) {
  Model embed = multi_hash_embed(config.embed);
  embed->set_label("embed");
  WindowEncoderConfig encode = config.encode;
  encode.width = config.embed.width;
  Model model = chain({std::move(embed), maxout_window_encoder(encode)});
  model->set_label("tok2vec");
  return model;
}

}  // namespace weft::nn
