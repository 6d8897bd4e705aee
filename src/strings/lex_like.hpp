// The "looks like" lexical tests (LIKE_NUM, LIKE_URL, LIKE_EMAIL) that lex::make runs on every new
// word. like_num has a form that takes the already lowercased string, so make lowercases only once.
#pragma once

#include <string_view>

#include "weft/strings/lexeme.hpp"

namespace weft::detail {

// lex::like_num on a string that is already lowercase (number words are stored lowercase).
bool like_num_lowered(std::string_view lowered, const LexAttrData& data);

}  // namespace weft::detail
