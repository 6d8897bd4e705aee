// UTF-8 validation, offsets of the first bad byte, WHATWG-style repair and the code point helpers.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "weft/error.hpp"
#include "weft/strings/utf8.hpp"

using namespace weft;

namespace {
const std::string kFFFD = "\xEF\xBF\xBD";

std::string times(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}
}  // namespace

TEST_CASE("strings: utf8 accepts well-formed text at every boundary of the encoding") {
  for (const std::string s : {"", "abc", "Caf\xC3\xA9", "\xE6\x9D\xB1\xE4\xBA\xAC", "\xF0\x9F\x91\x8D",
                              "\xC2\x80", "\xDF\xBF", "\xE0\xA0\x80", "\xEF\xBF\xBF", "\xED\x9F\xBF",
                              "\xEE\x80\x80", "\xF0\x90\x80\x80", "\xF4\x8F\xBF\xBF"}) {
    CAPTURE(s);
    CHECK(utf8::valid(s));
    CHECK(utf8::first_invalid(s) == utf8::npos);
    CHECK_NOTHROW(utf8::check(s));
    CHECK(utf8::repair(s) == s);
  }
}

TEST_CASE("strings: utf8 rejects overlongs, surrogates, values past U+10FFFF and truncation") {
  struct Case {
    std::string text;
    std::size_t offset;
    const char* reason;
  };
  const std::vector<Case> cases = {
      {"ab\xC0\xAF", 2, "overlong encoding"},
      {"\xE0\x80\xAF", 0, "overlong encoding"},
      {"x\xF0\x80\x80\xAF", 1, "overlong encoding"},
      {"Caf\xC3\xA9\xED\xA0\x80", 5, "surrogate code point"},
      {"\xF4\x90\x80\x80", 0, "code point above U+10FFFF"},
      {"ok \xF5\x80\x80\x80", 3, "code point above U+10FFFF"},
      {"\xE6\x9D\xB1\xE4\xBA\xAC\xE6\x9D", 6, "truncated sequence at end of input"},
      {"abcdefghijklmnopq\x80", 17, "unexpected continuation byte"},
      {"a\xC3z", 1, "missing continuation byte"},
      {"\xFF", 0, "byte that never occurs in UTF-8"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.text);
    CHECK_FALSE(utf8::valid(c.text));
    CHECK(utf8::first_invalid(c.text) == c.offset);
    try {
      utf8::check(c.text, "input");
      FAIL("check accepted invalid UTF-8");
    } catch (const EncodingError& e) {
      CHECK(e.cause() == "invalid UTF-8 at byte " + std::to_string(c.offset) + " (input: " + c.reason + ")");
    }
  }
}

TEST_CASE("strings: utf8 repair replaces each maximal invalid subpart with one U+FFFD") {
  // The example of the Unicode Standard, chapter 3 ("U+FFFD Substitution of Maximal Subparts").
  CHECK(utf8::repair("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64") ==
        "a" + times(kFFFD, 3) + "b" + kFFFD + "c" + times(kFFFD, 2) + "d");
  CHECK(utf8::repair("\xC0\xAF") == times(kFFFD, 2));
  CHECK(utf8::repair("\xE0\x80\xAF") == times(kFFFD, 3));
  CHECK(utf8::repair("\xED\xA0\x80") == times(kFFFD, 3));
  CHECK(utf8::repair("\xF4\x90\x80\x80") == times(kFFFD, 4));
  CHECK(utf8::repair("end\xE6\x9D") == "end" + kFFFD);
  CHECK(utf8::repair("\xF0\x9F\x91") == kFFFD);
  CHECK(utf8::repair("a\xFF" "b\xC3\xA9") == "a" + kFFFD + "b\xC3\xA9");
  CHECK(utf8::valid(utf8::repair("\xC3\x28\xA0\xA1\xE2\x28\xA1\xF0\x28\x8C\xBC")));
}

TEST_CASE("strings: utf8 is_ascii and length count code points") {
  CHECK(utf8::is_ascii(""));
  CHECK(utf8::is_ascii("plain ASCII text that is longer than one word"));
  CHECK_FALSE(utf8::is_ascii("plain ASCII text then Caf\xC3\xA9"));
  CHECK(utf8::length("") == 0);
  CHECK(utf8::length("hello") == 5);
  CHECK(utf8::length("Caf\xC3\xA9") == 4);
  CHECK(utf8::length("\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E") == 3);  // 日本語
  CHECK(utf8::length("\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x92\xBB") == 3);  // 👩 ZWJ 💻
}

TEST_CASE("strings: utf8 next, prev and append round-trip every encoding length") {
  const std::string text = "a\xC3\xA9\xE6\x9D\xB1\xF0\x9F\x91\x8Dz";  // a é 東 👍 z
  const std::vector<char32_t> expected = {U'a', 0xE9, 0x6771, 0x1F44D, U'z'};
  std::vector<char32_t> forward;
  std::string rebuilt;
  for (std::size_t i = 0; i < text.size();) {
    forward.push_back(utf8::next(text, i));
    utf8::append(rebuilt, forward.back());
  }
  CHECK(forward == expected);
  CHECK(rebuilt == text);

  std::vector<char32_t> backward;
  for (std::size_t i = text.size(); i > 0;) backward.push_back(utf8::prev(text, i));
  CHECK(std::vector<char32_t>(backward.rbegin(), backward.rend()) == expected);

  for (char32_t c : {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFDu, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    std::string s;
    utf8::append(s, c);
    CAPTURE(static_cast<std::uint32_t>(c));
    CHECK(utf8::valid(s));
    std::size_t i = 0;
    CHECK(utf8::next(s, i) == c);
    CHECK(i == s.size());
    std::size_t j = s.size();
    CHECK(utf8::prev(s, j) == c);
    CHECK(j == 0);
  }
}

TEST_CASE("strings: utf8 append writes U+FFFD for values that have no UTF-8 form") {
  for (char32_t c : {0xD800u, 0xDFFFu, 0x110000u}) {
    std::string s;
    utf8::append(s, c);
    CHECK(s == kFFFD);
  }
}
