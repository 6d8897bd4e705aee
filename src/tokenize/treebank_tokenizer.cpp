// The Treebank rules, in NLTK's order (nltk/tokenize/treebank.py, TreebankWordTokenizer.tokenize),
// each a substitution over a working copy of the text that keeps, for every byte, the original byte it
// came from. Python regular-expression details that RE2 lacks are handled around the match: Python's
// `\b` and `\w` are Unicode (checked on the neighbouring characters), `(?=\s)` is a check of the next
// character, and `\s` / `\d` are written as Unicode classes.
#include "weft/tokenize/treebank_tokenizer.hpp"

#include <re2/re2.h>

#include <cstdint>
#include <functional>
#include <limits>

#include "weft/error.hpp"
#include "weft/strings/hash.hpp"
#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

namespace {

constexpr std::uint32_t kInserted = std::numeric_limits<std::uint32_t>::max();

// Python's \s for str patterns (the regex module NLTK uses): the White_Space property.
#define WEFT_TB_WS "[\\t-\\r \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"

// The working text: bytes, the original byte each came from (kInserted for added spaces), and a mark
// on the first byte of a clitic split off the word before it.
struct Work {
  std::string w;
  std::vector<std::uint32_t> origin;
  std::vector<std::uint8_t> clitic;

  void append(std::string_view bytes, const std::uint32_t* from, const std::uint8_t* marks) {
    w.append(bytes);
    origin.insert(origin.end(), from, from + bytes.size());
    clitic.insert(clitic.end(), marks, marks + bytes.size());
  }
  void space() {
    w.push_back(' ');
    origin.push_back(kInserted);
    clitic.push_back(0);
  }
};

// One piece of a replacement: a space, a group of the match as it is, a group marked as a clitic, or
// a group rewritten as new text (a converted quote; its bytes map onto the group's bytes).
struct Piece {
  enum Kind : std::uint8_t { Space, Group, Clitic, Convert } kind;
  int group = 0;
  const char* text = nullptr;
};

constexpr Piece sp() { return {Piece::Space}; }
constexpr Piece grp(int g) { return {Piece::Group, g}; }
constexpr Piece clitic(int g) { return {Piece::Clitic, g}; }
constexpr Piece conv(int g, const char* text) { return {Piece::Convert, g, text}; }

// A condition on a match that the pattern could not state (Python's Unicode \b, a lookahead).
using Check = std::function<bool(std::string_view w, std::size_t begin, std::size_t end)>;

struct Rule {
  std::unique_ptr<RE2> re;
  std::vector<Piece> replacement;
  Check check;
};

// Python's \w (the regex module's Unicode word characters).
bool is_word_char(char32_t c) {
  return c == '_' || unicode::is_alpha(c) || unicode::is_mark(c) || unicode::is_digit(c) ||
         c == 0x200C || c == 0x200D || c == 0x203F || c == 0x2040;
}

char32_t char_before(std::string_view s, std::size_t i) {
  if (i == 0) return 0;
  std::size_t j = i - 1;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
  return utf8::next(s, j);
}

char32_t char_at(std::string_view s, std::size_t i) { return i < s.size() ? utf8::next(s, i) : 0; }

// \b before `begin` where the match starts with a word character, and after `end` where it ends with one.
bool word_start(std::string_view s, std::size_t begin) { return begin == 0 || !is_word_char(char_before(s, begin)); }
bool word_end(std::string_view s, std::size_t end) { return end >= s.size() || !is_word_char(char_at(s, end)); }

std::unique_ptr<RE2> compile(const std::string& pattern) {
  RE2::Options o;
  o.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, o);
  if (!re->ok()) throw ValueError("Treebank rule \"" + pattern + "\" does not compile: " + re->error());
  return re;
}

