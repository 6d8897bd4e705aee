// Index of the largest score on the host, AVX2 where the build targets it. See
// include/weft/backend/argmax.hpp.
#include "weft/backend/argmax.hpp"

#include <cstring>
#include <limits>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace weft::backend {

std::int64_t argmax_valid(const float* scores, const std::uint8_t* valid, std::int64_t n_actions) {
  constexpr float kNone = -std::numeric_limits<float>::infinity();
  float best_score = kNone;
  std::int64_t best = -1, a = 0;
#if defined(__AVX2__)
  if (n_actions >= 8) {
    // Per lane: the best valid score and its index; invalid lanes hold -inf and never win.
    __m256 lane_best = _mm256_set1_ps(kNone);
    __m256i lane_index = _mm256_set1_epi32(-1), index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i any = _mm256_setzero_si256();
    const __m256i eight = _mm256_set1_epi32(8), zero = _mm256_setzero_si256();
    for (; a + 8 <= n_actions; a += 8) {
      std::uint64_t bytes;
      std::memcpy(&bytes, valid + a, 8);
      const __m256i ok = _mm256_cmpgt_epi32(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128(static_cast<long long>(bytes))), zero);
      const __m256 z = _mm256_blendv_ps(_mm256_set1_ps(kNone), _mm256_loadu_ps(scores + a), _mm256_castsi256_ps(ok));
      // Strictly greater: an earlier index keeps its lane on ties. A valid -inf score still counts.
      const __m256i take = _mm256_or_si256(_mm256_castps_si256(_mm256_cmp_ps(z, lane_best, _CMP_GT_OQ)),
                                           _mm256_andnot_si256(any, ok));
      lane_best = _mm256_blendv_ps(lane_best, z, _mm256_castsi256_ps(take));
      lane_index = _mm256_blendv_epi8(lane_index, index, take);
      any = _mm256_or_si256(any, ok);
      index = _mm256_add_epi32(index, eight);
    }
    alignas(32) float s[8];
    alignas(32) std::int32_t i[8];
    _mm256_store_ps(s, lane_best);
    _mm256_store_si256(reinterpret_cast<__m256i*>(i), lane_index);
    for (int l = 0; l < 8; ++l)
      if (i[l] >= 0 && (best < 0 || s[l] > best_score || (s[l] == best_score && i[l] < best))) best = i[l], best_score = s[l];
  }
#endif
  for (; a < n_actions; ++a)
    if (valid[a] && (best < 0 || scores[a] > best_score)) best = a, best_score = scores[a];
  return best;
}

std::int64_t argmax(const float* scores, std::int64_t n) {
  std::int64_t best = n > 0 ? 0 : -1, a = 1;
#if defined(__AVX2__)
  if (n >= 16) {
    // Pass 1: the maximum (8 lanes); pass 2: its first position.
    __m256 m = _mm256_loadu_ps(scores);
    for (a = 8; a + 8 <= n; a += 8) m = _mm256_max_ps(m, _mm256_loadu_ps(scores + a));
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, m);
    float top = lanes[0];
    for (int l = 1; l < 8; ++l) top = lanes[l] > top ? lanes[l] : top;
    for (; a < n; ++a) top = scores[a] > top ? scores[a] : top;
    const __m256 t = _mm256_set1_ps(top);
    std::int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const int hit = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(scores + i), t, _CMP_EQ_OQ));
      if (hit != 0) return i + __builtin_ctz(static_cast<unsigned>(hit));
    }
    for (; i < n; ++i)
      if (scores[i] == top) return i;
    // Only NaNs compare unequal to everything: fall back to the plain loop.
    a = 1;
  }
#endif
  for (; a < n; ++a)
    if (scores[a] > scores[best]) best = a;
  return best;
}

}  // namespace weft::backend
