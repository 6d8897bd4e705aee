// Punkt's training and sentence boundary decisions, following nltk/tokenize/punkt.py (NLTK 3.10.4)
// function by function; each function names the NLTK method it stands for. NLTK's regular
// expressions are written out as scans over code points (Python's \s is White_Space, \w the regex
// module's Unicode word characters, \d decimal digits).
#include <algorithm>
#include <cmath>
#include <optional>

#include "weft/components/punkt/punkt.hpp"
#include "weft/error.hpp"
#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft::punkt {

namespace {

// ---- characters ----------------------------------------------------------------------------------

// Python's \w (the regex module's: Alphabetic, marks, decimal digits, connector punctuation, joiners).
bool is_word_char(char32_t c) {
  if (c == '_' || c == 0x200C || c == 0x200D) return true;
  if (unicode::is_alpha(c) || unicode::is_mark(c) || unicode::is_digit(c)) return true;
  return c == 0x203F || c == 0x2040 || c == 0x2054 || c == 0xFE33 || c == 0xFE34 || c == 0xFE4D || c == 0xFE4E ||
         c == 0xFE4F || c == 0xFF3F;  // the other connector punctuation (Pc)
}

// [^\W\d]: a word character that is not a decimal digit.
bool is_alpha_char(char32_t c) { return !unicode::is_digit(c) && is_word_char(c); }

char32_t first_char(std::string_view s) {
  std::size_t i = 0;
  return s.empty() ? 0 : utf8::next(s, i);
}

std::size_t char_count(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// s without its last code point (Python's s[:-1]).
std::string_view drop_last(std::string_view s) {
  if (s.empty()) return s;
  std::size_t j = s.size() - 1;
  while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
  return s.substr(0, j);
}

bool is_space_at(std::string_view s, std::size_t i, std::size_t* next = nullptr) {
  std::size_t j = i;
  const bool sp = unicode::is_space(utf8::next(s, j));
  if (next) *next = j;
  return sp;
}

// PunktLanguageVars._re_non_word_chars: ) " ; } ] * : @ ' ( { [ ‘ ’ “ ” « » ? !
bool is_non_word(char32_t c) {
  switch (c) {
    case ')': case '"': case ';': case '}': case ']': case '*': case ':': case '@': case '\'': case '(':
    case '{': case '[': case 0x2018: case 0x2019: case 0x201C: case 0x201D: case 0xAB: case 0xBB: case '?':
    case '!':
      return true;
    default:
      return false;
  }
}

// PunktLanguageVars._re_word_start: not one of ( " ` { [ : ; & # * @ ) } ] - ,
bool is_word_start(char32_t c) {
  switch (c) {
    case '(': case '"': case '`': case '{': case '[': case ':': case ';': case '&': case '#': case '*': case '@':
    case ')': case '}': case ']': case '-': case ',':
      return false;
    default:
      return true;
  }
}

// _re_multi_char_punct at s[i]: -{2,} | \.{2,} | (?:\.\s){2,}\. ; the match's end, or npos.
std::size_t multi_char_punct(std::string_view s, std::size_t i) {
  const std::size_t n = s.size();
  if (i >= n) return std::string_view::npos;
  if (s[i] == '-' || s[i] == '.') {
    std::size_t j = i;
    while (j < n && s[j] == s[i]) ++j;
    if (j - i >= 2) return j;
  }
  if (s[i] == '.') {
    // (?:\.\s){2,}\. : the most ". " pairs that are followed by a period, at least two.
    std::vector<std::size_t> after_pairs;  // position after k pairs
    std::size_t j = i;
    while (j < n && s[j] == '.') {
      std::size_t k;
      if (j + 1 >= n || !is_space_at(s, j + 1, &k)) break;
      after_pairs.push_back(k);
      j = k;
    }
    for (std::size_t k = after_pairs.size(); k >= 2; --k)
      if (after_pairs[k - 1] < n && s[after_pairs[k - 1]] == '.') return after_pairs[k - 1] + 1;
  }
  return std::string_view::npos;
}

// The lookahead that ends a word in _word_tokenize_fmt: \s | $ | NonWord | MultiChar | ,(?=$|\s|NonWord|MultiChar)
bool ends_word(std::string_view s, std::size_t j) {
  const auto plain_end = [&](std::size_t p) {
    if (p >= s.size()) return true;
    if (is_space_at(s, p) || is_non_word(first_char(s.substr(p)))) return true;
    return multi_char_punct(s, p) != std::string_view::npos;
  };
  if (plain_end(j)) return true;
  return s[j] == ',' && plain_end(j + 1);
}

std::size_t next_char(std::string_view s, std::size_t i) {
  ++i;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

// _RE_NUMERIC over a lowercased token: ^-?[\.,]?\d[\d,\.-]*\.?$
bool is_numeric(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) ++i;
  if (i >= s.size() || !unicode::is_digit(utf8::next(s, i))) return false;
  while (i < s.size()) {
    const char32_t c = utf8::next(s, i);
    if (!(unicode::is_digit(c) || c == ',' || c == '.' || c == '-')) return false;
  }
  return true;
}

// ---- tokens (PunktToken) -------------------------------------------------------------------------

const std::string kNumber = "##number##";

// _re_non_punct.search(type): a [^\W\d] anywhere.
bool has_alpha_char(std::string_view s) {
  for (std::size_t i = 0; i < s.size();)
    if (is_alpha_char(utf8::next(s, i))) return true;
  return false;
}

struct Token {
  std::string_view tok;
  std::string type;  // lowercased, or ##number##
  bool period_final = false, parastart = false, linestart = false;
  bool sentbreak = false, abbr = false, ellipsis = false;

  explicit Token(std::string_view t) : tok(t) {
    const std::string lower = unicode::lower(t);
    type = is_numeric(lower) ? kNumber : lower;
    period_final = !t.empty() && t.back() == '.';
  }
  std::string type_no_period() const {
    if (char_count(type) > 1 && type.back() == '.') return type.substr(0, type.size() - 1);
    return type;
  }
  std::string type_no_sentperiod() const { return sentbreak ? type_no_period() : type; }
  bool first_upper() const { return unicode::is_upper(first_char(tok)); }
  bool first_lower() const { return unicode::is_lower(first_char(tok)); }
  // "lower", "upper", "none"
  int first_case() const { return first_lower() ? 1 : first_upper() ? 2 : 0; }
  bool is_ellipsis() const {  // \.\.+$
    if (tok.size() < 2) return false;
    return std::all_of(tok.begin(), tok.end(), [](char c) { return c == '.'; });
  }
  bool is_number() const { return type.rfind(kNumber, 0) == 0; }
  bool is_initial() const {  // [^\W\d]\.$
    if (tok.size() < 2 || tok.back() != '.') return false;
    std::size_t i = 0;
    const char32_t c = utf8::next(tok, i);
    return i == tok.size() - 1 && is_alpha_char(c);
  }
  bool is_alpha() const {  // [^\W\d]+$
    if (tok.empty()) return false;
    for (std::size_t i = 0; i < tok.size();)
      if (!is_alpha_char(utf8::next(tok, i))) return false;
    return true;
  }
  bool is_non_punct() const { return has_alpha_char(type); }
};

// PunktBaseClass._tokenize_words: the words of each line; an empty line makes the next word a
// paragraph start.
std::vector<Token> tokenize_words(std::string_view text) {
  std::vector<Token> out;
  bool parastart = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    const std::vector<std::string_view> words = word_tokenize(line);
    if (!words.empty()) {
      for (std::size_t k = 0; k < words.size(); ++k) {
        Token& t = out.emplace_back(words[k]);
        if (k == 0) {
          t.parastart = parastart;
          t.linestart = true;
        }
      }
      parastart = false;
    } else {
      parastart = true;
    }
    if (end == text.size()) break;
    start = end + 1;
  }
  return out;
}

// Parameters and the first pass over tokens, shared by training and sentence splitting.
void first_pass_annotation(Token& t, const Parameters& params) {
  const std::string_view tok = t.tok;
  if (tok == "." || tok == "?" || tok == "!") {
    t.sentbreak = true;
  } else if (t.is_ellipsis()) {
    t.ellipsis = true;
  } else if (t.period_final && !(tok.size() >= 2 && tok.substr(tok.size() - 2) == "..")) {
    const std::string stem = unicode::lower(drop_last(tok));
    const std::size_t dash = stem.rfind('-');
    const std::string last = dash == std::string::npos ? stem : stem.substr(dash + 1);
    if (params.abbrev_types.count(stem) || params.abbrev_types.count(last)) t.abbr = true;
    else t.sentbreak = true;
  }
}

// ---- log likelihoods -------------------------------------------------------------------------------

// PunktTrainer._dunning_log_likelihood
double dunning_log_likelihood(double count_a, double count_b, double count_ab, double n) {
  const double p1 = count_b / n;
  const double p2 = 0.99;
  const double null_hypo = count_ab * std::log(p1 + 1e-8) + (count_a - count_ab) * std::log(1.0 - p1 + 1e-8);
  const double alt_hypo = count_ab * std::log(p2) + (count_a - count_ab) * std::log(1.0 - p2);
  const double likelihood = null_hypo - alt_hypo;
  return -2.0 * likelihood;
}

// PunktTrainer._col_log_likelihood; where Python's math.log raises (0 or less) the summand is 0.
double col_log_likelihood(double count_a, double count_b, double count_ab, double n) {
  const double p = count_b / n;
  const double p1 = count_ab / count_a;
  const double p2 = n - count_a != 0 ? (count_b - count_ab) / (n - count_a) : 1;
  const bool p_ok = p > 0 && 1.0 - p > 0;
  const double summand1 = p_ok ? count_ab * std::log(p) + (count_a - count_ab) * std::log(1.0 - p) : 0;
  const double summand2 = p_ok ? (count_b - count_ab) * std::log(p) + (n - count_a - count_b + count_ab) * std::log(1.0 - p) : 0;
  const double summand3 = (count_a == count_ab || p1 <= 0 || p1 >= 1)
                              ? 0
                              : count_ab * std::log(p1) + (count_a - count_ab) * std::log(1.0 - p1);
  const double summand4 = (count_b == count_ab || p2 <= 0 || p2 >= 1)
                              ? 0
                              : (count_b - count_ab) * std::log(p2) + (n - count_a - count_b + count_ab) * std::log(1.0 - p2);
  const double likelihood = summand1 + summand2 - summand3 - summand4;
  return -2.0 * likelihood;
}

// ---- training (PunktTrainer) ---------------------------------------------------------------------

using Counts = std::unordered_map<std::string, std::int64_t>;

std::int64_t count_of(const Counts& c, const std::string& k) {
  const auto it = c.find(k);
  return it == c.end() ? 0 : it->second;
}

struct PairHash {
  std::size_t operator()(const std::pair<std::string, std::string>& p) const noexcept {
    return std::hash<std::string>()(p.first) * 31 + std::hash<std::string>()(p.second);
  }
};

class Trainer {
 public:
  Trainer(const TrainerSettings& s) : s_(s) {}

