// Int8 products for CPU inference: y[m, n] ~= x[m, k] @ W[n, k]^T with x quantized per row to u8
// (asymmetric: a scale and a zero point) and W per output row to 7-bit signed values (symmetric). The
// int8 product (oneDNN's u8s8s32 gemm) runs about twice as fast as the f32 one on an AVX2 core
// without VNNI (benchmarks/nn/bench_gemm --int8); 7-bit weights keep its vpmaddubsw pair sums
// (2 * 255 * 63 < 32767) from saturating int16. Only built with oneDNN; elsewhere int8_available() is
// false and callers keep the f32 product. Inference only: nothing here has a gradient.
#pragma once

#include <cstdint>
#include <vector>

#include "weft/backend/cpu_gemm.hpp"
#include "weft/backend/tensor.hpp"

namespace weft::backend {

struct Int8Weights {
  std::int64_t n = 0, k = 0;
  std::vector<std::int8_t> q;    // [n, k], |q| <= 63
  std::vector<float> scale;      // [n]: W[j, :] ~= scale[j] * q[j, :]
  std::vector<float> scaled_sum; // [n]: scale[j] * sum of q[j, :], for the activations' zero points
  bool empty() const noexcept { return n == 0; }
};

// The process-wide switch: on by default; WEFT_CPU_INT8=0 in the environment, set_cpu_int8(false) or
// a CpuInt8Scope turn it off, so that inference runs the f32 products as trained.
void set_cpu_int8(bool on) noexcept;
bool cpu_int8() noexcept;
// onednn_compiled() (cpu_gemm.hpp: oneDNN runs the int8 products) && cpu_int8(): whether the
// inference paths use int8 products now.
bool int8_available() noexcept;

// Sets the switch for a scope and restores it after (process-wide, so not for concurrent use).
class CpuInt8Scope {
 public:
  explicit CpuInt8Scope(bool on) noexcept : was_(cpu_int8()) { set_cpu_int8(on); }
  ~CpuInt8Scope() { set_cpu_int8(was_); }
  CpuInt8Scope(const CpuInt8Scope&) = delete;
  CpuInt8Scope& operator=(const CpuInt8Scope&) = delete;

 private:
  bool was_;
};

// W: [n, k] f32 on the CPU.
Int8Weights quantize_weights(const Tensor& W);
// y[m, n] = x[m, k] @ W^T (+ bias [n]) through the int8 product (y is overwritten). Throws
// ValueError where int8 products are not compiled in, or on mismatched shapes.
void int8_gemm(const Tensor& x, const Int8Weights& w, Tensor& y, const Tensor* bias = nullptr);

// int8_gemm's passes, for callers that fuse the first and last into passes of their own (the encoder
// quantizes its windows straight from the rows they are built of, and scales the sums in its
// maxout): a row made of n_segments segments of `width` floats (nullptr: zeros) quantized as one,
// row ~= s * (q[0 .. n_segments * width) - z) ...
void quantize_segments(const float* const* segments, int n_segments, std::int64_t width, std::uint8_t* q, float& s,
                       float& z);
// The same with the segments' range given: [lo, hi] must hold every value (value_range widens a range
// to hold a row's values), so that a row's range is found once for the several windows it is in.
void quantize_segments_in_range(const float* const* segments, int n_segments, std::int64_t width, float lo, float hi,
                                std::uint8_t* q, float& s, float& z);
void value_range(const float* x, std::int64_t width, float& lo, float& hi) noexcept;
// ... and acc[m, w.n] = q[m, w.k] @ w.q^T in int32, so that row i of x @ W^T is about
// s_i * (w.scale[j] * acc[i, j] - z_i * w.scaled_sum[j]). Throws ValueError where not compiled in.
void int8_gemm_quantized(const std::uint8_t* q, std::int64_t m, const Int8Weights& w, std::int32_t* acc);

}  // namespace weft::backend
