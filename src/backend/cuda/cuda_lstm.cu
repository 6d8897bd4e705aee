// The LSTM recurrence on CUDA, the CPU's algorithm (lstm_schedule.hpp): per timestep one cuBLAS gemm of
// the running sequences' previous h with W_hh^T, then one fused kernel for the gates, the cell and h
// (a thread per hidden unit of a running sequence). The sorted sequences' first rows and lengths are
// copied to the device once per call; the states are temporaries from the caching allocator.
#include <cmath>
#include <vector>

#include "../lstm_schedule.hpp"
#include "../op_checks.hpp"
#include "cuda_check.cuh"
#include "cuda_ops.cuh"
#include "launch.cuh"

namespace weft::backend {

namespace {

__device__ inline float sigmoid(float x) { return 1.f / (1.f + expf(-x)); }

__device__ inline std::int64_t step_row(const std::int64_t* start, const std::int64_t* length, std::int64_t j,
                                        std::int64_t t, bool reverse) {
  return start[j] + (reverse ? length[j] - 1 - t : t);
}

// Thread (j, u): unit u of running sequence j at step t.
__global__ void lstm_step_kernel(const float* xproj, const float* hh, const std::int64_t* start, const std::int64_t* length,
                                 std::int64_t k, std::int64_t H, std::int64_t t, bool reverse, float* hs, float* cs,
                                 float* h, float* c, float* gates) {
  const std::int64_t G = 4 * H;
  for (std::int64_t i = cuda::global_thread(); i < k * H; i += cuda::grid_threads()) {
    const std::int64_t j = i / H, u = i % H;
    const std::int64_t row = step_row(start, length, j, t, reverse);
    const float* z = xproj + row * G;
    const float* rz = hh + j * G;
    const float zi = z[u] + (t > 0 ? rz[u] : 0.f), zf = z[H + u] + (t > 0 ? rz[H + u] : 0.f);
    const float zg = z[2 * H + u] + (t > 0 ? rz[2 * H + u] : 0.f), zo = z[3 * H + u] + (t > 0 ? rz[3 * H + u] : 0.f);
    const float gi = sigmoid(zi), gf = sigmoid(zf), gg = tanhf(zg), go = sigmoid(zo);
    float* g = gates + row * G;
    g[u] = gi;
    g[H + u] = gf;
    g[2 * H + u] = gg;
    g[3 * H + u] = go;
    const float cell = (t > 0 ? gf * cs[i] : 0.f) + gi * gg;
    const float hid = go * tanhf(cell);
    cs[i] = cell;
    hs[i] = hid;
    c[row * H + u] = cell;
    h[row * H + u] = hid;
  }
}

__global__ void backprop_lstm_step_kernel(const float* dh, const float* c, const float* gates, const std::int64_t* start,
                                          const std::int64_t* length, std::int64_t k, std::int64_t H, std::int64_t t,
                                          bool reverse, float* dhs, float* dcs, float* dz, float* dxproj) {
  const std::int64_t G = 4 * H;
  for (std::int64_t i = cuda::global_thread(); i < k * H; i += cuda::grid_threads()) {
    const std::int64_t j = i / H, u = i % H;
    const std::int64_t row = step_row(start, length, j, t, reverse);
    const float* g = gates + row * G;
    const float gi = g[u], gf = g[H + u], gg = g[2 * H + u], go = g[3 * H + u];
    const float dht = dhs[i] + dh[row * H + u];
    const float tc = tanhf(c[row * H + u]);
    const float dc = dcs[i] + dht * go * (1.f - tc * tc);
    const float c_prev = t > 0 ? c[step_row(start, length, j, t - 1, reverse) * H + u] : 0.f;
    const float di = dc * gg * gi * (1.f - gi), df = dc * c_prev * gf * (1.f - gf);
    const float dg = dc * gi * (1.f - gg * gg), d_o = dht * tc * go * (1.f - go);
    dcs[i] = dc * gf;
    float* zr = dz + j * G;
    float* xr = dxproj + row * G;
    zr[u] = xr[u] = di;
    zr[H + u] = xr[H + u] = df;
    zr[2 * H + u] = xr[2 * H + u] = dg;
    zr[3 * H + u] = xr[3 * H + u] = d_o;
  }
}

// hprev[row(j, t)] = h[row(j, t - 1)], zeros at t = 0: h shifted one step along each sequence.
__global__ void shift_kernel(const float* h, const std::int64_t* seq_of_row, const std::int64_t* start,
                             const std::int64_t* length, std::int64_t n, std::int64_t H, bool reverse, float* hprev) {
  for (std::int64_t i = cuda::global_thread(); i < n * H; i += cuda::grid_threads()) {
    const std::int64_t row = i / H, u = i % H;
    const std::int64_t j = seq_of_row[row];
    const std::int64_t pos = row - start[j];  // position in the stored order
    const std::int64_t t = reverse ? length[j] - 1 - pos : pos;
    hprev[i] = t == 0 ? 0.f : h[step_row(start, length, j, t - 1, reverse) * H + u];
  }
}

// The schedule's arrays on the device: start, length (and, for the backward pass, each row's sequence).
struct DeviceSchedule {
  cuda::DeviceBuffer buffer;
  const std::int64_t* start;
  const std::int64_t* length;
  const std::int64_t* seq_of_row;
};

DeviceSchedule upload(int index, const char* op, const LstmSchedule& s, std::int64_t n, bool with_rows) {
  std::vector<std::int64_t> host(s.start);
  host.insert(host.end(), s.length.begin(), s.length.end());
  if (with_rows) {
    host.resize(host.size() + static_cast<std::size_t>(n), 0);
    std::int64_t* seq = host.data() + 2 * s.sequences();
    for (std::int64_t j = 0; j < s.sequences(); ++j)
      for (std::int64_t p = 0; p < s.length[static_cast<std::size_t>(j)]; ++p) seq[s.start[static_cast<std::size_t>(j)] + p] = j;
  }
  DeviceSchedule d{cuda::DeviceBuffer(index, host.size() * sizeof(std::int64_t)), nullptr, nullptr, nullptr};
  cuda_check(cudaMemcpyAsync(d.buffer.as<void>(), host.data(), host.size() * sizeof(std::int64_t), cudaMemcpyHostToDevice, 0),
             op, "cudaMemcpyAsync");
  d.start = d.buffer.as<std::int64_t>();
  d.length = d.start + s.sequences();
  d.seq_of_row = d.length + s.sequences();
  return d;
}

}  // namespace

void CudaOps::lstm_forward(const Tensor& xproj, const Tensor& W_hh, const Tensor& lengths, bool reverse, Tensor& h,
                           Tensor& c, Tensor& gates) {
  const char* op = "lstm_forward";
  const check::Rows r = check::lstm(op, device(), xproj, W_hh, lengths, h, c, gates);
  if (r.n == 0) return;
  DeviceGuard guard(index_, op);
  const std::int64_t H = r.width, G = 4 * H;
  const LstmSchedule s = lstm_schedule(lengths);
  const std::int64_t D = s.sequences();
  const DeviceSchedule sched = upload(index_, op, s, r.n, false);
  cuda::DeviceBuffer states(index_, static_cast<std::size_t>(D * (2 * H + G)) * sizeof(float));
  float* hs = states.as<float>();
  float* cs = hs + D * H;
  float* hh = cs + D * H;
  for (std::int64_t t = 0; t < s.steps(); ++t) {
    const std::int64_t k = s.active[static_cast<std::size_t>(t)];
    if (t > 0) gemm_rows(hs, false, H, W_hh.data<float>(), true, H, hh, G, k, G, H, 1.f, 0.f);  // hh = hs W_hh^T
    lstm_step_kernel<<<cuda::blocks_for(k * H), cuda::kBlock>>>(xproj.data<float>(), hh, sched.start, sched.length, k, H, t,
                                                                 reverse, hs, cs, h.data<float>(), c.data<float>(),
                                                                 gates.data<float>());
    cuda_check_launch(op);
  }
}

void CudaOps::backprop_lstm(const Tensor& dh, const Tensor& W_hh, const Tensor& lengths, bool reverse, const Tensor& h,
                            const Tensor& c, const Tensor& gates, Tensor& dxproj, Tensor& dW_hh) {
  const char* op = "backprop_lstm";
  const check::Rows r = check::backprop_lstm(device(), dh, W_hh, lengths, h, c, gates, dxproj, dW_hh);
  if (r.n == 0) return;
  DeviceGuard guard(index_, op);
  const std::int64_t H = r.width, G = 4 * H;
  const LstmSchedule s = lstm_schedule(lengths);
  const std::int64_t D = s.sequences();
  const DeviceSchedule sched = upload(index_, op, s, r.n, true);
  cuda::DeviceBuffer states(index_, static_cast<std::size_t>(D * (2 * H + G) + r.n * H) * sizeof(float));
  float* dhs = states.as<float>();
  float* dcs = dhs + D * H;
  float* dz = dcs + D * H;
  float* hprev = dz + D * G;
  cuda_check(cudaMemsetAsync(dhs, 0, static_cast<std::size_t>(2 * D * H) * sizeof(float), 0), op, "cudaMemsetAsync");
  for (std::int64_t t = s.steps() - 1; t >= 0; --t) {
    const std::int64_t k = s.active[static_cast<std::size_t>(t)];
    backprop_lstm_step_kernel<<<cuda::blocks_for(k * H), cuda::kBlock>>>(dh.data<float>(), c.data<float>(),
                                                                          gates.data<float>(), sched.start, sched.length, k,
                                                                          H, t, reverse, dhs, dcs, dz,
                                                                          dxproj.data<float>());
    cuda_check_launch(op);
    if (t > 0) gemm_rows(dz, false, G, W_hh.data<float>(), false, H, dhs, H, k, H, G, 1.f, 0.f);  // dhs = dz W_hh
  }
  shift_kernel<<<cuda::blocks_for(r.n * H), cuda::kBlock>>>(h.data<float>(), sched.seq_of_row, sched.start, sched.length,
                                                            r.n, H, reverse, hprev);
  cuda_check_launch(op);
  // dW_hh += dxproj^T hprev
  gemm_rows(dxproj.data<float>(), true, G, hprev, false, H, dW_hh.data<float>(), H, G, H, r.n, 1.f, 1.f);
}

}  // namespace weft::backend
