#include "weft/nn/expand_window.hpp"

#include "weft/error.hpp"

namespace weft::nn {

ExpandWindow::ExpandWindow(int n_window) : Layer("expand_window.v1", 0, 0), n_window_(n_window) {
  if (n_window < 0) throw ValueError("expand_window.v1: n_window must be >= 0, got " + std::to_string(n_window));
}

void ExpandWindow::initialize_self(const Ragged* X, const Tensor*, Rng&) {
  infer_nI(X);
  nO_ = nI_ * (2 * n_window_ + 1);
}

Forward ExpandWindow::forward(const Ragged& X, bool is_train) {
  check_ready();
  if (!X.lengths.defined())
    throw ValueError("expand_window.v1: the input carries no document lengths (Ragged::lengths)");
  const std::int64_t n = X.data.dim(0), width = X.data.ndim() == 2 ? X.data.dim(1) : 0;
  Tensor Y = Tensor::empty(Shape{n, width * (2 * n_window_ + 1)}, DType::F32, device());
  ops().seq2col(X.data, n_window_, X.lengths, Y);
  if (!is_train) return {{Y, X.lengths}, no_backprop()};
  Tensor lengths = X.lengths;
  Backprop back = [this, lengths, n, width](const Tensor& dY) {
    Tensor dX = Tensor::empty(Shape{n, width}, DType::F32, device());
    ops().backprop_seq2col(dY, n_window_, lengths, dX);
    return dX;
  };
  return {{Y, X.lengths}, std::move(back)};
}

Model expand_window(int n_window) { return std::make_shared<ExpandWindow>(n_window); }

}  // namespace weft::nn
