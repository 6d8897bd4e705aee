// Maxout on the CPU: each output unit is the largest of its `pieces` candidates; the winner's index is
// kept as a byte so the backward pass routes the gradient without re-reading x.
#include "../op_checks.hpp"
#include "cpu_ops.hpp"

namespace weft::backend {

void CpuOps::maxout(const Tensor& x, int pieces, Tensor& y, Tensor& which) {
  const check::Rows r = check::maxout("maxout", device(), x, pieces, y, which);
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  std::uint8_t* wp = which.data<std::uint8_t>();
  const std::int64_t units = r.n * r.width;
  for (std::int64_t u = 0; u < units; ++u) {
    const float* cand = xp + u * pieces;
    int best = 0;
    for (int p = 1; p < pieces; ++p)
      if (cand[p] > cand[best]) best = p;  // ties keep the first piece, as on CUDA
    yp[u] = cand[best];
    wp[u] = static_cast<std::uint8_t>(best);
  }
}

void CpuOps::backprop_maxout(const Tensor& dy, const Tensor& which, int pieces, Tensor& dx) {
  const check::Rows r = check::maxout("backprop_maxout", device(), dx, pieces, dy, which);
  const float* dyp = dy.data<float>();
  const std::uint8_t* wp = which.data<std::uint8_t>();
  float* dxp = dx.data<float>();
  const std::int64_t units = r.n * r.width;
  for (std::int64_t u = 0; u < units; ++u) {
    float* dst = dxp + u * pieces;
    for (int p = 0; p < pieces; ++p) dst[p] = 0.f;
    // An index >= pieces can only come from a corrupted `which`; dropping it beats writing out of bounds.
    if (wp[u] < pieces) dst[wp[u]] = dyp[u];
  }
}

}  // namespace weft::backend
