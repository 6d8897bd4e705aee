// Lexical attributes per script with the English data file, plus LexAttrData's JSON form.
#include <doctest/doctest.h>

#include <string>

#include "test_paths.hpp"
#include "weft/error.hpp"
#include "weft/json.hpp"
#include "weft/strings/lexeme.hpp"
#include "weft/strings/unicode.hpp"

using namespace weft;

namespace {

const LexAttrData& en() {
  static const LexAttrData data = LexAttrData::from_json(read_file(test::source_path("src/lang/en/lex_attrs.json")),
                                                         "src/lang/en/lex_attrs.json");
  return data;
}

bool has(std::string_view s, LexFlag f) { return (lex::flags(s, en()) >> f) & 1u; }

// The string attributes of `s`, and make() agreeing with them hash for hash.
void check_strings(std::string_view s, std::string_view lower, std::string_view shape, std::string_view prefix,
                   std::string_view suffix, std::uint32_t length) {
  CAPTURE(s);
  const LexemeStrings st = lex::strings(s, en());
  CHECK(st.lower == lower);
  CHECK(lex::lower(s) == lower);
  CHECK(st.shape == shape);
  CHECK(lex::shape(s) == shape);
  CHECK(st.prefix == prefix);
  CHECK(lex::prefix(s) == prefix);
  CHECK(st.suffix == suffix);
  CHECK(lex::suffix(s) == suffix);
  CHECK(st.norm == lex::norm(s, en()));
  const Lexeme lx = lex::make(s, en());
  CHECK(lx.orth == hash_string(s));
  CHECK(lx.lower == hash_string(lower));
  CHECK(lx.norm == hash_string(st.norm));
  CHECK(lx.shape == hash_string(shape));
  CHECK(lx.prefix == hash_string(prefix));
  CHECK(lx.suffix == hash_string(suffix));
  CHECK(lx.length == length);
  CHECK(lx.flags == lex::flags(s, en()));
}

}  // namespace

TEST_CASE("strings: lexeme ASCII words") {
  check_strings("Hello", "hello", "Xxxxx", "H", "llo", 5);
  check_strings("42", "42", "dd", "4", "42", 2);
  check_strings("C3PO", "c3po", "XdXX", "C", "3PO", 4);
  check_strings("aaaaaaaa", "aaaaaaaa", "xxxx", "a", "aaa", 8);
  check_strings("U.S.A.", "u.s.a.", "X.X.X.", "U", ".A.", 6);
  check_strings("", "", "", "", "", 0);
  CHECK(has("Hello", FLAG_IS_TITLE));
  CHECK(has("Hello", FLAG_IS_ALPHA));
  CHECK(has("Hello", FLAG_IS_ASCII));
  CHECK_FALSE(has("Hello", FLAG_IS_LOWER));
  CHECK_FALSE(has("Hello", FLAG_IS_UPPER));
  CHECK(has("hello123", FLAG_IS_LOWER));
  CHECK_FALSE(has("hello123", FLAG_IS_ALPHA));
  CHECK(has("NASA", FLAG_IS_UPPER));
  CHECK_FALSE(has("NASA", FLAG_IS_TITLE));
  CHECK_FALSE(has("HeLLo", FLAG_IS_TITLE));
  CHECK(has("Hello-World", FLAG_IS_TITLE));
  CHECK_FALSE(has("123", FLAG_IS_LOWER));
  CHECK_FALSE(has("123", FLAG_IS_UPPER));
  CHECK(has("123", FLAG_IS_DIGIT));
  CHECK(lex::flags("", en()) == 0);
}

TEST_CASE("strings: lexeme flags of every ASCII character agree with the unicode classes") {
  for (char32_t c = 1; c < 128; ++c) {
    const std::string s(1, static_cast<char>(c));
    CAPTURE(static_cast<int>(c));
    CHECK(has(s, FLAG_IS_ALPHA) == unicode::is_alpha(c));
    CHECK(has(s, FLAG_IS_DIGIT) == unicode::is_digit(c));
    CHECK(has(s, FLAG_IS_PUNCT) == unicode::is_punct(c));
    CHECK(has(s, FLAG_IS_SPACE) == unicode::is_space(c));
    CHECK(has(s, FLAG_IS_CURRENCY) == unicode::is_currency(c));
    CHECK(has(s, FLAG_IS_UPPER) == unicode::is_upper(c));
    CHECK(has(s, FLAG_IS_LOWER) == unicode::is_lower(c));
    CHECK(has(s, FLAG_IS_TITLE) == unicode::is_upper(c));
    CHECK(has(s, FLAG_IS_ASCII));
  }
}

