#include "weft/nn/concat.hpp"

#include <numeric>

#include "weft/error.hpp"

namespace weft::nn {

namespace {

// Joining columns is a row permutation once every output is cut into units of g = gcd(widths) columns:
// output k's rows, stacked one after another, hold the same units as the joined rows in another order.
// So the join is one gather (and its gradient the inverse gather) with ids built here, on the host.
struct Permutation {
  Tensor to_joined;    // i32 [N * total / g]: stack unit for each joined unit
  Tensor to_stacked;   // i32 [N * total / g]: joined unit for each stack unit
  std::vector<std::int64_t> base;  // first stack unit of output k
  std::int64_t g = 1;
};

Permutation permutation(std::int64_t n, const std::vector<std::int64_t>& widths, Device device) {
  Permutation p;
  std::int64_t g = 0, total = 0;
  for (std::int64_t w : widths) {
    g = std::gcd(g, w);
    total += w;
  }
  p.g = g;
  const std::int64_t row_units = total / g;
  std::vector<std::int32_t> to_joined(static_cast<std::size_t>(n * row_units)), to_stacked(to_joined.size());
  std::int64_t base = 0, offset = 0;
  for (std::int64_t w : widths) {
    p.base.push_back(base);
    const std::int64_t units = w / g;
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t j = 0; j < units; ++j) {
        const std::int64_t joined = i * row_units + offset + j, stacked = base + i * units + j;
        to_joined[static_cast<std::size_t>(joined)] = static_cast<std::int32_t>(stacked);
        to_stacked[static_cast<std::size_t>(stacked)] = static_cast<std::int32_t>(joined);
      }
    base += n * units;
    offset += units;
  }
  p.to_joined = Tensor::from_vector(to_joined, Shape{n * row_units}, device);
  p.to_stacked = Tensor::from_vector(to_stacked, Shape{n * row_units}, device);
  return p;
}

}  // namespace

Concat::Concat(std::vector<Model> layers) : Layer("Concat.v1", 0, 0) {
  if (layers.empty()) throw ValueError("Concat.v1: needs at least one layer");
  for (Model& l : layers) add_child(std::move(l));
}

void Concat::initialize_self(const Ragged* X, const Tensor*, Rng& rng) {
  nO_ = 0;
  for (const Model& l : children()) {
    l->initialize(X, nullptr, rng);
    if (l->nO() == 0) throw ModelError("Concat.v1: " + l->describe() + " has no known output width");
    nO_ += l->nO();
  }
  nI_ = children().front()->nI();
}

Forward Concat::forward(const Ragged& X, bool is_train) {
  check_ready();
  const std::int64_t n = X.data.dim(0);
  std::vector<Backprop> backs;
  std::vector<Tensor> outs;
  std::vector<std::int64_t> widths;
  for (const Model& l : children()) {
    Forward f = l->forward(X, is_train);
    if (f.Y.data.ndim() != 2 || f.Y.data.dim(0) != n)
      throw ModelError("Concat.v1: " + l->describe() + " returned shape " + f.Y.data.shape().str() + " for " + std::to_string(n) + " rows");
    widths.push_back(f.Y.data.dim(1));
    outs.push_back(std::move(f.Y.data));
    backs.push_back(std::move(f.backprop));
  }
  backend::Ops& o = ops();
  const std::int64_t total = std::accumulate(widths.begin(), widths.end(), std::int64_t{0});
  if (total == 0 || n == 0) {
    Tensor Y = Tensor::empty(Shape{n, total}, DType::F32, device());
    Backprop back = [](const Tensor&) { return Tensor(); };
    return {{Y, X.lengths}, std::move(back)};
  }
  Permutation perm = permutation(n, widths, device());
  const std::int64_t units = n * total / perm.g;
  Tensor stack = Tensor::empty(Shape{units, perm.g}, DType::F32, device());
  for (std::size_t k = 0; k < outs.size(); ++k) {
    Tensor part = stack.rows(perm.base[k], perm.base[k] + n * widths[k] / perm.g).reshape(outs[k].shape());
    part.copy_from(outs[k]);
  }
  Tensor Y = Tensor::empty(Shape{n, total}, DType::F32, device());
  Tensor joined = Y.reshape(Shape{units, perm.g});
  o.gather_sum_rows(stack, perm.to_joined, joined);
  if (!is_train) return {{Y, X.lengths}, no_backprop()};
  Backprop back = [this, n, widths, perm, units, backs = std::move(backs)](const Tensor& dY) {
    backend::Ops& o = ops();
    Tensor dstack = Tensor::empty(Shape{units, perm.g}, DType::F32, device());
    o.gather_sum_rows(dY.reshape(Shape{units, perm.g}), perm.to_stacked, dstack);
    Tensor dX;
    for (std::size_t k = 0; k < backs.size(); ++k) {
      Tensor dpart = dstack.rows(perm.base[k], perm.base[k] + n * widths[k] / perm.g).reshape(Shape{n, widths[k]});
      Tensor d = backs[k](dpart);
      if (!d.defined() || d.ndim() == 0) continue;  // inputs without a gradient (feature keys)
      if (!dX.defined() || dX.ndim() == 0) {
        dX = Tensor::empty(d.shape(), DType::F32, device());
        dX.copy_from(d);
      } else {
        o.axpy(1.f, d, dX);
      }
    }
    return dX;
  };
  return {{Y, X.lengths}, std::move(back)};
}

Model concat(std::vector<Model> layers) { return std::make_shared<Concat>(std::move(layers)); }

}  // namespace weft::nn
