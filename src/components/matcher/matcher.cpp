// The Matcher's engine: spaCy's find_matches, transition_states, get_action and finish_states
// (spacy/matcher/matcher.pyx) over the compiled arrays of pattern.hpp, then Matcher.__call__'s
// de-duplication, greedy filtering and callbacks. Comments marked "spaCy:" name the step of matcher.pyx
// a piece of code follows; the order in which states are kept, added and turned into matches is
// spaCy's, because the order of the returned matches depends on it.
#include "weft/components/matcher/matcher.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "levenshtein.hpp"
#include "pattern.hpp"
#include "weft/doc/span.hpp"
#include "weft/doc/upos.hpp"
#include "weft/error.hpp"
#include "weft/strings/lexeme.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

using namespace matcher_detail;

namespace {

// spaCy's PatternStateC: the elem a partial match waits at, where it started and how many tokens it
// has taken. `align` is its last alignment node (with_alignments), -1 for none.
struct State {
  std::uint32_t elem;
  std::uint32_t start;
  std::uint32_t length;
  std::int32_t align;
};

// spaCy's MatchC, before de-duplication.
struct RawMatch {
  std::uint32_t pattern;
  std::uint32_t start;
  std::uint32_t length;
  std::int32_t align;
};

// spaCy's MatchAlignmentC (token_idx, length), kept as a tree: a state's alignment list is the path
// from its node to the root, so copying a state copies one index instead of a vector.
struct AlignNode {
  std::int32_t token_idx;
  std::uint32_t length;
  std::int32_t parent;
};

// spaCy's action_t: bits match / advance / retry / extend (see get_action in matcher.pyx).
enum class Action : std::uint8_t {
  REJECT, MATCH, ADVANCE, RETRY, MATCH_EXTEND, RETRY_ADVANCE, RETRY_EXTEND, MATCH_REJECT, MATCH_DOUBLE
};

// Scratch memory reused by every find() on a thread, so matching allocates nothing per token once warm.
struct Workspace {
  std::vector<State> states, new_states;
  std::vector<RawMatch> matches;
  std::vector<AlignNode> nodes;
  std::vector<Lexeme> lexemes;               // per token of the current call, computed on first use
  std::vector<std::uint32_t> lexeme_stamp;   // == call when lexemes[i] is current
  std::uint32_t call = 0;
  std::vector<std::uint64_t> predicate_stamp;  // == tick when predicate_value is for the current token
  std::vector<std::uint8_t> predicate_value;
  std::uint64_t tick = 0;
  std::vector<std::uint32_t> hits, candidates, order;
  std::vector<std::uint64_t> features;
  std::string text, feature;
};

Workspace& workspace() {
  thread_local Workspace ws;
  return ws;
}

// The string REGEX and FUZZY read of doc[j] (spaCy: vocab.strings[attribute value]); the view may
// point into `buf`, valid until its next use.
std::string_view token_string(const Doc& doc, std::size_t j, Field f, std::string& buf) {
  const TokenData& t = doc.data(j);
  const std::string_view text = doc.token_text(j);
  const auto str = [&](hash_t h) { return h == 0 ? std::string_view() : doc.str(h); };
  switch (f) {
    case Field::ORTH: return text;
    case Field::LOWER: return buf = lex::lower(text);
    case Field::NORM:
      if (t.norm) return doc.str(t.norm);
      return buf = lex::norm(text, doc.vocab().lex_attr_data());
    case Field::SHAPE: return buf = lex::shape(text);
    case Field::PREFIX: return buf = lex::prefix(text);
    case Field::SUFFIX: return buf = lex::suffix(text);
    case Field::LENGTH: return buf = std::to_string(utf8::length(text));  // weft: REGEX on LENGTH
    case Field::POS: return upos_name(t.pos);
    case Field::LEMMA: return str(t.lemma);
    case Field::TAG: return str(t.tag);
    case Field::DEP: return str(t.dep);
    case Field::MORPH: return str(t.morph);
    case Field::ENT_TYPE: return str(t.ent_type);
    default: return {};  // flags and IOB take no string predicates (pattern.cpp refuses them)
  }
}

// Token values and strings of doc[offset + i], as spaCy's get_token_attr_for_matcher.
class Reader {
 public:
  Reader(const Doc& doc, std::size_t offset, Workspace& ws) : doc_(doc), offset_(offset), ws_(ws) {}

