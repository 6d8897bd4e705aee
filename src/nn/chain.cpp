#include "weft/nn/chain.hpp"

#include "weft/error.hpp"

namespace weft::nn {

Chain::Chain(std::vector<Model> layers) : Layer("Chain.v1", 0, 0) {
  if (layers.empty()) throw ValueError("Chain.v1: needs at least one layer");
  for (Model& l : layers) {
    if (l && l->type() == "Chain.v1" && l->label().empty()) {
      for (const Model& inner : l->children()) add_child(inner);
    } else {
      add_child(std::move(l));
    }
  }
}

void Chain::initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) {
  const auto& layers = children();
  Ragged sample;
  const Ragged* x = X;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    Layer& l = *layers[i];
    const bool last = i + 1 == layers.size();
    l.initialize(x, last ? Y : nullptr, rng);
    if (last) break;
    if (x != nullptr) {
      sample = l.predict(*x);
    } else if (l.nO() > 0) {
      // Without sample data, a one-row zero input still tells the next layer its width.
      sample = {Tensor::zeros(Shape{1, l.nO()}, DType::F32, device()), Tensor::from_vector(std::vector<std::int32_t>{1}, Shape{1})};
    } else {
      continue;
    }
    x = &sample;
  }
  nI_ = layers.front()->nI();
  nO_ = layers.back()->nO();
}

Forward Chain::forward(const Ragged& X, bool is_train) {
  check_ready();
  if (!is_train) {
    // Each intermediate output is released as soon as the next layer has read it, so the allocator
    // hands the same (cache-warm) blocks to the layers further on.
    Ragged h = X;
    for (const Model& l : children()) h = l->forward(h, false).Y;
    return {std::move(h), no_backprop()};
  }
  std::vector<Backprop> backs;
  backs.reserve(children().size());
  Ragged h = X;
  for (const Model& l : children()) {
    Forward f = l->forward(h, is_train);
    h = std::move(f.Y);
    backs.push_back(std::move(f.backprop));
  }
  Backprop back = [this, backs = std::move(backs)](const Tensor& dY) {
    Tensor d = dY;
    for (std::size_t i = backs.size(); i-- > 0;) {
      if (!d.defined() || d.ndim() == 0)
        throw ModelError("Chain.v1: " + children()[i]->describe() + " receives no gradient (the layer after it has no input gradient)");
      d = backs[i](d);
    }
    return d;
  };
  return {std::move(h), std::move(back)};
}

Model chain(std::vector<Model> layers) { return std::make_shared<Chain>(std::move(layers)); }

}  // namespace weft::nn
