#include "device_memory.hpp"

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

#include "cuda_module.hpp"

namespace weft::backend {

namespace {

// A cache of freed CPU blocks by size class, so the per-batch layer outputs (multi-megabyte tensors)
// reuse memory instead of mapping fresh pages and faulting on every first touch. Each block carries a
// header holding its class; classes are four per power of two (waste below 25%). Bounded: blocks
// beyond kCacheLimit cached bytes go back to the system.
constexpr std::size_t kHeader = kCpuAlignment;  // keeps the caller's pointer aligned
constexpr std::size_t kCacheLimit = std::size_t{256} << 20;

struct CpuBlockCache {
  std::mutex mutex;
  std::unordered_map<std::size_t, std::vector<void*>> free_blocks;
  std::size_t cached_bytes = 0;
};

// Never destroyed: tensors held by static objects may be freed during static destruction.
CpuBlockCache& block_cache() {
  static CpuBlockCache* cache = new CpuBlockCache();
  return *cache;
}

std::size_t size_class(std::size_t bytes) {
  if (bytes <= 4096) return std::max(kCpuAlignment, (bytes + kCpuAlignment - 1) / kCpuAlignment * kCpuAlignment);
  const std::size_t step = std::bit_floor(bytes) / 4;
  return (bytes + step - 1) / step * step;
}

void* cpu_alloc(std::size_t bytes) {
  const std::size_t cls = size_class(bytes);
  CpuBlockCache& cache = block_cache();
  {
    std::lock_guard lock(cache.mutex);
    auto it = cache.free_blocks.find(cls);
    if (it != cache.free_blocks.end() && !it->second.empty()) {
      void* raw = it->second.back();
      it->second.pop_back();
      cache.cached_bytes -= cls;
      return static_cast<char*>(raw) + kHeader;
    }
  }
  void* raw = std::aligned_alloc(kCpuAlignment, cls + kHeader);
  if (raw == nullptr) {
    // Give the cached blocks back and try once more before failing.
    std::lock_guard lock(cache.mutex);
    for (auto& [_, blocks] : cache.free_blocks)
      for (void* b : blocks) std::free(b);
    cache.free_blocks.clear();
    cache.cached_bytes = 0;
    raw = std::aligned_alloc(kCpuAlignment, cls + kHeader);
    if (raw == nullptr) throw std::bad_alloc();
  }
  *static_cast<std::size_t*>(raw) = cls;
  return static_cast<char*>(raw) + kHeader;
}

void cpu_free(void* ptr) noexcept {
  void* raw = static_cast<char*>(ptr) - kHeader;
  const std::size_t cls = *static_cast<std::size_t*>(raw);
  CpuBlockCache& cache = block_cache();
  {
    std::lock_guard lock(cache.mutex);
    if (cache.cached_bytes + cls <= kCacheLimit) {
      try {
        cache.free_blocks[cls].push_back(raw);
        cache.cached_bytes += cls;
        return;
      } catch (...) {  // no memory for the list entry: release the block instead
      }
    }
  }
  std::free(raw);
}

}  // namespace

void* device_alloc(Device device, std::size_t bytes) {
  if (device.is_cuda()) return cuda_module(device).alloc(device.index, bytes);
  return cpu_alloc(bytes);
}

void device_free(Device device, void* ptr) noexcept {
  if (ptr == nullptr) return;
  if (device.is_cuda()) {
    // CUDA memory exists only once the module has handed it out.
    if (const CudaModule* cuda = loaded_cuda_module()) cuda->free(device.index, ptr);
    return;
  }
  cpu_free(ptr);
}

void device_copy(void* dst, Device dst_device, const void* src, Device src_device, std::size_t bytes) {
  if (bytes == 0) return;
  if (dst_device.is_cuda() || src_device.is_cuda()) {
    cuda_module(dst_device.is_cuda() ? dst_device : src_device).copy(dst, dst_device, src, src_device, bytes);
    return;
  }
  std::memmove(dst, src, bytes);
}

void device_memset_zero(Device device, void* ptr, std::size_t bytes) {
  if (bytes == 0) return;
  if (device.is_cuda()) {
    cuda_module(device).zero(device.index, ptr, bytes);
    return;
  }
  std::memset(ptr, 0, bytes);
}

}  // namespace weft::backend