  // PunktTrainer._train_tokens, then finalize_training.
  Parameters run(std::string_view text, TrainingStats* stats) {
    std::vector<Token> tokens = tokenize_words(text);
    for (const Token& t : tokens) {
      ++type_fdist_[t.type];
      if (t.period_final) ++num_period_toks_;
    }
    n_ = static_cast<std::int64_t>(tokens.size());
    reclassify_abbrev_types(tokens);
    for (Token& t : tokens) first_pass_annotation(t, p_);
    get_orthography_data(tokens);
    for (const Token& t : tokens) sentbreak_count_ += t.sentbreak;
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
      const Token& t1 = tokens[i];
      const Token& t2 = tokens[i + 1];
      if (!t1.period_final) continue;
      if (is_rare_abbrev_type(t1, t2)) p_.abbrev_types.insert(t1.type_no_period());
      if (is_potential_sent_starter(t2, t1)) ++sent_starter_fdist_[t2.type];
      if (is_potential_collocation(t1, t2)) ++collocation_fdist_[{t1.type_no_period(), t2.type_no_sentperiod()}];
    }
    find_sent_starters();
    find_collocations();
    if (stats) {
      stats->tokens = n_;
      stats->period_tokens = num_period_toks_;
      stats->sentence_breaks = sentbreak_count_;
    }
    return std::move(p_);
  }

