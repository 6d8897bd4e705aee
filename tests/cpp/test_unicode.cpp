// Character classes and case mapping: the ASCII table must agree with ICU, and other scripts must get
// their Unicode classes.
#include <doctest/doctest.h>

#include <unicode/uchar.h>

#include <string>

#include "weft/strings/unicode.hpp"

using namespace weft;

TEST_CASE("strings: unicode ASCII fast path agrees with ICU for every ASCII character") {
  for (char32_t c = 0; c < 128; ++c) {
    const auto u = static_cast<UChar32>(c);
    const auto gc = U_GET_GC_MASK(u);
    CAPTURE(static_cast<int>(c));
    CHECK(unicode::is_alpha(c) == static_cast<bool>(u_isUAlphabetic(u)));
    CHECK(unicode::is_letter(c) == ((gc & U_GC_L_MASK) != 0));
    CHECK(unicode::is_digit(c) == ((gc & U_GC_ND_MASK) != 0));
    CHECK(unicode::is_numeric(c) == ((gc & U_GC_N_MASK) != 0));
    CHECK(unicode::is_upper(c) == static_cast<bool>(u_isUUppercase(u)));
    CHECK(unicode::is_lower(c) == static_cast<bool>(u_isULowercase(u)));
    CHECK(unicode::is_space(c) == static_cast<bool>(u_isUWhiteSpace(u)));
    CHECK(unicode::is_punct(c) == ((gc & U_GC_P_MASK) != 0));
    CHECK(unicode::is_symbol(c) == ((gc & U_GC_S_MASK) != 0));
    CHECK(unicode::is_currency(c) == ((gc & U_GC_SC_MASK) != 0));
    CHECK_FALSE(unicode::is_mark(c));
    CHECK_FALSE(unicode::is_emoji(c));
    CHECK_FALSE(unicode::is_titlecase(c));
    CHECK(unicode::to_lower(c) == static_cast<char32_t>(u_tolower(u)));
    CHECK(unicode::to_upper(c) == static_cast<char32_t>(u_toupper(u)));
    if (c != '<' && c != '>') {
      const auto bpt = u_getIntPropertyValue(u, UCHAR_BIDI_PAIRED_BRACKET_TYPE);
      CHECK(unicode::is_open_bracket(c) == (bpt == U_BPT_OPEN));
      CHECK(unicode::is_close_bracket(c) == (bpt == U_BPT_CLOSE));
    }
  }
  CHECK(unicode::is_open_bracket(U'<'));
  CHECK(unicode::is_close_bracket(U'>'));
}

TEST_CASE("strings: unicode letters, case and digits beyond ASCII") {
  CHECK(unicode::is_alpha(U'é'));
  CHECK(unicode::is_upper(U'É'));
  CHECK(unicode::is_lower(U'ï'));
  CHECK(unicode::is_alpha(U'Λ'));
  CHECK(unicode::is_upper(U'Λ'));
  CHECK(unicode::is_lower(U'ς'));
  CHECK(unicode::is_upper(U'М'));
  CHECK(unicode::is_lower(U'м'));
  CHECK(unicode::is_alpha(U'東'));
  CHECK_FALSE(unicode::is_upper(U'東'));
  CHECK_FALSE(unicode::is_lower(U'東'));
  CHECK(unicode::is_titlecase(U'ǅ'));
  CHECK(unicode::is_digit(U'٣'));   // Arabic-Indic three
  CHECK(unicode::is_digit(U'३'));   // Devanagari three
  CHECK_FALSE(unicode::is_digit(U'²'));
  CHECK(unicode::is_numeric(U'²'));
  CHECK(unicode::is_numeric(U'Ⅻ'));
  CHECK(unicode::is_mark(0x0301));
  CHECK_FALSE(unicode::is_alpha(0x0301));
  CHECK(unicode::is_letter(U'ß'));
  CHECK_FALSE(unicode::is_letter(U'Ⅻ'));
  CHECK(unicode::is_alpha(U'Ⅻ'));
}