// re.sub(pattern, replacement, text) over the working text, matches left to right without overlap; a
// match that fails `check` is passed over and the search goes on one character later, as Python's
// search would after the same failure.
void substitute(Work& in, const Rule& rule) {
  const std::string_view w(in.w);
  const int groups = 1 + rule.re->NumberOfCapturingGroups();
  std::vector<re2::StringPiece> g(static_cast<std::size_t>(groups));
  Work out;
  out.w.reserve(w.size() + 16);
  out.origin.reserve(w.size() + 16);
  out.clitic.reserve(w.size() + 16);
  std::size_t copied = 0, pos = 0;
  bool matched = false;
  const re2::StringPiece text(w.data(), w.size());
  while (pos < w.size() && rule.re->Match(text, pos, w.size(), RE2::UNANCHORED, g.data(), groups)) {
    const std::size_t begin = static_cast<std::size_t>(g[0].data() - w.data());
    const std::size_t end = begin + g[0].size();
    if (rule.check && !rule.check(w, begin, end)) {
      pos = begin + 1;
      while (pos < w.size() && (static_cast<unsigned char>(w[pos]) & 0xC0) == 0x80) ++pos;
      continue;
    }
    matched = true;
    out.append(w.substr(copied, begin - copied), in.origin.data() + copied, in.clitic.data() + copied);
    for (const Piece& p : rule.replacement) {
      if (p.kind == Piece::Space) {
        out.space();
        continue;
      }
      const re2::StringPiece& s = g[static_cast<std::size_t>(p.group)];
      if (s.data() == nullptr) continue;  // an optional group that did not take part
      const std::size_t a = static_cast<std::size_t>(s.data() - w.data());
      if (p.kind == Piece::Convert) {
        // The new text's bytes map onto the group's bytes in order, the last one repeated.
        const std::string_view t(p.text);
        for (std::size_t k = 0; k < t.size(); ++k) {
          out.w.push_back(t[k]);
          out.origin.push_back(in.origin[a + std::min(k, s.size() - 1)]);
          out.clitic.push_back(0);
        }
        continue;
      }
      const std::size_t at = out.w.size();
      out.append(w.substr(a, s.size()), in.origin.data() + a, in.clitic.data() + a);
      if (p.kind == Piece::Clitic && s.size() > 0) out.clitic[at] = 1;
    }
    copied = pos = end;
    if (end == begin) ++pos;  // no rule matches the empty string; kept for safety
  }
  if (!matched) return;  // nothing to change
  out.append(w.substr(copied), in.origin.data() + copied, in.clitic.data() + copied);
  in = std::move(out);
}

}  // namespace

struct TreebankTokenizer::Rules {
  // STARTING_QUOTES (after the first, `^"` -> ``, done by hand), PUNCTUATION (the final-comma rule
  // `([:,])$` by hand: Python's $ also matches before a final newline), PARENS_BRACKETS,
  // DOUBLE_DASHES; then the text is padded with a space at each end and ENDING_QUOTES, CONTRACTIONS2
  // and CONTRACTIONS3 follow.
  std::vector<Rule> before_final_comma, after_final_comma, after_padding;

