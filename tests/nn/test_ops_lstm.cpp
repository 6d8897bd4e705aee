// The LSTM recurrence (lstm_forward, backprop_lstm): forward against a plain per-sequence reference,
// backward against finite differences, argument checks. CPU-vs-CUDA parity is in test_cuda_parity.cpp.
#include <doctest/doctest.h>

#include <cmath>

#include "op_harness.hpp"
#include "op_test_util.hpp"

using namespace weft::test;

namespace {

float sigmoid(float x) { return 1.f / (1.f + std::exp(-x)); }

// One sequence at a time, one row at a time: h and c [N, H] for xproj [N, 4H] (gates i, f, g, o).
void reference_lstm(const std::vector<float>& x, const std::vector<float>& w, const std::vector<std::int32_t>& lengths,
                    std::int64_t H, bool reverse, std::vector<float>& h, std::vector<float>& c) {
  const std::int64_t G = 4 * H;
  std::int64_t start = 0;
  for (const std::int32_t len : lengths) {
    std::vector<float> hp(static_cast<std::size_t>(H), 0.f), cp(static_cast<std::size_t>(H), 0.f);
    for (std::int64_t t = 0; t < len; ++t) {
      const std::int64_t row = start + (reverse ? len - 1 - t : t);
      std::vector<float> z(static_cast<std::size_t>(G));
      for (std::int64_t a = 0; a < G; ++a) {
        float s = x[static_cast<std::size_t>(row * G + a)];
        for (std::int64_t b = 0; b < H; ++b) s += w[static_cast<std::size_t>(a * H + b)] * hp[static_cast<std::size_t>(b)];
        z[static_cast<std::size_t>(a)] = s;
      }
      for (std::int64_t u = 0; u < H; ++u) {
        const auto su = static_cast<std::size_t>(u), sh = static_cast<std::size_t>(H);
        const float i = sigmoid(z[su]), f = sigmoid(z[sh + su]), g = std::tanh(z[2 * sh + su]), o = sigmoid(z[3 * sh + su]);
        cp[su] = f * cp[su] + i * g;
        hp[su] = o * std::tanh(cp[su]);
        c[static_cast<std::size_t>(row * H + u)] = cp[su];
        h[static_cast<std::size_t>(row * H + u)] = hp[su];
      }
    }
    start += len;
  }
}

std::int64_t total(const std::vector<std::int32_t>& lengths) {
  std::int64_t n = 0;
  for (const std::int32_t l : lengths) n += l;
  return n;
}

}  // namespace

TEST_CASE("backend: lstm_forward equals a per-sequence reference, both directions") {
  const std::vector<std::int32_t> lengths{3, 0, 5, 1, 5};
  const std::int64_t n = total(lengths), H = 4;
  const Tensor x = random_tensor({n, 4 * H}, 201, -2.f, 2.f), w = random_tensor({4 * H, H}, 202);
  for (const bool reverse : {false, true}) {
    CAPTURE(reverse);
    std::vector<float> want_h(static_cast<std::size_t>(n * H)), want_c(want_h.size());
    reference_lstm(values(x), values(w), lengths, H, reverse, want_h, want_c);
    OpCase c;
    c.in = {x, w};
    c.host = {Tensor::from_vector(lengths, {static_cast<std::int64_t>(lengths.size())})};
    c.out = {random_tensor({n, H}, 203), random_tensor({n, H}, 204), random_tensor({n, 4 * H}, 205)};
    const OpResult r = check_op_on_all_devices(c, [reverse](Ops& ops, OpArgs& a) {
      ops.lstm_forward(a.in[0], a.in[1], a.host[0], reverse, a.out[0], a.out[1], a.out[2]);
      return 0.0;
    });
    const std::vector<float> got_h = values(r.out[0]), got_c = values(r.out[1]);
    for (std::size_t i = 0; i < want_h.size(); ++i) {
      CHECK(got_h[i] == doctest::Approx(want_h[i]).epsilon(1e-5));
      CHECK(got_c[i] == doctest::Approx(want_c[i]).epsilon(1e-5));
    }
  }
}

TEST_CASE("backend: backprop_lstm matches finite differences for xproj and W_hh") {
  const std::vector<std::int32_t> lengths{4, 1, 0, 3};
  const Tensor lens = Tensor::from_vector(lengths, {4});
  const std::int64_t n = total(lengths), H = 3;
  Ops& ops = weft::backend::ops(Device::cpu());
  for (const bool reverse : {false, true}) {
    CAPTURE(reverse);
    Tensor x = random_tensor({n, 4 * H}, 211), w = random_tensor({4 * H, H}, 212);
    const Tensor r = random_tensor({n, H}, 213);
    Tensor h = Tensor::empty({n, H}, DType::F32), c = Tensor::empty({n, H}, DType::F32);
    Tensor gates = Tensor::empty({n, 4 * H}, DType::F32);
    auto loss = [&] {
      ops.lstm_forward(x, w, lens, reverse, h, c, gates);
      return project(h, r);
    };
    loss();
    Tensor dx = Tensor::empty({n, 4 * H}, DType::F32), dw = Tensor::zeros({4 * H, H}, DType::F32);
    ops.backprop_lstm(r, w, lens, reverse, h, c, gates, dx, dw);
    check_gradient(x, values(dx), loss, 1e-2, 2e-2);
    check_gradient(w, values(dw), loss, 1e-2, 2e-2);
    // dW_hh accumulates (the forward pass again at the unperturbed values first).
    loss();
    const std::vector<float> once = values(dw);
    ops.backprop_lstm(r, w, lens, reverse, h, c, gates, dx, dw);
    const std::vector<float> twice = values(dw);
    for (std::size_t i = 0; i < once.size(); ++i) CHECK(twice[i] == doctest::Approx(2 * once[i]));
  }
}

TEST_CASE("backend: lstm ops reject bad shapes and lengths with the op's name") {
  Ops& ops = weft::backend::ops(Device::cpu());
  Tensor x = random_tensor({5, 8}, 221), w = random_tensor({8, 2}, 222);
  Tensor h = Tensor::empty({5, 2}, DType::F32), c = Tensor::empty({5, 2}, DType::F32), g = Tensor::empty({5, 8}, DType::F32);
  const Tensor good = Tensor::from_vector(std::vector<std::int32_t>{2, 3}, {2});
  const Tensor short_lengths = Tensor::from_vector(std::vector<std::int32_t>{2, 2}, {2});
  CHECK_NOTHROW(ops.lstm_forward(x, w, good, false, h, c, g));
  CHECK_THROWS_WITH_AS(ops.lstm_forward(x, w, short_lengths, false, h, c, g),
                       doctest::Contains("lstm_forward: document lengths sum to 4 but xproj has 5 rows"), weft::ValueError);
  Tensor odd = random_tensor({5, 6}, 223);
  CHECK_THROWS_WITH_AS(ops.lstm_forward(odd, w, good, false, h, c, g), doctest::Contains("lstm_forward: xproj width 6"),
                       weft::ValueError);
  Tensor wrong_w = random_tensor({8, 3}, 224);
  CHECK_THROWS_WITH_AS(ops.lstm_forward(x, wrong_w, good, false, h, c, g), doctest::Contains("tensor W_hh has shape"),
                       weft::ValueError);
  Tensor dw = Tensor::zeros({2, 8}, DType::F32);
  CHECK_THROWS_WITH_AS(ops.backprop_lstm(h, w, good, false, h, c, g, x, dw), doctest::Contains("backprop_lstm: tensor dW_hh"),
                       weft::ValueError);
}
