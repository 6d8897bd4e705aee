// A model's parameters to and from a safetensors file, by full parameter name. Loading is all or
// nothing: every parameter must be in the file with its exact shape and the file may hold nothing else,
// otherwise ModelError names the file and the tensor, and the model is left unchanged.
#pragma once

#include <map>
#include <string>

#include "weft/nn/layer.hpp"
#include "weft/nn/safetensors.hpp"

namespace weft::nn {

void save_weights(Layer& model, const std::string& path, StorageType storage = StorageType::F32,
                  const std::map<std::string, std::string>& metadata = {});
// The model must be initialized (its shapes are what the file is checked against). Returns the metadata.
std::map<std::string, std::string> load_weights(Layer& model, const std::string& path);
// A model to predict with, from a file: initializes it with shapes only (init::WeightsOnlyScope: no
// random values, no gradients) and loads its weights, so that loading holds one copy of each weight.
std::map<std::string, std::string> load_model(Layer& model, const std::string& path);

}  // namespace weft::nn