 private:
  // PunktTrainer._reclassify_abbrev_types over the types of a first training (no abbreviations yet):
  // every period-final type whose score reaches ABBREV becomes one (the removals NLTK's generator
  // can make in the same loop never happen for a type added with the same score).
  void reclassify_abbrev_types(const std::vector<Token>& tokens) {
    std::set<std::string> types;
    for (const Token& t : tokens) types.insert(t.type);
    for (const std::string& type : types) {
      if (!has_alpha_char(type) || type == kNumber) continue;
      if (type.empty() || type.back() != '.') continue;
      if (p_.abbrev_types.count(type)) continue;
      const std::string typ = type.substr(0, type.size() - 1);
      const std::int64_t periods = static_cast<std::int64_t>(std::count(typ.begin(), typ.end(), '.')) + 1;
      const std::int64_t nonperiods = static_cast<std::int64_t>(char_count(typ)) - periods + 1;
      const std::int64_t with_period = count_of(type_fdist_, typ + ".");
      const std::int64_t without_period = count_of(type_fdist_, typ);
      const double ll = dunning_log_likelihood(static_cast<double>(with_period + without_period),
                                               static_cast<double>(num_period_toks_), static_cast<double>(with_period),
                                               static_cast<double>(n_));
      const double f_length = std::exp(-static_cast<double>(nonperiods));
      const double f_periods = static_cast<double>(periods);
      const double f_penalty = s_.ignore_abbrev_penalty
                                   ? 1.0
                                   : std::pow(static_cast<double>(nonperiods), -static_cast<double>(without_period));
      const double score = ll * f_length * f_periods * f_penalty;
      if (score >= s_.abbrev) p_.abbrev_types.insert(typ);
    }
  }

