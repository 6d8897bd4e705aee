// The op harness: runs one op on every available device (the CPU, and each CUDA device when
// backend::cuda_available()) with guard values around every output to catch out-of-bounds writes
// (ggml's test-backend-ops), then compares each device's outputs with the CPU's within tolerance.
// Inputs and initial outputs are given as CPU tensors; the harness copies them to each device.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "weft/backend/device_info.hpp"
#include "weft/backend/ops.hpp"
#include "weft/error.hpp"

namespace weft::test {

using backend::Device;
using backend::DType;
using backend::Ops;
using backend::Shape;
using backend::Tensor;

// What the op body sees, all on the device under test except `host`.
struct OpArgs {
  std::vector<Tensor> in;    // read-only inputs
  std::vector<Tensor> host;  // inputs that stay on the CPU (seq2col lengths)
  std::vector<Tensor> out;   // outputs and in/out tensors, each inside a guarded allocation
};

// The op under test; returns its scalar result (a loss, a norm) or 0 for ops that return nothing.
using OpBody = std::function<double(Ops&, OpArgs&)>;

struct OpCase {
  std::vector<Tensor> in;
  std::vector<Tensor> host;
  std::vector<Tensor> out;  // initial contents (matter for accumulating ops; otherwise any values)
  double rtol = 1e-5;
  double atol = 1e-5;
};

struct OpResult {
  std::vector<Tensor> out;  // copied back to the CPU
  double value = 0.0;
};

namespace detail {

constexpr std::int64_t kGuardElems = 16;
constexpr unsigned char kGuardByte = 0xA5;  // a pattern no kernel produces by accident

// A device allocation of numel + 2 guards, the middle initialised from `init`, the guards to kGuardByte.
struct Guarded {
  Tensor full;
  Tensor view;
};

inline Guarded guarded_copy(const Tensor& init, Device device) {
  const std::size_t elem = backend::dtype_size(init.dtype());
  const std::int64_t total = init.numel() + 2 * kGuardElems;
  std::vector<unsigned char> host(static_cast<std::size_t>(total) * elem, kGuardByte);
  init.copy_to_host(host.data() + kGuardElems * elem);
  Guarded g;
  g.full = Tensor::from_host(host.data(), host.size(), Shape{total}, init.dtype(), device);
  g.view = Tensor::wrap(static_cast<char*>(g.full.raw()) + kGuardElems * elem, init.shape(), init.dtype(), device);
  return g;
}

// Returns the index of the first corrupted guard byte, or -1.
inline std::int64_t corrupted_guard(const Guarded& g) {
  const std::size_t elem = backend::dtype_size(g.full.dtype());
  std::vector<unsigned char> host(g.full.bytes());
  g.full.copy_to_host(host.data());
  const std::size_t guard_bytes = static_cast<std::size_t>(kGuardElems) * elem;
  for (std::size_t i = 0; i < guard_bytes; ++i) {
    if (host[i] != kGuardByte) return static_cast<std::int64_t>(i);
    if (host[host.size() - 1 - i] != kGuardByte) return static_cast<std::int64_t>(host.size() - 1 - i);
  }
  return -1;
}

inline double element(const Tensor& t, std::int64_t i) {
  const void* p = t.raw();
  switch (t.dtype()) {
    case DType::F32: return static_cast<const float*>(p)[i];
    case DType::F16: return backend::half_to_float(static_cast<const std::uint16_t*>(p)[i]);
    case DType::I32: return static_cast<const std::int32_t*>(p)[i];
    case DType::I64: return static_cast<double>(static_cast<const std::int64_t*>(p)[i]);
    case DType::U64: return static_cast<double>(static_cast<const std::uint64_t*>(p)[i]);
    case DType::U8: return static_cast<const std::uint8_t*>(p)[i];
  }
  return 0.0;
}

inline bool close(double a, double b, double rtol, double atol) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (a == b) return true;                          // equal infinities too (their difference is NaN)
  if (std::isinf(a) || std::isinf(b)) return false;  // else inf would be within inf * rtol of anything
  return std::fabs(a - b) <= atol + rtol * std::fabs(b);
}

}  // namespace detail

