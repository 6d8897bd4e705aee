// Consecutive groups of Docs of bounded size, for the inference paths that work a few hundred words
// at a time so that their intermediate rows stay in the cache.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace weft {

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

}  // namespace weft
