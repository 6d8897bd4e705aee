// Span: a (doc, start, end) view of a slice of tokens, with an optional label (entities, matches).
// Like Token it owns nothing and is cheap to copy. root() and sent() follow spaCy (syntax.hpp).
#pragma once

#include <cstddef>
#include <string_view>

#include "weft/doc/doc.hpp"
#include "weft/doc/token.hpp"

namespace weft {

class Span {
 public:
  Span(const Doc* doc, std::size_t start, std::size_t end, hash_t label = 0) noexcept
      : doc_(doc), start_(start), end_(end), label_hash_(label) {}

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
  // The token whose head lies outside the span (or which has none), nearest the sentence root, by
  // spaCy's rule (syntax::span_root). ValueError on a head cycle.
  Token root() const;
  // The sentence holding the span's first token (a span across a boundary gives the sentence of its
  // start, as spaCy's Span.sent). ValueError when the Doc has no sentence boundaries.
  Span sent() const;
  bool operator==(const Span& o) const noexcept {
    return doc_ == o.doc_ && start_ == o.start_ && end_ == o.end_ && label_hash_ == o.label_hash_;
  }

 private:
  const Doc* doc_;
  std::size_t start_, end_;
  hash_t label_hash_;
};

}  // namespace weft
