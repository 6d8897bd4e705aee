// The LSTM recurrence on the CPU (ops.hpp): per timestep one gemm of the running sequences' previous
// h [k, H] with W_hh^T (oneDNN or Eigen, cpu_gemm.cpp), then one pass per sequence for the gates with
// Eigen's vectorised logistic and tanh. States live in the thread's scratch arena, so a call makes no
// heap allocation after warm-up beyond the schedule's few vectors.
#include <Eigen/Core>

#include "../lstm_schedule.hpp"
#include "../op_checks.hpp"
#include "cpu_ops.hpp"
#include "weft/backend/scratch.hpp"

namespace weft::backend {

namespace {

using ArrayMap = Eigen::Map<Eigen::ArrayXf>;
using ConstArrayMap = Eigen::Map<const Eigen::ArrayXf>;

}  // namespace

void CpuOps::lstm_forward(const Tensor& xproj, const Tensor& W_hh, const Tensor& lengths, bool reverse, Tensor& h,
                          Tensor& c, Tensor& gates) {
  const check::Rows r = check::lstm("lstm_forward", device(), xproj, W_hh, lengths, h, c, gates);
  if (r.n == 0) return;
  const std::int64_t H = r.width, G = 4 * H;
  const LstmSchedule s = lstm_schedule(lengths);
  ScratchArena& arena = ScratchArena::local(device());
  ScratchArena::Scope scope(arena);
  const std::int64_t D = s.sequences();
  Tensor hs = arena.take({D, H}), cs = arena.take({D, H}), hh = arena.take({D, G});
  const float* xp = xproj.data<float>();
  float* hp = h.data<float>();
  float* cp = c.data<float>();
  float* gp = gates.data<float>();
  float* hsp = hs.data<float>();
  float* csp = cs.data<float>();
  const float* hhp = hh.data<float>();
  for (std::int64_t t = 0; t < s.steps(); ++t) {
    const std::int64_t k = s.active[static_cast<std::size_t>(t)];
    if (t > 0) {
      Tensor prev = hs.rows(0, k), rec = hh.rows(0, k);
      gemm(prev, false, W_hh, true, rec, 1.f, 0.f, nullptr);
    }
    for (std::int64_t j = 0; j < k; ++j) {
      const std::int64_t row = s.row(j, t, reverse);
      float* g = gp + row * G;
      ArrayMap z(g, G);
      if (t > 0) z = ConstArrayMap(xp + row * G, G) + ConstArrayMap(hhp + j * G, G);
      else z = ConstArrayMap(xp + row * G, G);
      ArrayMap(g, 2 * H) = ArrayMap(g, 2 * H).logistic();                // i, f
      ArrayMap(g + 2 * H, H) = ArrayMap(g + 2 * H, H).tanh();            // g
      ArrayMap(g + 3 * H, H) = ArrayMap(g + 3 * H, H).logistic();        // o
      ArrayMap cell(csp + j * H, H);
      const ConstArrayMap gi(g, H), gf(g + H, H), gg(g + 2 * H, H), go(g + 3 * H, H);
      if (t > 0) cell = gf * cell + gi * gg;
      else cell = gi * gg;
      ArrayMap(cp + row * H, H) = cell;
      ArrayMap hid(hsp + j * H, H);
      hid = go * cell.tanh();
      ArrayMap(hp + row * H, H) = hid;
    }
  }
}

void CpuOps::backprop_lstm(const Tensor& dh, const Tensor& W_hh, const Tensor& lengths, bool reverse, const Tensor& h,
                           const Tensor& c, const Tensor& gates, Tensor& dxproj, Tensor& dW_hh) {
  const check::Rows r = check::backprop_lstm(device(), dh, W_hh, lengths, h, c, gates, dxproj, dW_hh);
  if (r.n == 0) return;
  const std::int64_t H = r.width, G = 4 * H;
  const LstmSchedule s = lstm_schedule(lengths);
  ScratchArena& arena = ScratchArena::local(device());
  ScratchArena::Scope scope(arena);
  const std::int64_t D = s.sequences();
  // dhs: the gradient reaching each running sequence's h through the recurrence; dcs: through its cell.
  Tensor dhs = arena.take({D, H}), dcs = arena.take({D, H}), dz = arena.take({D, G}), tc = arena.take({1, H});
  fill(dhs, 0.f);
  fill(dcs, 0.f);
  const float* dhp = dh.data<float>();
  const float* cp = c.data<float>();
  const float* gp = gates.data<float>();
  float* dxp = dxproj.data<float>();
  float* dhsp = dhs.data<float>();
  float* dcsp = dcs.data<float>();
  float* dzp = dz.data<float>();
  ArrayMap tanh_c(tc.data<float>(), H);
  for (std::int64_t t = s.steps() - 1; t >= 0; --t) {
    const std::int64_t k = s.active[static_cast<std::size_t>(t)];
    for (std::int64_t j = 0; j < k; ++j) {
      const std::int64_t row = s.row(j, t, reverse);
      const float* g = gp + row * G;
      const ConstArrayMap gi(g, H), gf(g + H, H), gg(g + 2 * H, H), go(g + 3 * H, H);
      ArrayMap dht(dhsp + j * H, H);
      dht += ConstArrayMap(dhp + row * H, H);
      tanh_c = ConstArrayMap(cp + row * H, H).tanh();
      ArrayMap dc(dcsp + j * H, H);
      dc += dht * go * (1.f - tanh_c.square());
      float* z = dzp + j * G;
      ArrayMap(z, H) = dc * gg * gi * (1.f - gi);
      if (t > 0) ArrayMap(z + H, H) = dc * ConstArrayMap(cp + s.row(j, t - 1, reverse) * H, H) * gf * (1.f - gf);
      else ArrayMap(z + H, H).setZero();
      ArrayMap(z + 2 * H, H) = dc * gi * (1.f - gg.square());
      ArrayMap(z + 3 * H, H) = dht * tanh_c * go * (1.f - go);
      dc *= gf;
      ArrayMap(dxp + row * G, G) = ConstArrayMap(z, G);
    }
    if (t > 0) {
      Tensor dzk = dz.rows(0, k), dhk = dhs.rows(0, k);
      gemm(dzk, false, W_hh, false, dhk, 1.f, 0.f, nullptr);
    }
  }
  // dW_hh += sum over steps after the first of dz_t^T h_(t-1): one product with h shifted by a step.
  Tensor hprev = arena.take({r.n, H});
  const float* hp = h.data<float>();
  float* pp = hprev.data<float>();
  for (std::int64_t j = 0; j < D; ++j) {
    const auto len = s.length[static_cast<std::size_t>(j)];
    ArrayMap(pp + s.row(j, 0, reverse) * H, H).setZero();
    for (std::int64_t t = 1; t < len; ++t)
      ArrayMap(pp + s.row(j, t, reverse) * H, H) = ConstArrayMap(hp + s.row(j, t - 1, reverse) * H, H);
  }
  gemm(dxproj, true, hprev, false, dW_hh, 1.f, 1.f, nullptr);
}

}  // namespace weft::backend
