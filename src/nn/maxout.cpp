#include "weft/nn/maxout.hpp"

#include "weft/backend/scratch.hpp"
#include "weft/error.hpp"
#include "weft/nn/init.hpp"

namespace weft::nn {

Maxout::Maxout(std::int64_t nO, std::int64_t nI, int pieces) : Layer("Maxout.v1", nO, nI), pieces_(pieces) {
  if (pieces < 1 || pieces > 255) throw ValueError("Maxout.v1: pieces must be in 1..255, got " + std::to_string(pieces));
  register_param(W_, "W");
  register_param(b_, "b");
}

void Maxout::initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) {
  infer_nI(X);
  if (Y != nullptr && Y->ndim() == 2) infer_nO(Y->dim(1));
  require_dims();
  const std::int64_t rows = nO_ * pieces_;
  set_param(W_, Shape{rows, nI_}, init::glorot_uniform(rows * nI_, nI_, nO_, rng));
  set_param(b_, Shape{rows}, init::constant(rows, 0.f));
}

Forward Maxout::forward(const Ragged& X, bool is_train) {
  check_ready();
  backend::Ops& o = ops();
  const std::int64_t n = X.data.dim(0);
  Tensor Y = Tensor::empty(Shape{n, nO_}, DType::F32, device());
  Tensor which;
  {
    // The pre-activations are not needed by backprop (which piece won is), so they live in scratch;
    // so does `which` when there will be no backprop.
    backend::ScratchArena& arena = backend::ScratchArena::local(device());
    backend::ScratchArena::Scope scope(arena);
    which = is_train ? Tensor::empty(Shape{n, nO_}, DType::U8, device()) : arena.take(Shape{n, nO_}, DType::U8);
    Tensor Z = arena.take(Shape{n, nO_ * pieces_});
    o.gemm(X.data, false, W_.value, true, Z, 1.f, 0.f, &b_.value);
    o.maxout(Z, pieces_, Y, which);
  }
  if (!is_train) return {{Y, X.lengths}, no_backprop()};
  Tensor x = X.data;
  Backprop back = [this, x, which](const Tensor& dY) {
    backend::Ops& o = ops();
    backend::ScratchArena& arena = backend::ScratchArena::local(device());
    backend::ScratchArena::Scope scope(arena);
    Tensor dZ = arena.take(Shape{x.dim(0), nO_ * pieces_});
    o.backprop_maxout(dY, which, pieces_, dZ);
    o.gemm(dZ, true, x, false, W_.grad, 1.f, 1.f);
    o.sum_rows(dZ, b_.grad, true);
    Tensor dX = Tensor::empty(x.shape(), DType::F32, device());
    o.gemm(dZ, false, W_.value, false, dX);
    return dX;
  };
  return {{Y, X.lengths}, std::move(back)};
}

Model maxout(std::int64_t nO, std::int64_t nI, int pieces) { return std::make_shared<Maxout>(nO, nI, pieces); }

}  // namespace weft::nn
