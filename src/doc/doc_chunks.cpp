#include "weft/doc/doc_chunks.hpp"

#include <atomic>

#include "weft/error.hpp"

namespace weft {

namespace {

std::atomic<std::int64_t> g_chunk_words{InferenceChunking{}.chunk_words};
std::atomic<std::int64_t> g_split_words{InferenceChunking{}.split_words};

}  // namespace

InferenceChunking inference_chunking() noexcept {
  return {g_chunk_words.load(std::memory_order_relaxed), g_split_words.load(std::memory_order_relaxed)};
}

void set_inference_chunking(InferenceChunking chunking) {
  if (chunking.chunk_words < 1 || chunking.split_words < 1)
    throw ValueError("inference chunking: chunk_words and split_words must be at least 1");
  g_chunk_words.store(chunking.chunk_words, std::memory_order_relaxed);
  g_split_words.store(chunking.split_words, std::memory_order_relaxed);
}

}  // namespace weft