  std::uint64_t value(Field f, std::size_t i) {
    const TokenData& t = doc_.data(offset_ + i);
    switch (f) {
      case Field::ORTH: return t.orth;
      case Field::LOWER: return lexeme(i).lower;
      case Field::NORM: return t.norm ? t.norm : lexeme(i).norm;  // a token's norm overrides its lexeme's
      case Field::SHAPE: return lexeme(i).shape;
      case Field::PREFIX: return lexeme(i).prefix;
      case Field::SUFFIX: return lexeme(i).suffix;
      case Field::LENGTH: return utf8::length(doc_.token_text(offset_ + i));
      case Field::LEMMA: return t.lemma;
      case Field::POS: return static_cast<std::uint64_t>(t.pos);
      case Field::TAG: return t.tag;
      case Field::DEP: return t.dep;
      case Field::MORPH: return t.morph;
      case Field::ENT_TYPE: return t.ent_type;
      case Field::ENT_IOB: return static_cast<std::uint64_t>(t.ent_iob);
      // spaCy: get_token_attr_for_matcher gives SENT_START as token.sent_start == 1, and a Doc's first
      // token always has it (Doc.push_back sets it), as Doc::attr_value reads it.
      case Field::SENT_START: return offset_ + i == 0 || t.sent_start == 1 ? 1 : 0;
      case Field::SPACY: return doc_.whitespace(offset_ + i).empty() ? 0 : 1;
      default: break;
    }
    const auto bit = static_cast<std::uint32_t>(f) - static_cast<std::uint32_t>(Field::FLAG);
    return lexeme(i).check(static_cast<LexFlag>(bit)) ? 1 : 0;
  }

  // The string REGEX and FUZZY read (spaCy: vocab.strings[attribute value]); views may point into
  // ws.text, valid until the next call.
  std::string_view string(Field f, std::size_t i) { return token_string(doc_, offset_ + i, f, ws_.text); }

  // The token's morphological features as hashes of "Feat=Value", one per value (spaCy's
  // MorphAnalysis splits "PronType=Int,Rel" into PronType=Int and PronType=Rel).
  const std::vector<std::uint64_t>& features(std::size_t i) {
    ws_.features.clear();
    const std::string_view feats = str(doc_.data(offset_ + i).morph);
    if (feats == "_") return ws_.features;
    std::size_t pos = 0;
    while (pos < feats.size()) {
      std::size_t bar = feats.find('|', pos);
      if (bar == std::string_view::npos) bar = feats.size();
      const std::string_view item = feats.substr(pos, bar - pos);
      const auto eq = item.find('=');
      if (eq != std::string_view::npos) {
        std::size_t v = eq + 1;
        while (v <= item.size()) {
          std::size_t comma = item.find(',', v);
          if (comma == std::string_view::npos) comma = item.size();
          ws_.feature.assign(item.substr(0, eq + 1));
          ws_.feature.append(item.substr(v, comma - v));
          ws_.features.push_back(hash_string(ws_.feature));
          v = comma + 1;
        }
      }
      pos = bar + 1;
    }
    return ws_.features;
  }

 private:
  const Lexeme& lexeme(std::size_t i) {
    if (ws_.lexeme_stamp[i] != ws_.call) {
      ws_.lexemes[i] = doc_.vocab().lexeme(doc_.token_text(offset_ + i));
      ws_.lexeme_stamp[i] = ws_.call;
    }
    return ws_.lexemes[i];
  }
  std::string_view str(hash_t h) const { return h == 0 ? std::string_view() : doc_.str(h); }

  const Doc& doc_;
  std::size_t offset_;
  Workspace& ws_;
};

bool search(const RE2& re, std::string_view s) {
  return RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), re);  // spaCy: re.search
}

// One find() call: spaCy's find_matches.
class Engine {
 public:
  Engine(const Compiled& c, Reader& reader, Workspace& ws, bool align, const ExternalColumns* external)
      : c_(c), reader_(reader), ws_(ws), align_(align), external_(external) {}

  void run(std::size_t length) {
    ws_.states.clear();
    ws_.matches.clear();
    ws_.nodes.clear();
    for (std::size_t i = 0; i < length; ++i) {
      ++ws_.tick;  // spaCy: the predicate cache moves to the next token
      // spaCy: one new state per pattern at every token, appended after the live ones. Patterns whose
      // first token spec is ONE and needs a value this token lacks would be rejected at once, with no
      // effect, so only the others are started (in pattern order, which decides the output order).
      for (std::uint32_t p : candidates(i)) {
        const Pattern& pat = c_.patterns[p];
        if (pat.n_elems != 0) ws_.states.push_back(State{pat.first, static_cast<std::uint32_t>(i), 0, -1});
      }
      transition(i);
    }
    finish();
  }

