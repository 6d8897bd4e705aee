#include "weft/tokenize/tokenizer.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <utility>

#include "affix_matcher.hpp"
#include "chunk_cache.hpp"
#include "pattern_scan.hpp"
#include "special_table.hpp"
#include "weft/error.hpp"
#include "weft/strings/hash.hpp"
#include "weft/strings/utf8.hpp"
#include "whitespace.hpp"

namespace weft {

struct Tokenizer::Patterns {
  std::unique_ptr<RE2> token_match;
  std::unique_ptr<RE2> url_match;
};

namespace {

// token_match runs on the remainder in every affix round; capping the length it is tried on keeps a
// long chunk with many affixes linear (nothing longer is an emoticon, hashtag, number or file name).
constexpr std::size_t kMaxTokenMatch = 4096;

// A thread rarely alternates between more tokenizers than this; older caches are dropped.
constexpr std::size_t kCachesPerThread = 8;

struct CacheEntry {
  std::uint64_t id;
  std::unique_ptr<ChunkCache> cache;
};

// Whether this thread's caches exist: a Tokenizer destroyed during static destruction (after the
// main thread's thread_locals) must not touch them. A trivially destructible flag stays readable.
thread_local bool t_caches_alive = false;

struct ThreadCaches {
  std::vector<CacheEntry> entries;  // most recently used last
  ThreadCaches() { t_caches_alive = true; }
  ~ThreadCaches() { t_caches_alive = false; }
  ThreadCaches(const ThreadCaches&) = delete;
  ThreadCaches& operator=(const ThreadCaches&) = delete;
};

std::vector<CacheEntry>& thread_caches() {
  thread_local ThreadCaches caches;
  return caches.entries;
}

std::uint64_t next_id() {
  static std::atomic<std::uint64_t> counter{0};
  return ++counter;
}

std::unique_ptr<RE2> compile_whole(const std::string& pattern, const char* what) {
  if (pattern.empty()) return nullptr;
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(64 << 20);
  auto re = std::make_unique<RE2>(pattern, o);
  if (!re->ok()) {
    throw ValueError(std::string("tokenizer ") + what + " \"" + pattern + "\" does not compile: " + re->error());
  }
  return re;
}

bool full_match(const RE2* re, std::string_view s) {
  return re && re->Match(re2::StringPiece(s.data(), s.size()), 0, s.size(), RE2::ANCHOR_BOTH, nullptr, 0);
}

const char* rule_name(Tokenizer::Rule r) {
  switch (r) {
    case Tokenizer::TOKEN: return "TOKEN";
    case Tokenizer::SPECIAL: return "SPECIAL";
    case Tokenizer::PREFIX: return "PREFIX";
    case Tokenizer::SUFFIX: return "SUFFIX";
    case Tokenizer::INFIX: return "INFIX";
    case Tokenizer::URL_MATCH: return "URL_MATCH";
    case Tokenizer::TOKEN_MATCH: return "TOKEN_MATCH";
  }
  return "TOKEN";
}

void check_text_size(std::size_t n) {
  if (n > UINT32_MAX) {
    throw ValueError("text of " + std::to_string(n) + " bytes is longer than a Doc can hold (4 GiB)");
  }
}

}  // namespace

Tokenizer::Tokenizer(std::shared_ptr<Vocab> vocab, TokenizerRules rules, TokenizerOptions options)
    : TokenizerBase(std::move(vocab)), rules_(std::move(rules)), options_(options), id_(next_id()) {
  if (options_.cache_size == 0) throw ValueError("tokenizer cache_size must be positive");
  prefixes_ = std::make_unique<AffixMatcher>(AffixMatcher::Kind::Prefix, rules_.prefixes, "prefix");
  suffixes_ = std::make_unique<AffixMatcher>(AffixMatcher::Kind::Suffix, rules_.suffixes, "suffix");
  infixes_ = std::make_unique<AffixMatcher>(AffixMatcher::Kind::Infix, rules_.infixes, "infix");
  specials_ = std::make_unique<SpecialTable>(rules_.special_cases);
  patterns_ = std::make_unique<Patterns>();
  patterns_->token_match = compile_whole(rules_.token_match, "token_match");
  patterns_->url_match = compile_whole(rules_.url_match, "url_match");
  for (char c : rules_.plain_chars) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) {
      throw ValueError("tokenizer plain_chars may only hold printable ASCII characters other than space");
    }
    plain_[u] = true;
  }
  check_plain_chars();
}

