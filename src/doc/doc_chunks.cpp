#include "weft/doc/doc_chunks.hpp"

#include <atomic>

#include "weft/error.hpp"

namespace weft {

namespace {

std::atomic<std::int64_t> g_chunk_words{InferenceChunking{}.chunk_words};
std::atomic<std::int64_t> g_split_words{InferenceChunking{}.split_words};
std::atomic<std::int64_t> g_device_words{InferenceChunking{}.device_words};

}  // namespace

InferenceChunking inference_chunking() noexcept {
  return {g_chunk_words.load(std::memory_order_relaxed), g_split_words.load(std::memory_order_relaxed),
          g_device_words.load(std::memory_order_relaxed)};
}

namespace {
std::atomic<bool> g_device_paths{false};
}  // namespace

bool device_paths() noexcept { return g_device_paths.load(std::memory_order_relaxed); }
void set_device_paths(bool on) noexcept { g_device_paths.store(on, std::memory_order_relaxed); }

InferenceChunking device_chunking() noexcept {
  const std::int64_t n = g_device_words.load(std::memory_order_relaxed);
  return {n, n, n};
}

void set_inference_chunking(InferenceChunking chunking) {
  if (chunking.chunk_words < 1 || chunking.split_words < 1 || chunking.device_words < 1)
    throw ValueError("inference chunking: chunk_words, split_words and device_words must be at least 1");
  g_chunk_words.store(chunking.chunk_words, std::memory_order_relaxed);
  g_split_words.store(chunking.split_words, std::memory_order_relaxed);
  g_device_words.store(chunking.device_words, std::memory_order_relaxed);
}

}  // namespace weft
