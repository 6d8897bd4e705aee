// Int8 products for CPU inference; see weft/backend/cpu_int8.hpp.
#include "weft/backend/cpu_int8.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "cpu_threads.hpp"
#include "weft/backend/cpu_gemm.hpp"
#include "weft/backend/scratch.hpp"
#include "weft/error.hpp"

#if defined(WEFT_HAVE_ONEDNN)
#include <oneapi/dnnl/dnnl.h>
#endif

namespace weft::backend {

namespace {

constexpr int kWeightMax = 63;  // 7 bits: u8 * s7 pair sums stay inside int16

std::atomic<bool>& int8_switch() {
  static std::atomic<bool> on{[] {
    const char* env = std::getenv("WEFT_CPU_INT8");
    return env == nullptr || std::strcmp(env, "0") != 0;
  }()};
  return on;
}

}  // namespace

void set_cpu_int8(bool on) noexcept { int8_switch().store(on); }

bool cpu_int8() noexcept { return int8_switch().load(); }

bool int8_available() noexcept { return onednn_compiled() && cpu_int8(); }

void value_range(const float* x, std::int64_t width, float& lo, float& hi) noexcept {
  std::int64_t c = 0;
#if defined(__AVX2__)
  __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  for (; c + 8 <= width; c += 8) {
    const __m256 v = _mm256_loadu_ps(x + c);
    vlo = _mm256_min_ps(vlo, v);
    vhi = _mm256_max_ps(vhi, v);
  }
  alignas(32) float l[8], h[8];
  _mm256_store_ps(l, vlo);
  _mm256_store_ps(h, vhi);
  for (int t = 0; t < 8; ++t) {
    lo = std::min(lo, l[t]);
    hi = std::max(hi, h[t]);
  }
#endif
  for (; c < width; ++c) {
    lo = std::min(lo, x[c]);
    hi = std::max(hi, x[c]);
  }
}

void quantize_segments(const float* const* segments, int n_segments, std::int64_t width, std::uint8_t* q, float& s,
                       float& z) {
  float lo = 0.f, hi = 0.f;
  for (int g = 0; g < n_segments; ++g)
    if (segments[g] != nullptr) value_range(segments[g], width, lo, hi);
  quantize_segments_in_range(segments, n_segments, width, lo, hi, q, s, z);
}

void quantize_segments_in_range(const float* const* segments, int n_segments, std::int64_t width, float lo, float hi,
                                std::uint8_t* q, float& s, float& z) {
  // The range is widened to hold 0, so that 0 (and a missing segment) is exact.
  lo = std::min(lo, 0.f);
  hi = std::max(hi, 0.f);
  s = hi > lo ? (hi - lo) / 255.f : 1.f;
  const float inv = 1.f / s;
  z = std::nearbyint(-lo * inv);
  for (int g = 0; g < n_segments; ++g) {
    const float* x = segments[g];
    std::uint8_t* qg = q + g * width;
    if (x == nullptr) {
      std::memset(qg, static_cast<int>(z), static_cast<std::size_t>(width));
      continue;
    }
    std::int64_t c = 0;
#if defined(__AVX2__)
    // round(x / s + z) to int32, then packed with saturation to int16 and u8 (the packs work within
    // 128-bit lanes, so the result's 4-byte groups come out as 0 2 4 6 1 3 5 7 and are put back).
    const __m256 vinv = _mm256_set1_ps(inv), vz = _mm256_set1_ps(z);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (; c + 32 <= width; c += 32) {
      __m256i r[4];
      for (int t = 0; t < 4; ++t) r[t] = _mm256_cvtps_epi32(_mm256_fmadd_ps(_mm256_loadu_ps(x + c + 8 * t), vinv, vz));
      const __m256i packed = _mm256_packus_epi16(_mm256_packs_epi32(r[0], r[1]), _mm256_packs_epi32(r[2], r[3]));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(qg + c), _mm256_permutevar8x32_epi32(packed, order));
    }
#endif
    for (; c < width; ++c) qg[c] = static_cast<std::uint8_t>(std::clamp(std::nearbyint(x[c] * inv + z), 0.f, 255.f));
  }
}

void int8_gemm_quantized(const std::uint8_t* q, std::int64_t m, const Int8Weights& w, std::int32_t* acc) {
#if defined(WEFT_HAVE_ONEDNN)
  if (m == 0) return;
  apply_cpu_threads();
  const std::int32_t co = 0;
  const dnnl_status_t status = dnnl_gemm_u8s8s32('N', 'T', 'F', m, w.n, w.k, 1.f, q, w.k, 0, w.q.data(), w.k, 0, 0.f, acc, w.n, &co);
  if (status != dnnl_success) throw ValueError("int8_gemm: oneDNN u8s8s32 gemm failed with status " + std::to_string(status));
#else
  (void)q;
  (void)m;
  (void)w;
  (void)acc;
  throw ValueError("int8_gemm: weft was built without oneDNN, which runs the int8 products");
#endif
}

