// ChunkCache: memoises how the tokenizer splits a whitespace-delimited chunk, as spaCy's tokenizer
// does, so that a word seen before costs one hash and one probe. Open addressing keyed by the chunk's
// 64-bit hash, with the chunk bytes kept for an exact comparison (a hash collision can never change
// tokenization). Memory is bounded: when the table is full it starts over.
// One cache belongs to one thread (see Tokenizer), so it needs no locking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "weft/strings/hash.hpp"

namespace weft {

// One token of a cached chunk: its byte range inside the chunk, its orth hash, TokenFlag bits and the
// norm id of a special-case piece (SpecialTable; 0 = none). 16 bytes.
struct ChunkPiece {
  hash_t orth = 0;
  std::uint16_t start = 0;
  std::uint16_t len = 0;
  std::uint8_t flags = 0;
  std::uint16_t norm = 0;
};
static_assert(sizeof(ChunkPiece) == 16);

class ChunkCache {
 public:
  // Chunks longer than this are not cached (they are rare and their cost is linear anyway).
  static constexpr std::size_t kMaxChunk = 256;

  explicit ChunkCache(std::size_t max_entries);

  // The pieces of `chunk` (whose hash_string is `h`), or an empty span when it is not cached.
  std::span<const ChunkPiece> find(hash_t h, std::string_view chunk) const noexcept {
    std::size_t i = static_cast<std::size_t>(h) & mask_;
    for (;;) {
      const Slot& s = slots_[i];
      if (s.n_pieces == 0) return {};
      if (s.hash == h && s.key_len == chunk.size() && same_bytes(keys_.data() + s.key_pos, chunk.data(), chunk.size()))
        return {pieces_.data() + s.piece_pos, s.n_pieces};
      i = (i + 1) & mask_;
    }
  }
  // Whether the n bytes at a and b are equal. Inline word compares instead of a memcmp call: most chunks
  // are a few bytes, where the call and its dispatch cost more than the compare (memcmp was a tenth of
  // the warm tokenizer's time). Reads stay inside [a, a+n) and [b, b+n).
  static bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
    if (n >= 8) {
      std::size_t i = 0;
      for (; i + 8 <= n; i += 8)
        if (load<std::uint64_t>(a + i) != load<std::uint64_t>(b + i)) return false;
      return i == n || load<std::uint64_t>(a + n - 8) == load<std::uint64_t>(b + n - 8);
    }
    if (n >= 4)
      return load<std::uint32_t>(a) == load<std::uint32_t>(b) &&
             load<std::uint32_t>(a + n - 4) == load<std::uint32_t>(b + n - 4);
    if (n == 0) return true;
    // 1 to 3 bytes: the first, middle and last cover them all.
    return a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1];
  }
  template <class T>
  static T load(const char* p) noexcept {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  // Stores the pieces of `chunk` (at most kMaxChunk bytes, at least one piece).
  void insert(hash_t h, std::string_view chunk, std::span<const ChunkPiece> pieces);
  std::size_t size() const noexcept { return size_; }
  void clear();

 private:
  struct Slot {
    hash_t hash = 0;
    std::uint32_t key_pos = 0;
    std::uint32_t piece_pos = 0;
    std::uint16_t key_len = 0;
    std::uint16_t n_pieces = 0;  // 0 marks an empty slot
  };
  void grow();
  std::size_t max_entries_;
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
  std::string keys_;
  std::vector<ChunkPiece> pieces_;
};

}  // namespace weft
