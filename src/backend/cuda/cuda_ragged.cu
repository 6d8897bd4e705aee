// Ragged products on CUDA: the per-sequence blocks out_s = a_s @ b_s^T of a biaffine parser's score
// matrices, and their gradient. The sequence lengths live on the host; their running row offsets and
// block offsets are copied to the device, and each thread finds its sequence by binary search and
// computes one output element as a dot product over the width (a sentence's block is small, tens of
// rows, so one cuBLAS call per sentence would be dominated by launches). The backward pass is the
// gather form (each da/db element sums over its sequence's rows), so it needs no atomics, is
// deterministic, and adds in the CPU's order up to the gemm's own blocking.
#include <vector>

#include "../op_checks.hpp"
#include "cuda_check.cuh"
#include "cuda_ops.cuh"
#include "launch.cuh"

namespace weft::backend {

namespace {

// The sequence s with starts[s] <= x < starts[s + 1] (empty sequences were dropped, so starts increase
// strictly).
__device__ inline std::int64_t sequence_of(const std::int64_t* starts, std::int64_t count, std::int64_t x) {
  std::int64_t lo = 0, hi = count;  // invariant: starts[lo] <= x < starts[hi]
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (starts[mid] <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

// rows: count + 1 row offsets; blocks: count + 1 offsets into the flat output.
__global__ void ragged_gemm_nt_kernel(const float* a, const float* b, std::int64_t width, const std::int64_t* rows,
                                      const std::int64_t* blocks, std::int64_t count, float* out) {
  const std::int64_t total = blocks[count];
  for (std::int64_t t = cuda::global_thread(); t < total; t += cuda::grid_threads()) {
    const std::int64_t s = sequence_of(blocks, count, t);
    const std::int64_t n = rows[s + 1] - rows[s];
    const std::int64_t local = t - blocks[s];
    const float* ai = a + (rows[s] + local / n) * width;
    const float* bj = b + (rows[s] + local % n) * width;
    float sum = 0.f;
    for (std::int64_t k = 0; k < width; ++k) sum += ai[k] * bj[k];
    out[t] = sum;
  }
}

// dx[r, c] = sum over the rows m of r's sequence of dout_s[i, m] * y[m, c] (transposed: dout_s[m, i]),
// with i = r's row in its sequence: da (y = b, not transposed) and db (y = a, transposed).
__global__ void backprop_ragged_kernel(const float* dout, const float* y, std::int64_t n_rows, std::int64_t width,
                                       const std::int64_t* rows, const std::int64_t* blocks, std::int64_t count,
                                       bool transposed, float* dx) {
  for (std::int64_t t = cuda::global_thread(); t < n_rows * width; t += cuda::grid_threads()) {
    const std::int64_t r = t / width, c = t % width;
    const std::int64_t s = sequence_of(rows, count, r);
    const std::int64_t first = rows[s], n = rows[s + 1] - first, i = r - first;
    const float* block = dout + blocks[s];
    float sum = 0.f;
    for (std::int64_t m = 0; m < n; ++m) sum += (transposed ? block[m * n + i] : block[i * n + m]) * y[(first + m) * width + c];
    dx[t] = sum;
  }
}

// The row and block offsets of the non-empty sequences, on the device.
struct Offsets {
  cuda::DeviceBuffer buffer;  // rows (count + 1), then blocks (count + 1)
  std::int64_t count;
  const std::int64_t* rows() const { return buffer.as<std::int64_t>(); }
  const std::int64_t* blocks() const { return buffer.as<std::int64_t>() + count + 1; }
};

Offsets upload_offsets(int device_index, const char* op, const Tensor& lengths) {
  const std::int32_t* len = lengths.data<std::int32_t>();
  std::vector<std::int64_t> rows(1, 0), blocks(1, 0);
  for (std::int64_t s = 0; s < lengths.numel(); ++s)
    if (len[s] > 0) {
      rows.push_back(rows.back() + len[s]);
      blocks.push_back(blocks.back() + static_cast<std::int64_t>(len[s]) * len[s]);
    }
  rows.insert(rows.end(), blocks.begin(), blocks.end());
  Offsets result{cuda::DeviceBuffer(device_index, rows.size() * sizeof(std::int64_t)), static_cast<std::int64_t>(blocks.size()) - 1};
  cuda_check(cudaMemcpyAsync(result.buffer.as<void>(), rows.data(), rows.size() * sizeof(std::int64_t), cudaMemcpyHostToDevice, 0),
             op, "cudaMemcpyAsync");
  return result;
}

}  // namespace

void CudaOps::ragged_gemm_nt(const Tensor& a, const Tensor& b, const Tensor& lengths, Tensor& out) {
  const check::Ragged r = check::ragged_gemm_nt("ragged_gemm_nt", device(), a, b, lengths, out);
  if (r.blocks == 0) return;
  DeviceGuard guard(index_, "ragged_gemm_nt");
  const Offsets offsets = upload_offsets(index_, "ragged_gemm_nt", lengths);
  ragged_gemm_nt_kernel<<<cuda::blocks_for(r.blocks), cuda::kBlock>>>(a.data<float>(), b.data<float>(), r.width, offsets.rows(),
                                                                      offsets.blocks(), offsets.count, out.data<float>());
  cuda_check_launch("ragged_gemm_nt");
}

void CudaOps::backprop_ragged_gemm_nt(const Tensor& dout, const Tensor& a, const Tensor& b, const Tensor& lengths, Tensor& da,
                                      Tensor& db) {
  const check::Ragged r = check::backprop_ragged_gemm_nt(device(), dout, a, b, lengths, da, db);
  const char* op = "backprop_ragged_gemm_nt";
  if (r.n == 0 || r.width == 0) return;
  DeviceGuard guard(index_, op);
  const Offsets offsets = upload_offsets(index_, op, lengths);
  const unsigned grid = cuda::blocks_for(r.n * r.width);
  backprop_ragged_kernel<<<grid, cuda::kBlock>>>(dout.data<float>(), b.data<float>(), r.n, r.width, offsets.rows(),
                                                  offsets.blocks(), offsets.count, false, da.data<float>());
  cuda_check_launch(op);
  backprop_ragged_kernel<<<grid, cuda::kBlock>>>(dout.data<float>(), a.data<float>(), r.n, r.width, offsets.rows(),
                                                  offsets.blocks(), offsets.count, true, db.data<float>());
  cuda_check_launch(op);
}

}  // namespace weft::backend