  Rules() {
    auto add = [](std::vector<Rule>& list, const std::string& pattern, std::vector<Piece> replacement,
                  Check check = nullptr) { list.push_back({compile(pattern), std::move(replacement), std::move(check)}); };
    // STARTING_QUOTES
    add(before_final_comma, "(``)", {sp(), grp(1), sp()});
    add(before_final_comma, R"(([ (\[{<])("|''))", {grp(1), sp(), conv(2, "``"), sp()});
    // PUNCTUATION
    add(before_final_comma, R"(([:,])(\P{Nd}))", {sp(), grp(1), sp(), grp(2)});
    add(after_final_comma, R"(\.\.\.)", {sp(), grp(0), sp()});
    add(after_final_comma, R"([;@#$%&])", {sp(), grp(0), sp()});
    add(after_final_comma, R"(([^.])(\.)([\])}>"']*))" WEFT_TB_WS R"(*\z)", {grp(1), sp(), grp(2), grp(3), sp()});
    add(after_final_comma, R"([?!])", {sp(), grp(0), sp()});
    add(after_final_comma, R"(([^'])(') )", {grp(1), sp(), grp(2), sp()});
    // PARENS_BRACKETS, DOUBLE_DASHES
    add(after_final_comma, R"([\]\[(){}<>])", {sp(), grp(0), sp()});
    add(after_final_comma, R"(--)", {sp(), grp(0), sp()});
    // ENDING_QUOTES
    add(after_padding, R"('')", {sp(), grp(0), sp()});
    add(after_padding, R"(")", {sp(), conv(0, "''"), sp()});
    // RE2 reads the class [sS] as a case-folded s, which also matches U+017F (long s); Python's does not.
    add(after_padding, R"(([^' ])('[sS]|'[mM]|'[dD]|') )", {grp(1), sp(), clitic(2), sp()},
        [](std::string_view w, std::size_t, std::size_t e) { return static_cast<unsigned char>(w[e - 2]) < 0x80; });
    add(after_padding, R"(([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) )", {grp(1), sp(), clitic(2), sp()});
    // CONTRACTIONS2: (?i)\b(can)(not)\b, ...; (?i)\b(wan)(na)(?=\s)
    const Check bounded = [](std::string_view w, std::size_t b, std::size_t e) { return word_start(w, b) && word_end(w, e); };
    for (const char* p : {"(can)(not)", "(d)('ye)", "(gim)(me)", "(gon)(na)", "(got)(ta)", "(lem)(me)", "(more)('n)"})
      add(after_padding, std::string("(?i)") + p, {sp(), grp(1), sp(), clitic(2), sp()}, bounded);
    add(after_padding, "(?i)(wan)(na)", {sp(), grp(1), sp(), clitic(2), sp()},
        [](std::string_view w, std::size_t b, std::size_t e) { return word_start(w, b) && e < w.size() && unicode::is_space(char_at(w, e)); });
    // CONTRACTIONS3: (?i) ('t)(is)\b, (?i) ('t)(was)\b
    const Check ends_word = [](std::string_view w, std::size_t, std::size_t e) { return word_end(w, e); };
    add(after_padding, "(?i) ('t)(is)", {sp(), grp(1), sp(), clitic(2), sp()}, ends_word);
    add(after_padding, "(?i) ('t)(was)", {sp(), grp(1), sp(), clitic(2), sp()}, ends_word);
  }
};

TreebankTokenizer::TreebankTokenizer(std::shared_ptr<Vocab> vocab) : TokenizerBase(std::move(vocab)) {
  static const std::shared_ptr<const Rules> rules = std::make_shared<const Rules>();
  rules_ = rules;
}

TreebankTokenizer::~TreebankTokenizer() = default;

std::unique_ptr<TreebankTokenizer> TreebankTokenizer::from_config(const Json& config, std::shared_ptr<Vocab> vocab) {
  if (!config.is_object()) throw FormatError("tokenizer config must be a JSON object");
  check_config_keys(config, {"@tokenizers"}, "the weft.TreebankTokenizer.v1 config");
  return std::make_unique<TreebankTokenizer>(std::move(vocab));
}

