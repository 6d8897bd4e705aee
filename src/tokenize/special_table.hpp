// SpecialTable: exact-match lookup of a tokenizer's special cases ("don't" -> "do" "n't"). Lookups take
// a string_view and allocate nothing; texts longer than the longest special case are rejected before
// hashing, which keeps the checks on long chunk remainders O(1).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "weft/strings/hash.hpp"
#include "weft/tokenize/tokenizer_rules.hpp"

namespace weft {

class SpecialTable {
 public:
  explicit SpecialTable(const std::vector<SpecialCase>& cases);
  // The special case whose text is exactly `s`, or nullptr. A later entry with the same text wins.
  const SpecialCase* find(std::string_view s) const noexcept {
    if (s.size() > max_len_ || s.size() < min_len_) return nullptr;
    auto it = index_.find(s);
    return it == index_.end() ? nullptr : &cases_[it->second];
  }
  bool empty() const noexcept { return index_.empty(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return hash_string(s); }
  };
  std::vector<SpecialCase> cases_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> index_;
  std::size_t min_len_ = 1;
  std::size_t max_len_ = 0;
};

}  // namespace weft