  // PunktTrainer._get_orthography_data
  void get_orthography_data(const std::vector<Token>& tokens) {
    enum Context { Initial, Internal, Unknown } context = Internal;
    for (const Token& t : tokens) {
      if (t.parastart && context != Unknown) context = Initial;
      if (t.linestart && context == Internal) context = Unknown;
      const std::string typ = t.type_no_sentperiod();
      const int fc = t.first_case();  // 1 lower, 2 upper, 0 none
      std::uint32_t flag = 0;
      if (fc == 2) flag = context == Initial ? BEG_UC : context == Internal ? MID_UC : UNK_UC;
      if (fc == 1) flag = context == Initial ? BEG_LC : context == Internal ? MID_LC : UNK_LC;
      if (flag) p_.ortho_context[typ] |= flag;
      if (t.sentbreak) context = (t.is_number() || t.is_initial()) ? Unknown : Initial;
      else if (t.ellipsis || t.abbr) context = Unknown;
      else context = Internal;
    }
  }

  // PunktTrainer._is_rare_abbrev_type (with NLTK's count of typ[:-1], the type minus one more
  // character).
  bool is_rare_abbrev_type(const Token& cur, const Token& next) const {
    if (cur.abbr || !cur.sentbreak) return false;
    const std::string typ = cur.type_no_sentperiod();
    const std::int64_t count = count_of(type_fdist_, typ) + count_of(type_fdist_, std::string(drop_last(typ)));
    if (p_.abbrev_types.count(typ) || count >= s_.abbrev_backoff) return false;
    const char32_t c = first_char(next.tok);
    if (c == ',' || c == ':' || c == ';') return true;
    if (next.first_lower()) {
      const std::uint32_t oc = p_.ortho(next.type_no_sentperiod());
      if ((oc & BEG_UC) && !(oc & MID_UC)) return true;
    }
    return false;
  }

