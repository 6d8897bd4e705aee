// CUDA device memory (memory.cuh): a caching allocator per device, because cudaMalloc and cudaFree
// synchronise the whole device and cost tens of microseconds, which would dominate small batches.
// Freed blocks are kept in free lists by size class and handed out again; cudaMalloc runs only when a
// class's list is empty. Every kernel runs on the legacy default stream, so a block freed on the host
// while a kernel still reads it is reused only by work queued after that kernel: no events needed.
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "cuda_check.cuh"
#include "memory.cuh"

namespace weft::backend {

namespace {

// Size classes: four per power of two from 512 bytes (at most 25% slack), so a batch of slightly
// different size reuses the blocks of the last one instead of allocating anew.
std::size_t size_class(std::size_t bytes) {
  constexpr std::size_t kMin = 512;
  if (bytes <= kMin) return kMin;
  std::size_t octave = kMin;
  while (octave * 2 < bytes) octave *= 2;
  const std::size_t step = octave / 4;
  return (bytes + step - 1) / step * step;
}

class Pool {
 public:
  explicit Pool(int index) : index_(index) {}

  void* allocate(std::size_t bytes) {
    const std::size_t cls = size_class(bytes);
    std::lock_guard lock(mutex_);
    auto it = free_.find(cls);
    if (it != free_.end() && !it->second.empty()) {
      void* p = it->second.back();
      it->second.pop_back();
      note_live(p, cls);
      return p;
    }
    DeviceGuard guard(index_, "cuda alloc");
    void* p = nullptr;
    cudaError_t status = cudaMalloc(&p, cls);
    if (status == cudaErrorMemoryAllocation) {
      // Cached blocks of other classes may be what is missing: give them back and try once more.
      cudaGetLastError();
      release_cached();
      status = cudaMalloc(&p, cls);
    }
    if (status != cudaSuccess) {
      cudaGetLastError();
      throw CudaError("cuda alloc: cudaMalloc of " + std::to_string(cls) + " bytes on cuda:" + std::to_string(index_) +
                      " failed: " + cudaGetErrorName(status) + " (" + cudaGetErrorString(status) + ")");
    }
    reserved_ += cls;
    note_live(p, cls);
    return p;
  }

  DeviceMemoryStats stats() {
    std::lock_guard lock(mutex_);
    return {in_use_, peak_, reserved_};
  }
  void reset_peak() {
    std::lock_guard lock(mutex_);
    peak_ = in_use_;
  }

  void release(void* p) noexcept {
    std::lock_guard lock(mutex_);
    auto it = live_.find(p);
    if (it == live_.end()) return;  // not ours: never hand foreign memory to cudaFree from a noexcept path
    try {
      free_[it->second].push_back(p);
    } catch (const std::bad_alloc&) {
      cudaFree(p);  // keeping it would need memory we do not have; returning it is always correct
      reserved_ -= it->second;
    }
    in_use_ -= it->second;
    live_.erase(it);
  }

 private:
  // Called with mutex_ held. cudaFree waits for the device, so queued kernels finish with the blocks first.
  void release_cached() {
    for (auto& [cls, blocks] : free_)
      for (void* p : blocks) {
        cudaFree(p);
        reserved_ -= cls;
      }
    free_.clear();
  }
  // Called with mutex_ held.
  void note_live(void* p, std::size_t cls) {
    live_.emplace(p, cls);
    in_use_ += cls;
    if (in_use_ > peak_) peak_ = in_use_;
  }

  int index_;
  std::mutex mutex_;
  std::map<std::size_t, std::vector<void*>> free_;
  std::unordered_map<void*, std::size_t> live_;
  // Bytes of the blocks handed out (by size class), their most since the last reset_peak, and all the
  // bytes cudaMalloc'ed and not yet returned (handed out and cached).
  std::size_t in_use_ = 0, peak_ = 0, reserved_ = 0;
};

Pool& pool(int index) {
  static std::mutex mutex;
  // Never destroyed: at exit the CUDA context may already be gone, and the driver reclaims the memory.
  static auto* pools = new std::map<int, Pool*>();
  std::lock_guard lock(mutex);
  auto [it, inserted] = pools->try_emplace(index, nullptr);
  if (inserted) it->second = new Pool(index);
  return *it->second;
}

}  // namespace

void* cuda_memory_alloc(int index, std::size_t bytes) { return pool(index).allocate(bytes); }

DeviceMemoryStats cuda_memory_stats(int index) { return pool(index).stats(); }
void cuda_memory_reset_peak(int index) { pool(index).reset_peak(); }

void cuda_memory_free(int index, void* ptr) noexcept {
  if (ptr != nullptr) pool(index).release(ptr);
}

void cuda_memory_copy(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes) {
  if (bytes == 0) return;
  DeviceGuard guard(dst_device.is_cuda() ? dst_device.index : src_device.index, "cuda copy");
  if (dst_device.is_cuda() && src_device.is_cuda() && dst_device.index != src_device.index) {
    cuda_check(cudaMemcpyPeer(dst, dst_device.index, src, src_device.index, bytes), "cuda copy", "cudaMemcpyPeer");
  } else {
    // Unified addressing tells the runtime which side each pointer is on.
    cuda_check(cudaMemcpy(dst, src, bytes, cudaMemcpyDefault), "cuda copy", "cudaMemcpy");
  }
  // A device-to-device copy may return before it runs; that is enough, since it is ordered before every
  // later kernel and copy touching either device, and the host cannot read device memory directly.
}

void cuda_memory_zero(int index, void* ptr, std::size_t bytes) {
  if (bytes == 0) return;
  DeviceGuard guard(index, "cuda zero");
  // Queued on the legacy default stream, so it is ordered before every later kernel and copy.
  cuda_check(cudaMemsetAsync(ptr, 0, bytes, 0), "cuda zero", "cudaMemsetAsync");
}

}  // namespace weft::backend