TEST_CASE("strings: lexeme shape cuts runs and marks long strings") {
  CHECK(lex::shape(std::string(99, 'a')) == "xxxx");
  CHECK(lex::shape(std::string(100, 'a')) == "LONG");
  CHECK(lex::shape("2023-01-01") == "dddd-dd-dd");
  CHECK(lex::shape("!!!!!!") == "!!!!");
  CHECK(lex::shape("McDonald's") == "XxXxxxx'x");
}

TEST_CASE("strings: lexeme accented Latin") {
  check_strings("Café", "café", "Xxxx", "C", "afé", 4);
  check_strings("naïve", "naïve", "xxxx", "n", "ïve", 5);
  check_strings("ÉCOLE", "école", "XXXX", "É", "OLE", 5);
  CHECK(has("Café", FLAG_IS_ALPHA));
  CHECK(has("Café", FLAG_IS_TITLE));
  CHECK_FALSE(has("Café", FLAG_IS_ASCII));
  CHECK(has("naïve", FLAG_IS_LOWER));
  CHECK(has("ÉCOLE", FLAG_IS_UPPER));
  CHECK_FALSE(has("ÉCOLE", FLAG_IS_LOWER));
}

TEST_CASE("strings: lexeme Greek and Cyrillic") {
  check_strings("Ελλάδα", "ελλάδα", "Xxxxx", "Ε", "άδα", 6);
  check_strings("ΟΔΟΣ", "\u03bf\u03b4\u03bf\u03c2", "XXXX", "Ο", "ΔΟΣ", 4);
  check_strings("Москва", "москва", "Xxxxx", "М", "ква", 6);
  check_strings("МОСКВА", "москва", "XXXX", "М", "КВА", 6);
  check_strings("москва", "москва", "xxxx", "м", "ква", 6);
  CHECK(has("Ελλάδα", FLAG_IS_TITLE));
  CHECK(has("ΟΔΟΣ", FLAG_IS_UPPER));
  CHECK(has("Москва", FLAG_IS_ALPHA));
  CHECK(has("Москва", FLAG_IS_TITLE));
  CHECK(has("МОСКВА", FLAG_IS_UPPER));
  CHECK(has("москва", FLAG_IS_LOWER));
}

TEST_CASE("strings: lexeme CJK is alphabetic and caseless") {
  check_strings("東京", "東京", "xx", "東", "東京", 2);
  check_strings("日本語", "日本語", "xxx", "日", "日本語", 3);
  for (const char* s : {"東京", "日本語"}) {
    CAPTURE(s);
    CHECK(has(s, FLAG_IS_ALPHA));
    CHECK_FALSE(has(s, FLAG_IS_LOWER));
    CHECK_FALSE(has(s, FLAG_IS_UPPER));
    CHECK_FALSE(has(s, FLAG_IS_TITLE));
    CHECK_FALSE(has(s, FLAG_IS_PUNCT));
  }
}

TEST_CASE("strings: lexeme emoji keep their characters in the shape") {
  check_strings("👍", "👍", "👍", "👍", "👍", 1);
  check_strings("👩\u200d💻", "👩\u200d💻", "👩\u200d💻", "👩", "👩\u200d💻", 3);
  check_strings("🇩🇪", "🇩🇪", "🇩🇪", "🇩", "🇩🇪", 2);
  for (const char* s : {"👍", "👩\u200d💻", "🇩🇪"}) {
    CAPTURE(s);
    CHECK_FALSE(has(s, FLAG_IS_ALPHA));
    CHECK_FALSE(has(s, FLAG_IS_PUNCT));
    CHECK_FALSE(has(s, FLAG_IS_ASCII));
    CHECK_FALSE(has(s, FLAG_LIKE_NUM));
  }
}

TEST_CASE("strings: lexeme combining marks belong to the letter before them") {
  check_strings("e\u0301", "e\u0301", "x", "e", "e\u0301", 2);
  check_strings("Ce\u0301sar", "ce\u0301sar", "Xxxxx", "C", "sar", 6);
  CHECK(lex::shape("C\u00e9sar") == lex::shape("Ce\u0301sar"));
  CHECK(has("e\u0301", FLAG_IS_ALPHA));
  CHECK(has("e\u0301", FLAG_IS_LOWER));
  CHECK(has("Ce\u0301sar", FLAG_IS_TITLE));
  CHECK(has("Ce\u0301sar", FLAG_IS_ALPHA));
  CHECK_FALSE(has("\u0301", FLAG_IS_ALPHA));  // a mark with no letter before it
}

