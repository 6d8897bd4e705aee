#include "special_table.hpp"

#include <algorithm>

#include "weft/error.hpp"

namespace weft {

SpecialTable::SpecialTable(const std::vector<SpecialCase>& cases) : cases_(cases) {
  index_.reserve(cases_.size());
  min_len_ = SIZE_MAX;
  for (std::size_t i = 0; i < cases_.size(); ++i) {
    if (!cases_[i].pieces.empty()) cases_[i].pieces.back().mwt = false;  // nothing follows inside the case
    index_[cases_[i].text] = i;
    min_len_ = std::min(min_len_, cases_[i].text.size());
    max_len_ = std::max(max_len_, cases_[i].text.size());
  }
  if (cases_.empty()) min_len_ = 1;
  std::unordered_map<std::string_view, std::uint16_t> ids;
  first_piece_.reserve(cases_.size());
  for (const SpecialCase& sc : cases_) {
    first_piece_.push_back(piece_norms_.size());
    for (const SpecialPiece& p : sc.pieces) {
      std::uint16_t id = 0;
      if (!p.norm.empty()) {
        auto [it, fresh] = ids.try_emplace(p.norm, static_cast<std::uint16_t>(norms_.size()));
        if (fresh) {
          if (norms_.size() > UINT16_MAX) throw ValueError("tokenizer: more than 65535 distinct special-case norms");
          norms_.push_back(p.norm);
        }
        id = it->second;
      }
      piece_norms_.push_back(id);
    }
  }
}

}  // namespace weft
