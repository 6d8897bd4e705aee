// Doc: one document. It owns its UTF-8 text (exactly as given, whitespace included) and one contiguous
// array of TokenData; Token and Span (token.hpp, span.hpp) are cheap (doc, index) views onto it.
// Tokens never cover whitespace: the whitespace after a token is the text up to the next token.
// Strings first seen at run time (a predicted lemma of an unknown word, a CoNLL-U MISC value) live in the
// Doc's own string pool, not in the shared Vocab, so a frozen model's memory does not grow while streaming.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "weft/doc/span_group.hpp"
#include "weft/doc/token_data.hpp"
#include "weft/strings/attrs.hpp"
#include "weft/strings/vocab.hpp"

namespace weft {

class Token;
class Span;

// Side data kept so that formats richer than the token records round-trip losslessly
// (CoNLL-U comments, MISC, DEPS, multi-word-token lines and empty nodes; JSONL metadata).
// Keys are token indices; sentence-level entries are keyed by the sentence's first token.
struct DocExtras {
  std::map<std::uint32_t, std::vector<std::string>> comments;  // full comment lines ("# sent_id = 1")
  std::unordered_map<std::uint32_t, std::string> misc;  // raw MISC column as read ("SpaceAfter=No|NER=O")
  std::unordered_map<std::uint32_t, std::string> deps;  // raw DEPS column when not "_"
  std::unordered_map<std::uint32_t, std::string> mwt_fields;  // columns 3-10 of a range line, keyed by its first word
  // Empty nodes: the full line, keyed by the first token of their sentence, in file order.
  std::map<std::uint32_t, std::vector<std::string>> empty_nodes;
  std::string meta_json;  // the "meta" object of a JSONL record, as JSON text; empty = none
  bool empty() const {
    return comments.empty() && misc.empty() && deps.empty() && mwt_fields.empty() && empty_nodes.empty() &&
           meta_json.empty();
  }
};

class Doc {
 public:
  // Takes the text, checking it is valid UTF-8 (throws EncodingError naming the byte offset otherwise).
  Doc(std::shared_ptr<Vocab> vocab, std::string text);
  // spaCy's Doc(vocab, words, spaces): builds the text from words, each followed by a space when
  // spaces[i] is true (all true when `spaces` is empty).
  static Doc from_words(std::shared_ptr<Vocab> vocab, const std::vector<std::string>& words,
                        const std::vector<bool>& spaces = {});

  const std::string& text() const noexcept { return text_; }
  const Vocab& vocab() const noexcept { return *vocab_; }
  Vocab& vocab() noexcept { return *vocab_; }
  const std::shared_ptr<Vocab>& vocab_ptr() const noexcept { return vocab_; }

  std::size_t size() const noexcept { return tokens_.size(); }
  bool empty() const noexcept { return tokens_.empty(); }
  // Bounds-checked view (throws IndexError); negative indices count from the end as in Python.
  Token operator[](std::ptrdiff_t i) const;
  Token token(std::size_t i) const noexcept;  // unchecked
  Span span(std::size_t start, std::size_t end) const;
  // The span covering code-point offsets [start_char, end_char), as spaCy's Doc.char_span: "strict"
  // needs both ends on token boundaries, "contract" keeps only tokens wholly inside, "expand" takes
  // every token the range touches. nullopt when no span fits (strict misaligned, contract empty);
  // ValueError for a bad mode or range.
  std::optional<Span> char_span(std::size_t start_char, std::size_t end_char, hash_t label = 0,
                                std::string_view mode = "strict") const;

  // Token records. Tokenizers and readers append; components write annotations in place.
  const std::vector<TokenData>& tokens() const noexcept { return tokens_; }
  std::vector<TokenData>& tokens() noexcept { return tokens_; }
  const TokenData& data(std::size_t i) const noexcept { return tokens_[i]; }
  TokenData& data(std::size_t i) noexcept { return tokens_[i]; }
  // Appends a token over text[idx, idx+len) (checked: in range, ordered, not overlapping the previous one).
  TokenData& push_token(std::size_t idx, std::size_t len);
  // The same without checks, for tokenizers that guarantee the invariants.
  TokenData& push_token_unchecked(std::uint32_t idx, std::uint32_t len, hash_t orth) {
    TokenData& t = tokens_.emplace_back();
    t.idx = idx;
    t.len = len;
    t.orth = orth;
    return t;
  }

  std::string_view token_text(std::size_t i) const noexcept {
    return std::string_view(text_).substr(tokens_[i].idx, tokens_[i].len);
  }
  // Whitespace between token i and the next token (or the end of the text).
  std::string_view whitespace(std::size_t i) const noexcept;

  // Code-point offset of a byte offset (Python-visible offsets are code points, as in spaCy).
  std::size_t char_offset(std::size_t byte_offset) const noexcept;
  // Byte offset of a code-point offset (clamped to the text's end).
  std::size_t byte_offset(std::size_t char_offset) const noexcept;
  bool is_ascii() const noexcept { return char_index_.empty(); }

