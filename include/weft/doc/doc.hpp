// Doc: one document. It owns its UTF-8 text (exactly as given, whitespace included) and one contiguous
// array of TokenData; Token and Span (token.hpp, span.hpp) are cheap (doc, index) views onto it.
// Tokens never cover whitespace: the whitespace after a token is the text up to the next token.
// Strings first seen at run time (a predicted lemma of an unknown word, a CoNLL-U MISC value) live in the
// Doc's own string pool, not in the shared Vocab, so a frozen model's memory does not grow while streaming.
#pragma once

#include <algorithm>
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

namespace weft::backend {
class Tensor;
}

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

// Per-token annotations for Doc::from_words / Doc::annotate, as the keyword arguments of spaCy's
// Doc.__init__ (tags, pos, morphs, lemmas, heads, deps, sent_starts, ents). A field left nullopt is not
// given; a given vector must hold one value per token. In the string fields "" is a missing value.
struct DocAnnotations {
  std::optional<std::vector<std::string>> tags;
  std::optional<std::vector<std::string>> pos;     // UPOS names ("NOUN", ...; "" = none)
  std::optional<std::vector<std::string>> morphs;  // UD FEATS strings, stored canonicalized
  std::optional<std::vector<std::string>> lemmas;
  std::optional<std::vector<std::int64_t>> heads;  // absolute token indices (a root is its own head)
  std::optional<std::vector<std::string>> deps;
  std::optional<std::vector<std::int8_t>> sent_starts;  // 1 starts a sentence, -1 does not, 0 unknown
  std::optional<std::vector<std::string>> ents;  // IOB tags: "B-PER", "I-PER", "O"; "" = missing
  bool empty() const noexcept {
    return !tags && !pos && !morphs && !lemmas && !heads && !deps && !sent_starts && !ents;
  }
};

struct EntsRegions;  // defined below, once Span is

