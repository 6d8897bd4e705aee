// Matcher: spaCy's rule-based token Matcher (spacy/matcher/matcher.pyx) with its pattern language.
// A rule is a key ("LABEL") with one or more patterns; a pattern is a JSON list of token specs, each a
// dict of token attributes and an optional quantifier:
//
//   [{"LOWER": "hello"}, {"IS_PUNCT": true, "OP": "?"}, {"LOWER": {"IN": ["world", "there"]}}]
//
// - Attributes (keys case-insensitive): ORTH / TEXT, LOWER, NORM, LEMMA, POS, TAG, DEP, MORPH, ENT_TYPE,
//   ENT_IOB, SHAPE, PREFIX, SUFFIX, LENGTH, SENT_START / IS_SENT_START, SPACY, and every IS_* / LIKE_*
//   flag of the Attr enum. Strings compare by hash; POS takes UPOS names ("NOUN"), MORPH a FEATS string.
// - Value predicates (a dict instead of the value): IN, NOT_IN, IS_SUBSET, IS_SUPERSET, INTERSECTS,
//   ==, !=, >=, <=, >, < (LENGTH), REGEX (RE2, searched anywhere in the string as Python's re.search),
//   FUZZY and FUZZY1..FUZZY9 (Levenshtein distance, spaCy's levenshtein_compare, or the Matcher's
//   own fuzzy compare), and IN / NOT_IN nested in REGEX or FUZZY ({"LOWER": {"FUZZY": {"IN": ["apple",
//   "pear"]}}}).
// - Custom extension attributes: {"_": {"is_fruit": true}}, {"_": {"price": {">=": 5}}} (see below).
// - Quantifiers ("OP"): "!" (exactly one token that does not match), "?", "*", "+", "{n}", "{n,m}",
//   "{n,}", "{,m}". An empty dict matches any one token.
//
// Matching follows spaCy's algorithm state for state (find_matches / transition_states /
// finish_states in matcher.pyx), so the same patterns give the same matches in the same order: every
// match of "*" and "+" is reported (overlapping ones included), duplicates of one (key, start, end)
// are dropped keeping the first, and keys added with greedy FIRST or LONGEST keep only non-overlapping
// matches, appended after the unfiltered ones as spaCy does. Patterns are compiled into flat arrays of
// token specs and checks that compare 64-bit values; patterns whose first token needs one value of an
// attribute are indexed by it, so a token only starts the patterns that can match it.
//
// Departures from spaCy, all deliberate: a plain MORPH value is canonicalized (features sorted, as
// IN and the set predicates already are in spaCy), so "Number=Sing|Case=Nom" matches a token whose
// FEATS is "Case=Nom|Number=Sing"; REGEX on LENGTH searches the decimal number; IS_SUBSET /
// IS_SUPERSET / INTERSECTS nested in REGEX, which spaCy accepts but can never match sensibly, are
// errors; REGEX uses RE2
// syntax (no backreferences or lookaround); "{n,m}" repeats at most 10000 times; removing a rule also
// removes the annotation check (E155) its plain values asked for, which spaCy keeps; patterns are
// always validated (spaCy's validate=False is accepted by the Python class and changes nothing).
//
// External predicates. Custom extension attributes live in Python (Token.set_extension), and a Python
// fuzzy_compare is Python code; the native matcher never calls Python per token. Instead the pattern
// compiler turns each distinct test it cannot evaluate into an ExternalPredicate (shared by every
// pattern that asks the same, as spaCy shares predicates), and find() reads, for each of them, one
// column of booleans over the matched tokens that the caller computed beforehand (MatchOptions::
// external). Two kinds exist:
// - EXTENSION: {"_": {name: value}} or {"_": {name: {OP: arg}}}, one predicate per (name, op, arg).
//   The caller evaluates them as spaCy does (the Python module: weft/matcher.py, once per token and
//   predicate, before matching). Plain values are str, int (0 .. 2^64-1) or bool; predicates IN,
//   NOT_IN, IS_SUBSET, IS_SUPERSET, INTERSECTS (lists of str / int), ==, !=, >=, <=, >, < (numbers),
//   REGEX (a str: Python's re there, not RE2) and FUZZY, FUZZY1..9 (a str). Predicate names are
//   upper-case exactly, as spaCy reads them.
// - FUZZY: a FUZZY predicate of a Matcher made with a fuzzy compare function (spaCy's fuzzy_compare):
//   the column holds whether the token's string passes, and the Matcher fills such columns itself
//   (external_columns) when it was given a C++ compare; the Python binding fills them with its
//   Python callable, once per distinct token string.
// C++ users: call external_columns() for what the Matcher can compute, fill the EXTENSION columns,
// then find(doc, {.external = &columns}). operator() and match_spans on a mutable Doc fill EXTENSION
// columns through the process-wide evaluator (set_external_evaluator; the Python module installs
// one), so the EntityRuler can use "_" patterns inside a pipeline run from Python.
//
// Not thread-safe while rules are added or removed; once built, find() may run on many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "weft/doc/doc.hpp"
#include "weft/json.hpp"
#include "weft/strings/attrs.hpp"

