// PhraseMatcher: spaCy's PhraseMatcher, for large terminology lists. Patterns are Docs ("Barack
// Obama" as nlp.make_doc made it); a match is every run of tokens whose values of one token attribute
// (ORTH by default, or LOWER, NORM, LEMMA, TAG, POS, SHAPE, ...) equal a pattern's, token for token.
//
// The patterns form a trie over attribute values, stored flat: one open-addressing hash table maps
// (node, value) to the child node, so adding a phrase costs one probe per token and matching a Doc
// costs one probe per token per start position while the trie has a continuation (usually one or two).
// Matching reads the attribute values of the Doc once into a per-thread buffer and allocates nothing
// per token. Removing a key prunes the trie nodes no other phrase uses.
//
// Semantics follow spaCy (spacy/matcher/phrasematcher.pyx): every match is reported, overlapping and
// nested ones included ("New York" and "New York City"), ordered by start, then end, then (for one
// phrase under several keys) by the order the keys were first added, where spaCy's order is its hash
// table's. Match ids are hash_string(key), the key's hash in every StringStore. Matching a Span finds
// the phrases wholly inside it and reports Doc token indices, as spaCy does.
//
// Not thread-safe while patterns are added or removed; once built, find() may run on many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "weft/doc/doc.hpp"
#include "weft/strings/attrs.hpp"

namespace weft {

// One match: the tokens [start, end) of the Doc (Doc indices also when a Span was matched).
struct PhraseMatch {
  hash_t match_id = 0;  // hash_string(key)
  std::size_t start = 0;
  std::size_t end = 0;
  bool operator==(const PhraseMatch&) const = default;
};

class PhraseMatcher {
 public:
  // spaCy's on_match(matcher, doc, i, matches): called once per match, in order, after matching; it may
  // change `matches` (the list operator() then returns) and annotate the Doc.
  using OnMatch = std::function<void(const PhraseMatcher&, Doc&, std::size_t, std::vector<PhraseMatch>&)>;

  // ValueError when `attr` has no per-token value to match (HEAD, IDX, NULL_ATTR).
  explicit PhraseMatcher(std::shared_ptr<Vocab> vocab, Attr attr = Attr::ORTH);
  // The attribute by name as spaCy spells it ("ORTH", "text", "lower", "IS_SENT_START", ...); ValueError
  // naming an unknown or unusable one.
  PhraseMatcher(std::shared_ptr<Vocab> vocab, std::string_view attr);

  // The attribute a name stands for, checked as the constructors check it.
  static Attr parse_attr(std::string_view name);
  static void check_attr(Attr attr);

  Attr attr() const noexcept { return attr_; }
  const std::shared_ptr<Vocab>& vocab() const noexcept { return vocab_; }

  // Adds the phrases under `key` (spaCy's add(key, docs, on_match)); empty Docs are skipped, a phrase a
  // key already has is kept once, and the key's callback is replaced by `on_match` (none when empty).
  // The key joins the Vocab's StringStore unless that is frozen. All or nothing: ValueError, naming the
  // key and the pattern's index, for an empty key or a pattern Doc that lacks the annotation the
  // attribute needs (TAG, POS, MORPH, LEMMA, DEP, ENT_TYPE), before anything changes.
  void add(std::string_view key, std::span<const Doc* const> docs, OnMatch on_match = {});
  void add(std::string_view key, const std::vector<Doc>& docs, OnMatch on_match = {});
  // Removes the key with all its phrases; KeyError when the matcher has no such key.
  void remove(std::string_view key);

  bool contains(std::string_view key) const noexcept { return contains(hash_string(key)); }
  bool contains(hash_t match_id) const noexcept { return key_index_.count(match_id) != 0; }
  // Number of keys (spaCy's len), keys without phrases included.
  std::size_t size() const noexcept { return key_index_.size(); }
  bool empty() const noexcept { return key_index_.empty(); }
  // Number of distinct (key, phrase) pairs.
  std::size_t n_phrases() const noexcept { return n_phrases_; }
  // The keys in the order they were added.
  std::vector<std::string> keys() const;
  // The key string of a match id, or nullopt.
  std::optional<std::string_view> key_name(hash_t match_id) const;

