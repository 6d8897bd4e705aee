// Initialisation schemes for parameters, as thinc's: values are drawn on the host from the model's Rng
// (so every device starts from identical weights) and uploaded by the layer.
#pragma once

#include <cstdint>
#include <vector>

#include "weft/nn/rng.hpp"

namespace weft::nn::init {

// Glorot (Xavier) uniform: U(-s, s) with s = sqrt(6 / (fan_in + fan_out)); Linear, Maxout, StaticVectors.
std::vector<float> glorot_uniform(std::int64_t n, std::int64_t fan_in, std::int64_t fan_out, Rng& rng);
// U(lo, hi): embedding tables (thinc's uniform_init(-0.1, 0.1)).
std::vector<float> uniform(std::int64_t n, float lo, float hi, Rng& rng);
// A constant: zeros for biases and the Softmax output layer, ones for LayerNorm's gain.
std::vector<float> constant(std::int64_t n, float value);

}  // namespace weft::nn::init