Int8Weights quantize_weights(const Tensor& W) {
  if (W.ndim() != 2 || W.dtype() != DType::F32 || !W.device().is_cpu())
    throw ValueError("quantize_weights: expects a 2-d f32 CPU tensor");
  Int8Weights q;
  q.n = W.dim(0);
  q.k = W.dim(1);
  q.q.resize(static_cast<std::size_t>(q.n * q.k));
  q.scale.resize(static_cast<std::size_t>(q.n));
  q.scaled_sum.resize(static_cast<std::size_t>(q.n));
  const float* w = W.data<float>();
  for (std::int64_t j = 0; j < q.n; ++j) {
    const float* row = w + j * q.k;
    float amax = 0.f;
    for (std::int64_t c = 0; c < q.k; ++c) amax = std::max(amax, std::fabs(row[c]));
    const float scale = amax > 0.f ? amax / kWeightMax : 1.f;
    std::int32_t sum = 0;
    for (std::int64_t c = 0; c < q.k; ++c) {
      const auto v = static_cast<std::int8_t>(std::clamp<long>(std::lround(row[c] / scale), -kWeightMax, kWeightMax));
      q.q[static_cast<std::size_t>(j * q.k + c)] = v;
      sum += v;
    }
    q.scale[static_cast<std::size_t>(j)] = scale;
    q.scaled_sum[static_cast<std::size_t>(j)] = scale * static_cast<float>(sum);
  }
  return q;
}

void int8_gemm(const Tensor& x, const Int8Weights& w, Tensor& y, const Tensor* bias) {
  if (!onednn_compiled()) throw ValueError("int8_gemm: weft was built without oneDNN, which runs the int8 products");
  if (!x.device().is_cpu() || !y.device().is_cpu()) throw ValueError("int8_gemm: expects CPU tensors");
  if (x.ndim() != 2 || y.ndim() != 2 || x.dtype() != DType::F32 || y.dtype() != DType::F32 || x.dim(1) != w.k ||
      y.dim(0) != x.dim(0) || y.dim(1) != w.n)
    throw ValueError("int8_gemm: shapes " + x.shape().str() + " @ [" + std::to_string(w.n) + ", " +
                     std::to_string(w.k) + "]^T -> " + y.shape().str() + " do not match");
  if (bias != nullptr && (bias->numel() != w.n || bias->dtype() != DType::F32 || !bias->device().is_cpu()))
    throw ValueError("int8_gemm: the bias has shape " + bias->shape().str() + ", not [" + std::to_string(w.n) + "]");
  const std::int64_t m = x.dim(0), n = w.n, k = w.k;
  if (m == 0) return;
  ScratchArena& arena = ScratchArena::local(Device::cpu());
  ScratchArena::Scope scope(arena);
  Tensor xq = arena.take({m, k}, DType::U8);
  Tensor scales = arena.take({2, m});
  auto* q = xq.data<std::uint8_t>();
  float* rs = scales.data<float>();
  float* rz = rs + m;
  for (std::int64_t i = 0; i < m; ++i) {
    const float* row = x.data<float>() + i * k;
    quantize_segments(&row, 1, k, q + i * k, rs[i], rz[i]);
  }
  // The int32 sums go into y's own memory (the same size) and are scaled in place: no second buffer of
  // the product's size to write and read back. (Smaller row blocks, to keep the sums in L2 until they
  // are scaled, measured slower: the gemm loses more at few rows than the scaling gains.)
  float* out = y.data<float>();
  auto* a = reinterpret_cast<std::int32_t*>(out);
  int8_gemm_quantized(q, m, w, a);
  // y[i, j] = s_i * scale_j * (acc[i, j] - z_i * sum_j) + b_j = s_i * (scale_j * acc[i, j] - z_i * scaled_sum_j) + b_j
  const float* ws = w.scale.data();
  const float* wz = w.scaled_sum.data();
  const float* b = bias != nullptr ? bias->data<float>() : nullptr;
  for (std::int64_t i = 0; i < m; ++i) {
    const float s = rs[i], z = rz[i];
    const std::int32_t* ar = a + i * n;  // the same memory as yr
    float* yr = out + i * n;
    std::int64_t j = 0;
#if defined(__AVX2__)
    const __m256 vs = _mm256_set1_ps(s), vz = _mm256_set1_ps(z);
    for (; j + 8 <= n; j += 8) {
      const __m256 acc = _mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(ar + j)));
      const __m256 v = _mm256_fmsub_ps(_mm256_loadu_ps(ws + j), acc, _mm256_mul_ps(vz, _mm256_loadu_ps(wz + j)));
      _mm256_storeu_ps(yr + j, _mm256_fmadd_ps(vs, v, b != nullptr ? _mm256_loadu_ps(b + j) : _mm256_setzero_ps()));
    }
#endif
    for (; j < n; ++j) {
      std::int32_t v;
      std::memcpy(&v, ar + j, sizeof v);
      const float f = s * (ws[j] * static_cast<float>(v) - z * wz[j]) + (b != nullptr ? b[j] : 0.f);
      std::memcpy(yr + j, &f, sizeof f);
    }
  }
}

}  // namespace weft::backend
