// The 17 Universal POS tags as a small enum, stored in one byte per token. NONE means "not annotated";
// SPACE exists for compatibility with spaCy's whitespace tokens.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace weft {

enum class UPOS : std::uint8_t {
  NONE = 0, ADJ, ADP, ADV, AUX, CCONJ, DET, INTJ, NOUN, NUM, PART, PRON, PROPN, PUNCT, SCONJ, SYM, VERB, X, SPACE,
  COUNT
};

std::string_view upos_name(UPOS p) noexcept;           // "" for NONE
std::optional<UPOS> upos_from_name(std::string_view name) noexcept;  // "" and "_" give NONE

}  // namespace weft
