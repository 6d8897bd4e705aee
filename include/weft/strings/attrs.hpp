// Attribute ids: the names by which token and lexeme attributes are requested in columnar exports
// (doc.to_array), matcher patterns and model features. Values follow spaCy's numbering for the ids
// they share, so users and files that carry numeric ids mean the same thing in both.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace weft {

enum class Attr : std::uint32_t {
  NULL_ATTR = 0,
  IS_ALPHA = 1,
  IS_ASCII = 2,
  IS_DIGIT = 3,
  IS_LOWER = 4,
  IS_PUNCT = 5,
  IS_SPACE = 6,
  IS_TITLE = 7,
  IS_UPPER = 8,
  LIKE_URL = 9,
  LIKE_NUM = 10,
  LIKE_EMAIL = 11,
  IS_STOP = 12,
  IS_BRACKET = 15,
  IS_QUOTE = 16,
  IS_LEFT_PUNCT = 17,
  IS_RIGHT_PUNCT = 18,
  IS_CURRENCY = 19,
  ID = 64,
  ORTH = 65,
  LOWER = 66,
  NORM = 67,
  SHAPE = 68,
  PREFIX = 69,
  SUFFIX = 70,
  LENGTH = 71,
  LEMMA = 73,
  POS = 74,
  TAG = 75,
  DEP = 76,
  ENT_IOB = 77,
  ENT_TYPE = 78,
  HEAD = 79,
  SENT_START = 80,
  SPACY = 81,
  MORPH = 453,
  IDX = 454,
};

// Bit positions of the boolean lexeme flags in Lexeme::flags.
enum LexFlag : std::uint32_t {
  FLAG_IS_ALPHA = 0,
  FLAG_IS_ASCII,
  FLAG_IS_DIGIT,
  FLAG_IS_LOWER,
  FLAG_IS_PUNCT,
  FLAG_IS_SPACE,
  FLAG_IS_TITLE,
  FLAG_IS_UPPER,
  FLAG_LIKE_URL,
  FLAG_LIKE_NUM,
  FLAG_LIKE_EMAIL,
  FLAG_IS_STOP,
  FLAG_IS_BRACKET,
  FLAG_IS_QUOTE,
  FLAG_IS_LEFT_PUNCT,
  FLAG_IS_RIGHT_PUNCT,
  FLAG_IS_CURRENCY,
  FLAG_COUNT
};

// The flag bit an attribute id reads, or nullopt when the attribute is not a boolean flag.
std::optional<LexFlag> flag_of(Attr a) noexcept;
// "ORTH" -> Attr::ORTH (case-insensitive; also accepts "TEXT" as ORTH); nullopt when unknown.
std::optional<Attr> attr_from_name(std::string_view name) noexcept;
std::string_view attr_name(Attr a) noexcept;

}  // namespace weft
