// Launch helpers shared by the CUDA kernels: grid sizes for grid-stride loops, warp-per-row indexing,
// warp reductions, and DeviceBuffer, the RAII temporary an op needs for partial results. Every kernel
// uses a grid-stride loop over 64-bit indices, so any size runs with a bounded grid.
#pragma once

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

#include "memory.cuh"

namespace weft::backend::cuda {

inline constexpr int kBlock = 256;       // threads per block everywhere
inline constexpr int kWarp = 32;
inline constexpr int kWarpsPerBlock = kBlock / kWarp;
inline constexpr std::int64_t kMaxBlocks = 65536;  // grid-stride loops cover the rest

// Blocks for `n` independent items of a grid-stride loop (never 0: callers skip empty work first).
inline unsigned blocks_for(std::int64_t n) {
  std::int64_t b = (n + kBlock - 1) / kBlock;
  if (b < 1) b = 1;
  return static_cast<unsigned>(b < kMaxBlocks ? b : kMaxBlocks);
}

// Blocks for `rows` rows handled by one warp each.
inline unsigned blocks_for_rows(std::int64_t rows) {
  std::int64_t b = (rows + kWarpsPerBlock - 1) / kWarpsPerBlock;
  if (b < 1) b = 1;
  return static_cast<unsigned>(b < kMaxBlocks ? b : kMaxBlocks);
}

__device__ inline std::int64_t global_thread() {
  return static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ inline std::int64_t grid_threads() { return static_cast<std::int64_t>(gridDim.x) * blockDim.x; }
// The warp's row and the stride between a warp's rows; uniform across a warp, so whole warps enter the
// loop together and the full-mask shuffles below are safe.
__device__ inline std::int64_t global_warp() { return global_thread() / kWarp; }
__device__ inline std::int64_t grid_warps() { return grid_threads() / kWarp; }
__device__ inline int lane() { return static_cast<int>(threadIdx.x % kWarp); }

template <class T>
__device__ inline T warp_sum(T v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
  return v;
}

template <class T>
__device__ inline T warp_max(T v) {
  for (int offset = kWarp / 2; offset > 0; offset /= 2) {
    const T other = __shfl_xor_sync(0xffffffffu, v, offset);
    v = other > v ? other : v;
  }
  return v;
}

// Device memory for an op's temporaries, from the caching allocator. Freed on the host as soon as the
// op has queued its kernels: every kernel runs on the legacy default stream, so a later reuse of the
// block is ordered after them.
class DeviceBuffer {
 public:
  DeviceBuffer(int index, std::size_t bytes) : index_(index), ptr_(cuda_memory_alloc(index, bytes)) {}
  ~DeviceBuffer() { cuda_memory_free(index_, ptr_); }
  DeviceBuffer(DeviceBuffer&& other) noexcept : index_(other.index_), ptr_(other.ptr_) { other.ptr_ = nullptr; }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(DeviceBuffer&&) = delete;
  template <class T> T* as() const noexcept { return static_cast<T*>(ptr_); }

 private:
  int index_;
  void* ptr_;
};

}  // namespace weft::backend::cuda
