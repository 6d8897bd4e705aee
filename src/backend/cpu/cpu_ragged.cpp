// Ragged products on the CPU: one gemm per sequence over row views of a and b (a biaffine parser's
// per-sentence score matrices: every word of a sentence against every other, never across sentences).
#include "../op_checks.hpp"
#include "cpu_ops.hpp"

namespace weft::backend {

namespace {

// Calls f(rows of a/b, the sequence's block of the flat buffer, n) for each non-empty sequence.
template <class F>
void for_each_block(const Tensor& lengths, F&& f) {
  const std::int32_t* len = lengths.data<std::int32_t>();
  std::int64_t row = 0, at = 0;
  for (std::int64_t s = 0; s < lengths.numel(); ++s) {
    const std::int64_t n = len[s];
    if (n > 0) f(row, at, n);
    row += n;
    at += n * n;
  }
}

}  // namespace

void CpuOps::ragged_gemm_nt(const Tensor& a, const Tensor& b, const Tensor& lengths, Tensor& out) {
  const check::Ragged r = check::ragged_gemm_nt("ragged_gemm_nt", device(), a, b, lengths, out);
  const Tensor flat = out.reshape(Shape{r.blocks});
  for_each_block(lengths, [&](std::int64_t row, std::int64_t at, std::int64_t n) {
    Tensor block = flat.rows(at, at + n * n).reshape(Shape{n, n});
    gemm(a.rows(row, row + n), false, b.rows(row, row + n), true, block, 1.f, 0.f, nullptr);
  });
}

void CpuOps::backprop_ragged_gemm_nt(const Tensor& dout, const Tensor& a, const Tensor& b, const Tensor& lengths, Tensor& da,
                                     Tensor& db) {
  const check::Ragged r = check::backprop_ragged_gemm_nt(device(), dout, a, b, lengths, da, db);
  // Every row lies in a non-empty sequence, so the products below write all of da and db.
  const Tensor flat = dout.reshape(Shape{r.blocks});
  for_each_block(lengths, [&](std::int64_t row, std::int64_t at, std::int64_t n) {
    const Tensor block = flat.rows(at, at + n * n).reshape(Shape{n, n});
    Tensor da_s = da.rows(row, row + n), db_s = db.rows(row, row + n);
    gemm(block, false, b.rows(row, row + n), false, da_s, 1.f, 0.f, nullptr);
    gemm(block, true, a.rows(row, row + n), false, db_s, 1.f, 0.f, nullptr);
  });
}

}  // namespace weft::backend
