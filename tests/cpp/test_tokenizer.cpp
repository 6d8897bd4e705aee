// The rule-based tokenizer, its English rules (UD English EWT conventions) and the whitespace tokenizer.
#include <doctest/doctest.h>

#include <ctime>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "test_paths.hpp"
#include "token_strings.hpp"
#include "tokenize/chunk_cache.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/language.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/tokenize/tokenizer.hpp"
#include "weft/tokenize/whitespace_tokenizer.hpp"
#include "weft/train/conll18.hpp"

using namespace weft;

namespace {

const Tokenizer& english() {
  static const std::unique_ptr<Tokenizer> tok = [] {
    const LanguageData lang = language_data("en");
    return Tokenizer::from_config(lang.tokenizer, make_vocab(lang));
  }();
  return *tok;
}

using weft::test::show;

std::string tok(const std::string& text) { return show(english()(text)); }

std::string show(const std::vector<ExplainEntry>& entries) {
  std::string out;
  for (const auto& e : entries) out += (out.empty() ? "" : " ") + e.rule + ":" + e.text;
  return out;
}

TokenizerRules small_rules() {
  TokenizerRules r;
  r.prefixes = {{"\\("}, {"\""}};
  r.suffixes = {{"\\)"}, {"[.,]"}, {"\""}, {"'s", true}};
  r.infixes = {{"[a-z](-)[a-z]"}};
  r.special_cases = {{"don't", {{"do", true}, {"n't", false}}}};
  r.url_match = "https?://\\S+";
  r.token_match = ":\\)";
  r.plain_chars = "abcdefghijklmnopqrstuvwxyz";
  return r;
}

}  // namespace

TEST_CASE("tokenize: English contractions are multi-word tokens") {
  CHECK(tok("I don't know") == "I do+n't know");
  CHECK(tok("Don't DON'T don’t") == "Do+n't DO+N'T do+n’t");
  CHECK(tok("I'm sure you're right, it's fine") == "I+'m sure you+'re right , it+'s fine");
  CHECK(tok("can't won't cannot gonna wanna") == "ca+n't wo+n't can+not gon+na wan+na");
  CHECK(tok("we'll they've he'd") == "we+'ll they+'ve he+'d");
  CHECK(tok("Bush's plan, the parents' car") == "Bush+'s plan , the parents+' car");
  CHECK(tok("dont im") == "do+nt i+m");
  CHECK(tok("(don't)") == "( do+n't )");
  CHECK(tok("isn't.") == "is+n't .");
}

TEST_CASE("tokenize: English punctuation, quotes and brackets") {
  CHECK(tok("Hello, world.") == "Hello , world .");
  CHECK(tok("\"This is it,\" he said.") == "\" This is it , \" he said .");
  CHECK(tok("“Curly” ‘quotes’") == "“ Curly ” ‘ quotes ’");
  CHECK(tok("(see above) [and] {this}") == "( see above ) [ and ] { this }");
  CHECK(tok("Really?! Yes!!! No... ok..") == "Really ?! Yes !!! No ... ok ..");
  CHECK(tok("today...but") == "today ... but");
  CHECK(tok("folks--there") == "folks -- there");
  CHECK(tok("'normal' things") == "' normal ' things");
  CHECK(tok("decade.?") == "decade .?");
}

TEST_CASE("tokenize: English hyphens, slashes and numbers") {
  CHECK(tok("wheel-chair F-16-launched") == "wheel - chair F - 16 - launched");
  CHECK(tok("e-mail non-violent re-elected") == "e-mail non-violent re-elected");
  CHECK(tok("and/or 9/11 1/2") == "and / or 9/11 1 / 2");
  CHECK(tok("10,000 3.5% $5 5pm 10:30 2.7m") == "10,000 3.5 % $ 5 5 pm 10:30 2.7 m");
  CHECK(tok("the 1980s, 3rd place") == "the 1980s , 3rd place");
  CHECK(tok("1969-1970 call 713-853-1696.") == "1969 - 1970 call 713-853-1696 .");
}

TEST_CASE("tokenize: English abbreviations keep their period") {
  CHECK(tok("Mr. Smith met Dr. Jones in the U.S. on Jan. 5.") == "Mr. Smith met Dr. Jones in the U.S. on Jan. 5 .");
  CHECK(tok("e.g. this, i.e. that, etc.") == "e.g. this , i.e. that , etc.");
  CHECK(tok("John M. Anderson") == "John M. Anderson");
  CHECK(tok("at 5 p.m. today") == "at 5 p.m. today");
  CHECK(tok("in the U.S..") == "in the U.S. .");
  CHECK(tok("the border.") == "the border .");
}

