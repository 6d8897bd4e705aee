#include "weft/nn/hash_embed.hpp"

#include "key_column.hpp"
#include "weft/backend/scratch.hpp"
#include "weft/error.hpp"
#include "weft/nn/init.hpp"

namespace weft::nn {

HashEmbed::HashEmbed(std::int64_t nO, std::int64_t nV, std::uint32_t seed, int column, int n_hashes)
    : Layer("HashEmbed.v1", nO, 0), nV_(nV), seed_(seed), column_(column), n_hashes_(n_hashes) {
  if (nO < 1 || nV < 1 || nV > INT32_MAX) throw ValueError("HashEmbed.v1: needs nO >= 1 and 1 <= nV < 2^31");
  if (n_hashes < 1) throw ValueError("HashEmbed.v1: n_hashes must be >= 1");
  if (column < 0) throw ValueError("HashEmbed.v1: column must be >= 0");
  register_param(E_, "E");
}

void HashEmbed::initialize_self(const Ragged* X, const Tensor*, Rng& rng) {
  if (X != nullptr) nI_ = X->data.ndim() == 2 ? X->data.dim(1) : 1;
  set_param(E_, Shape{nV_, nO_}, init::uniform(nV_ * nO_, -0.1f, 0.1f, rng));
}

Forward HashEmbed::forward(const Ragged& X, bool is_train) {
  check_ready();
  backend::Ops& o = ops();
  Tensor keys = detail::key_column(X.data, column_, device(), describe());
  const std::int64_t n = keys.dim(0);
  Tensor Y = Tensor::empty(Shape{n, nO_}, DType::F32, device());
  if (!is_train) {
    // The row ids are only kept for the gradient's scatter, so inference takes them from scratch.
    backend::ScratchArena& arena = backend::ScratchArena::local(device());
    backend::ScratchArena::Scope scope(arena);
    Tensor ids = arena.take(Shape{n, n_hashes_}, DType::I32);
    o.hash_rows(keys, seed_, nV_, ids);
    o.gather_sum_rows(E_.value, ids, Y);
    return {{Y, X.lengths}, no_backprop()};
  }
  Tensor ids = Tensor::empty(Shape{n, n_hashes_}, DType::I32, device());
  o.hash_rows(keys, seed_, nV_, ids);
  o.gather_sum_rows(E_.value, ids, Y);
  Backprop back = [this, ids](const Tensor& dY) {
    ops().scatter_add_rows(E_.grad, ids, dY);
    return Tensor();
  };
  return {{Y, X.lengths}, std::move(back)};
}

Model hash_embed(std::int64_t nO, std::int64_t nV, std::uint32_t seed, int column) {
  return std::make_shared<HashEmbed>(nO, nV, seed, column);
}

}  // namespace weft::nn