 private:
  // Patterns that may start at token i, ascending: the unindexed ones merged with the index's hits.
  const std::vector<std::uint32_t>& candidates(std::size_t i) {
    ws_.hits.clear();
    for (const FieldIndex& fi : c_.index) {
      const auto it = fi.patterns.find(reader_.value(fi.field, i));
      if (it != fi.patterns.end()) ws_.hits.insert(ws_.hits.end(), it->second.begin(), it->second.end());
    }
    if (ws_.hits.empty()) return c_.always;
    if (c_.index.size() > 1) std::sort(ws_.hits.begin(), ws_.hits.end());
    if (c_.always.empty()) return ws_.hits;
    ws_.candidates.clear();
    std::merge(c_.always.begin(), c_.always.end(), ws_.hits.begin(), ws_.hits.end(), std::back_inserter(ws_.candidates));
    return ws_.candidates;
  }

  bool predicate(std::uint32_t id, std::size_t i) {
    if (ws_.predicate_stamp[id] == ws_.tick) return ws_.predicate_value[id] != 0;
    const bool r = evaluate(c_.predicates[id], i);
    ws_.predicate_stamp[id] = ws_.tick;
    ws_.predicate_value[id] = r ? 1 : 0;
    return r;
  }

  // spaCy's _SetPredicate, _ComparisonPredicate, _RegexPredicate and _FuzzyPredicate.__call__.
  bool evaluate(const Predicate& p, std::size_t i) {
    switch (p.op) {
      case PredOp::IN:
      case PredOp::NOT_IN: {
        bool found = false;
        if (p.regex_mode) {
          const std::string_view s = reader_.string(p.field, i);
          found = std::any_of(p.regexes.begin(), p.regexes.end(), [&](const auto& re) { return search(*re, s); });
        } else if (p.fuzzy_mode) {
          const std::string_view s = reader_.string(p.field, i);
          found = std::any_of(p.strings.begin(), p.strings.end(),
                              [&](const std::string& v) { return matcher_detail::levenshtein_compare(s, v, p.fuzzy); });
        } else {
          found = std::binary_search(p.values.begin(), p.values.end(), reader_.value(p.field, i));
        }
        return p.op == PredOp::IN ? found : !found;
      }
      case PredOp::IS_SUBSET:
      case PredOp::IS_SUPERSET:
      case PredOp::INTERSECTS: {
        // spaCy: the token's value as a set: its features for MORPH, else the single value.
        const auto in_pattern = [&](std::uint64_t v) { return std::binary_search(p.values.begin(), p.values.end(), v); };
        if (p.field == Field::MORPH) {
          const std::vector<std::uint64_t>& mine = reader_.features(i);
          if (p.op == PredOp::IS_SUBSET) return std::all_of(mine.begin(), mine.end(), in_pattern);
          if (p.op == PredOp::INTERSECTS) return std::any_of(mine.begin(), mine.end(), in_pattern);
          return std::all_of(p.values.begin(), p.values.end(),
                             [&](std::uint64_t v) { return std::find(mine.begin(), mine.end(), v) != mine.end(); });
        }
        const std::uint64_t v = reader_.value(p.field, i);
        if (p.op == PredOp::IS_SUPERSET) return p.values.empty() || (p.values.size() == 1 && p.values[0] == v);
        return in_pattern(v);
      }
      case PredOp::EQ: return static_cast<double>(reader_.value(p.field, i)) == p.number;
      case PredOp::NE: return static_cast<double>(reader_.value(p.field, i)) != p.number;
      case PredOp::GE: return static_cast<double>(reader_.value(p.field, i)) >= p.number;
      case PredOp::LE: return static_cast<double>(reader_.value(p.field, i)) <= p.number;
      case PredOp::GT: return static_cast<double>(reader_.value(p.field, i)) > p.number;
      case PredOp::LT: return static_cast<double>(reader_.value(p.field, i)) < p.number;
      case PredOp::REGEX: return search(*p.regexes[0], reader_.string(p.field, i));
      case PredOp::FUZZY: {
        const std::string_view s = reader_.string(p.field, i);
        return s == p.strings[0] || matcher_detail::levenshtein_compare(s, p.strings[0], p.fuzzy);
      }
      case PredOp::EXTERNAL: return (*external_)[p.external][i] != 0;  // checked by find()
    }
    return false;
  }

  // spaCy's get_is_match: every attribute value and every predicate of the elem holds.
  bool is_match(const Elem& e, std::size_t i) {
    for (auto k = e.checks_begin; k < e.checks_end; ++k) {
      const Check& ch = c_.checks[k];
      if (ch.is_predicate ? !predicate(ch.predicate, i) : reader_.value(ch.field, i) != ch.value) return false;
    }
    return true;
  }

