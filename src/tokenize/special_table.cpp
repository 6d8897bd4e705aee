#include "special_table.hpp"

#include <algorithm>

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
}

}  // namespace weft