namespace weft {

namespace matcher_detail {
struct Compiled;  // the compiled patterns (src/components/matcher/pattern.hpp)
}

// One match: tokens [start, end) of the matched Doc, or of the Span (relative to its start) when a
// Span was matched, as spaCy's (match_id, start, end) tuples.
struct Match {
  hash_t match_id = 0;  // the rule's key: hash_string("LABEL") (or the integer key it was added with)
  std::size_t start = 0;
  std::size_t end = 0;
  // Only with MatchOptions::with_alignments: for each matched token, the index of the token spec
  // (in the user's pattern) that matched it, spaCy's with_alignments=True.
  std::vector<std::uint32_t> alignments;
  bool operator==(const Match&) const = default;
};

// spaCy's greedy argument of Matcher.add: keep non-overlapping matches, preferring the earliest
// (longest among those starting together) or the longest (earliest among equally long ones).
enum class Greedy { FIRST, LONGEST };
// "FIRST" / "LONGEST" (exact spelling, as spaCy); ValueError otherwise.
Greedy greedy_from_name(std::string_view name);
std::string_view greedy_name(Greedy g) noexcept;

// A token test the Matcher does not evaluate itself (see the file comment). Ids (positions in
// Matcher::external_predicates()) are valid until the next add() or remove().
struct ExternalPredicate {
  enum class Kind : std::uint8_t { EXTENSION, FUZZY };
  Kind kind = Kind::EXTENSION;
  // EXTENSION: the extension attribute's name; op "" for a plain value (equal as spaCy compares
  // attribute ids: str with str, int or bool with int or bool), else the predicate's name ("IN",
  // ">=", "REGEX", "FUZZY2", ...); value: the pattern's value or argument.
  // FUZZY: op "FUZZY" (the token string equals strings[0] or compare(token string, strings[0], fuzzy)),
  // "IN" (compare accepts one of strings) or "NOT_IN" (none); value unused.
  std::string name;
  std::string op;
  Json value;
  // FUZZY: the token attribute whose string is compared (ORTH, LOWER, NORM, ...), the edits allowed
  // (-1: spaCy's default, max(2, round(0.3 * pattern length))) and the pattern string(s).
  Attr attr = Attr::ORTH;
  int fuzzy = -1;
  std::vector<std::string> strings;
  bool operator==(const ExternalPredicate&) const = default;
};

// One column per external predicate, each with one entry per matched token (doc[start + i]): nonzero
// where the predicate holds.
using ExternalColumns = std::vector<std::vector<std::uint8_t>>;

// spaCy's fuzzy_compare(input_text, pattern_text, fuzzy) -> bool.
using FuzzyCompare = std::function<bool(std::string_view input, std::string_view pattern, int fuzzy)>;
// The built-in one: spaCy's levenshtein_compare (fuzzy < 0: max(2, round(0.3 * code points of the
// pattern)) edits allowed).
bool levenshtein_compare(std::string_view input, std::string_view pattern, int fuzzy = -1);
// The Levenshtein distance in code points, or max_edits + 1 once it is known to be larger.
std::size_t levenshtein_distance(std::string_view a, std::string_view b, std::size_t max_edits);

// Fills the columns of the FUZZY predicates among `predicates` for doc[start, end) with `compare`,
// called once per distinct (token string, pattern string) of each fuzzy value; `columns` is resized
// to one column per predicate (others are left as they are, or empty).
void fuzzy_columns(const Doc& doc, std::size_t start, std::size_t end, const std::vector<ExternalPredicate>& predicates,
                   const FuzzyCompare& compare, ExternalColumns& columns);

// Evaluates EXTENSION predicates on doc[start, end) into columns[k] for each k with such a predicate
// (FUZZY ones are left alone). The Doc is mutable so that an evaluator can hand it to Python and back.
using ExternalEvaluator = std::function<void(Doc& doc, std::size_t start, std::size_t end,
                                             const std::vector<ExternalPredicate>& predicates, ExternalColumns& columns)>;
// The process-wide evaluator (none at first; the Python module sets one that evaluates in Python).
void set_external_evaluator(ExternalEvaluator evaluator);
bool has_external_evaluator() noexcept;
// Runs it; ValueError naming the first extension attribute when no evaluator is set.
void evaluate_extensions(Doc& doc, std::size_t start, std::size_t end, const std::vector<ExternalPredicate>& predicates,
                         ExternalColumns& columns);

struct MatchOptions {
  bool with_alignments = false;
  // spaCy's allow_missing: skip the check that the Doc has the annotations (TAG, POS, MORPH, LEMMA,
  // DEP) that plain pattern values ask for.
  bool allow_missing = false;
  // The columns of the external predicates, required when the Matcher has any (find() throws
  // ValueError otherwise): external_predicates().size() columns of end - start entries.
  const ExternalColumns* external = nullptr;
};

class Matcher {
 public:
  // spaCy's on_match(matcher, doc, i, matches): called once per match, in order, after matching and
  // greedy filtering; it may annotate the Doc and change `matches` (which operator() then returns).
  using OnMatch = std::function<void(Matcher&, Doc&, std::size_t, std::vector<Match>&)>;

