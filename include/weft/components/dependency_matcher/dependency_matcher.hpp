// DependencyMatcher: spaCy's DependencyMatcher (spacy/matcher/dependencymatcher.pyx), which matches
// subtrees of the dependency parse. A rule is a key with one or more patterns; a pattern is a JSON list
// of nodes, the first one the anchor and each later one tied to an earlier node by an operator:
//
//   [{"RIGHT_ID": "verb", "RIGHT_ATTRS": {"ORTH": "founded"}},
//    {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "subject", "RIGHT_ATTRS": {"DEP": "nsubj"}}]
//
// RIGHT_ATTRS is one token spec of the Matcher's pattern language (matcher.hpp: every attribute and
// predicate, IN, REGEX, FUZZY, ...); OP "?", "*" and "+" are refused as spaCy refuses them (E1016).
// REL_OP says how the RIGHT node B relates to the LEFT node A (spaCy's Semgrex operators):
//   A < B    A is B's immediate dependent          A > B    B is A's immediate dependent
//   A << B   B is an ancestor of A                 A >> B   B is a descendant of A
//   A . B    B is the token right after A          A .* B   B comes after A
//   A ; B    B is the token right before A         A ;* B   B comes before A
//   A $+ B   B is a child of A's head at A.i + 1   A $- B   ... at A.i - 1
//   A $++ B  B is a child of A's head after A      A $-- B  ... before A
//   A >+ B   B is A's child at A.i + 1             A >- B   ... at A.i - 1
//   A >++ B  B is a child of A after A             A >-- B  ... before A
//   A <+ B   B is A's head, at A.i + 1             A <- B   ... at A.i - 1
//   A <++ B  B is A's head, after A                A <-- B  ... before A
// exactly as spaCy's _ops compute them: a root is its own head, so a root's "siblings" ($+ ...) are
// its own children; no match leaves the tree of its anchor (spaCy groups candidates by root); and
// ".", ".*", ";", ";*" stay inside spaCy's _get_sent, the root's l_edge..r_edge as spaCy's
// set_children_from_heads computes them, which in a non-projective tree may stop short of the tree.
//
// A match is the key and one token index per node, in the pattern's node order. Matches come out in
// spaCy's order: by key (the order keys were first added), pattern, tree (the order trees first hold
// a token matching any node's RIGHT_ATTRS) and then the lexicographic order of the token tuples
// (spaCy's itertools.product over each node's candidates). Two nodes may take the same token when no
// operator relates them, as in spaCy; nothing else is de-duplicated (spaCy does not either).
//
// How it works: every distinct RIGHT_ATTRS is one single-token pattern of an inner Matcher (spaCy's
// design, with identical specs shared), run once over the Doc to give each node its candidate tokens,
// grouped by the root of their tree. Then, per pattern and per tree where the anchor has candidates,
// a depth-first search assigns the nodes in order: node j's tokens are those its operator allows
// from its (already assigned) left node, intersected with its candidates -- a head or neighbour is
// one lookup, children are read from a per-Doc children array, and ancestor / descendant tests are
// O(1) on an Euler tour of the trees. spaCy instead builds the full product of the candidates and
// tests each tuple.
//
// Departures from spaCy, all deliberate: add() is all or nothing (spaCy may keep part of a rule when a
// later RIGHT_ATTRS is bad); every error is a ValueError (spaCy raises KeyError or AttributeError for a
// missing or non-dict RIGHT_ATTRS of the anchor); patterns are always validated (spaCy's validate
// flag goes to its Matcher); the OP check is case-insensitive as the Matcher's keys are; a RIGHT_ATTRS
// whose OP makes it match several tokens ("{2}") anchors the node at the first, each token once
// (spaCy warns, W110, and may list a token twice); tokens whose head chain runs into a cycle (only a
// hand-made Doc can hold one) match no node; unknown extra keys of a node are ignored here (Python
// warns, spaCy's W126). A Span is matched as spaCy matches it, as a copy (span_doc) whose heads that
// leave the span are rewired by spaCy's Span.as_doc rule and relabelled "dep" (and, when parsed, its
// sentences redrawn from the rewired trees, as spaCy's from_array does). Custom extension attributes
// ("_") in RIGHT_ATTRS are the inner Matcher's external predicates: find() takes their columns, and
// operator() computes them through the process-wide evaluator (the Python module installs it); for a
// Span they are the original Doc's tokens' values.
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

#include "weft/components/matcher/matcher.hpp"
#include "weft/doc/doc.hpp"
#include "weft/json.hpp"

namespace weft {

// One match: the rule's key and, per node of the pattern (in its order), the matched token's index
// (in the Doc, or in the Span's copy, i.e. relative to the Span's start).
struct DependencyMatch {
  hash_t match_id = 0;  // hash_string("LABEL") (or the integer key it was added with)
  std::vector<std::size_t> tokens;
  bool operator==(const DependencyMatch&) const = default;
};

// spaCy's REL_OP operators (see the table above).
enum class RelOp : std::uint8_t {
  DEP,             // <
  GOV,             // >
  DEP_CHAIN,       // <<
  GOV_CHAIN,       // >>
  IMM_PRECEDE,     // .
  PRECEDE,         // .*
  IMM_FOLLOW,      // ;
  FOLLOW,          // ;*
  IMM_RIGHT_SIB,   // $+
  IMM_LEFT_SIB,    // $-
  RIGHT_SIB,       // $++
  LEFT_SIB,        // $--
  IMM_RIGHT_CHILD,   // >+
  IMM_LEFT_CHILD,    // >-
  RIGHT_CHILD,       // >++
  LEFT_CHILD,        // >--
  IMM_RIGHT_PARENT,  // <+
  IMM_LEFT_PARENT,   // <-
  RIGHT_PARENT,      // <++
  LEFT_PARENT,       // <--
};
// The operator a REL_OP string names; nullopt for an unknown one.
std::optional<RelOp> rel_op_from_name(std::string_view name) noexcept;
std::string_view rel_op_name(RelOp op) noexcept;

class DependencyMatcher {
 public:
  // spaCy's on_match(matcher, doc, i, matches): called once per match, in order, after matching; it
  // may annotate the Doc and change `matches` (which operator() then returns).
  using OnMatch = std::function<void(DependencyMatcher&, Doc&, std::size_t, std::vector<DependencyMatch>&)>;