  // spaCy's get_action, table for table.
  Action action(const State& s, std::size_t i) {
    const Elem& e = c_.elems[s.elem];
    bool match = is_match(e, i);
    const bool final = c_.elems[s.elem + 1].quant == Quant::FINAL;
    Quant q = e.quant;
    if (q == Quant::ZERO) {  // "!": one token that does not match
      match = !match;
      q = Quant::ONE;
    }
    switch (q) {
      case Quant::ONE:
        if (!match) return Action::REJECT;
        return final ? Action::MATCH : Action::ADVANCE;
      case Quant::ZERO_PLUS:
        if (match) return final ? Action::MATCH_EXTEND : Action::RETRY_EXTEND;
        return final ? Action::MATCH_REJECT : Action::RETRY;
      case Quant::ZERO_ONE:
        if (match) return final ? Action::MATCH_DOUBLE : Action::RETRY_ADVANCE;
        return final ? Action::MATCH_REJECT : Action::RETRY;
      default: return Action::REJECT;
    }
  }

  void push_align(State& s) {
    if (!align_) return;
    ws_.nodes.push_back(AlignNode{c_.elems[s.elem].token_idx, s.length, s.align});
    s.align = static_cast<std::int32_t>(ws_.nodes.size() - 1);
  }

  void emit(const State& s, std::uint32_t length, std::int32_t align) {
    ws_.matches.push_back(RawMatch{c_.elems[s.elem].pattern, s.start, length, align});
  }

  // spaCy's transition_states: states that survive are compacted to the front (index q) in order,
  // states forked by RETRY_EXTEND / RETRY_ADVANCE are appended after them.
  void transition(std::size_t i) {
    std::vector<State>& states = ws_.states;
    ws_.new_states.clear();
    std::size_t q = 0;
    for (std::size_t k = 0; k < states.size(); ++k) {
      Action a = action(states[k], i);
      if (a == Action::REJECT) continue;
      const State state = states[k];
      states[q] = state;
      while (a == Action::RETRY || a == Action::RETRY_ADVANCE || a == Action::RETRY_EXTEND) {
        push_align(states[q]);
        if (a == Action::RETRY_EXTEND)
          ws_.new_states.push_back(State{states[q].elem, state.start, state.length + 1, states[q].align});
        if (a == Action::RETRY_ADVANCE)
          ws_.new_states.push_back(State{states[q].elem + 1, state.start, state.length + 1, states[q].align});
        states[q].elem += 1;
        a = action(states[q], i);
      }
      push_align(states[q]);
      switch (a) {
        case Action::ADVANCE:
          states[q].elem += 1;
          states[q].length += 1;
          ++q;
          break;
        case Action::MATCH: emit(state, state.length + 1, states[q].align); break;
        case Action::MATCH_DOUBLE:  // a final "?" that matched: with and without this token
          if (state.length > 0) emit(state, state.length, states[q].align);
          emit(state, state.length + 1, states[q].align);
          break;
        case Action::MATCH_REJECT: emit(state, state.length, states[q].align); break;  // without this token
        case Action::MATCH_EXTEND:  // a final "*" that matched: the match so far, and go on
          emit(state, state.length, states[q].align);
          states[q].length += 1;
          ++q;
          break;
        default: break;  // REJECT after retries: the state is dropped
      }
    }
    states.resize(q);
    states.insert(states.end(), ws_.new_states.begin(), ws_.new_states.end());
  }

  // spaCy's finish_states: at the end of the Doc, states waiting at optional elems up to the final
  // one are matches.
  void finish() {
    for (State s : ws_.states) {
      while (c_.elems[s.elem].quant == Quant::ZERO_PLUS || c_.elems[s.elem].quant == Quant::ZERO_ONE) {
        if (c_.elems[s.elem + 1].quant == Quant::FINAL) {
          emit(s, s.length, s.align);
          break;
        }
        s.elem += 1;
      }
    }
  }

  const Compiled& c_;
  Reader& reader_;
  Workspace& ws_;
  bool align_;
  const ExternalColumns* external_;
};

// spaCy's alignment conversion in __call__: for each matched token, the largest token_idx recorded at
// that length; the node path runs backwards with non-increasing lengths and token indices, so the
// first node seen for a length wins.
std::vector<std::uint32_t> alignments(const std::vector<AlignNode>& nodes, std::int32_t node, std::uint32_t length) {
  std::vector<std::uint32_t> out(length, 0);
  std::uint32_t last = UINT32_MAX;
  for (std::int32_t k = node; k >= 0; k = nodes[static_cast<std::size_t>(k)].parent) {
    const AlignNode& n = nodes[static_cast<std::size_t>(k)];
    if (n.length >= length || n.length == last) continue;
    out[n.length] = static_cast<std::uint32_t>(n.token_idx);
    last = n.length;
  }
  return out;
}

