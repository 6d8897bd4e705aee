// The dependents of every word of a tree given as a head vector (heads[w] = w's head, a root is its
// own head), each list in word order: one counting sort by head. The parser's oracle and the
// pseudo-projective search both walk trees downwards.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace weft {

class Children {
 public:
  Children() = default;
  explicit Children(const std::vector<std::int32_t>& heads) : begin_(heads.size() + 1, 0) {
    const auto n = static_cast<std::int32_t>(heads.size());
    for (std::int32_t i = 0; i < n; ++i)
      if (heads[i] != i) ++begin_[heads[i] + 1];
    for (std::int32_t i = 0; i < n; ++i) begin_[i + 1] += begin_[i];
    kids_.resize(static_cast<std::size_t>(begin_[n]));
    std::vector<std::int32_t> fill(begin_.begin(), begin_.end() - 1);
    for (std::int32_t i = 0; i < n; ++i)
      if (heads[i] != i) kids_[fill[heads[i]]++] = i;
  }
  // The dependents of `word` (itself excluded), left to right.
  std::span<const std::int32_t> of(std::int32_t word) const noexcept {
    return std::span<const std::int32_t>(kids_).subspan(begin_[word], begin_[word + 1] - begin_[word]);
  }

 private:
  std::vector<std::int32_t> begin_, kids_;  // dependents of w: kids_[begin_[w] .. begin_[w + 1])
};

}  // namespace weft
