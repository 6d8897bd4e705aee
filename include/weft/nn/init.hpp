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

// While one is open on this thread, layers that initialize take only their parameters' shapes: the
// functions above draw no values (they return none) and Layer::set_param allocates the value without
// filling it and no gradient. For loading weights (nn::load_model), where every value is read next and
// the model only predicts; training starts from a model initialized with values.
class WeightsOnlyScope {
 public:
  WeightsOnlyScope() noexcept;
  ~WeightsOnlyScope();
  WeightsOnlyScope(const WeightsOnlyScope&) = delete;
  WeightsOnlyScope& operator=(const WeightsOnlyScope&) = delete;
};
bool weights_only() noexcept;

}  // namespace weft::nn::init