// The process-wide evaluator of EXTENSION predicates; never destroyed (it may hold Python objects,
// which must not be released after the interpreter is gone).
struct EvaluatorSlot {
  std::mutex mutex;
  std::shared_ptr<const ExternalEvaluator> evaluator;
};
EvaluatorSlot& evaluator_slot() {
  static auto* slot = new EvaluatorSlot();
  return *slot;
}

void check_range(const Doc& doc, std::size_t start, std::size_t end) {
  if (start > end || end > doc.size())
    throw IndexError("Matcher: tokens [" + std::to_string(start) + ", " + std::to_string(end) + ") are not in a Doc of " +
                     std::to_string(doc.size()) + " tokens");
}

}  // namespace

bool levenshtein_compare(std::string_view input, std::string_view pattern, int fuzzy) {
  return matcher_detail::levenshtein_compare(input, pattern, fuzzy);
}

std::size_t levenshtein_distance(std::string_view a, std::string_view b, std::size_t max_edits) {
  return matcher_detail::levenshtein(a, b, max_edits);
}

void fuzzy_columns(const Doc& doc, std::size_t start, std::size_t end, const std::vector<ExternalPredicate>& predicates,
                   const FuzzyCompare& compare, ExternalColumns& columns) {
  check_range(doc, start, end);
  if (!compare) throw ValueError("Matcher: no fuzzy compare function to fill the FUZZY columns with");
  columns.resize(predicates.size());
  // compare(token string, pattern string, fuzzy), once per distinct triple of this call.
  std::unordered_map<std::string, bool> memo;
  std::string key;
  const auto compared = [&](std::string_view s, const std::string& pattern, int fuzzy) {
    key.assign(std::to_string(fuzzy)).append(1, '\0').append(pattern).append(1, '\0').append(s);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
    const bool r = compare(s, pattern, fuzzy);
    memo.emplace(key, r);
    return r;
  };
  std::string buf;
  std::unordered_map<std::string, std::uint8_t> per_string;  // token string -> the predicate's value
  for (std::size_t k = 0; k < predicates.size(); ++k) {
    const ExternalPredicate& p = predicates[k];
    if (p.kind != ExternalPredicate::Kind::FUZZY) continue;
    const auto field = string_field(p.attr);
    if (!field) throw ValueError("Matcher: FUZZY on " + std::string(attr_name(p.attr)) + ", which is not a string attribute");
    if (p.strings.empty() || (p.op != "FUZZY" && p.op != "IN" && p.op != "NOT_IN"))
      throw ValueError("Matcher: external FUZZY predicate " + std::to_string(k) + " has op \"" + p.op +
                       "\" (expected FUZZY, IN or NOT_IN) and " + std::to_string(p.strings.size()) + " strings");
    std::vector<std::uint8_t>& column = columns[k];
    column.assign(end - start, 0);
    per_string.clear();
    for (std::size_t i = start; i < end; ++i) {
      const std::string_view s = token_string(doc, i, *field, buf);
      auto it = per_string.find(std::string(s));
      if (it == per_string.end()) {
        bool value;
        if (p.op == "FUZZY") {
          // spaCy's _FuzzyPredicate: equal strings match without asking the compare function.
          value = s == p.strings[0] || compared(s, p.strings[0], p.fuzzy);
        } else {
          // spaCy's _SetPredicate with fuzzy=: any of the strings.
          const bool any = std::any_of(p.strings.begin(), p.strings.end(),
                                       [&](const std::string& v) { return compared(s, v, p.fuzzy); });
          value = p.op == "IN" ? any : !any;
        }
        it = per_string.emplace(std::string(s), value ? 1 : 0).first;
      }
      column[i - start] = it->second;
    }
  }
}

void set_external_evaluator(ExternalEvaluator evaluator) {
  EvaluatorSlot& slot = evaluator_slot();
  std::lock_guard lock(slot.mutex);
  slot.evaluator = evaluator ? std::make_shared<const ExternalEvaluator>(std::move(evaluator)) : nullptr;
}

bool has_external_evaluator() noexcept {
  EvaluatorSlot& slot = evaluator_slot();
  std::lock_guard lock(slot.mutex);
  return slot.evaluator != nullptr;
}

