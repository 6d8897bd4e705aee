// The Matcher's compiled patterns: spaCy's TokenPatternC arrays (matcher.pxd) made flat. Every pattern
// is a run of Elems (one per quantified token spec, "+" and "{n,m}" expanded as spaCy's
// _get_operators expands them) closed by a FINAL elem; each Elem owns a run of Checks, which either
// compare one token value with a constant (spaCy's attrs) or ask a Predicate (spaCy's
// _extra_predicates: IN, REGEX, FUZZY, ...). Identical predicates are shared, as spaCy shares them by
// _predicate_cache_key, so each is evaluated at most once per token.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "weft/components/matcher/matcher.hpp"
#include "weft/json.hpp"
#include "weft/strings/hash.hpp"

namespace weft::matcher_detail {

// The token value a check reads. The flags are FLAG + their LexFlag bit.
enum class Field : std::uint8_t {
  ORTH, LOWER, NORM, SHAPE, PREFIX, SUFFIX, LENGTH, LEMMA, POS, TAG, DEP, MORPH, ENT_TYPE, ENT_IOB,
  SENT_START, SPACY,
  FLAG  // FLAG + k reads lexeme flag k
};
inline Field flag_field(std::uint32_t bit) { return static_cast<Field>(static_cast<std::uint32_t>(Field::FLAG) + bit); }

// spaCy's quantifiers (matcher.pxd): ZERO is "!", FINAL closes a pattern.
enum class Quant : std::uint8_t { ZERO, ONE, ZERO_PLUS, ZERO_ONE, FINAL };

enum class PredOp : std::uint8_t {
  IN, NOT_IN, IS_SUBSET, IS_SUPERSET, INTERSECTS,  // sets
  EQ, NE, GE, LE, GT, LT,                          // numbers (LENGTH)
  REGEX, FUZZY,
  EXTERNAL  // a column the caller gives (custom extension attributes, a non-built-in fuzzy compare)
};

struct Predicate {
  Field field = Field::ORTH;
  PredOp op = PredOp::IN;
  // IN / NOT_IN nested in REGEX ({"REGEX": {"IN": [...]}}): the values are regexes; nested in FUZZY:
  // fuzzy-compared strings (spaCy's _SetPredicate regex= / fuzzy= arguments).
  bool regex_mode = false;
  bool fuzzy_mode = false;
  int fuzzy = -1;                     // FUZZY: allowed edits, -1 for spaCy's default
  std::vector<std::uint64_t> values;  // plain sets: sorted, unique token values
  double number = 0;                  // comparisons
  std::vector<std::unique_ptr<RE2>> regexes;
  std::vector<std::string> strings;   // FUZZY pattern string(s)
  std::string key;                    // identity for sharing (field, op, mode, value as JSON)
  // EXTERNAL: what the caller evaluates, and its id (position in Compiled::external).
  ExternalPredicate ext;
  std::uint32_t external = 0;
};

struct Check {
  Field field = Field::ORTH;
  bool is_predicate = false;
  std::uint32_t predicate = 0;  // index into Compiled::predicates
  std::uint64_t value = 0;      // the token value the check wants (not a predicate)
};

struct Elem {
  Quant quant = Quant::ONE;
  std::uint32_t pattern = 0;  // index into Compiled::patterns
  std::uint32_t checks_begin = 0, checks_end = 0;
  std::int32_t token_idx = -1;  // the token spec's index in the user's pattern (alignments); -1 for FINAL
};

// Annotations whose plain pattern values spaCy checks the Doc has (E155), as a bit mask.
enum Needs : std::uint8_t { NEEDS_TAG = 1, NEEDS_POS = 2, NEEDS_MORPH = 4, NEEDS_LEMMA = 8, NEEDS_DEP = 16 };

struct Pattern {
  hash_t match_id = 0;
  std::uint32_t first = 0;     // first Elem; the pattern's FINAL elem is at first + n_elems
  std::uint32_t n_elems = 0;
  std::uint8_t needs = 0;
};

// Patterns that a token can only start when one of its values is in a set: their first elem is ONE
// and has a plain check or plain IN on `field`. Lists hold pattern indices in ascending order.
struct FieldIndex {
  Field field = Field::ORTH;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> patterns;
};

struct Compiled {
  std::vector<Elem> elems;
  std::vector<Check> checks;
  std::vector<Predicate> predicates;
  std::unordered_map<std::string, std::uint32_t> predicate_ids;  // Predicate::key -> index
  std::vector<Pattern> patterns;  // spaCy's self.patterns order: addition order
  std::vector<std::uint32_t> always;  // patterns every token may start (not indexed), ascending
  std::vector<FieldIndex> index;
  std::uint8_t needs = 0;  // union over patterns
  bool external_fuzzy = false;  // FUZZY predicates become EXTERNAL (a fuzzy compare other than the built-in)
  std::vector<ExternalPredicate> external;  // of the EXTERNAL predicates, by their `external` id

  // Compiles `patterns` (a JSON list of patterns) for one key and appends them, all or nothing.
  // `label` names the key in error messages.
  void add(hash_t match_id, std::string_view label, const Json& patterns);
  // Drops every pattern of the key (order of the others kept) and the predicates no pattern uses.
  void remove(hash_t match_id);

 private:
  void index_pattern(std::uint32_t p);
  void rebuild_index();
  void rebuild_external();
};

// The matcher's field for a string attribute (ORTH, LOWER, NORM, SHAPE, PREFIX, SUFFIX, LEMMA, TAG,
// DEP, MORPH, ENT_TYPE, POS); nullopt for others.
std::optional<Field> string_field(Attr a);

}  // namespace weft::matcher_detail