std::vector<TreebankPiece> TreebankTokenizer::pieces(std::string_view text) const {
  if (text.size() >= kInserted) throw ValueError("text is longer than a Doc can hold (4 GiB)");
  Work work;
  work.w.assign(text);
  work.origin.resize(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) work.origin[i] = static_cast<std::uint32_t>(i);
  work.clitic.assign(text.size(), 0);
  // STARTING_QUOTES[0]: ^" -> ``
  if (!work.w.empty() && work.w[0] == '"') {
    work.w.replace(0, 1, "``");
    work.origin.insert(work.origin.begin(), work.origin[0]);
    work.clitic.insert(work.clitic.begin(), 0);
  }
  for (const Rule& r : rules_->before_final_comma) substitute(work, r);
  // PUNCTUATION: ([:,])$ -> " \1 ", where $ is the end or just before a final newline.
  {
    const std::size_t n = work.w.size();
    std::size_t at = std::string::npos;
    if (n >= 1 && (work.w[n - 1] == ':' || work.w[n - 1] == ',')) at = n - 1;
    else if (n >= 2 && work.w[n - 1] == '\n' && (work.w[n - 2] == ':' || work.w[n - 2] == ',')) at = n - 2;
    if (at != std::string::npos) {
      // " X " in place of X (the rest, a final newline, follows)
      work.w.replace(at, 1, std::string(" ") + work.w[at] + " ");
      work.origin.insert(work.origin.begin() + static_cast<std::ptrdiff_t>(at) + 1, kInserted);
      work.origin.insert(work.origin.begin() + static_cast<std::ptrdiff_t>(at), kInserted);
      work.clitic.insert(work.clitic.begin() + static_cast<std::ptrdiff_t>(at) + 1, 0);
      work.clitic.insert(work.clitic.begin() + static_cast<std::ptrdiff_t>(at), 0);
    }
  }
  for (const Rule& r : rules_->after_final_comma) substitute(work, r);
  // text = " " + text + " "
  work.w.insert(work.w.begin(), ' ');
  work.origin.insert(work.origin.begin(), kInserted);
  work.clitic.insert(work.clitic.begin(), 0);
  work.space();
  for (const Rule& r : rules_->after_padding) substitute(work, r);

  // text.split(): runs of non-whitespace, each mapped back through its bytes' origins.
  std::vector<TreebankPiece> out;
  const std::string_view w(work.w);
  std::size_t i = 0;
  while (i < w.size()) {
    std::size_t j = i;
    if (unicode::is_space(utf8::next(w, j))) {
      i = j;
      continue;
    }
    const std::size_t start = i;
    i = j;
    while (i < w.size()) {
      std::size_t k = i;
      if (unicode::is_space(utf8::next(w, k))) break;
      i = k;
    }
    std::size_t begin = kInserted, end = 0;
    for (std::size_t b = start; b < i; ++b)
      if (work.origin[b] != kInserted) {
        begin = std::min<std::size_t>(begin, work.origin[b]);
        end = std::max<std::size_t>(end, work.origin[b] + 1);
      }
    if (begin == kInserted) continue;  // only inserted bytes (never: insertions are spaces)
    // Extend a cut inside a UTF-8 character to its whole (never: cuts are at ASCII characters).
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    if (!out.empty() && begin < out.back().end) {  // overlap (never): keep one token
      out.back().end = std::max(out.back().end, end);
      out.back().form += std::string(w.substr(start, i - start));
      continue;
    }
    const bool continues = work.clitic[start] != 0 && !out.empty() && out.back().end == begin;
    out.push_back({begin, end, std::string(w.substr(start, i - start)), continues});
  }
  return out;
}

Doc TreebankTokenizer::operator()(std::string text) const {
  if (text.size() >= kInserted) throw ValueError("text is longer than a Doc can hold (4 GiB)");
  Doc doc(vocab_, std::move(text));
  const std::string_view t = doc.text();
  const std::vector<TreebankPiece> ps = pieces(t);
  doc.tokens().reserve(ps.size());
  for (std::size_t k = 0; k < ps.size(); ++k) {
    const TreebankPiece& p = ps[k];
    const std::string_view surface = t.substr(p.begin, p.end - p.begin);
    doc.push_token_unchecked(static_cast<std::uint32_t>(p.begin),
                                              static_cast<std::uint32_t>(p.end - p.begin), hash_string(surface));
    if (k > 0 && p.mwt_continues) doc.data(k - 1).flags |= TOKEN_MWT_NEXT;
    // Quotes keep the Treebank form as their norm (also '' that stays '', which a lexeme's norm
    // would make ").
    if (p.form != surface || surface == "''") doc.data(k).norm = doc.intern(p.form);
  }
  return doc;
}

std::vector<ExplainEntry> TreebankTokenizer::explain(std::string_view text) const {
  utf8::check(text);
  std::vector<ExplainEntry> out;
  for (const TreebankPiece& p : pieces(text)) {
    const std::string surface(text.substr(p.begin, p.end - p.begin));
    out.push_back({p.form != surface ? "QUOTE" : p.mwt_continues ? "CONTRACTION" : "TOKEN", surface});
  }
  return out;
}

}  // namespace weft