TEST_CASE("strings: lexeme digits of other scripts") {
  check_strings("٣٤", "٣٤", "dd", "٣", "٣٤", 2);
  CHECK(has("٣٤", FLAG_IS_DIGIT));
  CHECK(has("٣٤", FLAG_LIKE_NUM));
  CHECK(has("१२३", FLAG_IS_DIGIT));
  CHECK_FALSE(has("²", FLAG_IS_DIGIT));
}

TEST_CASE("strings: lexeme currency symbols") {
  for (const char* s : {"$", "€", "£", "¥"}) {
    CAPTURE(s);
    check_strings(s, s, s, s, s, 1);
    CHECK(has(s, FLAG_IS_CURRENCY));
    CHECK_FALSE(has(s, FLAG_IS_PUNCT));
    CHECK_FALSE(has(s, FLAG_IS_ALPHA));
  }
  CHECK(has("$", FLAG_IS_ASCII));
  CHECK_FALSE(has("US$", FLAG_IS_CURRENCY));
}

TEST_CASE("strings: lexeme punctuation, quotes and brackets") {
  check_strings("...", "...", "...", ".", "...", 3);
  check_strings("—", "—", "—", "—", "—", 1);
  check_strings("«", "«", "«", "«", "«", 1);
  CHECK(has("...", FLAG_IS_PUNCT));
  CHECK(has("—", FLAG_IS_PUNCT));
  CHECK(lex::norm("—", en()) == "-");
  CHECK(has("«", FLAG_IS_PUNCT));
  CHECK(has("«", FLAG_IS_QUOTE));
  CHECK(has("«", FLAG_IS_LEFT_PUNCT));
  CHECK_FALSE(has("«", FLAG_IS_RIGHT_PUNCT));
  CHECK(has("»", FLAG_IS_RIGHT_PUNCT));
  CHECK(has("\"", FLAG_IS_LEFT_PUNCT));
  CHECK(has("\"", FLAG_IS_RIGHT_PUNCT));
  CHECK(has("''", FLAG_IS_QUOTE));
  CHECK(has("''", FLAG_IS_RIGHT_PUNCT));
  CHECK(has("``", FLAG_IS_QUOTE));
  CHECK(has("``", FLAG_IS_LEFT_PUNCT));
  CHECK_FALSE(has("'''", FLAG_IS_QUOTE));
  CHECK(has("(", FLAG_IS_BRACKET));
  CHECK(has("(", FLAG_IS_LEFT_PUNCT));
  CHECK(has("]", FLAG_IS_RIGHT_PUNCT));
  CHECK(has("<", FLAG_IS_BRACKET));
  CHECK(has("「", FLAG_IS_BRACKET));
  CHECK_FALSE(has("((", FLAG_IS_BRACKET));
  CHECK_FALSE(has("a", FLAG_IS_BRACKET));
  CHECK_FALSE(has("$", FLAG_IS_PUNCT));
  CHECK(has(" \u00a0\t", FLAG_IS_SPACE));
  CHECK_FALSE(has("a b", FLAG_IS_SPACE));
}

TEST_CASE("strings: lexeme norms and stop words from the English data") {
  CHECK(lex::norm("n't", en()) == "not");
  CHECK(lex::norm("N’T", en()) == "not");
  CHECK(lex::norm("'m", en()) == "am");
  CHECK(lex::norm("’re", en()) == "are");
  CHECK(lex::norm("'ve", en()) == "have");
  CHECK(lex::norm("’ll", en()) == "will");
  CHECK(lex::norm("Ca", en()) == "can");
  CHECK(lex::norm("wo", en()) == "will");
  CHECK(lex::norm("gon", en()) == "going");
  CHECK(lex::norm("na", en()) == "to");
  CHECK(lex::norm("’cause", en()) == "because");
  CHECK(lex::norm("“", en()) == "\"");
  CHECK(lex::norm("”", en()) == "\"");
  CHECK(lex::norm("‘", en()) == "'");
  CHECK(lex::norm("’", en()) == "'");
  CHECK(lex::norm("Apple", en()) == "apple");
  CHECK(lex::norm("Apple", LexAttrData{}) == "apple");
  CHECK(has("The", FLAG_IS_STOP));
  CHECK(has("n’t", FLAG_IS_STOP));
  CHECK(has("'s", FLAG_IS_STOP));
  CHECK(has("ca", FLAG_IS_STOP));
  CHECK_FALSE(has("apple", FLAG_IS_STOP));
  CHECK_FALSE(lex::make("the", LexAttrData{}).check(FLAG_IS_STOP));
}