Tokenizer::~Tokenizer() {
  // This thread's cache for the instance can go now; other threads drop theirs as they use others.
  if (!t_caches_alive) return;
  std::erase_if(thread_caches(), [&](const CacheEntry& e) { return e.id == id_; });
}

std::unique_ptr<Tokenizer> Tokenizer::from_config(const Json& config, std::shared_ptr<Vocab> vocab) {
  if (!config.is_object()) throw FormatError("tokenizer config must be a JSON object");
  check_config_keys(config, {"@tokenizers", "prefixes", "suffixes", "infixes", "special_cases", "token_match", "url_match",
                             "plain_chars", "cache_size"},
                    "the tokenizer config");
  TokenizerOptions options;
  if (auto it = config.find("cache_size"); it != config.end()) {
    if (!it->is_number_unsigned() || it->get<std::uint64_t>() == 0) {
      throw FormatError("tokenizer config: \"cache_size\" must be a positive integer");
    }
    options.cache_size = it->get<std::size_t>();
  }
  return std::make_unique<Tokenizer>(std::move(vocab), TokenizerRules::from_json(config), options);
}

Json Tokenizer::to_json() const {
  Json out = Json::object();
  out["@tokenizers"] = registry_name();
  const Json rules = rules_.to_json();
  for (auto it = rules.begin(); it != rules.end(); ++it) out[it.key()] = it.value();
  out["cache_size"] = options_.cache_size;
  return out;
}

// The shortcut for plain chunks is only sound when no rule can fire inside them; a rule list that
// contradicts plain_chars is a configuration error, caught here on every string of one or two plain
// characters.
void Tokenizer::check_plain_chars() const {
  std::string chars;
  for (unsigned c = 0; c < 128; ++c) {
    if (plain_[c]) chars += static_cast<char>(c);
  }
  AffixMatcher::Match m;
  auto check = [&](const std::string& s) {
    const char* rule = nullptr;
    if (prefixes_->find_prefix(s, m)) rule = "prefix";
    else if (suffixes_->find_suffix(s, m)) rule = "suffix";
    else if (infixes_->find_infix(s, 0, m) && m.start > 0) rule = "infix";
    if (rule) {
      throw ValueError(std::string("tokenizer plain_chars: the ") + rule + " rule \"" +
                       (rule[0] == 'p' ? prefixes_ : rule[0] == 's' ? suffixes_ : infixes_)->rule(m.rule).pattern +
                       "\" matches \"" + s + "\", made only of plain characters");
    }
  };
  for (char a : chars) {
    check(std::string(1, a));
    for (char b : chars) check(std::string{a, b});
  }
}

void Tokenizer::reset_caches() {
  if (t_caches_alive) std::erase_if(thread_caches(), [&](const CacheEntry& e) { return e.id == id_; });
  id_ = next_id();
}

void Tokenizer::add_special_case(SpecialCase special_case) {
  // The rules with one more case; set_special_cases checks it and lets it replace one with its text.
  std::vector<SpecialCase> cases = rules_.special_cases;
  cases.push_back(std::move(special_case));
  set_special_cases(std::move(cases));
}

void Tokenizer::set_special_cases(std::vector<SpecialCase> special_cases) {
  std::vector<SpecialCase> cases;
  cases.reserve(special_cases.size());
  for (SpecialCase& sc : special_cases) {
    check_special_case(sc);
    sc.pieces.back().mwt = false;
    // A later case with the same text replaces an earlier one (the JSON form has one entry per text).
    auto it = std::find_if(cases.begin(), cases.end(), [&](const SpecialCase& c) { return c.text == sc.text; });
    if (it != cases.end()) *it = std::move(sc);
    else cases.push_back(std::move(sc));
  }
  auto table = std::make_unique<SpecialTable>(cases);
  rules_.special_cases = std::move(cases);
  specials_ = std::move(table);
  reset_caches();
}

void Tokenizer::set_prefixes(std::vector<AffixRule> rules) { set_affixes(PREFIX, std::move(rules)); }
void Tokenizer::set_suffixes(std::vector<AffixRule> rules) { set_affixes(SUFFIX, std::move(rules)); }
void Tokenizer::set_infixes(std::vector<AffixRule> rules) { set_affixes(INFIX, std::move(rules)); }

