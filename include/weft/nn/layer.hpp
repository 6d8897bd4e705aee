// Layer: the unit models are built from, after thinc. A layer is a small object with named parameters
// whose forward(X, is_train) returns the output together with the callable that back-propagates through
// it (dY -> dX, adding the parameter gradients). Architectures are composed from layers (chain, concat,
// residual) rather than subclassed, and dimensions left at 0 are inferred from sample data in initialize().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "weft/backend/ops.hpp"
#include "weft/nn/param.hpp"
#include "weft/nn/ragged.hpp"
#include "weft/nn/rng.hpp"

namespace weft::nn {

using backend::Device;
using backend::DType;
using backend::Shape;
using backend::Tensor;

// Maps the gradient of the output to the gradient of the input (undefined for inputs that have none,
// such as feature keys). It may return dY itself but never modifies it; it is valid while its layer lives.
using Backprop = std::function<Tensor(const Tensor& dY)>;

struct Forward {
  Ragged Y;
  Backprop backprop;
};

class Layer;
using Model = std::shared_ptr<Layer>;

class Layer {
 public:
  // type: the versioned name a config uses ("Linear.v1"). nO, nI: 0 when left to initialize().
  Layer(std::string type, std::int64_t nO, std::int64_t nI);
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  const std::string& type() const noexcept { return type_; }
  // The segment this layer adds to its parameters' names; see named_params().
  const std::string& label() const noexcept { return label_; }
  void set_label(std::string label) { label_ = std::move(label); }
  std::int64_t nO() const noexcept { return nO_; }
  std::int64_t nI() const noexcept { return nI_; }
  bool initialized() const noexcept { return initialized_; }
  Device device() const noexcept { return device_; }
  const std::vector<Model>& children() const noexcept { return children_; }
  const std::vector<Param*>& params() const noexcept { return params_; }

  // Infers missing dimensions from sample input X and sample output Y (either may be null), then draws
  // every parameter of this layer and its children from rng. Calling it again re-initialises.
  void initialize(const Ragged* X, const Tensor* Y, Rng& rng);
  void initialize(const Ragged* X = nullptr, const Tensor* Y = nullptr, std::uint64_t seed = 0);

  // With is_train false a layer may keep nothing for the backward pass (the combinators and the tok2vec
  // layers free each intermediate once the next layer has read it): never call that backprop; where
  // nothing was kept it throws ModelError.
  virtual Forward forward(const Ragged& X, bool is_train) = 0;
  Ragged predict(const Ragged& X) { return forward(X, false).Y; }

  // Moves the parameters (and any other state) of this layer and its children to a device.
  virtual void to(Device device);
  // Sets every gradient of this layer and its children to zero.
  void zero_grads();
  // Derives inference-only forms of the current weights in this layer and its children: the int8
  // weights of backend/cpu_int8.hpp, which inference's forward passes (is_train false) on the CPU then
  // use while int8 products are on. A training forward pass drops them (the weights are about to
  // change), so call it again after training. Default: the children's.
  virtual void prepare_inference();
  // Combinators created without a label add no name segment (see named_params()).
  virtual bool transparent() const noexcept { return false; }
  // "Linear.v1 'label'": how errors name the layer.
  std::string describe() const;

 protected:
  virtual void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) = 0;
  backend::Ops& ops() const { return backend::ops(device_); }
  // Throws ModelError unless initialize() ran.
  void check_ready() const;
  // The backprop of an inference-only forward pass: it throws ModelError naming this layer.
  Backprop no_backprop() const;
  // Sets nI from X's row width (X 2-D); ValueError when it disagrees with a given nI.
  void infer_nI(const Ragged* X);
  void infer_nO(std::int64_t n);
  // Throws ModelError naming the dimension when it is still unknown.
  void require_dims() const;
  void register_param(Param& p, std::string name);
  void add_child(Model child);
  // Uploads host values as the parameter's value and zeroes its gradient.
  void set_param(Param& p, const Shape& shape, const std::vector<float>& values);

  std::int64_t nO_, nI_;

 private:
  std::string type_, label_;
  Device device_ = Device::cpu();
  bool initialized_ = false;
  std::vector<Param*> params_;
  std::vector<Model> children_;
};

// Every parameter of a model, depth first, named by the labels on the path from the root joined by "."
// and the parameter's own name: "tok2vec.embed.norm.E". A child without a label contributes its index
// in the parent, except transparent combinators, which contribute nothing. Two parameters with one name
// are a ModelError (label the layers apart).
std::vector<NamedParam> named_params(Layer& root);

}  // namespace weft::nn
