#include "weft/nn/loss.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "weft/backend/ops.hpp"
#include "weft/error.hpp"

namespace weft::nn {

using backend::DType;
using backend::Shape;
using backend::Tensor;

Loss categorical_crossentropy(const Tensor& probs, const Tensor& labels, bool normalize) {
  if (probs.dtype() != DType::F32 || probs.ndim() != 2) throw ValueError("categorical_crossentropy: probs must be f32 [N, C], got " + probs.shape().str());
  if (labels.dtype() != DType::I32 || labels.numel() != probs.dim(0))
    throw ValueError("categorical_crossentropy: labels must be i32 [" + std::to_string(probs.dim(0)) + "], got " + labels.shape().str());
  const std::int64_t n = probs.dim(0), c = probs.dim(1);
  const std::vector<std::int32_t> gold = labels.to_vector<std::int32_t>();
  // The probabilities are viewed as one column of N*C rows: the gold entries are single rows of it.
  std::vector<std::int32_t> picks;
  std::vector<float> keep(static_cast<std::size_t>(n), 1.f);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int32_t y = gold[static_cast<std::size_t>(i)];
    if (y >= c) throw ValueError("categorical_crossentropy: label " + std::to_string(y) + " of row " + std::to_string(i) + " but only " + std::to_string(c) + " classes");
    if (y < 0) keep[static_cast<std::size_t>(i)] = 0.f;
    else picks.push_back(static_cast<std::int32_t>(i * c + y));
  }
  backend::Ops& o = backend::ops(probs.device());
  Loss out;
  out.n_labelled = static_cast<std::int64_t>(picks.size());
  out.grad = probs.clone();
  const std::int64_t m = out.n_labelled;
  if (m < n) {
    // Unlabelled rows get no gradient: zero them with a row mask spread over the columns.
    std::vector<float> mask(static_cast<std::size_t>(n * c));
    for (std::int64_t i = 0; i < n; ++i) std::fill_n(mask.begin() + i * c, c, keep[static_cast<std::size_t>(i)]);
    o.mul(out.grad, Tensor::from_vector(mask, Shape{n, c}, probs.device()), out.grad);
  }
  if (m == 0) return out;
  const Tensor ids = Tensor::from_vector(picks, Shape{m}, probs.device());
  Tensor picked = Tensor::empty(Shape{m, 1}, DType::F32, probs.device());
  o.gather_sum_rows(probs.reshape(Shape{n * c, 1}), ids, picked);
  Tensor column = out.grad.reshape(Shape{n * c, 1});
  Tensor minus_one = Tensor::empty(Shape{m, 1}, DType::F32, probs.device());
  o.fill(minus_one, -1.f);
  o.scatter_add_rows(column, ids, minus_one);
  for (float p : picked.to_vector<float>()) out.value -= std::log(std::max(p, 1e-30f));
  if (normalize) {
    out.value /= static_cast<double>(m);
    o.scale(out.grad, 1.f / static_cast<float>(m));
  }
  return out;
}

}  // namespace weft::nn
