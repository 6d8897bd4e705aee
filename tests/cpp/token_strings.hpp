// A Doc's tokens as one string for tokenizer tests: tokens joined by spaces, "+" joining the words of
// one multi-word token ("do+n't").
#pragma once

#include <string>

#include "weft/doc/doc.hpp"

namespace weft::test {
inline std::string show(const Doc& doc) {
  std::string out;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    out += doc.token_text(i);
    if (i + 1 < doc.size()) out += (doc.data(i).flags & TOKEN_MWT_NEXT) ? "+" : " ";
  }
  return out;
}
}  // namespace weft::test
