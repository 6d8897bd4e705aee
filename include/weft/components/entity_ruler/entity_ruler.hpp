// EntityRuler ("entity_ruler", "weft.EntityRuler.v1"): spaCy's EntityRuler. Entities from rules:
// phrase patterns matched by a PhraseMatcher and token patterns matched by a Matcher, in spaCy's format:
//
//   {"label": "ORG", "pattern": "Apple"}                                          (phrase)
//   {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}], "id": "sf"}  (token pattern)
//
// Phrase patterns are tokenized with the pipeline's tokenizer (Component::set_tokenizer gives it when
// the ruler joins a pipeline; a ruler made alone uses its vocab's language's tokenizer) and matched on
// `phrase_matcher_attr` (ORTH by default, or LOWER, NORM, SHAPE, ...).
//
// Applying it follows spaCy's EntityRuler.__call__: every distinct non-empty match of both matchers,
// longest first, then earliest; a match is dropped when it overlaps one already taken or, unless
// `overwrite_ents`, an entity already on the Doc. With `overwrite_ents` the Doc's entities that overlap
// a taken match are removed (their tokens become "O"). A pattern's "id" becomes its entities' id: the
// Spans' id and their tokens' ent_id (spaCy's ent_id_); match() reports the key (`label` +
// ent_id_sep + `id`, spaCy's), which patterns(), ent_ids() and remove(id) read back. The kept and new
// entities are then written with Doc::set_ents(..., "unmodified"), so tokens outside every entity keep
// their state, and a statistical NER after the ruler still labels them (the NER keeps entities already
// on the Doc).
//
// Departures from spaCy, all deliberate:
// - Tokens outside the entities are left as they were ("unmodified"), where spaCy's `doc.ents = ...`
//   marks them "O"; doc.ents is the same either way.
// - Among equally long matches starting at one token (spaCy's order there is that of a Python set),
//   token patterns win over phrase patterns, then the earlier-added key.
// - A phrase_matcher_attr that needs annotations (POS, TAG, MORPH, LEMMA, DEP, ENT_TYPE) is an error:
//   spaCy runs the components before the ruler on phrase patterns, while weft only tokenizes them;
//   token patterns can match on those attributes.
// - patterns() lists the patterns in the order they were added (spaCy groups them by key, token
//   patterns first); "id" must be a string (an empty one means none); labels and ids are sorted.
// - labels() and ent_ids() read the patterns' own label and id (spaCy splits key strings at
//   ent_id_sep, so there a label holding the separator reads differently), and a key string that two
//   (label, id) pairs would share is an error.
// - `validate` is accepted and changes nothing: patterns are always validated (as weft's Matcher).
// - Token patterns may use custom extension attributes ("_"); they are evaluated by the process-wide
//   evaluator (Matcher's set_external_evaluator), which the Python module installs, so such patterns
//   work in pipelines run from Python (and `weft ... --code FILE`) and are an error elsewhere. FUZZY
//   always uses the built-in Levenshtein compare (spaCy's matcher_fuzzy_compare setting is not read).
//
// Not thread-safe while patterns change; once built, operator() and match() may run on many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "weft/components/matcher/matcher.hpp"
#include "weft/components/phrase_matcher/phrase_matcher.hpp"
#include "weft/pipeline/component.hpp"

namespace weft {

class TokenizerBase;

struct EntityRulerConfig {
  std::optional<std::string> phrase_matcher_attr;  // nullopt = ORTH (spaCy's null); else the upper-case name
  bool validate = false;
  bool overwrite_ents = false;
  std::string ent_id_sep = "||";

  // Reads the keys present in `j` ("patterns" is the factory's and skipped here); ValueError naming
  // an unknown key or a bad value.
  static EntityRulerConfig from_json(const Json& j);
  Json to_json() const;
};

// One match of the ruler: tokens [start, end) under the key `match_id` (see EntityRuler::key).
struct RulerMatch {
  hash_t match_id = 0;
  std::size_t start = 0;
  std::size_t end = 0;
  bool operator==(const RulerMatch&) const = default;
};

class EntityRuler final : public Component {
 public:
  // A match key: the entity label, the patterns' id ("" = none) and the key string the matchers use
  // (spaCy's `label + ent_id_sep + id`, or the label alone).
  struct Key {
    std::string label;
    std::string id;
    std::string name;
    hash_t label_hash = 0;
    std::uint64_t order = 0;  // when the key was first added (breaks ties between equal matches)
  };

  // The factory: `config` holds the EntityRulerConfig keys and optionally "patterns" (a list, added at
  // once). ValueError for a bad config or pattern.
  EntityRuler(std::string name, const Json& config, std::shared_ptr<Vocab> vocab);
  ~EntityRuler() override;

  std::string factory_name() const override { return "weft.EntityRuler.v1"; }
  std::vector<std::string> assigns() const override { return {"doc.ents", "token.ent_type", "token.ent_iob"}; }
  // The settings only: the patterns are saved in patterns.jsonl by to_disk.
  Json config() const override { return config_.to_json(); }
  const EntityRulerConfig& settings() const noexcept { return config_; }

