#include "weft/nn/bilstm.hpp"

#include <cmath>
#include <string>

#include "weft/backend/scratch.hpp"
#include "weft/error.hpp"
#include "weft/nn/chain.hpp"
#include "weft/nn/dropout.hpp"
#include "weft/nn/init.hpp"

namespace weft::nn {

namespace {

// The rows of [fwd; bwd] (stacked, [2N, H]) in the order of the joined output [N, 2H] read as [2N, H]
// (to_joined), and back (to_stacked): the column concatenation as one gather each way.
Tensor join_ids(std::int64_t n, bool to_joined, Device device) {
  std::vector<std::int32_t> ids(static_cast<std::size_t>(2 * n));
  for (std::int64_t i = 0; i < n; ++i) {
    if (to_joined) {
      ids[static_cast<std::size_t>(2 * i)] = static_cast<std::int32_t>(i);
      ids[static_cast<std::size_t>(2 * i + 1)] = static_cast<std::int32_t>(n + i);
    } else {
      ids[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(2 * i);
      ids[static_cast<std::size_t>(n + i)] = static_cast<std::int32_t>(2 * i + 1);
    }
  }
  return Tensor::from_vector(ids, Shape{2 * n}, device);
}

}  // namespace

BiLSTM::BiLSTM(std::int64_t nO, std::int64_t nI) : Layer("BiLSTM.v1", nO, nI) {
  if (nO < 2 || nO % 2 != 0) throw ValueError("BiLSTM.v1: the width must be even and >= 2 (2 * hidden), got " + std::to_string(nO));
  for (int d = 0; d < 2; ++d) {
    const std::string suffix = d == 0 ? "" : "_reverse";
    register_param(dir_[d].W_ih, "W_ih" + suffix);
    register_param(dir_[d].b, "b" + suffix);
    register_param(dir_[d].W_hh, "W_hh" + suffix);
  }
}

void BiLSTM::initialize_self(const Ragged* X, const Tensor*, Rng& rng) {
  infer_nI(X);
  require_dims();
  const std::int64_t H = hidden(), G = 4 * H;
  const float s = 1.f / std::sqrt(static_cast<float>(H));
  for (Direction& d : dir_) {
    set_param(d.W_ih, Shape{G, nI_}, init::uniform(G * nI_, -s, s, rng));
    set_param(d.W_hh, Shape{G, H}, init::uniform(G * H, -s, s, rng));
    std::vector<float> b = init::constant(G, 0.f);
    if (!b.empty())  // (empty while only shapes are taken: init::WeightsOnlyScope)
      for (std::int64_t u = H; u < 2 * H; ++u) b[static_cast<std::size_t>(u)] = 1.f;
    set_param(d.b, Shape{G}, b);
  }
}

Forward BiLSTM::forward(const Ragged& X, bool is_train) {
  check_ready();
  backend::Ops& o = ops();
  const std::int64_t n = X.data.dim(0), H = hidden(), G = 4 * H;
  if (X.data.ndim() != 2 || X.data.dim(1) != nI_)
    throw ModelError(describe() + ": expected input [N, " + std::to_string(nI_) + "], got " + X.data.shape().str());
  const Tensor lengths = X.lengths.defined() && X.lengths.numel() > 0
                             ? X.lengths
                             : Tensor::from_vector(std::vector<std::int32_t>{static_cast<std::int32_t>(n)}, Shape{1});
  Tensor Y = Tensor::empty(Shape{n, nO_}, DType::F32, device());
  backend::ScratchArena& arena = backend::ScratchArena::local(device());
  backend::ScratchArena::Scope scope(arena);
  // h of both directions stacked [2N, H]; the cells and gates are kept for backprop when training.
  Tensor hs = is_train ? Tensor::empty(Shape{2 * n, H}, DType::F32, device()) : arena.take(Shape{2 * n, H});
  Tensor cs = is_train ? Tensor::empty(Shape{2 * n, H}, DType::F32, device()) : arena.take(Shape{2 * n, H});
  Tensor gs = is_train ? Tensor::empty(Shape{2 * n, G}, DType::F32, device()) : arena.take(Shape{2 * n, G});
  {
    backend::ScratchArena::Scope inner(arena);
    Tensor xproj = arena.take(Shape{n, G});
    for (int d = 0; d < 2; ++d) {
      o.gemm(X.data, false, dir_[d].W_ih.value, true, xproj, 1.f, 0.f, &dir_[d].b.value);
      Tensor h = hs.rows(d * n, (d + 1) * n), c = cs.rows(d * n, (d + 1) * n), g = gs.rows(d * n, (d + 1) * n);
      o.lstm_forward(xproj, dir_[d].W_hh.value, lengths, d == 1, h, c, g);
    }
  }
  if (n > 0) {
    Tensor joined = Y.reshape(Shape{2 * n, H});
    o.gather_sum_rows(hs, join_ids(n, true, device()), joined);
  }
  if (!is_train) return {{Y, X.lengths}, no_backprop()};
  Tensor x = X.data;
  Backprop back = [this, x, lengths, hs, cs, gs](const Tensor& dY) {
    backend::Ops& o = ops();
    const std::int64_t n = x.dim(0), H = hidden(), G = 4 * H;
    Tensor dX = Tensor::empty(x.shape(), DType::F32, device());
    if (n == 0) return dX;
    backend::ScratchArena& arena = backend::ScratchArena::local(device());
    backend::ScratchArena::Scope scope(arena);
    Tensor dh = arena.take(Shape{2 * n, H}), dxproj = arena.take(Shape{n, G});
    o.gather_sum_rows(dY.reshape(Shape{2 * n, H}), join_ids(n, false, device()), dh);
    for (int d = 0; d < 2; ++d) {
      Direction& p = dir_[d];
      const Tensor rows_dh = dh.rows(d * n, (d + 1) * n);
      o.backprop_lstm(rows_dh, p.W_hh.value, lengths, d == 1, hs.rows(d * n, (d + 1) * n), cs.rows(d * n, (d + 1) * n),
                      gs.rows(d * n, (d + 1) * n), dxproj, p.W_hh.grad);
      o.gemm(dxproj, true, x, false, p.W_ih.grad, 1.f, 1.f);
      o.sum_rows(dxproj, p.b.grad, true);
      o.gemm(dxproj, false, p.W_ih.value, false, dX, 1.f, d == 0 ? 0.f : 1.f);
    }
    return dX;
  };
  return {{Y, X.lengths}, std::move(back)};
}

Model bilstm(const BiLSTMConfig& config) {
  if (config.width < 2 || config.width % 2 != 0 || config.depth < 1 || !(config.dropout >= 0.f && config.dropout < 1.f))
    throw ValueError("BiLSTM.v1: needs an even width >= 2, depth >= 1 and dropout in [0, 1); got width " +
                     std::to_string(config.width) + ", depth " + std::to_string(config.depth) + ", dropout " +
                     std::to_string(config.dropout));
  std::vector<Model> layers;
  for (int d = 0; d < config.depth; ++d) {
    if (d > 0 && config.dropout > 0.f) layers.push_back(dropout(config.dropout));
    Model layer = std::make_shared<BiLSTM>(config.width, 0);
    layer->set_label(std::to_string(d));
    layers.push_back(std::move(layer));
  }
  Model model = chain(std::move(layers));
  model->set_label("lstm");
  return model;
}

}  // namespace weft::nn
