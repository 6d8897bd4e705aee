// SpecialTable: exact-match lookup of a tokenizer's special cases ("don't" -> "do" "n't"). Lookups take
// a string_view and allocate nothing; texts longer than the longest special case are rejected before
// hashing, which keeps the checks on long chunk remainders O(1). Pieces with a norm (spaCy's NORM) get
// a small id (1-based; 0 = none) that the chunk cache can hold in place of the string.
#pragma once

#include <cstddef>
#include <cstdint>
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
  // The norm id of piece k of `sc` (a case this table returned); 0 when the piece has no norm.
  std::uint16_t norm_id(const SpecialCase* sc, std::size_t k) const noexcept {
    return piece_norms_[first_piece_[static_cast<std::size_t>(sc - cases_.data())] + k];
  }
  const std::string& norm(std::uint16_t id) const noexcept { return norms_[id]; }
  bool has_norms() const noexcept { return norms_.size() > 1; }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return hash_string(s); }
  };
  std::vector<SpecialCase> cases_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> index_;
  std::vector<std::size_t> first_piece_;     // per case: its first entry in piece_norms_
  std::vector<std::uint16_t> piece_norms_;   // per piece: its norm id
  std::vector<std::string> norms_{std::string()};  // by id; [0] = none
  std::size_t min_len_ = 1;
  std::size_t max_len_ = 0;
};

}  // namespace weft