// Runs the op once on `device`; CHECKs that no guard was touched. Outputs come back on the CPU.
inline OpResult run_op(Device device, const OpCase& c, const OpBody& body) {
  Ops& ops = backend::ops(device);
  OpArgs args;
  for (const Tensor& t : c.in) args.in.push_back(t.to(device));
  args.host = c.host;
  std::vector<detail::Guarded> guarded;
  for (const Tensor& t : c.out) {
    guarded.push_back(detail::guarded_copy(t, device));
    args.out.push_back(guarded.back().view);
  }
  OpResult r;
  r.value = body(ops, args);
  ops.synchronize();
  for (std::size_t i = 0; i < guarded.size(); ++i) {
    const std::int64_t bad = detail::corrupted_guard(guarded[i]);
    INFO("device " << device.str() << ", output " << i << ": guard byte " << bad << " overwritten");
    CHECK(bad == -1);
    r.out.push_back(args.out[i].to(Device::cpu()));
  }
  return r;
}

// Compares two results element by element (integers exactly, floats within the case's tolerance).
inline void check_same(const OpResult& got, const OpResult& want, const OpCase& c, const std::string& what) {
  INFO(what);
  CHECK(detail::close(got.value, want.value, c.rtol, c.atol));
  REQUIRE(got.out.size() == want.out.size());
  for (std::size_t k = 0; k < got.out.size(); ++k) {
    const Tensor& g = got.out[k];
    const Tensor& w = want.out[k];
    REQUIRE(g.shape() == w.shape());
    REQUIRE(g.dtype() == w.dtype());
    const bool exact = g.dtype() != DType::F32 && g.dtype() != DType::F16;
    std::int64_t mismatches = 0, first = -1;
    for (std::int64_t i = 0; i < g.numel(); ++i) {
      const double a = detail::element(g, i), b = detail::element(w, i);
      if (exact ? a != b : !detail::close(a, b, c.rtol, c.atol)) {
        if (first < 0) first = i;
        ++mismatches;
      }
    }
    INFO("output " << k << ": " << mismatches << " mismatches, first at " << first
                   << (first >= 0 ? " (" + std::to_string(detail::element(g, first)) + " vs " +
                                        std::to_string(detail::element(w, first)) + ")"
                                  : std::string()));
    CHECK(mismatches == 0);
  }
}

// The devices an op runs on: the CPU, then every visible CUDA device.
inline std::vector<Device> available_devices() {
  std::vector<Device> out{Device::cpu()};
  if (backend::cuda_available())
    for (int i = 0; i < backend::cuda_device_count(); ++i) out.push_back(Device::cuda(i));
  return out;
}

// Whether no CUDA device is visible (asked once), for doctest's skip decorator on CUDA cases.
inline bool no_cuda_device() {
  static const bool none = !backend::cuda_available();
  return none;
}

// While one is alive on this thread, check_op_on_all_devices runs the CPU only: the CPU halves of the
// CUDA parity cases, which run everywhere, while their CUDA halves are skipped without a device.
inline bool& cpu_only_flag() {
  thread_local bool on = false;
  return on;
}
struct CpuOnly {
  CpuOnly() { cpu_only_flag() = true; }
  ~CpuOnly() { cpu_only_flag() = false; }
  CpuOnly(const CpuOnly&) = delete;
  CpuOnly& operator=(const CpuOnly&) = delete;
};

// Runs the op on every device, checks guards everywhere and that every device agrees with the CPU.
// Returns the CPU result so the caller can also check it against a reference.
inline OpResult check_op_on_all_devices(const OpCase& c, const OpBody& body) {
  const OpResult cpu = run_op(Device::cpu(), c, body);
  if (cpu_only_flag()) return cpu;
  for (const Device& d : available_devices()) {
    if (d.is_cpu()) continue;
    check_same(run_op(d, c, body), cpu, c, d.str() + " vs cpu");
  }
  return cpu;
}

}  // namespace weft::test
