#include "weft/nn/residual.hpp"

#include "weft/error.hpp"

namespace weft::nn {

Residual::Residual(Model inner) : Layer("Residual.v1", 0, 0) { add_child(std::move(inner)); }

void Residual::initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) {
  Layer& inner = *children()[0];
  inner.initialize(X, Y, rng);
  if (inner.nI() != inner.nO())
    throw ModelError("Residual.v1: inner " + inner.describe() + " maps width " + std::to_string(inner.nI()) + " to " +
                     std::to_string(inner.nO()) + "; a residual needs equal widths");
  nI_ = nO_ = inner.nO();
}

Forward Residual::forward(const Ragged& X, bool is_train) {
  check_ready();
  Forward f = children()[0]->forward(X, is_train);
  Tensor Y = Tensor::empty(X.data.shape(), DType::F32, device());
  ops().add(X.data, f.Y.data, Y);
  if (!is_train) return {{Y, X.lengths}, no_backprop()};
  Backprop back = [this, inner = std::move(f.backprop)](const Tensor& dY) {
    Tensor dInner = inner(dY);
    Tensor dX = Tensor::empty(dY.shape(), DType::F32, device());
    ops().add(dY, dInner, dX);
    return dX;
  };
  return {{Y, X.lengths}, std::move(back)};
}

Model residual(Model inner) { return std::make_shared<Residual>(std::move(inner)); }

}  // namespace weft::nn
