#include "weft/nn/static_vectors.hpp"

#include <vector>

#include "key_column.hpp"
#include "weft/error.hpp"
#include "weft/nn/init.hpp"

namespace weft::nn {

StaticVectors::StaticVectors(std::int64_t nO, const Tensor& vectors, int column) : Layer("StaticVectors.v1", nO, 0), column_(column) {
  if (vectors.dtype() != DType::F32 || vectors.ndim() != 2 || vectors.dim(1) < 1)
    throw ValueError("StaticVectors.v1: vectors must be f32 [V, D] with D >= 1, got " + std::string(backend::dtype_name(vectors.dtype())) +
                     " " + vectors.shape().str());
  if (nO < 1) throw ValueError("StaticVectors.v1: nO must be >= 1");
  const std::int64_t V = vectors.dim(0), D = vectors.dim(1);
  std::vector<float> host(static_cast<std::size_t>((V + 1) * D), 0.f);
  vectors.copy_to_host(host.data());
  table_ = Tensor::from_vector(host, Shape{V + 1, D});
  register_param(W_, "W");
}

void StaticVectors::initialize_self(const Ragged* X, const Tensor*, Rng& rng) {
  if (X != nullptr) nI_ = X->data.ndim() == 2 ? X->data.dim(1) : 1;
  const std::int64_t D = table_.dim(1);
  set_param(W_, Shape{nO_, D}, init::glorot_uniform(nO_ * D, D, nO_, rng));
}

void StaticVectors::to(Device device) {
  table_ = table_.to(device);
  Layer::to(device);
}

Forward StaticVectors::forward(const Ragged& X, bool) {
  check_ready();
  const Tensor col = detail::key_column(X.data, column_, Device::cpu(), describe());
  const std::int64_t n = col.dim(0), zero_row = table_.dim(0) - 1;
  const std::uint64_t* k = col.data<std::uint64_t>();
  std::vector<std::int32_t> rows(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i)
    rows[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(k[i] < static_cast<std::uint64_t>(zero_row) ? k[i] : zero_row);
  backend::Ops& o = ops();
  Tensor ids = Tensor::from_vector(rows, Shape{n}, device());
  Tensor vecs = Tensor::empty(Shape{n, table_.dim(1)}, DType::F32, device());
  o.gather_sum_rows(table_, ids, vecs);
  Tensor Y = Tensor::empty(Shape{n, nO_}, DType::F32, device());
  o.gemm(vecs, false, W_.value, true, Y);
  Backprop back = [this, vecs](const Tensor& dY) {
    ops().gemm(dY, true, vecs, false, W_.grad, 1.f, 1.f);
    return Tensor();
  };
  return {{Y, X.lengths}, std::move(back)};
}

Model static_vectors(std::int64_t nO, const Tensor& vectors, int column) {
  return std::make_shared<StaticVectors>(nO, vectors, column);
}

}  // namespace weft::nn
