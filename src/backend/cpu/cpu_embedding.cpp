// Hashed embeddings on the CPU: feature keys to table rows, row gathers summed over seeds, and the
// scatter-add of their gradient. Ids are validated before any write so a bad id leaves outputs intact.
#include <string>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "../op_checks.hpp"
#include "cpu_ops.hpp"
#include "weft/mix64.hpp"
#include "weft/error.hpp"

namespace weft::backend {

namespace {

void check_ids(const char* op, const std::int32_t* ids, std::int64_t count, std::int64_t n_rows) {
  for (std::int64_t i = 0; i < count; ++i)
    if (ids[i] < 0 || ids[i] >= n_rows)
      throw ValueError(std::string(op) + ": id " + std::to_string(ids[i]) + " outside a table of " + std::to_string(n_rows) + " rows");
}

#if defined(__AVX2__)
// dst[c0, c0 + 8V) = the sum of the rows row_ids[0, per) over those columns, in V registers (a
// compile-time count, so that they are not spilled), adding the rows in order.
template <int V>
inline void sum_rows_in_registers(const float* tp, const std::int32_t* row_ids, std::int64_t per, std::int64_t width,
                                  std::int64_t c0, float* dst) {
  __m256 acc[V];
  const float* first = tp + static_cast<std::int64_t>(row_ids[0]) * width + c0;
  for (int v = 0; v < V; ++v) acc[v] = _mm256_loadu_ps(first + 8 * v);
  for (std::int64_t s = 1; s < per; ++s) {
    const float* src = tp + static_cast<std::int64_t>(row_ids[s]) * width + c0;
    for (int v = 0; v < V; ++v) acc[v] = _mm256_add_ps(acc[v], _mm256_loadu_ps(src + 8 * v));
  }
  for (int v = 0; v < V; ++v) _mm256_storeu_ps(dst + c0 + 8 * v, acc[v]);
}
#endif

constexpr std::int64_t kPrefetchAhead = 4;
constexpr std::int64_t kCacheLine = 64;

void prefetch_rows(const float* table, const std::int32_t* ids, std::int64_t count, std::int64_t width) {
  const std::int64_t bytes = width * static_cast<std::int64_t>(sizeof(float));
  for (std::int64_t s = 0; s < count; ++s) {
    const char* row = reinterpret_cast<const char*>(table + static_cast<std::int64_t>(ids[s]) * width);
    for (std::int64_t b = 0; b < bytes; b += kCacheLine) __builtin_prefetch(row + b);
  }
}

}  // namespace

void CpuOps::hash_rows(const Tensor& keys, std::uint32_t seed, std::int64_t n_rows, Tensor& out) {
  const std::int64_t seeds = check::hash_rows(device(), keys, n_rows, out);
  const std::uint64_t* kp = keys.data<std::uint64_t>();
  std::int32_t* op = out.data<std::int32_t>();
  const auto rows = static_cast<std::uint64_t>(n_rows);
  for (std::int64_t i = 0; i < keys.numel(); ++i)
    for (std::int64_t s = 0; s < seeds; ++s)
      op[i * seeds + s] = static_cast<std::int32_t>(mix64(kp[i], std::uint64_t{seed} + static_cast<std::uint64_t>(s)) % rows);
}

void CpuOps::gather_sum_rows(const Tensor& table, const Tensor& ids, Tensor& out) {
  const check::Ids g = check::gather_rows("gather_sum_rows", device(), table, ids, out);
  const std::int64_t width = table.dim(1);
  const std::int32_t* ip = ids.data<std::int32_t>();
  check_ids("gather_sum_rows", ip, ids.numel(), table.dim(0));
  const float* tp = table.data<float>();
  float* op = out.data<float>();
  const std::int64_t per = g.per_row;
  for (std::int64_t i = 0; i < g.n; ++i) {
    // Hashed rows are scattered over tables larger than L2, so the hardware prefetcher cannot guess
    // them: ask for the rows a few outputs ahead while this one is summed.
    if (i + kPrefetchAhead < g.n) prefetch_rows(tp, ip + (i + kPrefetchAhead) * per, per, width);
    float* dst = op + i * width;
    const std::int32_t* row_ids = ip + i * per;
    const float* first = tp + static_cast<std::int64_t>(row_ids[0]) * width;
#if defined(__AVX2__)
    if (width % 8 == 0) {
      // Up to 64 columns at a time summed in registers over all the rows, stored once: adding each row
      // into dst costs a store per 8 floats per row, and stores (one a cycle) were the bottleneck.
      // The rows are added in the same order as below, so the sums are the same.
      std::int64_t c0 = 0;
      for (; c0 + 64 <= width; c0 += 64) sum_rows_in_registers<8>(tp, row_ids, per, width, c0, dst);
      for (; c0 < width; c0 += 8) sum_rows_in_registers<1>(tp, row_ids, per, width, c0, dst);
      continue;
    }
#endif
    if (per == 4) {  // HashEmbed's default: one pass instead of four
      const float* r1 = tp + static_cast<std::int64_t>(row_ids[1]) * width;
      const float* r2 = tp + static_cast<std::int64_t>(row_ids[2]) * width;
      const float* r3 = tp + static_cast<std::int64_t>(row_ids[3]) * width;
      for (std::int64_t j = 0; j < width; ++j) dst[j] = first[j] + r1[j] + r2[j] + r3[j];  // same order as the loop below
      continue;
    }
    for (std::int64_t j = 0; j < width; ++j) dst[j] = first[j];
    for (std::int64_t s = 1; s < per; ++s) {
      const float* src = tp + static_cast<std::int64_t>(row_ids[s]) * width;
      for (std::int64_t j = 0; j < width; ++j) dst[j] += src[j];
    }
  }
}

void CpuOps::scatter_add_rows(Tensor& table, const Tensor& ids, const Tensor& grad) {
  const check::Ids g = check::gather_rows("scatter_add_rows", device(), table, ids, grad);
  const std::int64_t width = table.dim(1);
  const std::int32_t* ip = ids.data<std::int32_t>();
  check_ids("scatter_add_rows", ip, ids.numel(), table.dim(0));
  float* tp = table.data<float>();
  const float* gp = grad.data<float>();
  for (std::int64_t i = 0; i < g.n; ++i) {
    const float* src = gp + i * width;
    for (std::int64_t s = 0; s < g.per_row; ++s) {
      float* dst = tp + static_cast<std::int64_t>(ip[i * g.per_row + s]) * width;
      for (std::int64_t j = 0; j < width; ++j) dst[j] += src[j];
    }
  }
}

}  // namespace weft::backend
