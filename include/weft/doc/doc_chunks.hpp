// How the inference paths work through a batch: a few hundred words at a time, so that their
// intermediate rows stay in the cache and their memory is bounded whatever the length of a Doc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace weft {

// Chunks of about chunk_words words: consecutive whole Docs while they fit, a longer Doc alone. A Doc
// longer than split_words is cut (for_each_chunk), so that memory stays bounded; shorter ones are never
// cut, which keeps their results exactly as they were before long Docs were cut (the transition
// components score the states of a chunk in lockstep, and a product rounds differently with its
// number of rows).
struct InferenceChunking {
  std::int64_t chunk_words = 512;
  std::int64_t split_words = 4096;
  // What one pass of a network's layers takes at once where they run unfolded (on a GPU, or the
  // encoder's layers on the CPU before prepare_inference): Docs are grouped up to this many words, and
  // a longer Doc is cut into runs of whole sentences (a longer sentence into windows overlapping by
  // the encoder's reach), so device memory is bounded by it, not by the length of a Doc. On a GPU the
  // passes should be large (tens of thousands of rows keep it busy); 65,536 words of the shipped
  // parser's precomputed rows are 256 MB.
  std::int64_t device_words = 65536;
};
// Process-wide; set_inference_chunking is for tests and benchmarks (ValueError below 1 word).
// The chunking of the unfolded layers path: device_words for both chunk_words and split_words.
InferenceChunking device_chunking() noexcept;

// Whether the networks take the paths they take on a GPU wherever their model is (process-wide, off
// by default): the encoder's layers instead of its folded tables, the transition components' states
// scored through the backend's ops (ParserModel::DeviceRows), the classifiers' argmax through
// argmax_segments, the lemmatizer's rows gathered by an op. On a GPU they are always taken; on the CPU
// this runs them through the CPU's ops, which is how the tests check what a GPU runs without one.
bool device_paths() noexcept;
void set_device_paths(bool on) noexcept;
InferenceChunking inference_chunking() noexcept;
void set_inference_chunking(InferenceChunking chunking);

// Tokens [begin, end) of docs[doc]; row: the batch row of token `begin` (words of the Docs before it).
struct DocRun {
  std::size_t doc = 0;
  std::int64_t begin = 0, end = 0, row = 0;
  std::int64_t size() const noexcept { return end - begin; }
};

// Calls fn(chunk, first_row, words) for consecutive groups `chunk` of `docs` of at most max_words words
// together (a longer Doc forms a group alone); first_row: the number of words before the group.
// Groups without words are skipped.
template <class D, class Fn>
void for_each_doc_chunk(std::span<D> docs, std::int64_t max_words, Fn&& fn) {
  std::size_t first = 0;
  std::int64_t row = 0;
  while (first < docs.size()) {
    std::size_t last = first;
    std::int64_t n = 0;
    while (last < docs.size() && (last == first || n + static_cast<std::int64_t>(docs[last].size()) <= max_words))
      n += static_cast<std::int64_t>(docs[last++].size());
    if (n > 0) fn(docs.subspan(first, last - first), row, n);
    row += n;
    first = last;
  }
}

// Calls fn(std::span<const DocRun>) for each chunk of the batch, in order: the groups of
// for_each_doc_chunk as runs over whole Docs, except that a Doc longer than c.split_words gives
// chunks of one run each, made of consecutive units of at most c.chunk_words words together (a longer
// unit alone). A unit is what the caller processes independently of the rest of the Doc (a sentence):
// unit_start(doc, i) tells whether token i > 0 of the Doc starts one. Empty Docs are skipped.
template <class D, class UnitStart, class Fn>
void for_each_chunk(std::span<D> docs, const InferenceChunking& c, UnitStart&& unit_start, Fn&& fn) {
  std::vector<DocRun> runs;
  std::int64_t words = 0, row = 0;
  const auto flush = [&] {
    if (!runs.empty()) fn(std::span<const DocRun>(runs));
    runs.clear();
    words = 0;
  };
  for (std::size_t k = 0; k < docs.size(); ++k) {
    const auto n = static_cast<std::int64_t>(docs[k].size());
    if (n == 0) continue;
    if (n <= c.split_words) {
      if (!runs.empty() && words + n > c.chunk_words) flush();
      runs.push_back({k, 0, n, row});
      words += n;
      if (words >= c.chunk_words) flush();
    } else {
      flush();
      std::int64_t begin = 0;  // the current run: units [begin, unit)
      for (std::int64_t unit = 0; unit < n;) {
        std::int64_t next = unit + 1;
        while (next < n && !unit_start(docs[k], static_cast<std::size_t>(next))) ++next;
        if (next - begin > c.chunk_words && unit > begin) {
          runs.push_back({k, begin, unit, row + begin});
          flush();
          begin = unit;
        }
        unit = next;
      }
      runs.push_back({k, begin, n, row + begin});
      flush();
    }
    row += n;
  }
  flush();
}

}  // namespace weft
