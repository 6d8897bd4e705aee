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
//   FUZZY and FUZZY1..FUZZY9 (Levenshtein distance, spaCy's levenshtein_compare), and IN / NOT_IN
//   nested in REGEX or FUZZY ({"LOWER": {"FUZZY": {"IN": ["apple", "pear"]}}}).
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
// errors; custom extension attributes ("_") do not exist in weft and are errors; REGEX uses RE2
// syntax (no backreferences or lookaround); "{n,m}" repeats at most 10000 times; removing a rule also
// removes the annotation check (E155) its plain values asked for, which spaCy keeps; patterns are
// always validated (spaCy's validate=False is accepted by the Python class and changes nothing).
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

struct MatchOptions {
  bool with_alignments = false;
  // spaCy's allow_missing: skip the check that the Doc has the annotations (TAG, POS, MORPH, LEMMA,
  // DEP) that plain pattern values ask for.
  bool allow_missing = false;
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

  // The matches in doc[start, end) without callbacks, positions relative to `start`. Thread-safe
  // between changes. ValueError (spaCy's E155) when a pattern's plain value asks for an annotation
  // the Doc lacks, unless options.allow_missing.
  std::vector<Match> find(const Doc& doc, std::size_t start, std::size_t end, const MatchOptions& options = {}) const;
  std::vector<Match> find(const Doc& doc, const MatchOptions& options = {}) const {
    return find(doc, 0, doc.size(), options);
  }
  std::vector<Match> find(const Span& span, const MatchOptions& options = {}) const;

  // spaCy's matcher(doc) / matcher(doc[start:end]): find, then the rules' on_match callbacks.
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

  std::shared_ptr<Vocab> vocab_;
  std::unordered_map<hash_t, Rule> rules_;
  std::unique_ptr<matcher_detail::Compiled> compiled_;
};

}  // namespace weft
