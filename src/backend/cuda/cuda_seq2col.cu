// seq2col on CUDA: each token's row becomes the concatenation of its window of neighbours, zeros where
// the window leaves the token's own document. The document lengths live on the host; their running
// offsets are copied to the device and each thread finds its row's document by binary search. The
// backward pass is the gather form (each dx element sums the dy blocks that copied it), so it needs no
// atomics and matches the CPU's order of additions.
#include <vector>

#include "../op_checks.hpp"
#include "cuda_check.cuh"
#include "cuda_ops.cuh"
#include "launch.cuh"

namespace weft::backend {

namespace {

// The document holding `row`: offsets[d] <= row < offsets[d + 1] (empty documents are skipped).
__device__ inline void document_of(const std::int64_t* offsets, std::int64_t docs, std::int64_t row, std::int64_t& start,
                                   std::int64_t& end) {
  std::int64_t lo = 0, hi = docs;  // invariant: offsets[lo] <= row < offsets[hi]
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    if (offsets[mid] <= row) lo = mid;
    else hi = mid;
  }
  start = offsets[lo];
  end = offsets[lo + 1];
}

__global__ void seq2col_kernel(const float* x, std::int64_t n, std::int64_t width, std::int64_t window,
                               const std::int64_t* offsets, std::int64_t docs, float* out) {
  const std::int64_t span = 2 * window + 1;
  const std::int64_t row_len = span * width;
  for (std::int64_t t = cuda::global_thread(); t < n * row_len; t += cuda::grid_threads()) {
    const std::int64_t i = t / row_len;
    const std::int64_t rem = t % row_len;
    const std::int64_t src = i + rem / width - window;
    std::int64_t start, end;
    document_of(offsets, docs, i, start, end);
    out[t] = src >= start && src < end ? x[src * width + rem % width] : 0.f;
  }
}

__global__ void backprop_seq2col_kernel(const float* dy, std::int64_t n, std::int64_t width, std::int64_t window,
                                        const std::int64_t* offsets, std::int64_t docs, float* dx) {
  const std::int64_t span = 2 * window + 1;
  for (std::int64_t t = cuda::global_thread(); t < n * width; t += cuda::grid_threads()) {
    const std::int64_t j = t / width;
    const std::int64_t c = t % width;
    std::int64_t start, end;
    document_of(offsets, docs, j, start, end);
    float sum = 0.f;
    for (std::int64_t o = -window; o <= window; ++o) {
      const std::int64_t i = j - o;  // row i copied x[j] into its block o
      if (i >= start && i < end) sum += dy[(i * span + o + window) * width + c];
    }
    dx[t] = sum;
  }
}

// Running offsets of the documents on the device; lengths were validated by check::seq2col.
struct DocOffsets {
  cuda::DeviceBuffer buffer;
  std::int64_t docs;
};

DocOffsets upload_offsets(int device_index, const char* op, const Tensor& lengths) {
  const std::int32_t* len = lengths.data<std::int32_t>();
  std::vector<std::int64_t> offsets(1, 0);
  offsets.reserve(static_cast<std::size_t>(lengths.numel()) + 1);
  // Empty documents hold no rows; dropping them keeps the binary search's invariant strict.
  for (std::int64_t d = 0; d < lengths.numel(); ++d)
    if (len[d] > 0) offsets.push_back(offsets.back() + len[d]);
  DocOffsets result{cuda::DeviceBuffer(device_index, offsets.size() * sizeof(std::int64_t)),
                    static_cast<std::int64_t>(offsets.size()) - 1};
  // From pageable memory this returns once the data is staged, so `offsets` may go out of scope.
  cuda_check(cudaMemcpyAsync(result.buffer.as<void>(), offsets.data(), offsets.size() * sizeof(std::int64_t),
                             cudaMemcpyHostToDevice, 0),
             op, "cudaMemcpyAsync");
  return result;
}

}  // namespace

void CudaOps::seq2col(const Tensor& x, int n_window, const Tensor& lengths, Tensor& out) {
  const check::Rows r = check::seq2col("seq2col", device(), x, n_window, lengths, out);
  if (r.n == 0 || r.width == 0) return;
  DeviceGuard guard(index_, "seq2col");
  const DocOffsets docs = upload_offsets(index_, "seq2col", lengths);
  seq2col_kernel<<<cuda::blocks_for(out.numel()), cuda::kBlock>>>(x.data<float>(), r.n, r.width, n_window,
                                                                  docs.buffer.as<std::int64_t>(), docs.docs,
                                                                  out.data<float>());
  cuda_check_launch("seq2col");
}

void CudaOps::backprop_seq2col(const Tensor& dy, int n_window, const Tensor& lengths, Tensor& dx) {
  const check::Rows r = check::seq2col("backprop_seq2col", device(), dx, n_window, lengths, dy);
  if (r.n == 0 || r.width == 0) return;
  DeviceGuard guard(index_, "backprop_seq2col");
  const DocOffsets docs = upload_offsets(index_, "backprop_seq2col", lengths);
  backprop_seq2col_kernel<<<cuda::blocks_for(dx.numel()), cuda::kBlock>>>(dy.data<float>(), r.n, r.width, n_window,
                                                                          docs.buffer.as<std::int64_t>(), docs.docs,
                                                                          dx.data<float>());
  cuda_check_launch("backprop_seq2col");
}

}  // namespace weft::backend
