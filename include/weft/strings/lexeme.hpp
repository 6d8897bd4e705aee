// A lexeme is a word type: the context-free attributes of a string (its lowercase, norm, shape,
// prefix, suffix and boolean flags), stored as hashes so tokens and model features can use them
// without touching text. LexAttrData holds the language-specific lists the flags need (stop words,
// number words, norm exceptions); the functions compute each attribute from UTF-8 with ICU character
// properties, so every script (Latin with accents, Greek, Cyrillic, CJK, emoji, combining marks) is handled.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "weft/strings/attrs.hpp"
#include "weft/strings/hash.hpp"

namespace weft {

struct Lexeme {
  hash_t orth = 0;
  hash_t lower = 0;
  hash_t norm = 0;
  hash_t shape = 0;
  hash_t prefix = 0;
  hash_t suffix = 0;
  std::uint32_t flags = 0;   // bit i = LexFlag i
  std::uint32_t length = 0;  // in code points
  bool check(LexFlag f) const noexcept { return (flags >> f) & 1u; }
};

// The strings behind a lexeme's hashed attributes.
struct LexemeStrings {
  std::string lower, norm, shape, prefix, suffix;
};

// Language-specific data for lexical attributes, read from the language's lex_attrs.json.
struct LexAttrData {
  std::unordered_set<std::string> stop_words;  // matched against the lowercase form
  std::unordered_set<std::string> num_words;   // "ten", "million", "twentieth": LIKE_NUM
  std::unordered_map<std::string, std::string> norm_exceptions;  // lowercase form -> norm ("n't" -> "not")
  std::vector<std::string> ordinal_suffixes;  // "st", "nd", "rd", "th": digits + suffix ("21st") are LIKE_NUM

  // Parses {"stop_words": [...], "num_words": [...], "norm_exceptions": {...}, "ordinal_suffixes": [...]}
  // (every key optional, unknown keys rejected so typos surface); words and keys are lowercased on
  // load because lookups use the lowercase form. Throws FormatError naming `source`.
  static LexAttrData from_json(std::string_view json, const std::string& source);
  std::string to_json() const;
};

// All functions take valid UTF-8 (utf8::check has run at the input boundary).
namespace lex {
std::string lower(std::string_view s);  // full Unicode lowercase (final sigma, İ)
// spaCy's word shape: alphabetic characters -> X (uppercase) or x (others, caseless scripts included),
// Nd digits of any script -> d, other characters kept; a run of one shape character longer than 4 is
// cut to 4; strings of 100 or more code points are "LONG". Unlike spaCy, a combining mark that follows
// a character adds nothing, so NFD "e\u0301" and NFC "é" get the same shape.
std::string shape(std::string_view s);
std::string prefix(std::string_view s);  // the first code point
std::string suffix(std::string_view s);  // the last three code points (the whole string if shorter)
std::string norm(std::string_view s, const LexAttrData& data);  // norm_exceptions[lower] or lower
// spaCy's English like_num: one leading + - ~ ± dropped, "," and "." ignored, then all Nd digits, a
// fraction "1/2", a number word ("ten", "twentieth") or digits + ordinal suffix ("21st").
bool like_num(std::string_view s, const LexAttrData& data);
// spaCy's like_url: a scheme (http, https, ftp) or "www." prefix, or a dot followed by a known
// top-level domain; anything with '@' is an e-mail address instead.
bool like_url(std::string_view s);
bool like_email(std::string_view s);  // local@domain.tld with ASCII characters
// The LexFlag bits. The "all code points are X" flags are false for the empty string. Combining marks
// after a letter keep IS_ALPHA and are transparent for IS_TITLE; IS_LOWER / IS_UPPER / IS_TITLE
// otherwise follow Python's str.islower / isupper / istitle.
std::uint32_t flags(std::string_view s, const LexAttrData& data);
// Every attribute of `s` at once (hashes and flags).
Lexeme make(std::string_view s, const LexAttrData& data);
LexemeStrings strings(std::string_view s, const LexAttrData& data);
}  // namespace lex

}  // namespace weft
