#include "weft/tokenize/regexp_tokenizer.hpp"

#include <re2/re2.h>

#include <cstdint>

#include "weft/error.hpp"
#include "weft/strings/hash.hpp"
#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

namespace {

std::size_t next_char(std::string_view s, std::size_t i) {
  ++i;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

// [begin, end) without the whitespace at its edges (empty when it is all whitespace).
std::pair<std::size_t, std::size_t> trim(std::string_view s, std::size_t begin, std::size_t end) {
  while (begin < end) {
    std::size_t j = begin;
    if (!unicode::is_space(utf8::next(s, j))) break;
    begin = j;
  }
  while (end > begin) {
    std::size_t j = end - 1;
    while (j > begin && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
    std::size_t k = j;
    if (!unicode::is_space(utf8::next(s, k))) break;
    end = j;
  }
  return {begin, end};
}

constexpr const char* kWordSet = "\\p{L}\\p{Nl}\\p{M}\\p{Nd}\\p{Pc}";
constexpr const char* kSpaceSet =
    "\\t-\\r \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}";

}  // namespace

std::string RegexpTokenizer::unicode_classes(const std::string& pattern) {
  std::string out;
  out.reserve(pattern.size() + 32);
  bool in_class = false;
  std::size_t class_start = 0;  // where the class's members begin (after "[" or "[^")
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char e = pattern[i + 1];
      if (e == 'Q') {  // \Q...\E: literal text, copied as it is
        const std::size_t end = pattern.find("\\E", i + 2);
        const std::size_t stop = end == std::string::npos ? pattern.size() : end + 2;
        out.append(pattern, i, stop - i);
        i = stop - 1;
        continue;
      }
      if ((e == 'p' || e == 'P' || e == 'x') && i + 2 < pattern.size() && pattern[i + 2] == '{') {
        const std::size_t end = pattern.find('}', i + 2);
        const std::size_t stop = end == std::string::npos ? pattern.size() : end + 1;
        out.append(pattern, i, stop - i);
        i = stop - 1;
        continue;
      }
      const char* set = e == 'w' || e == 'W' ? kWordSet : e == 's' || e == 'S' ? kSpaceSet : nullptr;
      if (e == 'd') out += "\\p{Nd}";
      else if (e == 'D') out += "\\P{Nd}";
      else if (set && in_class && (e == 'W' || e == 'S'))
        throw ConfigError("RegexpTokenizer pattern \"" + pattern + "\": \\" + std::string(1, e) +
                          " inside [...] has no RE2 form with Unicode classes; use a negated class or (?:...|...)");
      else if (set && in_class) out += set;
      else if (set) out += std::string(e == 'W' || e == 'S' ? "[^" : "[") + set + "]";
      else out.append(pattern, i, 2);
      ++i;
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      out += c;
      class_start = i + 1;
      if (class_start < pattern.size() && pattern[class_start] == '^') out += pattern[class_start++], ++i;
      continue;
    }
    if (in_class && c == '[' && i + 1 < pattern.size() && pattern[i + 1] == ':') {  // [:alpha:]
      const std::size_t end = pattern.find(":]", i + 2);
      const std::size_t stop = end == std::string::npos ? pattern.size() : end + 2;
      out.append(pattern, i, stop - i);
      i = stop - 1;
      continue;
    }
    if (in_class && c == ']' && i != class_start) in_class = false;
    out += c;
  }
  return out;
}

RegexpTokenizer::RegexpTokenizer(std::shared_ptr<Vocab> vocab, std::string pattern, bool gaps)
    : TokenizerBase(std::move(vocab)), pattern_(std::move(pattern)), gaps_(gaps) {
  utf8::check(pattern_, "RegexpTokenizer pattern");
  if (pattern_.empty()) throw ConfigError("RegexpTokenizer pattern is empty");
  RE2::Options o;
  o.set_log_errors(false);
  o.set_dot_nl(true);          // NLTK compiles with re.DOTALL
  o.set_max_mem(64 << 20);
  // (?m): NLTK's re.MULTILINE (^ and $ at line boundaries).
  auto re = std::make_shared<RE2>("(?m)" + unicode_classes(pattern_), o);
  if (!re->ok()) throw ConfigError("RegexpTokenizer pattern \"" + pattern_ + "\" does not compile: " + re->error());
  if (re->NumberOfCapturingGroups() > 0)
    throw ConfigError("RegexpTokenizer pattern \"" + pattern_ +
                     "\" has a capturing group; use (?:...) (a token is the whole match, as NLTK requires)");
  re_ = std::move(re);
}

RegexpTokenizer::~RegexpTokenizer() = default;

std::unique_ptr<RegexpTokenizer> RegexpTokenizer::from_config(const Json& config, std::shared_ptr<Vocab> vocab) {
  if (!config.is_object()) throw FormatError("tokenizer config must be a JSON object");
  check_config_keys(config, {"@tokenizers", "pattern", "gaps"}, "the weft.RegexpTokenizer.v1 config");
  std::string pattern = kDefaultPattern;
  bool gaps = false;
  if (config.contains("pattern")) {
    if (!config["pattern"].is_string())
      throw ConfigError("weft.RegexpTokenizer.v1 config: \"pattern\" must be a string (an RE2 regular expression)");
    pattern = config["pattern"].get<std::string>();
  }
  if (config.contains("gaps")) {
    if (!config["gaps"].is_boolean()) throw ConfigError("weft.RegexpTokenizer.v1 config: \"gaps\" must be true or false");
    gaps = config["gaps"].get<bool>();
  }
  return std::make_unique<RegexpTokenizer>(std::move(vocab), std::move(pattern), gaps);
}

Json RegexpTokenizer::to_json() const {
  return Json{{"@tokenizers", registry_name()}, {"pattern", pattern_}, {"gaps", gaps_}};
}

std::vector<std::pair<std::size_t, std::size_t>> RegexpTokenizer::spans(std::string_view text) const {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  const re2::StringPiece whole(text.data(), text.size());
  re2::StringPiece m;
  std::size_t pos = 0, piece_start = 0;
  auto keep = [&](std::size_t b, std::size_t e) {
    const auto [tb, te] = trim(text, b, e);
    if (tb < te) out.emplace_back(tb, te);
  };
  while (pos <= text.size() && re_->Match(whole, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
    const std::size_t b = static_cast<std::size_t>(m.data() - text.data());
    const std::size_t e = b + m.size();
    if (e == b) {  // an empty match: no token, no separator
      if (b >= text.size()) break;
      pos = next_char(text, b);
      continue;
    }
    if (gaps_) keep(piece_start, b), piece_start = e;
    else keep(b, e);
    pos = e;
  }
  if (gaps_) keep(piece_start, text.size());
  return out;
}

Doc RegexpTokenizer::operator()(std::string text) const {
  if (text.size() > UINT32_MAX) throw ValueError("text is longer than a Doc can hold (4 GiB)");
  Doc doc(vocab_, std::move(text));
  const std::string_view t = doc.text();
  const auto ss = spans(t);
  doc.tokens().reserve(ss.size());
  for (const auto& [b, e] : ss)
    doc.push_token_unchecked(static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e - b), hash_string(t.substr(b, e - b)));
  return doc;
}

std::vector<ExplainEntry> RegexpTokenizer::explain(std::string_view text) const {
  utf8::check(text);
  std::vector<ExplainEntry> out;
  for (const auto& [b, e] : spans(text)) out.push_back({gaps_ ? "GAP" : "TOKEN", std::string(text.substr(b, e - b))});
  return out;
}

}  // namespace weft