void evaluate_extensions(Doc& doc, std::size_t start, std::size_t end, const std::vector<ExternalPredicate>& predicates,
                         ExternalColumns& columns) {
  check_range(doc, start, end);
  const auto first = std::find_if(predicates.begin(), predicates.end(), [](const ExternalPredicate& p) {
    return p.kind == ExternalPredicate::Kind::EXTENSION;
  });
  if (first == predicates.end()) return;
  std::shared_ptr<const ExternalEvaluator> evaluator;
  {
    EvaluatorSlot& slot = evaluator_slot();
    std::lock_guard lock(slot.mutex);
    evaluator = slot.evaluator;
  }
  if (!evaluator)
    throw ValueError("Matcher: a pattern uses the custom extension attribute \"" + first->name +
                     "\" (\"_\"), which only Python code can evaluate: match from Python (import weft and register "
                     "the extension with Token.set_extension), run the weft command with --code FILE (a file that "
                     "registers it), or fill MatchOptions::external yourself");
  columns.resize(predicates.size());
  (*evaluator)(doc, start, end, predicates, columns);
}

Greedy greedy_from_name(std::string_view name) {
  if (name == "FIRST") return Greedy::FIRST;
  if (name == "LONGEST") return Greedy::LONGEST;
  throw ValueError("Matcher: greedy must be \"FIRST\" or \"LONGEST\", got \"" + std::string(name) + "\"");
}

std::string_view greedy_name(Greedy g) noexcept { return g == Greedy::FIRST ? "FIRST" : "LONGEST"; }

Matcher::Matcher(std::shared_ptr<Vocab> vocab) : vocab_(std::move(vocab)), compiled_(std::make_unique<Compiled>()) {
  if (!vocab_) throw ValueError("Matcher: the vocab is null");
}
Matcher::Matcher(std::shared_ptr<Vocab> vocab, FuzzyCompare compare)
    : vocab_(std::move(vocab)), fuzzy_compare_(std::move(compare)), compiled_(std::make_unique<Compiled>()) {
  if (!vocab_) throw ValueError("Matcher: the vocab is null");
  compiled_->external_fuzzy = true;
}
Matcher::~Matcher() = default;
Matcher::Matcher(Matcher&&) noexcept = default;
Matcher& Matcher::operator=(Matcher&&) noexcept = default;

void Matcher::add(std::string_view key, const Json& patterns, OnMatch on_match, std::optional<Greedy> greedy) {
  if (key.empty()) throw ValueError("Matcher: the key is empty");
  add_rule(hash_string(key), std::string(key), patterns, std::move(on_match), greedy);
}

void Matcher::add(hash_t match_id, const Json& patterns, OnMatch on_match, std::optional<Greedy> greedy) {
  // An integer key that is the hash of a known string (spaCy's vocab.strings["LABEL"]) is that key.
  std::string key;
  if (auto s = vocab_->strings().find(match_id)) key = std::string(*s);
  if (auto it = rules_.find(match_id); key.empty() && it != rules_.end()) key = it->second.key;
  add_rule(match_id, std::move(key), patterns, std::move(on_match), greedy);
}

void Matcher::add_rule(hash_t match_id, std::string key, const Json& patterns, OnMatch on_match,
                       std::optional<Greedy> greedy) {
  compiled_->add(match_id, key.empty() ? std::to_string(match_id) : key, patterns);  // throws before changing
  if (!key.empty() && !vocab_->strings().frozen()) vocab_->strings().add(key);
  Rule& r = rules_[match_id];
  r.match_id = match_id;
  if (!key.empty()) r.key = std::move(key);
  for (const Json& p : patterns) r.patterns.push_back(p);
  r.on_match = std::move(on_match);  // spaCy: a key added again replaces its callback and filter
  r.greedy = greedy;
}

void Matcher::remove(std::string_view key) {
  if (!contains(key)) throw ValueError("Matcher: cannot remove unknown key \"" + std::string(key) + "\"");
  remove(hash_string(key));
}

void Matcher::remove(hash_t match_id) {
  if (!contains(match_id)) throw ValueError("Matcher: cannot remove unknown key " + std::to_string(match_id));
  compiled_->remove(match_id);
  rules_.erase(match_id);
}

const Matcher::Rule* Matcher::get(hash_t match_id) const noexcept {
  const auto it = rules_.find(match_id);
  return it == rules_.end() ? nullptr : &it->second;
}

std::size_t Matcher::n_patterns() const noexcept { return compiled_->patterns.size(); }

const std::vector<ExternalPredicate>& Matcher::external_predicates() const noexcept { return compiled_->external; }
bool Matcher::external_fuzzy() const noexcept { return compiled_->external_fuzzy; }

void Matcher::external_columns(const Doc& doc, std::size_t start, std::size_t end, ExternalColumns& columns) const {
  check_range(doc, start, end);
  columns.clear();
  columns.resize(compiled_->external.size());
  if (!fuzzy_compare_) return;
  const bool fuzzy = std::any_of(compiled_->external.begin(), compiled_->external.end(), [](const ExternalPredicate& p) {
    return p.kind == ExternalPredicate::Kind::FUZZY;
  });
  if (fuzzy) fuzzy_columns(doc, start, end, compiled_->external, fuzzy_compare_, columns);
}