class Doc {
 public:
  // Takes the text, checking it is valid UTF-8 (throws EncodingError naming the byte offset otherwise).
  Doc(std::shared_ptr<Vocab> vocab, std::string text);
  // spaCy's Doc(vocab, words, spaces): builds the text from words, each followed by a space when
  // spaces[i] is true (all true when `spaces` is empty).
  static Doc from_words(std::shared_ptr<Vocab> vocab, const std::vector<std::string>& words,
                        const std::vector<bool>& spaces = {});
  // spaCy's Doc(vocab, words, spaces, tags=..., pos=..., ...): from_words, then annotate().
  static Doc from_words(std::shared_ptr<Vocab> vocab, const std::vector<std::string>& words,
                        const std::vector<bool>& spaces, const DocAnnotations& annotations);
  // Sets the annotations given, with the checks and rules of spaCy's Doc.__init__ (ValueError naming the
  // problem, nothing written then): heads without deps are refused (spaCy's E1017) while deps without
  // heads make every labelled token a root; a None head or dep is the token itself / ""; pos values
  // must be UPOS names (E1021); ents must be well-formed IOB tags (E177) and are repaired to IOB2 (an
  // I after O or after another type becomes B); every vector must have one value per token (E189);
  // heads must be inside the Doc (E190). Strings go to the Doc's pool (intern()). When deps holds any
  // label, the sentence starts come from the trees (sentences_from_heads) and sent_starts is ignored,
  // as in spaCy.
  void annotate(const DocAnnotations& annotations);

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
    // Value-initializing the 72-byte record compiles to a few vector stores (an 88-byte one compiled to
    // `rep stosq`, which cost the tokenizer a fifth of its speed: see TokenData's static_assert).
    TokenData& t = tokens_.emplace_back();
    t.idx = idx;
    t.len = len;
    t.orth = orth;
    return t;
  }

  // Entity ids of token i (spaCy's ent_kb_id and ent_id; 0 = none). They live in a side table, not in
  // TokenData, allocated when the first non-zero id is written, so Docs without ids pay nothing for
  // them. Code that rewrites tokens() structurally (inserts, removes or reorders records) must rewrite
  // ent_ids() to match, as the Retokenizer does; appending tokens needs nothing (missing entries read 0).
  hash_t ent_kb_id(std::size_t i) const noexcept { return i < ent_ids_.size() ? ent_ids_[i].kb_id : 0; }
  hash_t ent_id(std::size_t i) const noexcept { return i < ent_ids_.size() ? ent_ids_[i].id : 0; }
  void set_ent_kb_id(std::size_t i, hash_t h) {
    if (h != 0 || i < ent_ids_.size()) ent_ids_at(i).kb_id = h;
  }
  void set_ent_id(std::size_t i, hash_t h) {
    if (h != 0 || i < ent_ids_.size()) ent_ids_at(i).id = h;
  }
  // The side table: empty when no id was ever written, else one entry per token up to the last one
  // written (entries past its end read 0).
  const std::vector<EntIds>& ent_ids() const noexcept { return ent_ids_; }
  std::vector<EntIds>& ent_ids() noexcept { return ent_ids_; }

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
  // Sets the entities, as spaCy's Doc.set_ents(ents, default=...): the overload below with no
  // blocked / missing / outside spans. Every span must belong to this Doc (ValueError naming it) and no
  // two may overlap; unlabelled spans are ignored. Tokens outside the spans become "O" with default
  // "outside" (spaCy's `doc.ents = ...`), lose their annotation with "missing", become blocked with
  // "blocked", or keep it with "unmodified" (an entity cut by a new span keeps its other tokens as an
  // entity of its own).
  // Each span's kb_id is written to its tokens' ent_kb_id, and its id, when not 0, to their ent_id
  // (spaCy keeps the tokens' ent_id otherwise); tokens outside the spans keep both, as in spaCy.
  void set_ents(std::span<const Span> ents, std::string_view default_outside = "outside");
  // spaCy's full Doc.set_ents(entities, blocked=, missing=, outside=, default=): the entities (spans
  // without a label are ignored, as spaCy) and the spans of `regions` are written, no token may be in
  // two of them all (ValueError, spaCy's E1010), tokens in none become "O" (default "outside"),
  // missing ("missing"), blocked ("blocked") or keep their state ("unmodified"; E1011 for another
  // value); then, as spaCy, an I after O or missing, or after a token of another type, becomes B.
  void set_ents(std::span<const Span> ents, const EntsRegions& regions, std::string_view default_outside = "outside");

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
  // Other attributes count as set where their to_array value is not 0 (ORTH always is); ENT_TYPE where a
  // token has an entity type (ENT_IOB where it has any IOB code). A one-token Doc has SENT_START.
  bool has_annotation(Attr a, bool require_complete = false) const noexcept;
  // Columnar export: n_tokens x attrs.size(), row-major. String attributes give hashes, flags 0/1,
  // HEAD the relative offset (two's complement), IDX the code-point offset, LENGTH code points.
  std::vector<std::uint64_t> to_array(const std::vector<Attr>& attrs) const;
  // The value of one attribute for one token (the element of to_array).
  std::uint64_t attr_value(std::size_t i, Attr a) const;
  // spaCy's Doc.from_array: writes `values` (n_tokens x attrs.size(), row-major, as to_array gives)
  // into the tokens. Written: LEMMA, NORM, TAG, MORPH, DEP, ENT_TYPE (hashes), POS (weft's UPOS id),
  // HEAD (relative offset, two's complement), ENT_IOB (0-3), SENT_START (1, -1 as two's complement,
  // 0); other attributes (ORTH, flags, IDX, SPACY, ...) are accepted and ignored, as in spaCy.
  // Everything is checked before anything is written (ValueError: a size that does not match, spaCy's
  // E971; a head outside the Doc, E190; an IOB code over 3, E982; a POS or SENT_START value out of
  // range. KeyError: a string hash neither this Doc nor its Vocab knows; `strings`, when given, is a
  // Doc whose pool may supply it, copied into this Doc's). With HEAD and a DEP column holding a label,
  // the sentence starts are then derived from the trees (sentences_from_heads), as spaCy.
  Doc& from_array(const std::vector<Attr>& attrs, std::span<const std::uint64_t> values, const Doc* strings = nullptr);
  // spaCy's Doc.count_by: how many tokens have each value of `a` (the to_array values).
  std::unordered_map<std::uint64_t, std::size_t> count_by(Attr a) const;

  // spaCy's token.set_morph: the UD FEATS string `feats` in canonical order (features by name, each
  // feature's values, both case-insensitively) interned as token i's MORPH; "" or "_" unsets it.
  // ValueError for a malformed FEATS string ("Number", "A=1|A=2", "A=").
  void set_morph(std::size_t i, std::string_view feats);
  // The canonical FEATS string's hash, interned (what set_morph stores); ValueError when malformed.
  hash_t intern_morph(std::string_view feats);

  DocExtras& extras() noexcept { return extras_; }
  const DocExtras& extras() const noexcept { return extras_; }

  // Named span groups (spaCy's doc.spans, span_group.hpp): copied with the Doc, saved by DocBin, kept
  // consistent by the retokenizer.
  SpanGroups& spans() noexcept { return spans_; }
  const SpanGroups& spans() const noexcept { return spans_; }

  // spaCy's doc.tensor: the token vectors of the pipeline's tok2vec, f32 [size(), width], on the device
  // the pipeline ran on (a view of the batch's output: no copy). Kept only when asked for
  // (Pipeline::set_keep_tensors); null otherwise, and whenever its rows no longer match the tokens.
  // Copies of the Doc share it (it is never written in place); the retokenizer keeps it aligned
  // (spaCy's rules: a merged token takes its last token's row, split pieces get zeros) and
  // Span::as_doc slices it. DocBin, JSONL and CoNLL-U do not carry it (spaCy's DocBin does not either).
  const backend::Tensor* tensor() const noexcept;
  // Sets it: f32, 2-D, size() rows (ValueError otherwise); a tensor without elements clears it.
  void set_tensor(const backend::Tensor& t);
  void clear_tensor() noexcept { tensor_.reset(); }

  // Opaque state a language binding attaches to the Doc: the Python module keeps `user_data` (and so
  // the extension attributes' values) here, so they live exactly as long as the Doc, whichever Python
  // object reaches it. Copies of a Doc share it; the binding copies it where its semantics need
  // (copy.deepcopy, pickling). The C++ library never reads it.
  std::shared_ptr<void>& binding_state() noexcept { return binding_state_; }
  const std::shared_ptr<void>& binding_state() const noexcept { return binding_state_; }

 private:
  void index_chars();
  EntIds& ent_ids_at(std::size_t i) {
    if (i >= ent_ids_.size()) ent_ids_.resize(std::max(i + 1, tokens_.size()));
    return ent_ids_[i];
  }
  std::shared_ptr<Vocab> vocab_;
  std::string text_;
  std::vector<TokenData> tokens_;
  std::vector<EntIds> ent_ids_;  // see ent_ids()
  std::unordered_map<hash_t, std::string> pool_;
  // Code-point count at the start of each 64-byte block of the text; empty when the text is ASCII.
  std::vector<std::uint32_t> char_index_;
  DocExtras extras_;
  SpanGroups spans_;
  std::shared_ptr<const backend::Tensor> tensor_;  // see tensor()
  std::shared_ptr<void> binding_state_;
};

}  // namespace weft

// Token and Span complete the Doc API (operator[], span(), sents()); they need Doc defined first.
#include "weft/doc/span.hpp"
#include "weft/doc/token.hpp"

namespace weft {
// Spans for Doc::set_ents beside the entities themselves, as spaCy's keyword arguments.
struct EntsRegions {
  std::span<const Span> blocked;  // never an entity: IOB "B" with no type
  std::span<const Span> missing;  // unknown: no IOB annotation
  std::span<const Span> outside;  // "O"
};
}  // namespace weft
