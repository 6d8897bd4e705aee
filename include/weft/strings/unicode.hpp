// Unicode character properties and case mapping over ICU, for the tokenizer and lexical attributes.
// ASCII takes a table-driven fast path; everything else asks ICU, so accented Latin, Greek, Cyrillic,
// CJK, emoji and combining marks get their Unicode-standard classes.
#pragma once

#include <string>
#include <string_view>

namespace weft::unicode {

bool is_alpha(char32_t c) noexcept;        // Alphabetic property (letters, and marks that are alphabetic)
bool is_letter(char32_t c) noexcept;       // general category L*
bool is_mark(char32_t c) noexcept;         // general category M* (combining marks)
bool is_digit(char32_t c) noexcept;        // general category Nd
bool is_numeric(char32_t c) noexcept;      // general category N*
bool is_upper(char32_t c) noexcept;        // Uppercase property
bool is_titlecase(char32_t c) noexcept;    // general category Lt (digraphs such as ǅ)
bool is_lower(char32_t c) noexcept;        // Lowercase property
bool is_space(char32_t c) noexcept;        // White_Space property
bool is_punct(char32_t c) noexcept;        // general category P*
bool is_symbol(char32_t c) noexcept;       // general category S*
bool is_currency(char32_t c) noexcept;     // general category Sc
bool is_emoji(char32_t c) noexcept;        // Extended_Pictographic / Emoji_Presentation / regional indicators
bool is_open_bracket(char32_t c) noexcept;   // Bidi_Paired_Bracket_Type = Open (and ASCII '<')
bool is_close_bracket(char32_t c) noexcept;  // Bidi_Paired_Bracket_Type = Close (and ASCII '>')
bool is_quote(char32_t c) noexcept;        // Quotation_Mark property, plus ` ´ and the ornaments ❮ ❯
bool is_left_punct(char32_t c) noexcept;   // Ps, Pi and opening quotes
bool is_right_punct(char32_t c) noexcept;  // Pe, Pf and closing quotes
// Scripts without spaces between words (Han, Hiragana, Katakana, Thai, Lao, Khmer, Myanmar).
bool is_unspaced_script(char32_t c) noexcept;

char32_t to_lower(char32_t c) noexcept;
char32_t to_upper(char32_t c) noexcept;
// Full Unicode lowercasing of a UTF-8 string (root locale; handles final sigma and İ).
std::string lower(std::string_view utf8);
std::string upper(std::string_view utf8);

}  // namespace weft::unicode