  // PunktTrainer._is_potential_sent_starter
  static bool is_potential_sent_starter(const Token& cur, const Token& prev) {
    return prev.sentbreak && !(prev.is_number() || prev.is_initial()) && cur.is_alpha();
  }

  // PunktTrainer._is_potential_collocation
  bool is_potential_collocation(const Token& t1, const Token& t2) const {
    return (s_.include_all_collocs || (s_.include_abbrev_collocs && t1.abbr) ||
            (t1.sentbreak && (t1.is_number() || t1.is_initial()))) &&
           t1.is_non_punct() && t2.is_non_punct();
  }

  // PunktTrainer._find_sent_starters
  void find_sent_starters() {
    for (const auto& [typ, at_break] : sent_starter_fdist_) {
      if (typ.empty()) continue;
      const std::int64_t typ_count = count_of(type_fdist_, typ) + count_of(type_fdist_, typ + ".");
      if (typ_count < at_break) continue;
      const double ll = col_log_likelihood(static_cast<double>(sentbreak_count_), static_cast<double>(typ_count),
                                           static_cast<double>(at_break), static_cast<double>(n_));
      if (ll >= s_.sent_starter &&
          static_cast<double>(n_) / static_cast<double>(sentbreak_count_) >
              static_cast<double>(typ_count) / static_cast<double>(at_break))
        p_.sent_starters.insert(typ);
    }
  }

  // PunktTrainer._find_collocations
  void find_collocations() {
    for (const auto& [types, col_count] : collocation_fdist_) {
      const auto& [typ1, typ2] = types;
      if (p_.sent_starters.count(typ2)) continue;
      const std::int64_t typ1_count = count_of(type_fdist_, typ1) + count_of(type_fdist_, typ1 + ".");
      const std::int64_t typ2_count = count_of(type_fdist_, typ2) + count_of(type_fdist_, typ2 + ".");
      if (typ1_count > 1 && typ2_count > 1 && s_.min_colloc_freq < col_count && col_count <= std::min(typ1_count, typ2_count)) {
        const double ll = col_log_likelihood(static_cast<double>(typ1_count), static_cast<double>(typ2_count),
                                             static_cast<double>(col_count), static_cast<double>(n_));
        if (ll >= s_.collocation && static_cast<double>(n_) / static_cast<double>(typ1_count) >
                                        static_cast<double>(typ2_count) / static_cast<double>(col_count))
          p_.collocations.insert(types);
      }
    }
  }

  const TrainerSettings& s_;
  Parameters p_;
  Counts type_fdist_;
  std::int64_t n_ = 0, num_period_toks_ = 0, sentbreak_count_ = 0;
  Counts sent_starter_fdist_;
  std::unordered_map<std::pair<std::string, std::string>, std::int64_t, PairHash> collocation_fdist_;
};

// ---- sentence boundaries (PunktSentenceTokenizer) ------------------------------------------------

enum class Ortho3 { False, True, Unknown };

// PunktSentenceTokenizer._ortho_heuristic
Ortho3 ortho_heuristic(const Token& t, const Parameters& params) {
  if (t.tok.size() == 1 && std::string_view(";:,.!?").find(t.tok[0]) != std::string_view::npos) return Ortho3::False;
  const std::uint32_t oc = params.ortho(t.type_no_sentperiod());
  if (t.first_upper() && (oc & LC) && !(oc & MID_UC)) return Ortho3::True;
  if (t.first_lower() && ((oc & UC) || !(oc & BEG_LC))) return Ortho3::False;
  return Ortho3::Unknown;
}

