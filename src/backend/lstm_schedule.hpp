// The order an LSTM steps a batch of ragged sequences in, shared by CpuOps and CudaOps: the sequences
// sorted by length, longest first, so the ones still running at timestep t are always the first
// active[t] of them and their states stay a contiguous block [active[t], H] that one gemm steps.
#pragma once

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "weft/backend/tensor.hpp"

namespace weft::backend {

struct LstmSchedule {
  std::vector<std::int64_t> start, length;  // per sorted sequence (empty ones dropped): first row, rows
  std::vector<std::int64_t> active;         // per timestep: how many sequences are longer than it
  std::int64_t steps() const noexcept { return static_cast<std::int64_t>(active.size()); }
  std::int64_t sequences() const noexcept { return static_cast<std::int64_t>(start.size()); }
  // The row of sorted sequence j at timestep t (< length[j]); `reverse` reads each sequence backwards.
  std::int64_t row(std::int64_t j, std::int64_t t, bool reverse) const noexcept {
    const auto s = static_cast<std::size_t>(j);
    return start[s] + (reverse ? length[s] - 1 - t : t);
  }
};

// lengths: i32 [D] on the CPU, already validated (check::lstm).
inline LstmSchedule lstm_schedule(const Tensor& lengths) {
  const std::int32_t* len = lengths.data<std::int32_t>();
  const auto d = static_cast<std::size_t>(lengths.numel());
  std::vector<std::int64_t> starts(d);
  std::int64_t row = 0;
  for (std::size_t i = 0; i < d; ++i) {
    starts[i] = row;
    row += len[i];
  }
  std::vector<std::size_t> order(d);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return len[a] > len[b]; });
  LstmSchedule s;
  for (const std::size_t i : order) {
    if (len[i] == 0) break;
    s.start.push_back(starts[i]);
    s.length.push_back(len[i]);
  }
  const std::int64_t longest = s.length.empty() ? 0 : s.length.front();
  s.active.assign(static_cast<std::size_t>(longest), 0);
  for (const std::int64_t l : s.length)
    for (std::int64_t t = 0; t < l; ++t) ++s.active[static_cast<std::size_t>(t)];
  return s;
}

}  // namespace weft::backend