TEST_CASE("tokenize: English URLs, e-mails, emoticons, hashtags and mentions") {
  CHECK(tok("see http://www.un.org/ha/chernobyl/ now") == "see http://www.un.org/ha/chernobyl/ now");
  CHECK(tok("(www.example.com/a-b).") == "( www.example.com/a-b ) .");
  CHECK(tok("mail <kaplan@iepa.com>, or bmc...@patriot.net.") ==
        "mail < kaplan@iepa.com > , or bmc...@patriot.net .");
  CHECK(tok("great :) :-( ;) <3") == "great :) :-( ;) <3");
  CHECK(tok("#audiobooks @Ryan #1") == "#audiobooks @Ryan # 1");
  CHECK(tok("AT&T P&L") == "AT&T P&L");
  CHECK(tok("ld2d-#69366-1.DOC") == "ld2d-#69366-1.DOC");
}

TEST_CASE("tokenize: Unicode whitespace, emoji and scripts") {
  CHECK(tok("a\xC2\xA0" "b\xE3\x80\x80" "c\td\ne") == "a b c d e");
  CHECK(tok("I love it 😀!") == "I love it 😀 !");
  CHECK(tok("Ünïcödé naïve café.") == "Ünïcödé naïve café .");
  CHECK(tok("Привет, мир!") == "Привет , мир !");
}

TEST_CASE("tokenize: empty and whitespace-only text give no tokens") {
  CHECK(english()("").size() == 0);
  CHECK(english()("   \n\t \xE2\x80\x83").size() == 0);
  const Doc d = english()("  two  words ");
  REQUIRE(d.size() == 2);
  CHECK(d.data(0).idx == 2);
  CHECK(d.whitespace(0) == "  ");
  CHECK(d.text() == "  two  words ");
}

TEST_CASE("tokenize: invalid UTF-8 is an EncodingError") {
  CHECK_THROWS_AS(english()("ok \xC3( bad"), EncodingError);
  CHECK_THROWS_AS(english().explain("\xFF"), EncodingError);
  CHECK_THROWS_AS(english().tokenize("ab\xE2\x82"), EncodingError);
}

TEST_CASE("tokenize: orth hashes, offsets and flags") {
  const Doc d = english()("Don't stop");
  REQUIRE(d.size() == 3);
  for (std::size_t i = 0; i < d.size(); ++i) CHECK(d.data(i).orth == hash_string(d.token_text(i)));
  CHECK(d.data(0).flags == TOKEN_MWT_NEXT);
  CHECK(d.data(1).flags == 0);
  CHECK(d.data(2).flags == 0);
  // The cached path gives the same records.
  const Doc again = english()("Don't stop");
  for (std::size_t i = 0; i < d.size(); ++i) {
    CHECK(again.data(i).orth == d.data(i).orth);
    CHECK(again.data(i).flags == d.data(i).flags);
  }
}

TEST_CASE("tokenize: explain names the rule behind each token") {
  const Tokenizer t(nullptr, small_rules());
  CHECK(show(t.explain("(don't) x-y's. http://a.b/c :)")) ==
        "PREFIX:( SPECIAL-1:do SPECIAL-2:n't SUFFIX:) TOKEN:x INFIX:- TOKEN:y SUFFIX:'s SUFFIX:. "
        "URL_MATCH:http://a.b/c TOKEN_MATCH::)");
  CHECK(show(english().explain("I'm gonna")) == "TOKEN:I SUFFIX:'m SPECIAL-1:gon SPECIAL-2:na");
}

TEST_CASE("tokenize: explain gives the same tokens as the tokenizer") {
  // explain() runs every rule on every chunk, without the cache or the plain-chunk shortcut, so this
  // also checks that plain_chars is sound for the English rules on a large corpus.
  std::ifstream in(test::data_path("en_ewt/train.conllu"));
  REQUIRE(in.good());
  std::string line;
  std::size_t texts = 0;
  while (std::getline(in, line)) {
    if (line.rfind("# text = ", 0) != 0) continue;
    const std::string text = line.substr(9);
    const std::vector<TokenSpan> spans = english().tokenize(text);
    const std::vector<ExplainEntry> explained = english().explain(text);
    REQUIRE(spans.size() == explained.size());
    for (std::size_t i = 0; i < spans.size(); ++i) CHECK(text.substr(spans[i].idx, spans[i].len) == explained[i].text);
    ++texts;
  }
  CHECK(texts == 12544);
}

