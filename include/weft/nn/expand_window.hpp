// expand_window.v1: replaces each row by the concatenation of itself and its n_window neighbours on
// either side within its document (zeros past a document's ends), so the next layer sees context; the
// convolution of spaCy's window encoder. Needs X.lengths.
#pragma once

#include "weft/nn/layer.hpp"

namespace weft::nn {

class ExpandWindow final : public Layer {
 public:
  explicit ExpandWindow(int n_window);
  int n_window() const noexcept { return n_window_; }
  Forward forward(const Ragged& X, bool is_train) override;

 private:
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
  int n_window_;
};

Model expand_window(int n_window);

}  // namespace weft::nn