std::vector<Match> Matcher::find_computing(Doc& doc, std::size_t start, std::size_t end, const MatchOptions& options) const {
  if (options.external || !has_external()) return find(doc, start, end, options);
  check_range(doc, start, end);
  ExternalColumns columns;
  external_columns(doc, start, end, columns);
  evaluate_extensions(doc, start, end, compiled_->external, columns);
  MatchOptions with = options;
  with.external = &columns;
  return find(doc, start, end, with);
}

std::vector<Match> Matcher::find(const Span& span, const MatchOptions& options) const {
  return find(span.doc(), span.start(), span.end(), options);
}

std::vector<Match> Matcher::find(const Doc& doc, std::size_t start, std::size_t end, const MatchOptions& options) const {
  check_range(doc, start, end);
  const Compiled& c = *compiled_;
  if (!options.allow_missing && c.needs != 0) {
    // spaCy's E155: a plain value on an annotation the Doc does not have would silently never match.
    static const struct {
      std::uint8_t bit;
      Attr attr;
      const char* pipe;
    } kNeeds[] = {{NEEDS_TAG, Attr::TAG, "a tagger"},
                  {NEEDS_POS, Attr::POS, "a tagger or morphologizer"},
                  {NEEDS_MORPH, Attr::MORPH, "a morphologizer"},
                  {NEEDS_LEMMA, Attr::LEMMA, "a lemmatizer"},
                  {NEEDS_DEP, Attr::DEP, "a parser"}};
    for (const auto& n : kNeeds) {
      if ((c.needs & n.bit) && !doc.has_annotation(n.attr))
        throw ValueError("Matcher: a pattern matches on " + std::string(attr_name(n.attr)) + " but the Doc has no " +
                         std::string(attr_name(n.attr)) + " annotation; the pipeline needs " + n.pipe +
                         " (or match with allow_missing)");
    }
  }
  std::vector<Match> out;
  const std::size_t length = end - start;
  if (length == 0 || c.patterns.empty()) return out;
  if (!c.external.empty()) {
    const ExternalColumns* ext = options.external;
    if (!ext)
      throw ValueError("Matcher: the patterns have " + std::to_string(c.external.size()) +
                       " external predicate(s) (custom extension attributes \"_\", or FUZZY with a fuzzy compare "
                       "function), whose values the caller gives: pass MatchOptions::external (see "
                       "Matcher::external_predicates)");
    if (ext->size() != c.external.size())
      throw ValueError("Matcher: " + std::to_string(ext->size()) + " external columns given for " +
                       std::to_string(c.external.size()) + " external predicates");
    for (std::size_t k = 0; k < ext->size(); ++k)
      if ((*ext)[k].size() != length)
        throw ValueError("Matcher: external column " + std::to_string(k) + " has " + std::to_string((*ext)[k].size()) +
                         " entries for " + std::to_string(length) + " tokens");
  }

  Workspace& ws = workspace();
  if (++ws.call == 0) {  // the stamp wrapped around: forget every stamp
    std::fill(ws.lexeme_stamp.begin(), ws.lexeme_stamp.end(), 0);
    ws.call = 1;
  }
  if (ws.lexemes.size() < length) {
    ws.lexemes.resize(length);
    ws.lexeme_stamp.resize(length, 0);
  }
  if (ws.predicate_stamp.size() < c.predicates.size()) {
    ws.predicate_stamp.resize(c.predicates.size(), 0);
    ws.predicate_value.resize(c.predicates.size(), 0);
  }
  Reader reader(doc, start, ws);
  Engine engine(c, reader, ws, options.with_alignments, options.external);
  engine.run(length);

  // spaCy: drop zero-length matches and repeats of one (match_id, start, end), keeping the first
  // (".?.?" reaches "a" two ways). Sorting indices finds the repeats without a hash set.
  const std::vector<RawMatch>& raw = ws.matches;
  ws.order.resize(raw.size());
  for (std::uint32_t k = 0; k < raw.size(); ++k) ws.order[k] = k;
  const auto id = [&](const RawMatch& m) { return c.patterns[m.pattern].match_id; };
  std::sort(ws.order.begin(), ws.order.end(), [&](std::uint32_t a, std::uint32_t b) {
    const RawMatch &x = raw[a], &y = raw[b];
    if (id(x) != id(y)) return id(x) < id(y);
    if (x.start != y.start) return x.start < y.start;
    if (x.length != y.length) return x.length < y.length;
    return a < b;
  });
  std::vector<std::uint8_t> keep(raw.size(), 0);
  for (std::size_t k = 0; k < ws.order.size(); ++k) {
    const RawMatch& m = raw[ws.order[k]];
    if (m.length == 0) continue;
    if (k > 0) {
      const RawMatch& p = raw[ws.order[k - 1]];
      if (id(p) == id(m) && p.start == m.start && p.length == m.length) continue;
    }
    keep[ws.order[k]] = 1;
  }

  // spaCy's __call__: matches of keys without a filter in order; those of greedy keys are grouped per
  // key (in the order the keys first matched) and filtered, then appended.
  std::vector<std::pair<hash_t, std::vector<Match>>> groups;
  hash_t last_id = 0;
  const Rule* last_rule = nullptr;
  for (std::size_t k = 0; k < raw.size(); ++k) {
    if (!keep[k]) continue;
    const RawMatch& m = raw[k];
    Match match{id(m), m.start, m.start + static_cast<std::size_t>(m.length), {}};
    if (options.with_alignments) match.alignments = alignments(ws.nodes, m.align, m.length);
    if (!last_rule || last_id != match.match_id) {
      last_id = match.match_id;
      last_rule = get(last_id);
    }
    if (!last_rule || !last_rule->greedy) {
      out.push_back(std::move(match));
      continue;
    }
    auto g = std::find_if(groups.begin(), groups.end(), [&](const auto& x) { return x.first == match.match_id; });
    if (g == groups.end()) {
      groups.emplace_back(match.match_id, std::vector<Match>{});
      g = groups.end() - 1;
    }
    g->second.push_back(std::move(match));
  }
  std::vector<std::uint8_t> matched;
  for (auto& [key, pairs] : groups) {
    if (get(key)->greedy == Greedy::FIRST) {
      // spaCy: sorted by (start, -end): earliest first, the longest of those starting together first.
      std::stable_sort(pairs.begin(), pairs.end(), [](const Match& a, const Match& b) {
        return a.start != b.start ? a.start < b.start : a.end > b.end;
      });
    } else {
      // spaCy: sorted by (length, -start) in reverse: longest first, the earliest of equal lengths first.
      std::stable_sort(pairs.begin(), pairs.end(), [](const Match& a, const Match& b) {
        const std::size_t la = a.end - a.start, lb = b.end - b.start;
        return la != lb ? la > lb : a.start < b.start;
      });
    }
    matched.assign(length, 0);  // spaCy: each key filters on its own
    for (Match& m : pairs) {
      if (std::any_of(matched.begin() + static_cast<std::ptrdiff_t>(m.start),
                      matched.begin() + static_cast<std::ptrdiff_t>(m.end), [](std::uint8_t x) { return x != 0; }))
        continue;
      std::fill(matched.begin() + static_cast<std::ptrdiff_t>(m.start), matched.begin() + static_cast<std::ptrdiff_t>(m.end), 1);
      out.push_back(std::move(m));
    }
  }
  return out;
}