  // Sets the entities the patterns find (see the file comment).
  void operator()(Doc& doc) const override;
  // Tokenizes phrase patterns with `tokenizer` from now on, and re-tokenizes those already added. The
  // tokenizer must outlive the ruler (a Pipeline's does while the ruler is one of its components).
  void set_tokenizer(std::shared_ptr<const TokenizerBase> tokenizer) override;

  // dir/patterns.jsonl, one pattern per line (the settings are in the config).
  void to_disk(const std::filesystem::path& dir) const override;
  // Replaces the patterns with those of dir/patterns.jsonl; ModelError naming the file (and line) when
  // it is missing or holds a bad line.
  void from_disk(const std::filesystem::path& dir) override;

  // spaCy's add_patterns: a JSON list of {"label", "pattern", "id"?} objects. All or nothing:
  // ValueError naming the pattern's index, label and the cause (for a bad token pattern, the Matcher's
  // message with the token's index and the offending key or value) before anything changes.
  void add_patterns(const Json& patterns);
  // The patterns of a JSONL file (one object per line, blank lines skipped), all or nothing: IOError
  // when it cannot be read, FormatError for a line that is not JSON, ValueError for a bad pattern,
  // each naming the file and line.
  void add_patterns_jsonl(const std::filesystem::path& path);

  // The patterns as added: [{"label", "pattern", "id"?}, ...].
  Json patterns() const;
  // The distinct labels and ids of the patterns, sorted.
  std::vector<std::string> labels() const;
  std::vector<std::string> ent_ids() const;
  // The number of patterns (spaCy's len), duplicates included.
  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  // Whether some pattern has this label (spaCy's `label in ruler`).
  bool contains(std::string_view label) const;
  // Removes every pattern.
  void clear();
  // Removes the patterns with this id; ValueError when there is none (spaCy's E1024).
  void remove(std::string_view id);

  // The key of a match id, or nullptr.
  const Key* key(hash_t match_id) const noexcept;
  // spaCy's EntityRuler.match: the distinct non-empty matches of both matchers, longest first, then
  // earliest. ValueError when a token pattern asks for an annotation the Doc lacks (the Matcher's E155).
  // `external`: the columns of the token matcher's external predicates (custom extension attributes,
  // "_"), required when it has any (see Matcher::external_predicates; operator() computes them).
  std::vector<RulerMatch> match(const Doc& doc, const ExternalColumns* external = nullptr) const;
  // The matches operator() would add as entities, in document order: no two overlap and, unless
  // `ignore_existing` or overwrite_ents, none overlaps an entity already on the Doc.
  std::vector<RulerMatch> select(const Doc& doc, bool ignore_existing = false, const ExternalColumns* external = nullptr) const;
  // The token matcher (its external_predicates() are those `external` answers).
  const Matcher& token_matcher() const noexcept { return matcher_; }
  // Computes the external columns of the token patterns for `doc` into `columns` through the
  // process-wide evaluator (evaluate_extensions; ValueError without one) and returns &columns, or
  // nullptr when no token pattern needs any.
  const ExternalColumns* external_columns(Doc& doc, ExternalColumns& columns) const;

 private:
  struct Entry {
    hash_t match_id = 0;
    bool phrase = false;
    std::string text;  // a phrase pattern's text
    Json tokens;       // a token pattern
  };
  // Where a batch of patterns came from, for error messages: a list (patterns named by index) or a
  // file (named by file and line: lines[k] is pattern k's).
  struct Source {
    std::string file;
    std::vector<std::uint64_t> lines;
  };
  // Patterns checked but not yet added, and the keys among them that are new to the ruler.
  struct Batch {
    std::vector<Entry> entries;
    std::unordered_map<hash_t, Key> new_keys;
  };
  [[noreturn]] static void fail(const Source& src, std::size_t k, std::string_view label, const std::string& cause);

  // Checks pattern k of a batch and appends it; token patterns are compiled into `scratch` to find
  // their errors before the real matchers change.
  void check(const Json& pattern, std::size_t k, const Source& src, Batch& batch, Matcher& scratch) const;
  // Adds a checked batch to the matchers; on failure restores the state before it and rethrows.
  void commit(Batch batch, const Source& src);
  void add_to_matchers(const Entry& e);
  void rebuild();
  const TokenizerBase& tokenizer();

  EntityRulerConfig config_;
  std::shared_ptr<Vocab> vocab_;
  Matcher matcher_;
  PhraseMatcher phrase_matcher_;
  std::unordered_map<hash_t, Key> keys_;
  std::vector<Entry> entries_;
  std::uint64_t next_order_ = 0;
  // The pipeline's tokenizer, or the language's own one until a pipeline gives one.
  std::shared_ptr<const TokenizerBase> tokenizer_;
};

}  // namespace weft