TEST_CASE("tokenize: to_json recreates the tokenizer exactly") {
  const Json config = english().to_json();
  CHECK(config["@tokenizers"] == "weft.Tokenizer.v1");
  auto copy = Tokenizer::from_config(config, nullptr);
  CHECK(copy->to_json() == config);
  CHECK(copy->rules() == english().rules());
  const std::string text = "Mr. O'Neil's e-mail: (don't) say \"hi\"... at 5pm; http://x.org/.";
  CHECK(copy->tokenize(text) == english().tokenize(text));
  // Through the registry, as Pipeline::blank and model loading do.
  auto made = make_tokenizer(config, std::make_shared<Vocab>("en"));
  CHECK(made->registry_name() == "weft.Tokenizer.v1");
  CHECK(show((*made)(text)) == show(english()(text)));
}

TEST_CASE("tokenize: bad rules are reported") {
  TokenizerRules r = small_rules();
  r.infixes.push_back({"(unclosed"});
  CHECK_THROWS_AS(Tokenizer(nullptr, r), ValueError);
  r = small_rules();
  r.suffixes.push_back({"(a)(b)"});
  CHECK_THROWS_AS(Tokenizer(nullptr, r), ValueError);
  r = small_rules();
  r.plain_chars += ")";  // a suffix rule matches it
  CHECK_THROWS_AS(Tokenizer(nullptr, r), ValueError);
  Json config = small_rules().to_json();
  config["special_cases"]["can't"] = Json::array({"ca", "nt"});
  CHECK_THROWS_AS(Tokenizer::from_config(config, nullptr), ValueError);
  config = small_rules().to_json();
  config["prefixs"] = Json::array();
  CHECK_THROWS_WITH_AS(Tokenizer::from_config(config, nullptr), doctest::Contains("unknown key \"prefixs\""), ConfigError);
  config = small_rules().to_json();
  config["prefixes"] = "(";
  CHECK_THROWS_AS(Tokenizer::from_config(config, nullptr), FormatError);
}

TEST_CASE("tokenize: a tiny cache that starts over gives the same tokens") {
  TokenizerOptions small;
  small.cache_size = 16;
  const Tokenizer t(nullptr, english().rules(), small);
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "w" + std::to_string(i) + "'s (x" + std::to_string(i % 37) + "). ";
  CHECK(t.tokenize(text) == english().tokenize(text));
  CHECK(t.tokenize(text) == english().tokenize(text));
}

TEST_CASE("tokenize: threads share one tokenizer") {
  std::vector<std::string> texts;
  for (int i = 0; i < 64; ++i) {
    texts.push_back("Thread " + std::to_string(i) + " doesn't (really) mind: e-mail x" + std::to_string(i * 7) +
                    "@y.com, $" + std::to_string(i) + ".50!");
  }
  std::vector<std::vector<TokenSpan>> expected;
  for (const auto& t : texts) expected.push_back(english().tokenize(t));
  std::vector<int> ok(4, 0);
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([&, k] {
      int good = 0;
      for (int rep = 0; rep < 50; ++rep) {
        for (std::size_t i = 0; i < texts.size(); ++i) good += english().tokenize(texts[i]) == expected[i];
      }
      ok[static_cast<std::size_t>(k)] = good;
    });
  }
  for (auto& t : threads) t.join();
  for (int g : ok) CHECK(g == 50 * 64);
}

namespace {

// CPU seconds this thread has used: unlike wall time it does not grow when other processes load the
// machine (a wall-clock bound failed under two concurrent training runs).
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Tokenizes `n` bytes of `unit` repeated as one chunk; quadratic behaviour would take hours.
void check_long_chunk(const std::string& unit, std::size_t n, std::size_t tokens_per_unit) {
  std::string text;
  text.reserve(n + unit.size());
  while (text.size() < n) text += unit;
  const double t0 = thread_cpu_seconds();
  const Doc d = english()(text);
  const double s = thread_cpu_seconds() - t0;
  INFO("unit " << unit << ": " << d.size() << " tokens in " << s << " s of CPU time");
  CHECK(d.size() >= 1);
  if (tokens_per_unit) CHECK(d.size() >= text.size() / unit.size() * tokens_per_unit - 2);
  std::size_t covered = 0;
  for (std::size_t i = 0; i < d.size(); ++i) covered += d.data(i).len;
  CHECK(covered == text.size());
  CHECK(s < 30.0);
}

}  // namespace