// PunktSentenceTokenizer._second_pass_annotation
void second_pass_annotation(Token& t1, const Token& t2, const Parameters& params) {
  if (!t1.period_final) return;
  const std::string typ = t1.type_no_period();
  const std::string next_typ = t2.type_no_sentperiod();
  const bool tok_is_initial = t1.is_initial();
  if (params.collocations.count({typ, next_typ})) {
    t1.sentbreak = false;
    t1.abbr = true;
    return;
  }
  if ((t1.abbr || t1.ellipsis) && !tok_is_initial) {
    if (ortho_heuristic(t2, params) == Ortho3::True) {
      t1.sentbreak = true;
      return;
    }
    if (t2.first_upper() && params.sent_starters.count(next_typ)) {
      t1.sentbreak = true;
      return;
    }
  }
  if (tok_is_initial || typ == kNumber) {
    const Ortho3 is_sent_starter = ortho_heuristic(t2, params);
    if (is_sent_starter == Ortho3::False) {
      t1.sentbreak = false;
      t1.abbr = true;
      return;
    }
    if (is_sent_starter == Ortho3::Unknown && tok_is_initial && t2.first_upper() && !(params.ortho(next_typ) & LC)) {
      t1.sentbreak = false;
      t1.abbr = true;
    }
  }
}

// PunktSentenceTokenizer.text_contains_sentbreak: whether a token before the last is a break.
bool text_contains_sentbreak(std::string_view text, const Parameters& params) {
  std::vector<Token> tokens = tokenize_words(text);
  for (Token& t : tokens) first_pass_annotation(t, params);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i + 1 < tokens.size()) second_pass_annotation(tokens[i], tokens[i + 1], params);
    if (tokens[i].sentbreak && i + 1 < tokens.size()) return true;
  }
  return false;
}

// One match of PunktLanguageVars.period_context_re: a sentence-end character at `pos` followed by a
// non-word character or by whitespace and a token (next_tok).
struct EndContext {
  std::size_t pos;                          // the end character (match.start(); match.end() is pos + 1)
  std::size_t after_end;                    // end of group after_tok
  std::optional<std::size_t> next_tok;      // start of group next_tok
};

std::vector<EndContext> period_contexts(std::string_view text) {
  std::vector<EndContext> out;
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c != '.' && c != '?' && c != '!') continue;
    const std::size_t a = i + 1;
    if (a >= n) continue;
    std::size_t j = a;
    const char32_t next = utf8::next(text, j);
    if (is_non_word(next)) {
      out.push_back({i, j, std::nullopt});
      continue;
    }
    if (!unicode::is_space(next)) continue;
    std::size_t k = j;
    while (k < n && is_space_at(text, k, &j)) k = j;
    if (k >= n) continue;
    std::size_t e = k;
    while (e < n && !is_space_at(text, e, &j)) e = j;
    out.push_back({i, e, k});
  }
  return out;
}

// PunktSentenceTokenizer._get_last_whitespace_index over string.whitespace (ASCII); 0 when none.
std::size_t last_ascii_space(std::string_view s) {
  for (std::size_t i = s.size(); i-- > 0;) {
    const char c = s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\x0b' || c == '\x0c') return i;
  }
  return 0;
}

// PunktSentenceTokenizer._match_potential_end_contexts: each candidate with its context (the word
// before it, the end character, what follows), the earlier of two overlapping candidates dropped.
std::vector<std::pair<EndContext, std::string>> match_potential_end_contexts(std::string_view text) {
  std::vector<std::pair<EndContext, std::string>> out;
  std::size_t prev_start = 0, prev_stop = 0;
  std::optional<EndContext> prev_match;
  auto context = [&](const EndContext& m, std::size_t s, std::size_t e) {
    std::string c(text.substr(s, e - s));
    c += text[m.pos];
    c += text.substr(m.pos + 1, m.after_end - (m.pos + 1));
    return c;
  };
  for (const EndContext& m : period_contexts(text)) {
    const std::string_view before = text.substr(prev_stop, m.pos - prev_stop);
    std::size_t index_after_last_space = last_ascii_space(before);
    if (index_after_last_space) index_after_last_space += prev_stop + 1;
    else index_after_last_space = prev_start;
    const std::size_t word_start = index_after_last_space, word_stop = m.pos;
    if (prev_match && prev_stop <= word_start) out.emplace_back(*prev_match, context(*prev_match, prev_start, prev_stop));
    prev_match = m;
    prev_start = word_start;
    prev_stop = word_stop;
  }
  if (prev_match) out.emplace_back(*prev_match, context(*prev_match, prev_start, prev_stop));
  return out;
}