void Matcher::run_callbacks(Doc& doc, std::vector<Match>& matches) {
  // spaCy: for i, (key, *_) in enumerate(final_matches): the list is read as the callbacks change it.
  for (std::size_t i = 0; i < matches.size(); ++i) {
    const Rule* rule = get(matches[i].match_id);
    if (!rule || !rule->on_match) continue;
    const OnMatch callback = rule->on_match;  // a copy: the callback may remove its own rule
    callback(*this, doc, i, matches);
  }
}

std::vector<Match> Matcher::operator()(Doc& doc, std::size_t start, std::size_t end, const MatchOptions& options) {
  std::vector<Match> matches = find_computing(doc, start, end, options);
  run_callbacks(doc, matches);
  return matches;
}

std::vector<Span> Matcher::match_spans(Doc& doc, std::size_t start, std::size_t end, const MatchOptions& options) {
  MatchOptions no_alignments = options;
  no_alignments.with_alignments = false;  // spaCy: as_spans ignores with_alignments
  std::vector<Match> matches = find_computing(doc, start, end, no_alignments);
  std::vector<Span> spans;
  spans.reserve(matches.size());
  for (const Match& m : matches) {
    // The label must resolve through the Doc even when the Vocab's StringStore is frozen.
    if (const Rule* r = get(m.match_id); r && !r->key.empty()) doc.intern(r->key);
    spans.emplace_back(&doc, start + m.start, start + m.end, m.match_id);
  }
  run_callbacks(doc, matches);  // spaCy: the spans are built before the callbacks run
  return spans;
}

}  // namespace weft
