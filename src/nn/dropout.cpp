#include "weft/nn/dropout.hpp"

#include "weft/error.hpp"

namespace weft::nn {

Dropout::Dropout(float rate) : Layer("Dropout.v1", 0, 0), rate_(rate) {
  if (!(rate >= 0.f && rate < 1.f)) throw ValueError("Dropout.v1: rate must be in [0, 1), got " + std::to_string(rate));
}

void Dropout::initialize_self(const Ragged* X, const Tensor*, Rng& rng) {
  if (X != nullptr && X->data.ndim() == 2) nI_ = nO_ = X->data.dim(1);
  seed_ = rng.next();
  calls_ = 0;
}

Forward Dropout::forward(const Ragged& X, bool is_train) {
  check_ready();
  if (!is_train || rate_ == 0.f) return {X, [](const Tensor& dY) { return dY; }};
  Tensor Y = Tensor::empty(X.data.shape(), DType::F32, device());
  Tensor mask = Tensor::empty(X.data.shape(), DType::F32, device());
  ops().dropout(X.data, rate_, seed_ + calls_.fetch_add(1) * 0x9e3779b97f4a7c15ULL, Y, mask);
  Backprop back = [this, mask](const Tensor& dY) {
    Tensor dX = Tensor::empty(dY.shape(), DType::F32, device());
    ops().mul(dY, mask, dX);
    return dX;
  };
  return {{Y, X.lengths}, std::move(back)};
}

Model dropout(float rate) { return std::make_shared<Dropout>(rate); }

}  // namespace weft::nn