TEST_CASE("strings: lexeme like_num") {
  for (const char* s : {"10,000", "3.14", "1/2", "ten", "Ten", "twentieth", "TWENTIETH", "-5", "+1", "~3", "±2",
                        "1,000,000", "21st", "3rd", "100th", "million", "zero", "٣٤"}) {
    CAPTURE(s);
    CHECK(lex::like_num(s, en()));
    CHECK(has(s, FLAG_LIKE_NUM));
  }
  for (const char* s : {"", ",", ".", "-", "1/2/3", "1/", "/2", "ten-ish", "abc", "3rdly", "st", "--5", "½", "1e5"}) {
    CAPTURE(s);
    CHECK_FALSE(lex::like_num(s, en()));
  }
  CHECK(lex::like_num("42", LexAttrData{}));
  CHECK_FALSE(lex::like_num("ten", LexAttrData{}));
  CHECK_FALSE(lex::like_num("21st", LexAttrData{}));
}

TEST_CASE("strings: lexeme like_url and like_email") {
  for (const char* s : {"http://example.com", "https://weft.dev/docs?x=1", "HTTP://EXAMPLE.COM", "ftp://files.org",
                        "www.weft.dev", "spacy.io", "example.com", "google.com/search", "example.com/index.html",
                        "example.de:8080", "bbc.co.uk", "some.thing/"}) {
    CAPTURE(s);
    CHECK(lex::like_url(s));
    CHECK(has(s, FLAG_LIKE_URL));
  }
  for (const char* s : {"", "hello", "e.g", "3.14", "U.S", "www.", ".com", "example.", "user@example.com",
                        "Example.COM", "file.txt", "a/b.html"}) {
    CAPTURE(s);
    CHECK_FALSE(lex::like_url(s));
  }
  for (const char* s : {"user@example.com", "john.smith@mail.example.co.uk", "first+tag@weft.dev", "A_B@x-y.org"}) {
    CAPTURE(s);
    CHECK(lex::like_email(s));
    CHECK(has(s, FLAG_LIKE_EMAIL));
  }
  for (const char* s : {"", "not@email", "@handle", "user@", "user@.com", "user@example.c", ".user@example.com",
                        "us..er@example.com", "user@exa_mple.com", "user@example.com.", "hello"}) {
    CAPTURE(s);
    CHECK_FALSE(lex::like_email(s));
  }
}

TEST_CASE("strings: lex attr data parses, lowercases and round-trips") {
  const auto data = LexAttrData::from_json(
      R"({"stop_words": ["The", "a"], "num_words": ["Ten"], "ordinal_suffixes": ["th"],
          "norm_exceptions": {"N'T": "not"}})",
      "test.json");
  CHECK(data.stop_words.count("the"));
  CHECK(data.stop_words.count("a"));
  CHECK(data.num_words.count("ten"));
  CHECK(data.norm_exceptions.at("n't") == "not");
  CHECK(data.ordinal_suffixes == std::vector<std::string>{"th"});
  const auto again = LexAttrData::from_json(data.to_json(), "again.json");
  CHECK(again.stop_words == data.stop_words);
  CHECK(again.num_words == data.num_words);
  CHECK(again.norm_exceptions == data.norm_exceptions);
  CHECK(again.ordinal_suffixes == data.ordinal_suffixes);
  CHECK(data.to_json() == again.to_json());

  const auto empty = LexAttrData::from_json("{}", "empty.json");
  CHECK(empty.stop_words.empty());
  CHECK(empty.norm_exceptions.empty());

  CHECK(en().stop_words.size() > 250);
  CHECK(en().num_words.count("twentieth"));
}

TEST_CASE("strings: lex attr data reports bad files by name") {
  CHECK_THROWS_WITH_AS(LexAttrData::from_json(R"({"stop_word": []})", "bad.json"),
                       doctest::Contains("bad.json: unknown key \"stop_word\" in lexical attribute data"), ConfigError);
  auto fails_with = [](const char* json, const char* needle) {
    CAPTURE(json);
    try {
      LexAttrData::from_json(json, "bad.json");
      FAIL("accepted bad data");
    } catch (const FormatError& e) {
      CHECK(std::string(e.what()).find("bad.json") != std::string::npos);
      CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  fails_with(R"({"stop_words": "the"})", "\"stop_words\" must be an array");
  fails_with(R"({"num_words": [1, 2]})", "\"num_words\" must be an array");
  fails_with(R"({"norm_exceptions": []})", "\"norm_exceptions\" must be an object");
  fails_with(R"({"norm_exceptions": {"a": 1}})", "value for \"a\" must be a string");
  fails_with(R"(["the"])", "must be a JSON object");
  fails_with(R"({"stop_words": [)", "bad.json");
}
