#include "weft/nn/layer_norm.hpp"

#include "weft/backend/scratch.hpp"
#include "weft/nn/init.hpp"

namespace weft::nn {

LayerNorm::LayerNorm(std::int64_t nI, float eps) : Layer("LayerNorm.v1", nI, nI), eps_(eps) {
  register_param(G_, "G");
  register_param(b_, "b");
}

void LayerNorm::initialize_self(const Ragged* X, const Tensor*, Rng&) {
  infer_nI(X);
  nO_ = nI_;
  require_dims();
  set_param(G_, Shape{nI_}, init::constant(nI_, 1.f));
  set_param(b_, Shape{nI_}, init::constant(nI_, 0.f));
}

Forward LayerNorm::forward(const Ragged& X, bool is_train) {
  check_ready();
  const std::int64_t n = X.data.dim(0);
  Tensor Y = Tensor::empty(X.data.shape(), DType::F32, device());
  if (!is_train) {
    // Mean and rstd only serve the backward pass.
    backend::ScratchArena& arena = backend::ScratchArena::local(device());
    backend::ScratchArena::Scope scope(arena);
    Tensor mean = arena.take(Shape{n}), rstd = arena.take(Shape{n});
    ops().layer_norm(X.data, G_.value, b_.value, eps_, Y, mean, rstd);
    return {{Y, X.lengths}, no_backprop()};
  }
  Tensor mean = Tensor::empty(Shape{n}, DType::F32, device());
  Tensor rstd = Tensor::empty(Shape{n}, DType::F32, device());
  ops().layer_norm(X.data, G_.value, b_.value, eps_, Y, mean, rstd);
  Tensor x = X.data;
  Backprop back = [this, x, mean, rstd](const Tensor& dY) {
    Tensor dX = Tensor::empty(x.shape(), DType::F32, device());
    ops().backprop_layer_norm(dY, x, G_.value, mean, rstd, dX, G_.grad, b_.grad);
    return dX;
  };
  return {{Y, X.lengths}, std::move(back)};
}

Model layer_norm(std::int64_t nI) { return std::make_shared<LayerNorm>(nI); }

}  // namespace weft::nn