  // A rule as added: its key, the patterns as given (every add() appended) and its options.
  struct Rule {
    hash_t match_id = 0;
    std::string key;  // "" when the rule was added with an integer key
    Json patterns = Json::array();
    OnMatch on_match;
    std::optional<Greedy> greedy;
  };

  explicit Matcher(std::shared_ptr<Vocab> vocab);
  // spaCy's Matcher(vocab, fuzzy_compare=...): FUZZY predicates are external (kind FUZZY). With a
  // `compare`, external_columns() fills them with it; with an empty one the caller fills them (the
  // Python binding, whose fuzzy_compare is a Python callable).
  Matcher(std::shared_ptr<Vocab> vocab, FuzzyCompare compare);
  ~Matcher();
  Matcher(Matcher&&) noexcept;
  Matcher& operator=(Matcher&&) noexcept;
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  const std::shared_ptr<Vocab>& vocab() const noexcept { return vocab_; }

  // spaCy's add(key, patterns, on_match=None, greedy=None): `patterns` is a JSON list of patterns. A
  // key added again gets the new patterns appended and its on_match and greedy replaced. The key string
  // joins the Vocab's StringStore unless that is frozen. All or nothing: a bad pattern throws
  // ValueError naming the key, the pattern's index, the token's index and the offending key or value,
  // before anything changes.
  void add(std::string_view key, const Json& patterns, OnMatch on_match = {},
           std::optional<Greedy> greedy = std::nullopt);
  // The same under an integer key (spaCy accepts a StringStore hash as the key).
  void add(hash_t match_id, const Json& patterns, OnMatch on_match = {},
           std::optional<Greedy> greedy = std::nullopt);
  // Removes the rule; ValueError when there is none (spaCy's Matcher raises ValueError E175).
  void remove(std::string_view key);
  void remove(hash_t match_id);

