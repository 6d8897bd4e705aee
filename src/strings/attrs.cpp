#include "weft/strings/attrs.hpp"

#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace weft {

namespace {
struct NamedAttr {
  std::string_view name;
  Attr attr;
};
constexpr std::array<NamedAttr, 37> kNames{{
    {"IS_ALPHA", Attr::IS_ALPHA},       {"IS_ASCII", Attr::IS_ASCII},
    {"IS_DIGIT", Attr::IS_DIGIT},       {"IS_LOWER", Attr::IS_LOWER},
    {"IS_PUNCT", Attr::IS_PUNCT},       {"IS_SPACE", Attr::IS_SPACE},
    {"IS_TITLE", Attr::IS_TITLE},       {"IS_UPPER", Attr::IS_UPPER},
    {"LIKE_URL", Attr::LIKE_URL},       {"LIKE_NUM", Attr::LIKE_NUM},
    {"LIKE_EMAIL", Attr::LIKE_EMAIL},   {"IS_STOP", Attr::IS_STOP},
    {"IS_BRACKET", Attr::IS_BRACKET},   {"IS_QUOTE", Attr::IS_QUOTE},
    {"IS_LEFT_PUNCT", Attr::IS_LEFT_PUNCT}, {"IS_RIGHT_PUNCT", Attr::IS_RIGHT_PUNCT},
    {"IS_CURRENCY", Attr::IS_CURRENCY}, {"ID", Attr::ID},
    {"ORTH", Attr::ORTH},               {"LOWER", Attr::LOWER},
    {"NORM", Attr::NORM},               {"SHAPE", Attr::SHAPE},
    {"PREFIX", Attr::PREFIX},           {"SUFFIX", Attr::SUFFIX},
    {"LENGTH", Attr::LENGTH},           {"LEMMA", Attr::LEMMA},
    {"POS", Attr::POS},                 {"TAG", Attr::TAG},
    {"DEP", Attr::DEP},                 {"ENT_IOB", Attr::ENT_IOB},
    {"ENT_TYPE", Attr::ENT_TYPE},       {"HEAD", Attr::HEAD},
    {"SENT_START", Attr::SENT_START},   {"SPACY", Attr::SPACY},
    {"MORPH", Attr::MORPH},             {"IDX", Attr::IDX},
    {"NULL_ATTR", Attr::NULL_ATTR},
}};
}  // namespace

std::optional<LexFlag> flag_of(Attr a) noexcept {
  switch (a) {
    case Attr::IS_ALPHA: return FLAG_IS_ALPHA;
    case Attr::IS_ASCII: return FLAG_IS_ASCII;
    case Attr::IS_DIGIT: return FLAG_IS_DIGIT;
    case Attr::IS_LOWER: return FLAG_IS_LOWER;
    case Attr::IS_PUNCT: return FLAG_IS_PUNCT;
    case Attr::IS_SPACE: return FLAG_IS_SPACE;
    case Attr::IS_TITLE: return FLAG_IS_TITLE;
    case Attr::IS_UPPER: return FLAG_IS_UPPER;
    case Attr::LIKE_URL: return FLAG_LIKE_URL;
    case Attr::LIKE_NUM: return FLAG_LIKE_NUM;
    case Attr::LIKE_EMAIL: return FLAG_LIKE_EMAIL;
    case Attr::IS_STOP: return FLAG_IS_STOP;
    case Attr::IS_BRACKET: return FLAG_IS_BRACKET;
    case Attr::IS_QUOTE: return FLAG_IS_QUOTE;
    case Attr::IS_LEFT_PUNCT: return FLAG_IS_LEFT_PUNCT;
    case Attr::IS_RIGHT_PUNCT: return FLAG_IS_RIGHT_PUNCT;
    case Attr::IS_CURRENCY: return FLAG_IS_CURRENCY;
    default: return std::nullopt;
  }
}

std::optional<Attr> attr_from_name(std::string_view name) noexcept {
  std::string upper(name);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (upper == "TEXT") return Attr::ORTH;
  for (const auto& n : kNames)
    if (n.name == upper) return n.attr;
  return std::nullopt;
}

std::string_view attr_name(Attr a) noexcept {
  for (const auto& n : kNames)
    if (n.attr == a) return n.name;
  return "UNKNOWN";
}

}  // namespace weft
