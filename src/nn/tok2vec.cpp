#include "weft/nn/tok2vec.hpp"

#include "weft/nn/chain.hpp"

namespace weft::nn {

Model tok2vec(const Tok2VecConfig& config) {
  Model embed = multi_hash_embed(config.embed);
  embed->set_label("embed");
  WindowEncoderConfig encode = config.encode;
  encode.width = config.embed.width;
  std::vector<Model> parts{std::move(embed)};
  if (encode.depth > 0) parts.push_back(maxout_window_encoder(encode));
  if (config.sequence) parts.push_back(config.sequence);
  Model model = chain(std::move(parts));
  model->set_label("tok2vec");
  return model;
}

}  // namespace weft::nn
