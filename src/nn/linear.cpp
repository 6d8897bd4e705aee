#include "weft/nn/linear.hpp"

#include "weft/nn/init.hpp"

namespace weft::nn {

Linear::Linear(std::int64_t nO, std::int64_t nI) : Layer("Linear.v1", nO, nI) {
  register_param(W_, "W");
  register_param(b_, "b");
}

void Linear::initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) {
  infer_nI(X);
  if (Y != nullptr && Y->ndim() == 2) infer_nO(Y->dim(1));
  require_dims();
  set_param(W_, Shape{nO_, nI_}, init::glorot_uniform(nO_ * nI_, nI_, nO_, rng));
  set_param(b_, Shape{nO_}, init::constant(nO_, 0.f));
}

void Linear::prepare_inference() {
  W8_ = initialized() && device().is_cpu() ? backend::quantize_weights(W_.value) : backend::Int8Weights{};
}

Forward Linear::forward(const Ragged& X, bool is_train) {
  check_ready();
  Tensor Y = Tensor::empty(Shape{X.data.dim(0), nO_}, DType::F32, device());
  if (is_train) {
    W8_ = {};
  } else if (!W8_.empty() && device().is_cpu() && backend::int8_available()) {
    backend::int8_gemm(X.data, W8_, Y, &b_.value);
    return {{Y, X.lengths}, no_backprop()};
  }
  ops().gemm(X.data, false, W_.value, true, Y, 1.f, 0.f, &b_.value);
  Tensor x = X.data;
  Backprop back = [this, x](const Tensor& dY) {
    backend::Ops& o = ops();
    o.gemm(dY, true, x, false, W_.grad, 1.f, 1.f);
    o.sum_rows(dY, b_.grad, true);
    Tensor dX = Tensor::empty(x.shape(), DType::F32, device());
    o.gemm(dY, false, W_.value, false, dX);
    return dX;
  };
  return {{Y, X.lengths}, std::move(back)};
}

Model linear(std::int64_t nO, std::int64_t nI) { return std::make_shared<Linear>(nO, nI); }

}  // namespace weft::nn
