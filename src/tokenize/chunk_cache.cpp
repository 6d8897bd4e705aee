#include "chunk_cache.hpp"

#include <algorithm>

namespace weft {
namespace {
constexpr std::size_t kInitialSlots = 1024;
}

ChunkCache::ChunkCache(std::size_t max_entries) : max_entries_(std::max<std::size_t>(max_entries, 16)) {
  slots_.resize(kInitialSlots);
  mask_ = slots_.size() - 1;
}

void ChunkCache::clear() {
  slots_.assign(kInitialSlots, Slot{});
  mask_ = slots_.size() - 1;
  size_ = 0;
  keys_.clear();
  pieces_.clear();
}

void ChunkCache::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  mask_ = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.n_pieces == 0) continue;
    std::size_t i = static_cast<std::size_t>(s.hash) & mask_;
    while (slots_[i].n_pieces != 0) i = (i + 1) & mask_;
    slots_[i] = s;
  }
}

void ChunkCache::insert(hash_t h, std::string_view chunk, std::span<const ChunkPiece> pieces) {
  if (chunk.size() > kMaxChunk || pieces.empty() || pieces.size() > UINT16_MAX) return;
  // Starting over when full bounds memory; the words that matter come back within a few documents.
  if (size_ >= max_entries_) clear();
  if ((size_ + 1) * 2 > slots_.size()) grow();
  std::size_t i = static_cast<std::size_t>(h) & mask_;
  while (slots_[i].n_pieces != 0) {
    const Slot& s = slots_[i];
    if (s.hash == h && s.key_len == chunk.size() && same_bytes(keys_.data() + s.key_pos, chunk.data(), chunk.size())) {
      return;  // already there
    }
    i = (i + 1) & mask_;
  }
  Slot& s = slots_[i];
  s.hash = h;
  s.key_pos = static_cast<std::uint32_t>(keys_.size());
  s.key_len = static_cast<std::uint16_t>(chunk.size());
  s.piece_pos = static_cast<std::uint32_t>(pieces_.size());
  s.n_pieces = static_cast<std::uint16_t>(pieces.size());
  keys_.append(chunk);
  pieces_.insert(pieces_.end(), pieces.begin(), pieces.end());
  ++size_;
}

}  // namespace weft