  // Strings: the Doc's own pool first, then the Vocab's StringStore, then token texts.
  // Throws KeyError when the hash is unknown everywhere.
  std::string_view str(hash_t h) const;
  // Returns the hash of `s`, keeping `s` in the Doc's pool unless the Vocab already knows it.
  hash_t intern(std::string_view s);
  const std::unordered_map<hash_t, std::string>& pool() const noexcept { return pool_; }

  // Sentences. has_sents() is true when any token carries a sentence-start decision.
  bool has_sents() const noexcept;
  // The sentences as spans; throws ValueError when no sentence boundaries are set.
  std::vector<Span> sents() const;
  // Base noun phrases from the dependency parse, labelled "NP": spaCy's English noun_chunks on UD labels
  // (syntax.hpp). Throws ValueError when no token has a dependency label.
  std::vector<Span> noun_chunks() const;
  // Named entities: spans labelled with their type, read from the tokens' IOB codes as spaCy reads them
  // (B starts one; I continues the one before it when the label matches, else starts one; O and
  // missing end it). Each carries the kb_id and id (ent_kb_id, ent_id) of its first token, as spaCy.
  std::vector<Span> ents() const;
  // Sets the entities, as spaCy's Doc.set_ents: every span must belong to this Doc, carry a label and not
  // overlap another (ValueError naming it otherwise). Tokens outside the spans become "O" with
  // default "outside" (spaCy's `doc.ents = ...`), lose their annotation with "missing", or keep it with
  // "unmodified" (an entity cut by a new span keeps its other tokens as an entity of its own).
  // Each span's kb_id is written to its tokens' ent_kb_id, and its id, when not 0, to their ent_id
  // (spaCy keeps the tokens' ent_id otherwise); tokens outside the spans keep both, as in spaCy.
  void set_ents(std::span<const Span> ents, std::string_view default_outside = "outside");

  // Sets token i's head to token h (h == i makes it a root), as spaCy's `token.head = ...`: ValueError
  // for an index out of range or a head that would close a cycle. The sentence starts of the sentences
  // holding i and h are then derived from their trees (sentences_from_heads), so no tree crosses a
  // sentence boundary.
  void set_head(std::size_t i, std::size_t h);
  // Derives the sentence starts of tokens [begin, end) from the trees there, as spaCy's
  // set_children_from_heads: each tree (a root with a label or with dependents, and everything below
  // it) spans from its leftmost to its rightmost token; overlapping spans merge into one sentence,
  // whose first token starts it (1) and whose other tokens do not (-1); tokens in no tree (no head,
  // no label, no dependents) become unknown (0). Heads must stay inside [begin, end).
  void sentences_from_heads(std::size_t begin, std::size_t end);
  // spaCy's `token.is_sent_start = value` (1, -1 or 0 for None): ValueError when the Doc has a parse
  // (DEP), since the trees decide its sentences then (spaCy's E043).
  void set_sent_start(std::size_t i, std::int8_t value);

  // Whether any token (every token with require_complete) carries the annotation (POS, TAG, LEMMA,
  // MORPH, DEP, HEAD, ENT_IOB, ENT_TYPE, SENT_START), by spaCy's Doc.has_annotation: an empty Doc is
  // annotated; HEAD reads DEP; SENT_START is set where the Doc has a parse, the first token skipped.
  bool has_annotation(Attr a, bool require_complete = false) const noexcept;
  // Columnar export: n_tokens x attrs.size(), row-major. String attributes give hashes, flags 0/1,
  // HEAD the relative offset (two's complement), IDX the code-point offset, LENGTH code points.
  std::vector<std::uint64_t> to_array(const std::vector<Attr>& attrs) const;
  // The value of one attribute for one token (the element of to_array).
  std::uint64_t attr_value(std::size_t i, Attr a) const;

  DocExtras& extras() noexcept { return extras_; }
  const DocExtras& extras() const noexcept { return extras_; }

  // Named span groups (spaCy's doc.spans, span_group.hpp): copied with the Doc, saved by DocBin, kept
  // consistent by the retokenizer.
  SpanGroups& spans() noexcept { return spans_; }
  const SpanGroups& spans() const noexcept { return spans_; }

  // Opaque state a language binding attaches to the Doc: the Python module keeps `user_data` (and so
  // the extension attributes' values) here, so they live exactly as long as the Doc, whichever Python
  // object reaches it. Copies of a Doc share it; the binding copies it where its semantics need
  // (copy.deepcopy, pickling). The C++ library never reads it.
  std::shared_ptr<void>& binding_state() noexcept { return binding_state_; }
  const std::shared_ptr<void>& binding_state() const noexcept { return binding_state_; }

 private:
  void index_chars();
  std::shared_ptr<Vocab> vocab_;
  std::string text_;
  std::vector<TokenData> tokens_;
  std::unordered_map<hash_t, std::string> pool_;
  // Code-point count at the start of each 64-byte block of the text; empty when the text is ASCII.
  std::vector<std::uint32_t> char_index_;
  DocExtras extras_;
  SpanGroups spans_;
  std::shared_ptr<void> binding_state_;
};

}  // namespace weft

// Token and Span complete the Doc API (operator[], span(), sents()); they need Doc defined first.
#include "weft/doc/span.hpp"
#include "weft/doc/token.hpp"