  // The matches in doc[start, end) (no callbacks). Appends to `out`. Thread-safe between changes.
  void find(const Doc& doc, std::size_t start, std::size_t end, std::vector<PhraseMatch>& out) const;
  std::vector<PhraseMatch> find(const Doc& doc) const;
  std::vector<PhraseMatch> find(const Span& span) const;

  // spaCy's matcher(doc): the matches, after calling the keys' on_match callbacks in order.
  std::vector<PhraseMatch> operator()(Doc& doc) const { return (*this)(doc, 0, doc.size()); }
  std::vector<PhraseMatch> operator()(Doc& doc, std::size_t start, std::size_t end) const;
  // spaCy's as_spans=True: one Span per match, labelled with its match id.
  static std::vector<Span> as_spans(const Doc& doc, const std::vector<PhraseMatch>& matches);

  // The matched attribute of token i: doc.attr_value(i, attr()), computed without the whole lexeme
  // for LOWER and NORM.
  std::uint64_t token_value(const Doc& doc, std::size_t i) const;

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  // Slot::child keeps a node id in its low 31 bits and, in the top bit, whether a phrase ends at that
  // node, so matching reads the node's key list only where there is one.
  static constexpr std::uint32_t kEndsPhrase = 1u << 31;
  static constexpr std::uint32_t kNodeMask = kEndsPhrase - 1;

  struct KeyRecord {
    std::string name;
    hash_t id = 0;
    OnMatch on_match;
    std::vector<std::uint64_t> values;  // the key's phrases, concatenated
    std::vector<std::uint32_t> ends;    // end of each phrase in `values`
    bool live = false;
  };
  struct Node {
    std::uint32_t n_children = 0;
    std::uint32_t terms = kNone;  // first entry of the node's key list in terms_; kNone: no phrase ends here
  };
  // A key list entry: the key's match id and keys_ index, and the next entry; lists are sorted by keys_
  // index (= addition order).
  struct Term {
    hash_t id = 0;
    std::uint32_t key = 0;
    std::uint32_t next = kNone;
  };
  // The trie's edges: (parent, value) -> child (with kEndsPhrase). child == 0 marks an empty slot (the
  // root is no child).
  struct Slot {
    std::uint64_t value = 0;
    std::uint32_t parent = 0;
    std::uint32_t child = 0;
  };

  // The child field of the edge (parent, value): node id | kEndsPhrase, or 0 when there is no such edge.
  std::uint32_t child(std::uint32_t parent, std::uint64_t value) const noexcept;
  void mark_phrase_end(std::uint32_t parent, std::uint64_t value, bool ends) noexcept;
  std::size_t home(std::uint32_t parent, std::uint64_t value) const noexcept;
  void reserve_edges(std::size_t extra);
  void insert_edge(std::uint32_t parent, std::uint64_t value, std::uint32_t child);
  void erase_edge(std::uint32_t parent, std::uint64_t value);
  std::uint32_t new_node();
  // Adds one phrase for keys_[key]; false when the key already had it.
  bool insert_phrase(std::span<const std::uint64_t> values, std::uint32_t key);
  void erase_phrase(std::span<const std::uint64_t> values, std::uint32_t key);
  void compact_keys();
  void read_values(const Doc& doc, std::size_t start, std::size_t end, std::vector<std::uint64_t>& out) const;

  std::shared_ptr<Vocab> vocab_;
  Attr attr_;
  std::vector<KeyRecord> keys_;  // addition order; removed keys stay as dead records until compacted
  std::unordered_map<hash_t, std::uint32_t> key_index_;  // match id -> keys_ index of live keys
  std::size_t dead_keys_ = 0;
  std::size_t n_phrases_ = 0;
  std::vector<Node> nodes_;  // [0] is the root
  std::vector<std::uint32_t> free_nodes_;
  std::vector<Term> terms_;
  std::vector<std::uint32_t> free_terms_;
  std::vector<Slot> table_;  // power-of-two size, at most half full
  std::size_t n_edges_ = 0;
};

}  // namespace weft