void Tokenizer::set_affixes(Rule which, std::vector<AffixRule> rules) {
  for (const AffixRule& r : rules) {
    if (r.pattern.empty()) throw ValueError("tokenizer: an affix pattern is empty");
  }
  const bool pre = which == PREFIX, suf = which == SUFFIX;
  auto matcher = std::make_unique<AffixMatcher>(
      pre ? AffixMatcher::Kind::Prefix : suf ? AffixMatcher::Kind::Suffix : AffixMatcher::Kind::Infix, rules,
      pre ? "prefix" : suf ? "suffix" : "infix");
  std::vector<AffixRule>& current = pre ? rules_.prefixes : suf ? rules_.suffixes : rules_.infixes;
  // Rules already in the class kept the shortcut exact before; a new one may match inside a plain chunk
  // only through the plain characters it can consume, which then stop being plain.
  AsciiSet plain;
  for (unsigned c = 0; c < 128; ++c) plain[c] = plain_[c];
  for (const AffixRule& r : rules) {
    if (std::any_of(current.begin(), current.end(), [&](const AffixRule& o) { return o.pattern == r.pattern; })) continue;
    const PatternScan scan = scan_pattern(r.pattern, plain);
    if (scan.nonempty_in_plain) plain &= ~scan.chars;
  }
  (pre ? prefixes_ : suf ? suffixes_ : infixes_) = std::move(matcher);
  current = std::move(rules);
  std::string chars;
  for (char c : rules_.plain_chars) {
    if (plain[static_cast<unsigned char>(c)]) chars += c;
  }
  rules_.plain_chars = std::move(chars);
  for (unsigned c = 0; c < 128; ++c) plain_[c] = plain[c];
  reset_caches();
}

void Tokenizer::set_token_match(std::string pattern) {
  auto re = compile_whole(pattern, "token_match");
  patterns_->token_match = std::move(re);
  rules_.token_match = std::move(pattern);
  reset_caches();
}

void Tokenizer::set_url_match(std::string pattern) {
  auto re = compile_whole(pattern, "url_match");
  patterns_->url_match = std::move(re);
  rules_.url_match = std::move(pattern);
  reset_caches();
}

bool Tokenizer::is_plain(std::string_view chunk) const noexcept {
  for (char c : chunk) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 128 || !plain_[u]) return false;
  }
  return true;
}

bool Tokenizer::token_match(std::string_view s) const {
  return s.size() <= kMaxTokenMatch && full_match(patterns_->token_match.get(), s);
}
bool Tokenizer::url_match(std::string_view s) const { return full_match(patterns_->url_match.get(), s); }

