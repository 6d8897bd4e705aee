// seq2col on the CPU: each token's row becomes the concatenation of its window of neighbours, with
// zeros where the window crosses the edge of the token's own document (documents sit back to back in
// one batch, so an unchecked window would leak context between them).
#include <cstring>

#include "../op_checks.hpp"
#include "cpu_ops.hpp"

namespace weft::backend {

void CpuOps::seq2col(const Tensor& x, int n_window, const Tensor& lengths, Tensor& out) {
  const check::Rows r = check::seq2col("seq2col", device(), x, n_window, lengths, out);
  const std::int64_t w = r.width;
  const std::int64_t span = 2 * static_cast<std::int64_t>(n_window) + 1;
  const float* xp = x.data<float>();
  float* op = out.data<float>();
  const std::int32_t* len = lengths.data<std::int32_t>();
  std::int64_t start = 0;
  for (std::int64_t d = 0; d < lengths.numel(); ++d) {
    const std::int64_t end = start + len[d];
    for (std::int64_t i = start; i < end; ++i) {
      float* row = op + i * span * w;
      for (std::int64_t o = -n_window; o <= n_window; ++o) {
        float* dst = row + (o + n_window) * w;
        const std::int64_t j = i + o;
        if (j < start || j >= end) std::memset(dst, 0, static_cast<std::size_t>(w) * sizeof(float));
        else std::memcpy(dst, xp + j * w, static_cast<std::size_t>(w) * sizeof(float));
      }
    }
    start = end;
  }
}

void CpuOps::backprop_seq2col(const Tensor& dy, int n_window, const Tensor& lengths, Tensor& dx) {
  const check::Rows r = check::seq2col("backprop_seq2col", device(), dx, n_window, lengths, dy);
  const std::int64_t w = r.width;
  const std::int64_t span = 2 * static_cast<std::int64_t>(n_window) + 1;
  const float* dyp = dy.data<float>();
  float* dxp = dx.data<float>();
  const std::int32_t* len = lengths.data<std::int32_t>();
  std::int64_t start = 0;
  // Gather form (each dx row sums the dy blocks that copied it) so every output row is written once.
  for (std::int64_t d = 0; d < lengths.numel(); ++d) {
    const std::int64_t end = start + len[d];
    for (std::int64_t j = start; j < end; ++j) {
      float* dst = dxp + j * w;
      for (std::int64_t c = 0; c < w; ++c) dst[c] = 0.f;
      for (std::int64_t o = -n_window; o <= n_window; ++o) {
        const std::int64_t i = j - o;  // row i copied x[j] into its block o
        if (i < start || i >= end) continue;
        const float* src = dyp + (i * span + (o + n_window)) * w;
        for (std::int64_t c = 0; c < w; ++c) dst[c] += src[c];
      }
    }
    start = end;
  }
}

}  // namespace weft::backend
