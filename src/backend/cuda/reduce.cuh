// Deterministic reductions for the CUDA ops: column sums over the rows of a matrix (bias and
// layer-norm parameter gradients) and the sum of a whole array into one double (gradient norms,
// losses). Both split the work in a fixed way that depends only on the sizes and add partial results
// in a fixed order, so a run repeats bit for bit; no floating-point atomics.
#pragma once

#include <cstdint>

#include "cuda_check.cuh"
#include "launch.cuh"

namespace weft::backend::cuda {

// Chunks of rows per column sum: enough for the GPU to be busy at 100k rows, few enough that the
// final pass over the partials is short.
inline constexpr std::int64_t kMaxRowChunks = 256;
inline constexpr std::int64_t kMinRowsPerChunk = 32;

// partials[chunk, j] = sum over the chunk's rows i of f(i, j).
template <class F>
__global__ void column_partials(std::int64_t n, std::int64_t width, std::int64_t rows_per_chunk, F f, float* partials) {
  const std::int64_t j = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (j >= width) return;
  const std::int64_t chunk = blockIdx.y;
  const std::int64_t begin = chunk * rows_per_chunk;
  const std::int64_t end = begin + rows_per_chunk < n ? begin + rows_per_chunk : n;
  float sum = 0.f;
  for (std::int64_t i = begin; i < end; ++i) sum += f(i, j);
  partials[chunk * width + j] = sum;
}

// Templates (not inline functions, which nvcc rejects for kernels) so every op file may include this.
template <class T>
__global__ void column_finish(const T* partials, std::int64_t chunks, std::int64_t width, T* out, bool accumulate) {
  for (std::int64_t j = global_thread(); j < width; j += grid_threads()) {
    T sum = 0;
    for (std::int64_t c = 0; c < chunks; ++c) sum += partials[c * width + j];
    out[j] = accumulate ? out[j] + sum : sum;
  }
}

// out[j] (+)= sum_i f(i, j) for an [n, width] domain; f is a device functor (i, j) -> float.
template <class F>
void column_sum(int device_index, const char* op, std::int64_t n, std::int64_t width, F f, float* out, bool accumulate) {
  if (width == 0) return;
  if (n == 0) {
    if (!accumulate) cuda_check(cudaMemsetAsync(out, 0, static_cast<std::size_t>(width) * sizeof(float), 0), op, "cudaMemsetAsync");
    return;
  }
  std::int64_t chunks = (n + kMinRowsPerChunk - 1) / kMinRowsPerChunk;
  if (chunks > kMaxRowChunks) chunks = kMaxRowChunks;
  const std::int64_t rows_per_chunk = (n + chunks - 1) / chunks;
  chunks = (n + rows_per_chunk - 1) / rows_per_chunk;
  DeviceBuffer partials(device_index, static_cast<std::size_t>(chunks * width) * sizeof(float));
  const dim3 grid(static_cast<unsigned>((width + kBlock - 1) / kBlock), static_cast<unsigned>(chunks));
  column_partials<<<grid, kBlock>>>(n, width, rows_per_chunk, f, partials.as<float>());
  cuda_check_launch(op);
  column_finish<<<blocks_for(width), kBlock>>>(partials.as<float>(), chunks, width, out, accumulate);
  cuda_check_launch(op);
}

inline constexpr unsigned kSumBlocks = 256;  // fixed, so the split (and the rounding) never varies

// Block-wide sum of one double per thread; the result is valid in thread 0.
__device__ inline double block_sum(double v) {
  __shared__ double warp_sums[kWarpsPerBlock];
  v = warp_sum(v);
  if (lane() == 0) warp_sums[threadIdx.x / kWarp] = v;
  __syncthreads();
  double total = 0.0;
  if (threadIdx.x < kWarp) {
    total = threadIdx.x < kWarpsPerBlock ? warp_sums[threadIdx.x] : 0.0;
    total = warp_sum(total);
  }
  __syncthreads();  // warp_sums may be reused by a following call
  return total;
}

template <class F>
__global__ void total_partials(std::int64_t n, F f, double* partials) {
  double sum = 0.0;
  for (std::int64_t i = global_thread(); i < n; i += grid_threads()) sum += f(i);
  sum = block_sum(sum);
  if (threadIdx.x == 0) partials[blockIdx.x] = sum;
}

template <class T>
__global__ void total_finish(const T* partials, unsigned count, T* out) {
  T sum = 0;
  for (unsigned i = threadIdx.x; i < count; i += blockDim.x) sum += partials[i];
  sum = block_sum(sum);
  if (threadIdx.x == 0) *out = sum;
}

// sum over i < n of f(i) (a device functor i -> double), returned to the host; waits for the device.
template <class F>
double total_sum(int device_index, const char* op, std::int64_t n, F f) {
  if (n == 0) return 0.0;
  DeviceBuffer partials(device_index, (kSumBlocks + 1) * sizeof(double));
  double* result = partials.as<double>() + kSumBlocks;
  total_partials<<<kSumBlocks, kBlock>>>(n, f, partials.as<double>());
  cuda_check_launch(op);
  total_finish<<<1, kBlock>>>(partials.as<double>(), kSumBlocks, result);
  cuda_check_launch(op);
  double host = 0.0;
  cuda_check(cudaMemcpy(&host, result, sizeof(double), cudaMemcpyDeviceToHost), op, "cudaMemcpy");
  return host;
}

}  // namespace weft::backend::cuda