void Tokenizer::split_chunk(std::string_view chunk, std::vector<Piece>& out, bool fast) const {
  const auto n = static_cast<std::uint32_t>(chunk.size());
  auto push_special = [&](const SpecialCase& sc, std::uint32_t offset) {
    std::uint32_t pos = offset;
    for (std::size_t k = 0; k < sc.pieces.size(); ++k) {
      const auto len = static_cast<std::uint32_t>(sc.pieces[k].orth.size());
      out.push_back({pos, len, static_cast<std::uint8_t>(sc.pieces[k].mwt ? TOKEN_MWT_NEXT : 0), SPECIAL,
                     static_cast<std::uint16_t>(std::min<std::size_t>(k + 1, UINT16_MAX)), specials_->norm_id(&sc, k)});
      pos += len;
    }
  };
  if (const SpecialCase* sc = specials_->find(chunk)) {
    push_special(*sc, 0);
    return;
  }
  if (fast && is_plain(chunk)) {
    out.push_back({0, n, 0, TOKEN, 0});
    return;
  }

  // spaCy's _split_affixes: strip a prefix and a suffix per round until nothing changes, stopping
  // early where the remainder is kept whole (token_match) or becomes a special case.
  struct Affix {
    std::uint32_t start, len;
    bool mwt;
  };
  std::vector<Affix> prefixes, suffixes;
  std::size_t begin = 0, end = n, last = SIZE_MAX;
  AffixMatcher::Match pm, sm;
  while (begin < end && end - begin != last) {
    const std::string_view s = chunk.substr(begin, end - begin);
    if (token_match(s) || specials_->find(s)) break;
    last = s.size();
    std::size_t pre_len = 0, suf_len = 0;
    if (prefixes_->find_prefix(s, pm)) pre_len = pm.end;
    if (pre_len && pre_len < s.size() && specials_->find(s.substr(pre_len))) {
      prefixes.push_back({static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(pre_len),
                          prefixes_->rule(pm.rule).mwt});
      begin += pre_len;
      break;
    }
    const std::string_view rest = s.substr(pre_len);
    if (suffixes_->find_suffix(rest, sm)) suf_len = rest.size() - sm.start;
    if (suf_len && suf_len < s.size() && specials_->find(s.substr(0, s.size() - suf_len))) {
      suffixes.push_back({static_cast<std::uint32_t>(end - suf_len), static_cast<std::uint32_t>(suf_len),
                          suffixes_->rule(sm.rule).mwt});
      end -= suf_len;
      break;
    }
    if (pre_len) {
      prefixes.push_back({static_cast<std::uint32_t>(begin), static_cast<std::uint32_t>(pre_len),
                          prefixes_->rule(pm.rule).mwt});
      begin += pre_len;
    }
    if (suf_len) {
      suffixes.push_back({static_cast<std::uint32_t>(end - suf_len), static_cast<std::uint32_t>(suf_len),
                          suffixes_->rule(sm.rule).mwt});
      end -= suf_len;
    }
    if (specials_->find(chunk.substr(begin, end - begin))) break;
  }

  const std::size_t first = out.size();
  for (const Affix& a : prefixes) {
    out.push_back({a.start, a.len, static_cast<std::uint8_t>(a.mwt ? TOKEN_MWT_NEXT : 0), PREFIX, 0});
  }
  if (begin < end) {
    const std::string_view core = chunk.substr(begin, end - begin);
    const auto at = static_cast<std::uint32_t>(begin), len = static_cast<std::uint32_t>(core.size());
    if (const SpecialCase* sc = specials_->find(core)) push_special(*sc, at);
    else if (token_match(core)) out.push_back({at, len, 0, TOKEN_MATCH, 0});
    else if (url_match(core)) out.push_back({at, len, 0, URL_MATCH, 0});
    else split_core(chunk, begin, end, out);
  }
  for (auto it = suffixes.rbegin(); it != suffixes.rend(); ++it) {
    if (it->mwt && out.size() > first) out.back().flags |= TOKEN_MWT_NEXT;
    out.push_back({it->start, it->len, 0, SUFFIX, 0});
  }
  // Nothing follows the chunk's last piece inside the chunk, so it cannot join the next one.
  out.back().flags &= static_cast<std::uint8_t>(~TOKEN_MWT_NEXT);
}

// The infix step: the remainder is cut at every infix match (an infix at its very start is not a
// split point, as in spaCy).
void Tokenizer::split_core(std::string_view chunk, std::size_t begin, std::size_t end, std::vector<Piece>& out) const {
  const std::string_view core = chunk.substr(begin, end - begin);
  const auto base = static_cast<std::uint32_t>(begin);
  std::size_t start = 0, pos = 0;
  AffixMatcher::Match m;
  while (pos < core.size() && infixes_->find_infix(core, pos, m)) {
    pos = m.end;
    if (m.start == 0) continue;
    const bool mwt = infixes_->rule(m.rule).mwt;
    if (m.start > start) {
      out.push_back({base + static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(m.start - start), 0, TOKEN,
                     0});
    }
    if (mwt && !out.empty()) out.back().flags |= TOKEN_MWT_NEXT;
    out.push_back({base + static_cast<std::uint32_t>(m.start), static_cast<std::uint32_t>(m.end - m.start),
                   static_cast<std::uint8_t>(mwt ? TOKEN_MWT_NEXT : 0), INFIX, 0});
    start = m.end;
  }
  if (start < core.size()) {
    out.push_back({base + static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(core.size() - start), 0,
                   TOKEN, 0});
  }
}

ChunkCache& Tokenizer::cache() const {
  auto& caches = thread_caches();
  if (!caches.empty() && caches.back().id == id_) return *caches.back().cache;
  for (std::size_t i = 0; i < caches.size(); ++i) {
    if (caches[i].id == id_) {
      std::rotate(caches.begin() + static_cast<std::ptrdiff_t>(i), caches.begin() + static_cast<std::ptrdiff_t>(i) + 1,
                  caches.end());
      return *caches.back().cache;
    }
  }
  if (caches.size() >= kCachesPerThread) caches.erase(caches.begin());
  caches.push_back({id_, std::make_unique<ChunkCache>(options_.cache_size)});
  return *caches.back().cache;
}

