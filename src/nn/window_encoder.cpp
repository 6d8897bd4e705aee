#include "weft/nn/window_encoder.hpp"

#include <string>

#include "weft/error.hpp"
#include "weft/nn/chain.hpp"
#include "weft/nn/dropout.hpp"
#include "weft/nn/expand_window.hpp"
#include "weft/nn/layer_norm.hpp"
#include "weft/nn/maxout.hpp"
#include "weft/nn/residual.hpp"

namespace weft::nn {

Model maxout_window_encoder(const WindowEncoderConfig& config) {
  if (config.width < 1 || config.depth < 1 || config.window_size < 0)
    throw ValueError("MaxoutWindowEncoder.v1: needs width >= 1, depth >= 1, window_size >= 0");
  const std::int64_t window_width = config.width * (2 * config.window_size + 1);
  std::vector<Model> blocks;
  for (int d = 0; d < config.depth; ++d) {
    Model mix = maxout(config.width, window_width, config.maxout_pieces);
    mix->set_label("maxout");
    Model norm = layer_norm(config.width);
    norm->set_label("layernorm");
    std::vector<Model> parts{expand_window(config.window_size), std::move(mix), std::move(norm)};
    if (config.dropout > 0.f) {
      parts.push_back(dropout(config.dropout));
      parts.back()->set_label("dropout");
    }
    Model block = residual(chain(std::move(parts)));
    block->set_label(std::to_string(d));
    blocks.push_back(std::move(block));
  }
  // A labelled chain keeps the blocks' names apart from the layers around the encoder.
  Model encoder = chain(std::move(blocks));
  encoder->set_label("encode");
  return encoder;
}

}  // namespace weft::nn