// str.rstrip(): the length without trailing whitespace.
std::size_t rstrip_length(std::string_view s) {
  std::size_t end = s.size();
  while (end > 0) {
    std::size_t j = end - 1;
    while (j > 0 && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) --j;
    std::size_t k = j;
    if (!unicode::is_space(utf8::next(s, k))) break;
    end = j;
  }
  return end;
}

// re_boundary_realignment: ["')\]}‘’“”«»]+?(?:\s+|(?=--)|$) matched at the start of `s` (MULTILINE);
// returns (length of the closers, end of the match) or nullopt.
std::optional<std::pair<std::size_t, std::size_t>> boundary_realignment(std::string_view s) {
  const auto closer = [](char32_t c) {
    return c == '"' || c == '\'' || c == ')' || c == ']' || c == '}' || c == 0x2018 || c == 0x2019 || c == 0x201C ||
           c == 0x201D || c == 0xAB || c == 0xBB;
  };
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = i;
    if (!closer(utf8::next(s, j))) return std::nullopt;
    i = j;  // i closers taken (lazily: the fewest that the rest accepts), then \s+ | (?=--) | $
    if (i < s.size() && is_space_at(s, i)) {
      std::size_t k = i;
      while (k < s.size() && is_space_at(s, k, &j)) k = j;
      return std::make_pair(i, k);
    }
    if (s.substr(i, 2) == "--" || i >= s.size()) return std::make_pair(i, i);
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string_view> word_tokenize(std::string_view s) {
  std::vector<std::string_view> out;
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t j;
    if (is_space_at(s, i, &j)) {
      i = j;
      continue;
    }
    if (const std::size_t m = multi_char_punct(s, i); m != std::string_view::npos) {
      out.push_back(s.substr(i, m - i));
      i = m;
      continue;
    }
    const char32_t c = first_char(s.substr(i));
    if (is_word_start(c)) {
      std::size_t e = next_char(s, i);
      while (!ends_word(s, e)) e = next_char(s, e);
      out.push_back(s.substr(i, e - i));
      i = e;
      continue;
    }
    const std::size_t e = next_char(s, i);
    out.push_back(s.substr(i, e - i));
    i = e;
  }
  return out;
}

Parameters train(std::string_view text, const TrainerSettings& settings, TrainingStats* stats) {
  utf8::check(text, "Punkt training text");
  return Trainer(settings).run(text, stats);
}

std::vector<std::pair<std::size_t, std::size_t>> sentence_spans(std::string_view text, const Parameters& params,
                                                                 bool realign_boundaries) {
  // _slices_from_text
  std::vector<std::pair<std::size_t, std::size_t>> slices;
  std::size_t last_break = 0;
  for (const auto& [m, context] : match_potential_end_contexts(text)) {
    if (!text_contains_sentbreak(context, params)) continue;
    slices.emplace_back(last_break, m.pos + 1);
    last_break = m.next_tok ? *m.next_tok : m.pos + 1;
  }
  slices.emplace_back(last_break, rstrip_length(text));
  if (!realign_boundaries) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (const auto& s : slices)
      if (s.first < s.second) out.push_back(s);
    return out;
  }
  // _realign_boundaries
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t realign = 0;
  for (std::size_t i = 0; i < slices.size(); ++i) {
    const std::pair<std::size_t, std::size_t> s1{slices[i].first + realign, slices[i].second};
    if (i + 1 == slices.size()) {
      if (s1.first < s1.second) out.push_back(s1);
      continue;
    }
    const auto& s2 = slices[i + 1];
    const std::string_view s2_text = s2.first < s2.second ? text.substr(s2.first, s2.second - s2.first) : std::string_view();
    if (const auto m = boundary_realignment(s2_text)) {
      out.emplace_back(s1.first, s2.first + m->first);
      realign = m->second;
    } else {
      realign = 0;
      if (s1.first < s1.second) out.push_back(s1);
    }
  }
  return out;
}

}  // namespace weft::punkt
