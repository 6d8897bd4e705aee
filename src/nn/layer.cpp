#include "weft/nn/layer.hpp"

#include <set>

#include "weft/error.hpp"
#include "weft/nn/init.hpp"

namespace weft::nn {

Layer::Layer(std::string type, std::int64_t nO, std::int64_t nI) : nO_(nO), nI_(nI), type_(std::move(type)) {
  if (nO < 0 || nI < 0) throw ValueError(type_ + ": dimensions must be >= 0 (0 = infer)");
}

void Layer::initialize(const Ragged* X, const Tensor* Y, Rng& rng) {
  initialize_self(X, Y, rng);
  initialized_ = true;
}

void Layer::initialize(const Ragged* X, const Tensor* Y, std::uint64_t seed) {
  Rng rng(seed);
  initialize(X, Y, rng);
}

void Layer::to(Device device) {
  for (Param* p : params_) {
    if (p->value.defined() && p->value.numel() > 0) p->value = p->value.to(device);
    if (p->grad.defined() && p->grad.numel() > 0) p->grad = p->grad.to(device);
  }
  for (const Model& c : children_) c->to(device);
  device_ = device;
}

void Layer::prepare_inference() {
  for (const Model& c : children_) c->prepare_inference();
}

void Layer::zero_grads() {
  for (Param* p : params_)
    if (p->grad.numel() > 0) ops().fill(p->grad, 0.f);
  for (const Model& c : children_) c->zero_grads();
}

std::string Layer::describe() const { return label_.empty() ? type_ : type_ + " '" + label_ + "'"; }

Backprop Layer::no_backprop() const {
  return [name = describe()](const Tensor&) -> Tensor {
    throw ModelError(name + ": backprop called after forward(X, is_train = false), which keeps no state for it");
  };
}

void Layer::check_ready() const {
  if (!initialized_) throw ModelError(describe() + " was used before initialize()");
}

void Layer::infer_nI(const Ragged* X) {
  if (X == nullptr) return;
  if (X->data.ndim() != 2) throw ValueError(describe() + ": input must be 2-D, got shape " + X->data.shape().str());
  const std::int64_t width = X->data.dim(1);
  if (nI_ == 0) nI_ = width;
  else if (nI_ != width)
    throw ValueError(describe() + ": input width " + std::to_string(width) + " but nI is " + std::to_string(nI_));
}

void Layer::infer_nO(std::int64_t n) {
  if (nO_ == 0) nO_ = n;
  else if (nO_ != n)
    throw ValueError(describe() + ": sample output width " + std::to_string(n) + " but nO is " + std::to_string(nO_));
}

void Layer::require_dims() const {
  if (nI_ == 0) throw ModelError(describe() + ": nI is unknown; give it or initialize with a sample input");
  if (nO_ == 0) throw ModelError(describe() + ": nO is unknown; give it or initialize with a sample output");
}

void Layer::register_param(Param& p, std::string name) {
  p.name = std::move(name);
  params_.push_back(&p);
}

void Layer::add_child(Model child) {
  if (!child) throw ValueError(type_ + ": a child layer is null");
  children_.push_back(std::move(child));
}

void Layer::set_param(Param& p, const Shape& shape, const std::vector<float>& values) {
  if (init::weights_only()) {  // the values are loaded next; no gradients for a model that only predicts
    p.value = Tensor::empty(shape, DType::F32, device_);
    p.grad = Tensor();
    return;
  }
  p.value = Tensor::from_vector(values, shape, device_);
  p.grad = Tensor::zeros(shape, DType::F32, device_);
}

namespace {

void collect(Layer& layer, const std::string& prefix, std::vector<NamedParam>& out) {
  for (Param* p : layer.params()) out.push_back({prefix.empty() ? p->name : prefix + "." + p->name, p});
  const auto& children = layer.children();
  for (std::size_t i = 0; i < children.size(); ++i) {
    Layer& c = *children[i];
    std::string segment = !c.label().empty() ? c.label() : c.transparent() ? std::string() : std::to_string(i);
    std::string path = segment.empty() ? prefix : prefix.empty() ? segment : prefix + "." + segment;
    collect(c, path, out);
  }
}

}  // namespace

std::vector<NamedParam> named_params(Layer& root) {
  std::vector<NamedParam> out;
  collect(root, root.label(), out);
  std::set<std::string> seen;
  for (const NamedParam& p : out)
    if (!seen.insert(p.name).second)
      throw ModelError("two parameters are named '" + p.name + "'; give the layers distinct labels");
  return out;
}

}  // namespace weft::nn
