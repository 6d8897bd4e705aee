#include "weft/doc/upos.hpp"

#include <array>

namespace weft {

namespace {
constexpr std::array<std::string_view, static_cast<std::size_t>(UPOS::COUNT)> kNames{
    "",     "ADJ",   "ADP",  "ADV",   "AUX",   "CCONJ", "DET",  "INTJ", "NOUN", "NUM",
    "PART", "PRON",  "PROPN", "PUNCT", "SCONJ", "SYM",   "VERB", "X",    "SPACE"};
}

std::string_view upos_name(UPOS p) noexcept {
  const auto i = static_cast<std::size_t>(p);
  return i < kNames.size() ? kNames[i] : std::string_view();
}

std::optional<UPOS> upos_from_name(std::string_view name) noexcept {
  if (name.empty() || name == "_") return UPOS::NONE;
  for (std::size_t i = 1; i < kNames.size(); ++i)
    if (kNames[i] == name) return static_cast<UPOS>(i);
  return std::nullopt;
}

}  // namespace weft
