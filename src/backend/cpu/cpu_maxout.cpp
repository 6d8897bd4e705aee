// Maxout on the CPU: each output unit is the largest of its `pieces` candidates; the winner's index is
// kept as a byte so the backward pass routes the gradient without re-reading x. The common piece counts
// get a loop with the count fixed at compile time and branch-free selects, which the compiler vectorises;
// three pieces (spaCy's default) interleave with a stride compilers do not vectorise, so AVX2 builds
// de-interleave eight units at a time by hand (a data-dependent branch per unit mispredicts half the time).
#ifdef __AVX2__
#include <immintrin.h>
#endif

#include "../op_checks.hpp"
#include "cpu_ops.hpp"

namespace weft::backend {

namespace {

template <int P>
void maxout_fixed(const float* __restrict x, std::int64_t units, float* __restrict y, std::uint8_t* __restrict which) {
  for (std::int64_t u = 0; u < units; ++u) {
    const float* cand = x + u * P;
    float best = cand[0];
    std::uint8_t arg = 0;
    for (int p = 1; p < P; ++p) {
      const bool gt = cand[p] > best;  // ties keep the first piece, as on CUDA
      best = gt ? cand[p] : best;
      arg = gt ? static_cast<std::uint8_t>(p) : arg;
    }
    y[u] = best;
    which[u] = arg;
  }
}

#ifdef __AVX2__
template <>
void maxout_fixed<3>(const float* __restrict x, std::int64_t units, float* __restrict y, std::uint8_t* __restrict which) {
  // Blending the three loads leaves piece p of the eight units in a fixed shuffled order; the permute restores it.
  const __m256i order0 = _mm256_setr_epi32(0, 3, 6, 1, 4, 7, 2, 5);
  const __m256i order1 = _mm256_setr_epi32(1, 4, 7, 2, 5, 0, 3, 6);
  const __m256i order2 = _mm256_setr_epi32(2, 5, 0, 3, 6, 1, 4, 7);
  const __m256i one = _mm256_set1_epi32(1), two = _mm256_set1_epi32(2);
  std::int64_t u = 0;
  for (; u + 8 <= units; u += 8) {
    const float* c = x + u * 3;
    const __m256 a = _mm256_loadu_ps(c), b = _mm256_loadu_ps(c + 8), d = _mm256_loadu_ps(c + 16);
    const __m256 p0 = _mm256_permutevar8x32_ps(_mm256_blend_ps(_mm256_blend_ps(a, b, 0x92), d, 0x24), order0);
    const __m256 p1 = _mm256_permutevar8x32_ps(_mm256_blend_ps(_mm256_blend_ps(a, b, 0x24), d, 0x49), order1);
    const __m256 p2 = _mm256_permutevar8x32_ps(_mm256_blend_ps(_mm256_blend_ps(a, b, 0x49), d, 0x92), order2);
    const __m256 gt1 = _mm256_cmp_ps(p1, p0, _CMP_GT_OQ);  // strict: ties keep the first piece
    __m256 best = _mm256_blendv_ps(p0, p1, gt1);
    const __m256 gt2 = _mm256_cmp_ps(p2, best, _CMP_GT_OQ);
    best = _mm256_blendv_ps(best, p2, gt2);
    __m256i arg = _mm256_and_si256(_mm256_castps_si256(gt1), one);
    arg = _mm256_blendv_epi8(arg, two, _mm256_castps_si256(gt2));
    _mm256_storeu_ps(y + u, best);
    const __m128i words = _mm_packs_epi32(_mm256_castsi256_si128(arg), _mm256_extracti128_si256(arg, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(which + u), _mm_packus_epi16(words, words));
  }
  for (; u < units; ++u) {
    const float* cand = x + u * 3;
    float best = cand[0];
    std::uint8_t arg = 0;
    if (cand[1] > best) best = cand[1], arg = 1;
    if (cand[2] > best) best = cand[2], arg = 2;
    y[u] = best;
    which[u] = arg;
  }
}
#endif

void maxout_any(const float* x, int pieces, std::int64_t units, float* y, std::uint8_t* which) {
  for (std::int64_t u = 0; u < units; ++u) {
    const float* cand = x + u * pieces;
    int best = 0;
    for (int p = 1; p < pieces; ++p)
      if (cand[p] > cand[best]) best = p;
    y[u] = cand[best];
    which[u] = static_cast<std::uint8_t>(best);
  }
}

template <int P>
void backprop_maxout_fixed(const float* __restrict dy, const std::uint8_t* __restrict which, std::int64_t units, float* __restrict dx) {
  for (std::int64_t u = 0; u < units; ++u)
    for (int p = 0; p < P; ++p) dx[u * P + p] = which[u] == p ? dy[u] : 0.f;  // a corrupt index >= P routes nowhere
}

}  // namespace

void CpuOps::maxout(const Tensor& x, int pieces, Tensor& y, Tensor& which) {
  const check::Rows r = check::maxout("maxout", device(), x, pieces, y, which);
  const float* xp = x.data<float>();
  float* yp = y.data<float>();
  std::uint8_t* wp = which.data<std::uint8_t>();
  const std::int64_t units = r.n * r.width;
  switch (pieces) {
    case 2: maxout_fixed<2>(xp, units, yp, wp); break;
    case 3: maxout_fixed<3>(xp, units, yp, wp); break;
    case 4: maxout_fixed<4>(xp, units, yp, wp); break;
    default: maxout_any(xp, pieces, units, yp, wp);
  }
}

void CpuOps::backprop_maxout(const Tensor& dy, const Tensor& which, int pieces, Tensor& dx) {
  const check::Rows r = check::maxout("backprop_maxout", device(), dx, pieces, dy, which);
  const float* dyp = dy.data<float>();
  const std::uint8_t* wp = which.data<std::uint8_t>();
  float* dxp = dx.data<float>();
  const std::int64_t units = r.n * r.width;
  switch (pieces) {
    case 2: backprop_maxout_fixed<2>(dyp, wp, units, dxp); return;
    case 3: backprop_maxout_fixed<3>(dyp, wp, units, dxp); return;
    case 4: backprop_maxout_fixed<4>(dyp, wp, units, dxp); return;
    default: break;
  }
  for (std::int64_t u = 0; u < units; ++u) {
    float* dst = dxp + u * pieces;
    for (int p = 0; p < pieces; ++p) dst[p] = 0.f;
    // An index >= pieces can only come from a corrupted `which`; dropping it beats writing out of bounds.
    if (wp[u] < pieces) dst[wp[u]] = dyp[u];
  }
}

}  // namespace weft::backend
