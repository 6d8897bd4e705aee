// The optimizer against hand-computed references: one Adam step, global-norm clipping, decoupled and
// coupled decay, schedule values at given steps, the weight average and its use at evaluation, and
// determinism of a seeded training run.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "weft/error.hpp"
#include "weft/nn/linear.hpp"
#include "weft/nn/optimizer.hpp"
#include "weft/nn/schedule.hpp"

using namespace weft;
using namespace weft::nn;

namespace {

// A Linear 1 -> 2 whose W and b are set by hand, with hand-set gradients.
Model tiny(std::vector<float> w, std::vector<float> b, std::vector<float> dw, std::vector<float> db) {
  Model m = linear(2, 1);
  m->initialize(nullptr, nullptr, 1);
  auto params = named_params(*m);
  params[0].param->value.copy_from(Tensor::from_vector(w, Shape{2, 1}));
  params[1].param->value.copy_from(Tensor::from_vector(b, Shape{2}));
  params[0].param->grad.copy_from(Tensor::from_vector(dw, Shape{2, 1}));
  params[1].param->grad.copy_from(Tensor::from_vector(db, Shape{2}));
  return m;
}

// Textbook Adam for one scalar over a sequence of gradients (bias corrections folded into the rate, as
// documented in AdamStep), in double.
double adam_reference(double w, const std::vector<double>& grads, double lr, double b1, double b2, double eps, double wd) {
  double m = 0, v = 0;
  for (std::size_t i = 0; i < grads.size(); ++i) {
    const double t = static_cast<double>(i + 1), g = grads[i];
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g * g;
    const double rate = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
    w = w - rate * m / (std::sqrt(v) + eps) - lr * wd * w;
  }
  return w;
}

std::vector<float> values(Layer& m, std::size_t i) { return named_params(m)[i].param->value.to_vector<float>(); }

}  // namespace

TEST_CASE("nn: Adam step matches a hand-computed reference") {
  AdamConfig c;
  c.learn_rate = constant_schedule(0.1f);
  c.weight_decay = 0.f;
  c.grad_clip = 0.f;
  c.use_averages = false;
  Model m = tiny({1.f, -2.f}, {0.5f, 0.f}, {0.3f, -0.1f}, {2.f, 0.f});
  Adam adam(c);
  adam.step(*m);
  // First step: m = 0.1 g, v = 0.001 g^2, rate = 0.1 * sqrt(0.001) / 0.1, so w -= 0.1 * g / (|g| + eps/sqrt(0.001)).
  CHECK(values(*m, 0)[0] == doctest::Approx(1.0 - 0.1).epsilon(1e-5));
  CHECK(values(*m, 0)[1] == doctest::Approx(-2.0 + 0.1).epsilon(1e-5));
  CHECK(values(*m, 1)[0] == doctest::Approx(0.5 - 0.1).epsilon(1e-5));
  CHECK(values(*m, 1)[1] == doctest::Approx(0.0));  // zero gradient: no move
  // The gradients are zeroed by the step.
  for (float g : named_params(*m)[0].param->grad.to_vector<float>()) CHECK(g == 0.f);
  // Two more steps with new gradients against the double-precision reference.
  const std::vector<double> gs = {0.3, -0.7, 0.05};
  for (std::size_t s = 1; s < gs.size(); ++s) {
    named_params(*m)[0].param->grad.copy_from(Tensor::from_vector(std::vector<float>{static_cast<float>(gs[s]), 0.f}, Shape{2, 1}));
    adam.step(*m);
  }
  CHECK(values(*m, 0)[0] == doctest::Approx(adam_reference(1.0, gs, 0.1, 0.9, 0.999, 1e-8, 0.0)).epsilon(1e-5));
  CHECK(adam.steps() == 3);
}

TEST_CASE("nn: AdamW decay and coupled L2") {
  AdamConfig c;
  c.learn_rate = constant_schedule(0.01f);
  c.weight_decay = 0.5f;
  c.grad_clip = 0.f;
  c.use_averages = false;
  Model m = tiny({2.f, 1.f}, {0.f, 0.f}, {0.f, 0.f}, {0.f, 0.f});
  Adam(c).step(*m);
  // No gradient: only the decoupled decay acts, w -= 0.01 * 0.5 * w.
  CHECK(values(*m, 0)[0] == doctest::Approx(2.0 * (1 - 0.005)).epsilon(1e-6));
  c.weight_decay = 0.f;
  c.l2 = 1.f;
  Model n = tiny({2.f, -1.f}, {0.f, 0.f}, {0.f, 0.f}, {0.f, 0.f});
  Adam(c).step(*n);
  // Coupled L2 makes the gradient l2 * w, so the first step moves each weight by the rate against its sign.
  CHECK(values(*n, 0)[0] == doctest::Approx(2.0 - 0.01).epsilon(1e-5));
  CHECK(values(*n, 0)[1] == doctest::Approx(-1.0 + 0.01).epsilon(1e-5));
}

