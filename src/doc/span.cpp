#include "weft/doc/span.hpp"

#include <algorithm>

#include "weft/doc/syntax.hpp"
#include "weft/error.hpp"

namespace weft {

Token Span::operator[](std::ptrdiff_t i) const {
  const auto n = static_cast<std::ptrdiff_t>(size());
  const std::ptrdiff_t j = i < 0 ? i + n : i;
  if (j < 0 || j >= n)
    throw IndexError("token index " + std::to_string(i) + " out of range for a Span of " + std::to_string(n) + " tokens");
  return Token(doc_, start_ + static_cast<std::size_t>(j));
}

std::string_view Span::text() const noexcept {
  if (empty()) return {};
  const TokenData& first = doc_->data(start_);
  const TokenData& last = doc_->data(end_ - 1);
  return std::string_view(doc_->text()).substr(first.idx, last.idx + last.len - first.idx);
}

std::string_view Span::text_with_ws() const noexcept {
  if (empty()) return {};
  const std::string_view t = text();
  return std::string_view(t.data(), t.size() + doc_->whitespace(end_ - 1).size());
}

std::size_t Span::start_char() const noexcept {
  if (start_ < doc_->size()) return doc_->char_offset(doc_->data(start_).idx);
  return doc_->char_offset(doc_->text().size());
}

std::size_t Span::end_char() const noexcept {
  if (empty()) return start_char();
  const TokenData& last = doc_->data(end_ - 1);
  return doc_->char_offset(last.idx + last.len);
}

Token Span::root() const { return Token(doc_, syntax::span_root(*doc_, start_, end_)); }

Span Span::sent() const {
  if (!doc_->has_sents() && !doc_->empty())
    throw ValueError(
        "sentence boundaries are unset: add a component that sets them (nlp.add_pipe(\"sentencizer\") or a parser)");
  // spaCy: a span that crosses sentence boundaries gives the sentence of its start.
  const auto [b, e] = syntax::sentence_range(*doc_, start_, std::min(start_ + 1, doc_->size()));
  return Span(doc_, b, e);
}

}  // namespace weft
