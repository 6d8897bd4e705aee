// Span: a (doc, start, end) view of a slice of tokens, with an optional label, knowledge-base id and
// id (spaCy's Span.label, kb_id, id: entities, matches, span groups). Like Token it owns nothing and is
// cheap to copy. root(), sent(), sents(), ents(), char_span() and as_doc() follow spaCy (syntax.hpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "weft/doc/doc.hpp"
#include "weft/doc/token.hpp"

namespace weft {

class Span {
 public:
  Span(const Doc* doc, std::size_t start, std::size_t end, hash_t label = 0, hash_t kb_id = 0,
       hash_t id = 0) noexcept
      : doc_(doc), start_(start), end_(end), label_hash_(label), kb_hash_(kb_id), id_hash_(id) {}

  const Doc& doc() const noexcept { return *doc_; }
  std::size_t start() const noexcept { return start_; }
  std::size_t end() const noexcept { return end_; }
  std::size_t size() const noexcept { return end_ - start_; }
  bool empty() const noexcept { return start_ == end_; }
  // Bounds-checked, Python-style negative indices; throws IndexError.
  Token operator[](std::ptrdiff_t i) const;
  // The text from the first token's start to the last token's end.
  std::string_view text() const noexcept;
  // text() plus the whitespace after the last token.
  std::string_view text_with_ws() const noexcept;
  std::size_t start_char() const noexcept;  // code points
  std::size_t end_char() const noexcept;    // code points
  hash_t label() const noexcept { return label_hash_; }
  std::string_view label_() const { return doc_->str(label_hash_); }
  hash_t kb_id() const noexcept { return kb_hash_; }
  std::string_view kb_id_() const { return doc_->str(kb_hash_); }
  hash_t id() const noexcept { return id_hash_; }
  std::string_view id_() const { return doc_->str(id_hash_); }
  void set_label(hash_t h) noexcept { label_hash_ = h; }
  void set_kb_id(hash_t h) noexcept { kb_hash_ = h; }
  void set_id(hash_t h) noexcept { id_hash_ = h; }
  // The token whose head lies outside the span (or which has none), nearest the sentence root, by
  // spaCy's rule (syntax::span_root). ValueError on a head cycle.
  Token root() const;
  // The sentence holding the span's first token (a span across a boundary gives the sentence of its
  // start, as spaCy's Span.sent). ValueError when the Doc has no sentence boundaries.
  Span sent() const;
  // Every sentence the span touches, in order, by spaCy's Span.sents: from the sentence holding the
  // first token through the one holding the last (an empty span gives the sentence at its position).
  // ValueError when the Doc has no sentence boundaries.
  std::vector<Span> sents() const;
  // The Doc's entities lying wholly inside the span (spaCy's Span.ents), with their kb_id and id.
  std::vector<Span> ents() const;
  // Doc::char_span with code-point offsets relative to the span's start (spaCy's Span.char_span: the
  // result may reach past the span's end).
  std::optional<Span> char_span(std::size_t start_char, std::size_t end_char, hash_t label = 0,
                                std::string_view mode = "strict") const;
  // A new Doc holding a copy of the span's tokens (spaCy's Span.as_doc): the text from the first
  // token to the end of the whitespace after the last, every token annotation, entities (an entity
  // cut by the span's start or end loses its annotation there: those tokens become missing), and
  // sentence starts (the first token starts one when the Doc has sentences). A head outside the span
  // becomes the highest ancestor inside it, else the token is a root shared with the other tokens
  // of the same outside tree (the first of them is the root), and its label becomes "dep" (spaCy's
  // _fix_dep_copy); sentence starts then follow the trees when the Doc has a parse. Strings the
  // annotations need are copied from this Doc's pool. Span groups and extras are not copied.
  Doc as_doc() const;
  bool operator==(const Span& o) const noexcept {
    return doc_ == o.doc_ && start_ == o.start_ && end_ == o.end_ && label_hash_ == o.label_hash_ &&
           kb_hash_ == o.kb_hash_ && id_hash_ == o.id_hash_;
  }

 private:
  const Doc* doc_;
  std::size_t start_, end_;
  hash_t label_hash_;
  hash_t kb_hash_ = 0;
  hash_t id_hash_ = 0;
};

}  // namespace weft
