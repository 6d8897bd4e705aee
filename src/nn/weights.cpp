#include "weft/nn/weights.hpp"

#include <set>

#include "weft/error.hpp"
#include "weft/nn/init.hpp"

namespace weft::nn {

namespace {

ModelError model_error(const std::string& path, const std::string& why) {
  Location where;
  where.file = path;
  return ModelError(why, where);
}

}  // namespace

void save_weights(Layer& model, const std::string& path, StorageType storage, const std::map<std::string, std::string>& metadata) {
  NamedTensors tensors;
  for (const NamedParam& p : named_params(model)) {
    if (!p.param->value.defined() || p.param->value.numel() == 0)
      throw ModelError("save_weights: parameter '" + p.name + "' has no value (initialize the model first)");
    tensors.emplace_back(p.name, p.param->value);
  }
  save_safetensors(path, tensors, storage, metadata);
}

std::map<std::string, std::string> load_weights(Layer& model, const std::string& path) {
  SafeTensors file = load_safetensors(path);
  std::map<std::string, const Tensor*> by_name;
  for (const auto& [name, t] : file.tensors) by_name[name] = &t;
  const std::vector<NamedParam> params = named_params(model);
  std::set<std::string> expected;
  // Check everything before changing anything, so a bad file leaves the model as it was.
  for (const NamedParam& p : params) {
    expected.insert(p.name);
    if (!p.param->value.defined() || p.param->value.numel() == 0)
      throw model_error(path, "parameter '" + p.name + "' of the model is not initialized");
    auto it = by_name.find(p.name);
    if (it == by_name.end()) throw model_error(path, "no tensor '" + p.name + "' for the model's parameter");
    if (!(it->second->shape() == p.param->value.shape()))
      throw model_error(path, "tensor '" + p.name + "' has shape " + it->second->shape().str() + ", the model expects " +
                       p.param->value.shape().str());
  }
  for (const auto& [name, _] : file.tensors)
    if (expected.count(name) == 0) throw model_error(path, "tensor '" + name + "' is not a parameter of the model");
  // The file's tensors become the values where they are on the same device (no second copy).
  std::map<std::string, Param*> param_of;
  for (const NamedParam& p : params) param_of[p.name] = p.param;
  for (auto& [name, t] : file.tensors) {
    Param* p = param_of.at(name);
    if (p->value.device() == t.device()) p->value = std::move(t);
    else p->value.copy_from(t);
  }
  return file.metadata;
}

std::map<std::string, std::string> load_model(Layer& model, const std::string& path) {
  {
    init::WeightsOnlyScope shapes_only;
    model.initialize(nullptr, nullptr, std::uint64_t{0});
  }
  return load_weights(model, path);
}

}  // namespace weft::nn