  bool contains(std::string_view key) const noexcept { return contains(hash_string(key)); }
  bool contains(hash_t match_id) const noexcept { return rules_.count(match_id) != 0; }
  // The number of rules (keys), as spaCy's len(matcher); not the number of patterns.
  std::size_t size() const noexcept { return rules_.size(); }
  bool empty() const noexcept { return rules_.empty(); }
  // The rule of a key, or nullptr (spaCy's get(key) gives (on_match, patterns)).
  const Rule* get(std::string_view key) const noexcept { return get(hash_string(key)); }
  const Rule* get(hash_t match_id) const noexcept;
  // The number of compiled patterns over all rules.
  std::size_t n_patterns() const noexcept;

  // The external predicates of the patterns (see the file comment), in id order.
  const std::vector<ExternalPredicate>& external_predicates() const noexcept;
  bool has_external() const noexcept { return !external_predicates().empty(); }
  // Whether FUZZY predicates are external (the Matcher was made with a fuzzy compare).
  bool external_fuzzy() const noexcept;
  // Sizes `columns` for the external predicates over doc[start, end) and fills the FUZZY ones with
  // the Matcher's compare function (when it has one); EXTENSION columns are left for the caller.
  void external_columns(const Doc& doc, std::size_t start, std::size_t end, ExternalColumns& columns) const;

  // The matches in doc[start, end) without callbacks, positions relative to `start`. Thread-safe
  // between changes. ValueError (spaCy's E155) when a pattern's plain value asks for an annotation
  // the Doc lacks, unless options.allow_missing.
  std::vector<Match> find(const Doc& doc, std::size_t start, std::size_t end, const MatchOptions& options = {}) const;
  std::vector<Match> find(const Doc& doc, const MatchOptions& options = {}) const {
    return find(doc, 0, doc.size(), options);
  }
  std::vector<Match> find(const Span& span, const MatchOptions& options = {}) const;

  // spaCy's matcher(doc) / matcher(doc[start:end]): find, then the rules' on_match callbacks. Without
  // options.external, external columns are computed first: external_columns() and the process-wide
  // evaluator for EXTENSION predicates (evaluate_extensions).
  std::vector<Match> operator()(Doc& doc, const MatchOptions& options = {}) {
    return (*this)(doc, 0, doc.size(), options);
  }
  std::vector<Match> operator()(Doc& doc, std::size_t start, std::size_t end, const MatchOptions& options = {});
  // spaCy's as_spans=True: one Span of the Doc per match (Doc positions), labelled with the match id;
  // the key string is interned in the Doc so label_() resolves it. Callbacks run as in operator().
  std::vector<Span> match_spans(Doc& doc, const MatchOptions& options = {}) {
    return match_spans(doc, 0, doc.size(), options);
  }
  std::vector<Span> match_spans(Doc& doc, std::size_t start, std::size_t end, const MatchOptions& options = {});

 private:
  void add_rule(hash_t match_id, std::string key, const Json& patterns, OnMatch on_match,
                std::optional<Greedy> greedy);
  void run_callbacks(Doc& doc, std::vector<Match>& matches);
  // find() with the external columns computed when the options have none.
  std::vector<Match> find_computing(Doc& doc, std::size_t start, std::size_t end, const MatchOptions& options) const;

  std::shared_ptr<Vocab> vocab_;
  FuzzyCompare fuzzy_compare_;
  std::unordered_map<hash_t, Rule> rules_;
  std::unique_ptr<matcher_detail::Compiled> compiled_;
};

}  // namespace weft
