// StringStore: the hash function is pinned, views stay valid, frozen stores refuse new strings, and
// concurrent adders and readers agree.
#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "weft/error.hpp"
#include "weft/strings/string_store.hpp"

using namespace weft;

TEST_CASE("strings: hash values are fixed by the XXH3-64 specification") {
  CHECK(hash_string("") == 0);
  // A changed hash function would invalidate every saved model; this value is XXH3-64("hello"), seed 0.
  CHECK(hash_string("hello") == 0x9555e8555c62dcfdULL);
  CHECK(hash_string("hello") != hash_string("Hello"));
}

TEST_CASE("strings: string store maps strings and hashes both ways") {
  StringStore ss;
  CHECK(ss.size() == 0);
  CHECK(ss.contains(hash_t{0}));
  CHECK(ss.find(0) == std::string_view());
  CHECK(ss.add("") == 0);
  const hash_t h = ss.add("Café");
  CHECK(h == hash_string("Café"));
  CHECK(ss.add("Café") == h);
  CHECK(ss.size() == 1);
  CHECK(ss.at(h) == "Café");
  CHECK(ss.contains("Café"));
  CHECK_FALSE(ss.contains("cafe"));
  CHECK_FALSE(ss.find(hash_string("cafe")).has_value());
  CHECK_THROWS_AS(ss.at(hash_string("cafe")), KeyError);
  ss.add("東京");
  ss.add("👩\u200d💻");
  CHECK(ss.strings() == std::vector<std::string_view>{"Café", "東京", "👩\u200d💻"});
}

TEST_CASE("strings: string store views survive growth") {
  StringStore ss;
  const std::string big(100000, 'x');  // larger than an arena block
  const hash_t hb = ss.add(big);
  const std::string_view first = ss.at(ss.add("first"));
  for (int i = 0; i < 50000; ++i) ss.add("word" + std::to_string(i));
  CHECK(first == "first");
  CHECK(ss.at(hb) == big);
  CHECK(ss.at(hash_string("word49999")) == "word49999");
  CHECK(ss.size() == 50002);
}

TEST_CASE("strings: frozen string store refuses only new strings") {
  StringStore ss;
  ss.add("known");
  ss.freeze();
  CHECK(ss.frozen());
  CHECK(ss.add("known") == hash_string("known"));
  CHECK(ss.add("") == 0);
  CHECK_THROWS_AS(ss.add("unknown"), ValueError);
  CHECK(ss.size() == 1);
  CHECK_FALSE(ss.contains("unknown"));
}

TEST_CASE("strings: string store is shared by concurrent adders and readers") {
  StringStore ss;
  constexpr int kThreads = 8, kWords = 4000;
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Threads overlap: each adds half of its words in common with the next thread.
      for (int i = 0; i < kWords; ++i) {
        const std::string w = "w" + std::to_string((t * kWords / 2) + i);
        const hash_t h = ss.add(w);
        if (h != hash_string(w)) ++errors;
        const auto back = ss.find(h);
        if (!back || *back != w) ++errors;
        if (i % 7 == 0) {
          const std::string other = "w" + std::to_string(i);
          if (auto o = ss.find(hash_string(other)); o && *o != other) ++errors;
          (void)ss.size();
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(errors.load() == 0);
  const std::size_t unique = static_cast<std::size_t>((kThreads - 1) * kWords / 2 + kWords);
  CHECK(ss.size() == unique);
  CHECK(ss.strings().size() == unique);
  for (int i = 0; i < static_cast<int>(unique); ++i) {
    const std::string w = "w" + std::to_string(i);
    REQUIRE(ss.at(hash_string(w)) == w);
  }
}
