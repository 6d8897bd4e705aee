#include "weft/nn/softmax.hpp"

#include <algorithm>

#include "weft/backend/scratch.hpp"
#include "weft/error.hpp"
#include "weft/nn/init.hpp"

namespace weft::nn {

Softmax::Softmax(std::int64_t nO, std::int64_t nI) : Layer("Softmax.v1", nO, nI) {
  register_param(W_, "W");
  register_param(b_, "b");
}

void Softmax::initialize_self(const Ragged* X, const Tensor* Y, Rng&) {
  infer_nI(X);
  if (Y != nullptr) {
    if (Y->dtype() == DType::I32 && Y->ndim() == 1) {
      const std::vector<std::int32_t> labels = Y->to_vector<std::int32_t>();
      const std::int32_t top = labels.empty() ? -1 : *std::max_element(labels.begin(), labels.end());
      if (top >= 0 && nO_ < top + 1) nO_ = top + 1;  // labels may not show every class: never shrink a given nO
    } else if (Y->ndim() == 2) {
      infer_nO(Y->dim(1));
    } else {
      throw ValueError(describe() + ": sample output must be i32 labels [N] or scores [N, nO], got " + Y->shape().str());
    }
  }
  require_dims();
  set_param(W_, Shape{nO_, nI_}, init::constant(nO_ * nI_, 0.f));
  set_param(b_, Shape{nO_}, init::constant(nO_, 0.f));
}

Forward Softmax::forward(const Ragged& X, bool) {
  check_ready();
  backend::Ops& o = ops();
  const std::int64_t n = X.data.dim(0);
  Tensor Y = Tensor::empty(Shape{n, nO_}, DType::F32, device());
  {
    backend::ScratchArena& arena = backend::ScratchArena::local(device());
    backend::ScratchArena::Scope scope(arena);
    Tensor Z = arena.take(Shape{n, nO_});
    o.gemm(X.data, false, W_.value, true, Z, 1.f, 0.f, &b_.value);
    o.softmax(Z, Y);
  }
  Tensor x = X.data;
  Backprop back = [this, x](const Tensor& dZ) {
    backend::Ops& o = ops();
    o.gemm(dZ, true, x, false, W_.grad, 1.f, 1.f);
    o.sum_rows(dZ, b_.grad, true);
    Tensor dX = Tensor::empty(x.shape(), DType::F32, device());
    o.gemm(dZ, false, W_.value, false, dX);
    return dX;
  };
  return {{Y, X.lengths}, std::move(back)};
}

Model softmax(std::int64_t nO, std::int64_t nI) { return std::make_shared<Softmax>(nO, nI); }

}  // namespace weft::nn