TEST_CASE("nn: gradient clipping by global norm") {
  AdamConfig c;
  c.learn_rate = constant_schedule(0.1f);
  c.weight_decay = 0.f;
  c.grad_clip = 1.f;
  c.use_averages = false;
  c.beta1 = 0.f;  // the step is then rate * g / (|g| + eps'): sign only, so compare the moments via v
  Model m = tiny({0.f, 0.f}, {0.f, 0.f}, {3.f, 0.f}, {4.f, 0.f});
  Adam adam(c);
  adam.step(*m);
  CHECK(adam.last_grad_norm() == doctest::Approx(5.0));
  CHECK(adam.last_learn_rate() == doctest::Approx(0.1));
  // Clipping scales every gradient by 1/5; with eps = 1 the update shows the scaled size:
  // w = -rate * g' / (sqrt(v) + eps) with rate = 0.1 * sqrt(0.001), v = 0.001 g'^2.
  AdamConfig e = c;
  e.eps = 1.f;
  Model n = tiny({0.f, 0.f}, {0.f, 0.f}, {3.f, 0.f}, {4.f, 0.f});
  Adam(e).step(*n);
  const double rate = 0.1 * std::sqrt(0.001), g = 3.0 / 5.0;
  CHECK(values(*n, 0)[0] == doctest::Approx(-rate * g / (std::sqrt(0.001) * g + 1.0)).epsilon(1e-4));
  // Below the threshold nothing is scaled.
  Model small = tiny({0.f, 0.f}, {0.f, 0.f}, {0.3f, 0.f}, {0.4f, 0.f});
  Adam(e).step(*small);
  CHECK(values(*small, 0)[0] == doctest::Approx(-rate * 0.3 / (std::sqrt(0.001) * 0.3 + 1.0)).epsilon(1e-4));
}

TEST_CASE("nn: schedules at given steps") {
  Schedule lin = warmup_linear(1.f, 10, 110);
  CHECK(lin(0) == doctest::Approx(0.1));
  CHECK(lin(4) == doctest::Approx(0.5));
  CHECK(lin(9) == doctest::Approx(1.0));
  CHECK(lin(10) == doctest::Approx(1.0));
  CHECK(lin(60) == doctest::Approx(0.5));
  CHECK(lin(110) == doctest::Approx(0.0));
  CHECK(lin(500) == doctest::Approx(0.0));
  Schedule inv = warmup_inverse_sqrt(2.f, 4);
  CHECK(inv(1) == doctest::Approx(1.0));
  CHECK(inv(3) == doctest::Approx(2.0));
  CHECK(inv(15) == doctest::Approx(2.0 * 0.5));
  CHECK(inv(99) == doctest::Approx(2.0 * 0.2));
  CHECK(constant_schedule(0.3f)(12345) == doctest::Approx(0.3));
  CHECK_THROWS_AS(warmup_linear(1.f, 10, 10), ValueError);
  CHECK_THROWS_AS(lin(-1), ValueError);
  // The optimizer reads the schedule at its step count.
  AdamConfig c;
  c.learn_rate = lin;
  Adam adam(c);
  Model m = tiny({0.f, 0.f}, {0.f, 0.f}, {1.f, 0.f}, {0.f, 0.f});
  for (int s = 0; s < 5; ++s) adam.step(*m);
  CHECK(adam.last_learn_rate() == doctest::Approx(0.5));
}

TEST_CASE("nn: weight averages and their use at evaluation") {
  AdamConfig c;
  c.learn_rate = constant_schedule(0.1f);
  c.weight_decay = 0.f;
  c.grad_clip = 0.f;
  Model m = tiny({1.f, 0.f}, {0.f, 0.f}, {1.f, 0.f}, {0.f, 0.f});
  Adam adam(c);
  std::vector<double> history;
  for (int s = 0; s < 3; ++s) {
    named_params(*m)[0].param->grad.copy_from(Tensor::from_vector(std::vector<float>{1.f, 0.f}, Shape{2, 1}));
    adam.step(*m);
    history.push_back(values(*m, 0)[0]);
  }
  // avg_1 = w_1; avg_t = d_t avg + (1 - d_t) w_t with d_t = (1 + t) / (10 + t).
  double avg = history[0];
  for (std::size_t t = 2; t <= 3; ++t) {
    const double d = (1.0 + static_cast<double>(t)) / (10.0 + static_cast<double>(t));
    avg = d * avg + (1 - d) * history[t - 1];
  }
  const std::string name = named_params(*m)[0].name;
  CHECK(adam.average(name).to_vector<float>()[0] == doctest::Approx(avg).epsilon(1e-6));
  {
    auto guard = adam.use_averages(*m);
    CHECK(values(*m, 0)[0] == doctest::Approx(avg).epsilon(1e-6));
  }
  CHECK(values(*m, 0)[0] == doctest::Approx(history.back()));
}

TEST_CASE("nn: training is deterministic given a seed") {
  auto run = [](std::uint64_t seed) {
    Model m = linear(3, 4);
    m->initialize(nullptr, nullptr, seed);
    Adam adam;
    Rng rng(5);
    std::vector<float> x(8);
    for (int s = 0; s < 5; ++s) {
      for (float& v : x) v = rng.uniform(-1.f, 1.f);
      Forward f = m->forward({Tensor::from_vector(x, Shape{2, 4}), Tensor()}, true);
      f.backprop(f.Y.data);
      adam.step(*m);
    }
    return values(*m, 0);
  };
  CHECK(run(3) == run(3));
  CHECK(run(3) != run(4));
}