// The engine under operator() and tokenize(): emit(idx, len, orth, flags, norm id) for every token of
// `text` (valid UTF-8), cached chunks first.
template <class Emit>
void Tokenizer::run(std::string_view text, Emit&& emit) const {
  ChunkCache& cache = this->cache();
  thread_local std::vector<Piece> pieces;
  thread_local std::vector<ChunkPiece> fresh;
  detail::for_each_chunk(text, [&](std::size_t a, std::size_t b) {
    const std::string_view chunk = text.substr(a, b - a);
    const auto at = static_cast<std::uint32_t>(a);
    if (chunk.size() <= ChunkCache::kMaxChunk) {
      const hash_t h = hash_string(chunk);
      std::span<const ChunkPiece> hit = cache.find(h, chunk);
      if (hit.empty()) {
        pieces.clear();
        split_chunk(chunk, pieces, true);
        fresh.clear();
        for (const Piece& p : pieces) {
          // A single piece is the whole chunk, whose hash is already known.
          const hash_t orth = pieces.size() == 1 ? h : hash_string(chunk.substr(p.start, p.len));
          fresh.push_back(
              {orth, static_cast<std::uint16_t>(p.start), static_cast<std::uint16_t>(p.len), p.flags, p.norm});
        }
        cache.insert(h, chunk, fresh);
        hit = fresh;
      }
      for (const ChunkPiece& p : hit) emit(at + p.start, p.len, p.orth, p.flags, p.norm);
    } else {
      pieces.clear();
      split_chunk(chunk, pieces, true);
      for (const Piece& p : pieces) {
        emit(at + p.start, p.len, hash_string(chunk.substr(p.start, p.len)), p.flags, p.norm);
      }
    }
  });
}

Doc Tokenizer::operator()(std::string text) const {
  check_text_size(text.size());
  Doc doc(vocab_, std::move(text));  // validates UTF-8 before anything reads the text
  const std::string_view t = doc.text();
  // About one token per five bytes of English; growth covers denser text.
  doc.tokens().reserve(t.size() / 5 + 4);
  // The loop stores a special-case piece's norm id (a small integer) in TokenData::norm and a pass
  // afterwards, only for tokenizers with norms, turns the ids into interned strings: a call in the loop
  // (even one never taken) made the compiler spill the whitespace scan's registers.
  run(t, [&](std::uint32_t idx, std::uint32_t len, hash_t orth, std::uint8_t flags, std::uint16_t norm) {
    TokenData& tok = doc.push_token_unchecked(idx, len, orth);
    tok.flags = flags;
    tok.norm = norm;
  });
  if (specials_->has_norms()) {
    for (TokenData& tok : doc.tokens())
      if (tok.norm != 0) tok.norm = doc.intern(specials_->norm(static_cast<std::uint16_t>(tok.norm)));
  }
  return doc;
}

std::vector<TokenSpan> Tokenizer::tokenize(std::string_view text) const {
  check_text_size(text.size());
  utf8::check(text);
  std::vector<TokenSpan> out;
  out.reserve(text.size() / 5 + 4);
  run(text, [&](std::uint32_t idx, std::uint32_t len, hash_t, std::uint8_t flags, std::uint16_t) {
    out.push_back({idx, len, flags});
  });
  return out;
}

std::vector<ExplainEntry> Tokenizer::explain(std::string_view text) const {
  check_text_size(text.size());
  utf8::check(text);
  std::vector<ExplainEntry> out;
  std::vector<Piece> pieces;
  detail::for_each_chunk(text, [&](std::size_t a, std::size_t b) {
    const std::string_view chunk = text.substr(a, b - a);
    pieces.clear();
    split_chunk(chunk, pieces, false);
    for (const Piece& p : pieces) {
      std::string rule = rule_name(static_cast<Rule>(p.rule));
      if (p.rule == SPECIAL) rule += "-" + std::to_string(p.special);
      out.push_back({std::move(rule), std::string(chunk.substr(p.start, p.len))});
    }
  });
  return out;
}

}  // namespace weft