  // A rule as added: its key, the patterns as given (every add() appended) and its callback.
  struct Rule {
    hash_t match_id = 0;
    std::string key;  // "" when the rule was added with an integer key
    Json patterns = Json::array();
    OnMatch on_match;
  };

  explicit DependencyMatcher(std::shared_ptr<Vocab> vocab);
  ~DependencyMatcher();
  DependencyMatcher(DependencyMatcher&&) noexcept;
  DependencyMatcher& operator=(DependencyMatcher&&) noexcept;
  DependencyMatcher(const DependencyMatcher&) = delete;
  DependencyMatcher& operator=(const DependencyMatcher&) = delete;

  const std::shared_ptr<Vocab>& vocab() const noexcept { return vocab_; }

  // spaCy's add(key, patterns, on_match=None): `patterns` is a JSON list of patterns. A key added
  // again gets the new patterns appended and its on_match replaced. The key string joins the Vocab's
  // StringStore unless that is frozen. All or nothing: a bad pattern throws ValueError naming the key,
  // the pattern's index, the node's index and what is wrong (spaCy's E012, E098-E101, E1007, E1008,
  // E1016, or the Matcher's message for a bad RIGHT_ATTRS), before anything changes.
  void add(std::string_view key, const Json& patterns, OnMatch on_match = {});
  // The same under an integer key (spaCy accepts a StringStore hash as the key).
  void add(hash_t match_id, const Json& patterns, OnMatch on_match = {});
  // Removes the rule; ValueError when there is none (spaCy's E175).
  void remove(std::string_view key);
  void remove(hash_t match_id);

  bool contains(std::string_view key) const noexcept { return contains(hash_string(key)); }
  bool contains(hash_t match_id) const noexcept { return rules_.count(match_id) != 0; }
  // The number of rules (keys), as spaCy's len(matcher).
  std::size_t size() const noexcept { return rules_.size(); }
  bool empty() const noexcept { return rules_.empty(); }
  // The rule of a key, or nullptr (spaCy's get(key) gives (on_match, patterns)).
  const Rule* get(std::string_view key) const noexcept { return get(hash_string(key)); }
  const Rule* get(hash_t match_id) const noexcept;
  // The number of patterns over all rules.
  std::size_t n_patterns() const noexcept;

  // The matches in the Doc, without callbacks. Thread-safe between changes. ValueError (the
  // Matcher's E155) when a RIGHT_ATTRS plain value asks for an annotation the Doc lacks (DEP, POS, ...).
  // `external`: the columns of external_predicates() (custom extension attributes, "_" in RIGHT_ATTRS)
  // for the Doc's tokens, required when there are any (matcher.hpp); operator() computes them.
  std::vector<DependencyMatch> find(const Doc& doc, const ExternalColumns* external = nullptr) const;
  // The inner Matcher's external predicates: one per distinct "_" test in the RIGHT_ATTRS.
  const std::vector<ExternalPredicate>& external_predicates() const noexcept;
  // The matches in the Span's copy (span_doc), token indices relative to the Span's start.
  std::vector<DependencyMatch> find(const Span& span) const;

  // spaCy's matcher(doc): find, then the rules' on_match callbacks.
  std::vector<DependencyMatch> operator()(Doc& doc);
  // spaCy's matcher(span): the callbacks get the Span's copy (as spaCy passes Span.as_doc()), which
  // `copy` receives when given.
  std::vector<DependencyMatch> operator()(const Span& span, Doc* copy = nullptr);

  // The Doc spaCy's DependencyMatcher matches for doc[start:end] (Span.as_doc): the tokens, text,
  // annotations and string pool of the span, with each head outside the span replaced by the span's
  // highest ancestor of the token, or when it has none, by the first such token of its tree, which
  // becomes a root (spaCy's Span._fix_dep_copy); those tokens' DEP becomes "dep". When some DEP is
  // set, the sentence starts are the left edges of the labelled roots (spaCy's from_array).
  static Doc span_doc(const Doc& doc, std::size_t start, std::size_t end);

 private:
  struct Node;
  struct Pattern;
  struct Slot;
  struct Compiled;
  void add_rule(hash_t match_id, std::string key, const Json& patterns, OnMatch on_match);
  void run_callbacks(Doc& doc, std::vector<DependencyMatch>& matches);

  std::shared_ptr<Vocab> vocab_;
  std::unordered_map<hash_t, Rule> rules_;
  std::vector<hash_t> key_order_;  // spaCy's dict order of keys: first added first (re-added after removal: last)
  std::unique_ptr<Compiled> compiled_;
};

}  // namespace weft