TEST_CASE("strings: unicode spaces, punctuation, symbols and currency") {
  for (char32_t c : {0x00A0u, 0x2003u, 0x3000u, 0x2028u, 0x0085u}) CHECK(unicode::is_space(c));
  CHECK_FALSE(unicode::is_space(0x200B));  // zero width space is not White_Space
  for (char32_t c : {U'—', U'…', U'«', U'¿', U'、', U'。'}) CHECK(unicode::is_punct(c));
  for (char32_t c : {U'€', U'£', U'¥', U'₹'}) CHECK(unicode::is_currency(c));
  CHECK(unicode::is_symbol(U'©'));
  CHECK_FALSE(unicode::is_currency(U'©'));
}

TEST_CASE("strings: unicode emoji") {
  CHECK(unicode::is_emoji(0x1F44D));  // 👍
  CHECK(unicode::is_emoji(0x1F469));  // 👩
  CHECK(unicode::is_emoji(0x1F1E9));  // regional indicator D
  CHECK(unicode::is_emoji(0x2764));   // ❤
  CHECK_FALSE(unicode::is_emoji(0x200D));  // the ZWJ joins emoji but is not one
  CHECK_FALSE(unicode::is_emoji(U'é'));
}

TEST_CASE("strings: unicode brackets, quotes and their direction") {
  CHECK(unicode::is_open_bracket(U'「'));
  CHECK(unicode::is_close_bracket(U'」'));
  CHECK(unicode::is_open_bracket(U'〈'));
  CHECK_FALSE(unicode::is_open_bracket(U'«'));
  for (char32_t c : {U'"', U'\'', U'`', U'«', U'»', U'‘', U'’', U'‚', U'‛', U'“', U'”', U'„', U'‟', U'‹', U'›',
                     U'❮', U'❯', U'´', U'「'})
    CHECK(unicode::is_quote(c));
  CHECK_FALSE(unicode::is_quote(U'('));
  for (char32_t c : {U'(', U'[', U'{', U'<', U'"', U'\'', U'`', U'«', U'‘', U'‚', U'‛', U'“', U'„', U'‟', U'‹', U'❮'})
    CHECK(unicode::is_left_punct(c));
  for (char32_t c : {U')', U']', U'}', U'>', U'"', U'\'', U'»', U'’', U'”', U'›', U'❯'})
    CHECK(unicode::is_right_punct(c));
  CHECK_FALSE(unicode::is_left_punct(U'»'));
  CHECK_FALSE(unicode::is_right_punct(U'«'));
  CHECK_FALSE(unicode::is_right_punct(U'('));
  CHECK_FALSE(unicode::is_left_punct(U'.'));
}

TEST_CASE("strings: unicode unspaced scripts") {
  for (char32_t c : {U'東', U'の', U'カ', U'ー', U'ไ', U'ລ', U'ក', U'မ'}) CHECK(unicode::is_unspaced_script(c));
  for (char32_t c : {U'a', U'é', U'Λ', U'м', U'한', U'。', U'٣'}) CHECK_FALSE(unicode::is_unspaced_script(c));
}

TEST_CASE("strings: unicode full-string case mapping") {
  CHECK(unicode::lower("Hello WORLD 42") == "hello world 42");
  CHECK(unicode::upper("Hello world") == "HELLO WORLD");
  CHECK(unicode::lower("\xC3\x89" "COLE") == "\xC3\xA9" "cole");          // ÉCOLE
  CHECK(unicode::lower("ΟΔΟΣ") == "\u03bf\u03b4\u03bf\u03c2");           // final sigma
  CHECK(unicode::lower("ΣΟΦΙΑ") == "\u03c3\u03bf\u03c6\u03b9\u03b1");    // non-final sigma
  CHECK(unicode::lower("МОСКВА") == "москва");
  CHECK(unicode::lower("İ") == "i\u0307");                               // one-to-many mapping
  CHECK(unicode::upper("straße") == "STRASSE");
  CHECK(unicode::lower("東京") == "東京");
  CHECK(unicode::lower("") == "");
  CHECK(unicode::to_lower(U'Ä') == U'ä');
  CHECK(unicode::to_upper(U'ж') == U'Ж');
  CHECK(unicode::to_lower(U'東') == U'東');
}
