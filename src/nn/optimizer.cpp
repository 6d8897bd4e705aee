#include "weft/nn/optimizer.hpp"

#include <cmath>

#include "weft/error.hpp"

namespace weft::nn {

namespace {

// Optimizer state follows its parameter when the model moves to another device.
void follow(Tensor& t, Device device) {
  if (t.defined() && t.numel() > 0 && !(t.device() == device)) t = t.to(device);
}

}  // namespace

Adam::Adam(AdamConfig config) : config_(std::move(config)) {
  if (!config_.learn_rate) throw ValueError("Adam.v1: no learning-rate schedule");
  if (!(config_.beta1 >= 0.f && config_.beta1 < 1.f && config_.beta2 >= 0.f && config_.beta2 < 1.f))
    throw ValueError("Adam.v1: beta1 and beta2 must be in [0, 1)");
  if (!(config_.eps > 0.f) || config_.grad_clip < 0.f || config_.l2 < 0.f || config_.weight_decay < 0.f)
    throw ValueError("Adam.v1: eps must be > 0 and grad_clip, l2, weight_decay >= 0");
  if (!(config_.max_average_decay >= 0.f && config_.max_average_decay < 1.f))
    throw ValueError("Adam.v1: max_average_decay must be in [0, 1)");
}

void Adam::step(Layer& model) {
  const std::vector<NamedParam> params = named_params(model);
  const float rate = config_.learn_rate(steps_);
  double squares = 0.0;
  for (const NamedParam& p : params)
    if (p.param->grad.numel() > 0) squares += backend::ops(p.param->grad.device()).sum_squares(p.param->grad);
  const double norm = std::sqrt(squares);
  if (!std::isfinite(norm)) throw ValueError("Adam.v1: the gradient norm is not finite (" + std::to_string(norm) + ")");
  const float grad_scale = config_.grad_clip > 0.f && norm > config_.grad_clip ? static_cast<float>(config_.grad_clip / norm) : 1.f;

  for (const NamedParam& p : params) {
    Param& param = *p.param;
    if (param.value.numel() == 0) continue;
    const Device device = param.value.device();
    backend::Ops& o = backend::ops(device);
    State& s = state_[p.name];
    if (s.updates == 0 || !(s.m.shape() == param.value.shape())) {
      s = State{Tensor::zeros(param.value.shape(), DType::F32, device), Tensor::zeros(param.value.shape(), DType::F32, device), Tensor(), 0};
    }
    follow(s.m, device);
    follow(s.v, device);
    follow(s.average, device);
    const auto t = static_cast<double>(++s.updates);
    backend::AdamStep a;
    // The bias corrections of both moments fold into the rate (eps then acts on the uncorrected sqrt(v)).
    a.lr = static_cast<float>(rate * std::sqrt(1.0 - std::pow(config_.beta2, t)) / (1.0 - std::pow(config_.beta1, t)));
    a.beta1 = config_.beta1;
    a.beta2 = config_.beta2;
    a.eps = config_.eps;
    a.weight_decay = config_.weight_decay;
    a.lr_unscaled = rate;
    a.l2 = config_.l2;
    a.grad_scale = grad_scale;
    o.adam_update(param.value, param.grad, s.m, s.v, a);
    o.fill(param.grad, 0.f);
    if (!config_.use_averages) continue;
    if (s.updates == 1) {
      // Starting the average at the weights (not at zero, as thinc does) leaves it unbiased from step one.
      s.average = param.value.clone();
    } else {
      const float decay = std::min(static_cast<float>((1.0 + t) / (10.0 + t)), config_.max_average_decay);
      o.scale(s.average, decay);
      o.axpy(1.f - decay, param.value, s.average);
    }
  }
  ++steps_;
  last_rate_ = rate;
  last_norm_ = norm;
}

Tensor Adam::average(const std::string& name) const {
  auto it = state_.find(name);
  return it == state_.end() ? Tensor() : it->second.average;
}

Adam::AveragesInUse::AveragesInUse(Adam& optimizer, Layer& model) {
  for (const NamedParam& p : named_params(model)) {
    auto it = optimizer.state_.find(p.name);
    if (it == optimizer.state_.end() || !it->second.average.defined() || it->second.average.numel() == 0) continue;
    follow(it->second.average, p.param->value.device());
    if (!(it->second.average.shape() == p.param->value.shape())) continue;
    swapped_.emplace_back(p.param, &it->second.average);
  }
  swap_all();
}

Adam::AveragesInUse::~AveragesInUse() { swap_all(); }

void Adam::AveragesInUse::swap_all() {
  for (auto& [param, average] : swapped_) std::swap(param->value, *average);
}

}  // namespace weft::nn