TEST_CASE("tokenize: a 10 MB line is linear") {
  // One chunk without spaces of each shape: plain letters, infixes, an abbreviation-like run, digits.
  check_long_chunk("a", 10u << 20, 0);
  check_long_chunk("word,", 10u << 20, 2);
  check_long_chunk("ab-", 10u << 20, 2);
  check_long_chunk("x.", 10u << 20, 0);
  check_long_chunk("7", 10u << 20, 0);
  // Bracket runs strip one prefix per round: two million rounds.
  check_long_chunk("((", 2u << 20, 1);
  // A long quoted word followed by a million closing brackets: a million affix rounds, each cheap.
  const std::string quoted = "'" + std::string(2u << 20, 'a') + "'" + std::string(1u << 20, ')');
  const double t0 = thread_cpu_seconds();
  const Doc d = english()(quoted);
  CHECK(d.size() == 3 + (1u << 20));
  CHECK(thread_cpu_seconds() - t0 < 30.0);
}

TEST_CASE("tokenize: whitespace tokenizer splits on whitespace only") {
  const WhitespaceTokenizer w(std::make_shared<Vocab>("en"));
  const Doc d = w("  don't (stop)\xC2\xA0now\n");
  REQUIRE(d.size() == 3);
  CHECK(d.token_text(0) == "don't");
  CHECK(d.token_text(1) == "(stop)");
  CHECK(d.token_text(2) == "now");
  CHECK(d.data(1).orth == hash_string("(stop)"));
  CHECK(w("").size() == 0);
  CHECK(show(w.explain("a b")) == "TOKEN:a TOKEN:b");
  CHECK_THROWS_AS(w("\xC0\x80"), EncodingError);
  auto made = make_tokenizer(Json{{"@tokenizers", "weft.WhitespaceTokenizer.v1"}}, nullptr);
  CHECK(made->to_json() == Json{{"@tokenizers", "weft.WhitespaceTokenizer.v1"}});
  CHECK_THROWS_WITH_AS(make_tokenizer(Json{{"@tokenizers", "weft.WhitespaceTokenizer.v1"}, {"x", 1}}, nullptr),
                       doctest::Contains("unknown key \"x\""), ConfigError);
}

TEST_CASE("tokenize: Pipeline::blank(\"en\") uses the English rules") {
  const Pipeline nlp = Pipeline::blank("en");
  CHECK(nlp.tokenizer().registry_name() == "weft.Tokenizer.v1");
  CHECK(show(nlp.make_doc("They're here.")) == "They+'re here .");
}

TEST_CASE("tokenize: EWT dev tokens and words F1 >= 99 from raw sentence text") {
  const LanguageData lang = language_data("en");
  auto vocab = make_vocab(lang);
  const std::vector<Doc> gold = read_conllu_file(test::data_path("en_ewt/dev.conllu"), vocab);
  const Conll18Scores s = conll18_evaluate_sentences(gold, [&](std::string text) { return english()(std::move(text)); });
  const Conll18Score& tokens = s.at("Tokens");
  const Conll18Score& words = s.at("Words");
  MESSAGE("EWT dev Tokens P/R/F " << 100 * tokens.precision << " / " << 100 * tokens.recall << " / " << 100 * tokens.f1);
  MESSAGE("EWT dev Words  P/R/F " << 100 * words.precision << " / " << 100 * words.recall << " / " << 100 * words.f1);
  CHECK(tokens.gold_total == 24787);
  CHECK(words.gold_total == 25147);
  CHECK(tokens.f1 >= 0.99);
  CHECK(words.f1 >= 0.99);
}

TEST_CASE("chunk cache: keys with one hash compare byte-exactly at every length (inline compare)") {
  // Every key is stored under the same hash, so only the byte compare tells them apart: a key that
  // differs from a cached one in any single byte, at any length from 1 to 40, must miss.
  weft::ChunkCache cache(1 << 12);
  const weft::hash_t h = 42;
  for (std::size_t n = 1; n <= 40; ++n) {
    std::string key;
    for (std::size_t i = 0; i < n; ++i) key += static_cast<char>('a' + (i * 7 + n) % 26);
    const weft::ChunkPiece piece{static_cast<weft::hash_t>(n), 0, static_cast<std::uint16_t>(n), 0, 0};
    cache.insert(h, key, std::span<const weft::ChunkPiece>(&piece, 1));
    const auto hit = cache.find(h, key);
    REQUIRE(hit.size() == 1);
    CHECK(hit[0].orth == n);
    for (std::size_t i = 0; i < n; ++i) {
      std::string other = key;
      other[i] = static_cast<char>(other[i] ^ 0x20);
      const auto miss = cache.find(h, other);
      CHECK(miss.empty());
    }
  }
}
