// Vocab: lookups compute unknown lexemes without side effects; add() stores a lexeme and its strings.
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "test_paths.hpp"
#include "weft/error.hpp"
#include "weft/json.hpp"
#include "weft/strings/vocab.hpp"

using namespace weft;

namespace {
LexAttrData english() {
  return LexAttrData::from_json(read_file(test::source_path("src/lang/en/lex_attrs.json")), "lex_attrs.json");
}

bool same(const Lexeme& a, const Lexeme& b) {
  return a.orth == b.orth && a.lower == b.lower && a.norm == b.norm && a.shape == b.shape && a.prefix == b.prefix &&
         a.suffix == b.suffix && a.flags == b.flags && a.length == b.length;
}
}  // namespace

TEST_CASE("strings: vocab computes unknown lexemes without storing them") {
  Vocab vocab("en", english());
  CHECK(vocab.lang() == "en");
  CHECK(vocab.lex_attr_data().stop_words.count("the"));
  const Lexeme lx = vocab.lexeme("Don't");
  CHECK(same(lx, lex::make("Don't", vocab.lex_attr_data())));
  CHECK(lx.orth == hash_string("Don't"));
  CHECK(vocab.size() == 0);
  CHECK(vocab.find(hash_string("Don't")) == nullptr);
  CHECK_FALSE(vocab.strings().contains("Don't"));
}

TEST_CASE("strings: vocab add stores the lexeme and its attribute strings") {
  Vocab vocab("en", english());
  const Lexeme& lx = vocab.add("Ελλάδα");
  CHECK(vocab.size() == 1);
  CHECK(vocab.find(hash_string("Ελλάδα")) == &lx);
  CHECK(same(vocab.lexeme("Ελλάδα"), lx));
  const StringStore& ss = vocab.strings();
  CHECK(ss.at(lx.orth) == "Ελλάδα");
  CHECK(ss.at(lx.lower) == "ελλάδα");
  CHECK(ss.at(lx.norm) == "ελλάδα");
  CHECK(ss.at(lx.shape) == "Xxxxx");
  CHECK(ss.at(lx.prefix) == "Ε");
  CHECK(ss.at(lx.suffix) == "άδα");
  CHECK(lx.check(FLAG_IS_TITLE));

  const Lexeme& nt = vocab.add("N’T");
  CHECK(vocab.strings().at(nt.norm) == "not");
  CHECK(nt.check(FLAG_IS_STOP));
  CHECK(&vocab.add("Ελλάδα") == &lx);  // adding again changes nothing
  CHECK(vocab.size() == 2);
}

TEST_CASE("strings: frozen vocab refuses new words but still answers lookups") {
  Vocab vocab("en", english());
  vocab.add("known");
  vocab.freeze();
  CHECK(vocab.frozen());
  CHECK(vocab.strings().frozen());
  CHECK_NOTHROW(vocab.add("known"));
  CHECK_THROWS_AS(vocab.add("unknown"), ValueError);
  CHECK(vocab.size() == 1);
  CHECK(same(vocab.lexeme("unknown"), lex::make("unknown", vocab.lex_attr_data())));

  // A store frozen on its own also stops add() before the table changes.
  Vocab other;
  other.strings().freeze();
  CHECK_THROWS_AS(other.add("word"), ValueError);
  CHECK(other.size() == 0);
}

TEST_CASE("strings: a frozen vocab is shared by reading threads") {
  Vocab vocab("en", english());
  const std::vector<std::string> words = {"The", "Café", "東京", "10,000", "https://weft.dev", "n't", "👍", "МОСКВА"};
  for (std::size_t i = 0; i < words.size(); i += 2) vocab.add(words[i]);
  vocab.freeze();
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 500; ++round)
        for (const auto& w : words)
          if (!same(vocab.lexeme(w), lex::make(w, vocab.lex_attr_data()))) ++mismatches[t];
    });
  }
  for (auto& th : threads) th.join();
  CHECK(mismatches == std::vector<int>(4, 0));
}
