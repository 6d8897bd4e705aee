#include "weft/doc/span.hpp"

#include <algorithm>
#include <map>

#include "weft/backend/tensor.hpp"
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

std::vector<Span> Span::sents() const {
  const std::size_t n = doc_->size();
  if (!doc_->has_sents() && n != 0)
    throw ValueError(
        "sentence boundaries are unset: add a component that sets them (nlp.add_pipe(\"sentencizer\") or a parser)");
  std::vector<Span> out;
  if (n == 0) return out;
  // spaCy's loop: back to the start of the first sentence, then every sentence until one starts at or
  // after the span's end.
  std::size_t start = std::min(start_, n - 1);
  while (start > 0 && doc_->data(start).sent_start != 1) --start;
  for (std::size_t i = start + 1; i < n; ++i) {
    if (doc_->data(i).sent_start == 1) {
      out.emplace_back(doc_, start, i);
      start = i;
      if (start >= end_) return out;
    }
  }
  out.emplace_back(doc_, start, n);
  return out;
}

std::vector<Span> Span::ents() const {
  std::vector<Span> out;
  for (const Span& e : doc_->ents()) {
    if (e.start() < start_) continue;
    if (e.end() > end_) break;
    out.push_back(e);
  }
  return out;
}

std::optional<Span> Span::char_span(std::size_t start_char, std::size_t end_char, hash_t label,
                                    std::string_view mode) const {
  const std::size_t base = this->start_char();
  return doc_->char_span(start_char + base, end_char + base, label, mode);
}

Doc Span::as_doc() const {
  const Doc& src = *doc_;
  if (end_ > src.size() || start_ > end_)
    throw IndexError("as_doc: span [" + std::to_string(start_) + ", " + std::to_string(end_) +
                     ") is outside its Doc of " + std::to_string(src.size()) + " tokens");
  const std::size_t n = size();
  const std::size_t first_byte = n ? src.data(start_).idx : 0;
  const std::string_view text = n ? text_with_ws() : std::string_view();
  Doc out(src.vocab_ptr(), std::string(text));
  std::vector<TokenData>& toks = out.tokens();
  toks.assign(src.tokens().begin() + static_cast<std::ptrdiff_t>(start_),
              src.tokens().begin() + static_cast<std::ptrdiff_t>(end_));
  if (n == 0) return out;
  if (const backend::Tensor* t = src.tensor()) out.set_tensor(t->rows(static_cast<std::int64_t>(start_), static_cast<std::int64_t>(end_)));
  if (start_ < src.ent_ids().size())
    out.ent_ids().assign(src.ent_ids().begin() + static_cast<std::ptrdiff_t>(start_),
                         src.ent_ids().begin() + static_cast<std::ptrdiff_t>(std::min(end_, src.ent_ids().size())));
  // Strings of this Doc's pool that the copied annotations use.
  const auto& pool = src.pool();
  const auto keep = [&](hash_t h) {
    if (h == 0 || pool.empty()) return;
    if (const auto it = pool.find(h); it != pool.end()) out.intern(it->second);
  };
  for (TokenData& t : toks) {
    t.idx -= static_cast<std::uint32_t>(first_byte);
    for (const hash_t h : {t.orth, t.norm, t.lemma, t.tag, t.morph, t.dep, t.ent_type}) keep(h);
  }
  for (const EntIds& e : out.ent_ids()) {
    keep(e.kb_id);
    keep(e.id);
  }
  // Heads pointing outside the span (spaCy's _fix_dep_copy): the highest ancestor inside the span, else
  // an artificial root shared by the tokens of the same outside tree; either way the label is "dep".
  bool any_dep = false;
  std::map<std::size_t, std::size_t> new_roots;  // the outside tree's root -> its new root in the span
  hash_t dep_label = 0;
  for (std::size_t k = 0; k < n; ++k) {
    TokenData& t = toks[k];
    const std::size_t i = start_ + k;
    const std::size_t h = syntax::head_of(src, i);
    if (h < start_ || h >= end_) {
      if (dep_label == 0) dep_label = out.intern("dep");
      t.dep = dep_label;
      std::size_t target = end_, top = h;
      for (const std::size_t a : syntax::ancestors(src, i)) {
        top = a;
        if (a >= start_ && a < end_) target = a;
      }
      if (target != end_) {
        t.head = static_cast<std::int32_t>(static_cast<std::int64_t>(target) - static_cast<std::int64_t>(i));
      } else if (const auto it = new_roots.find(top); it != new_roots.end()) {
        t.head = static_cast<std::int32_t>(static_cast<std::int64_t>(it->second) - static_cast<std::int64_t>(k));
      } else {
        t.head = 0;
        new_roots.emplace(top, k);
      }
    }
    any_dep = any_dep || t.dep != 0;
  }
  toks[n - 1].flags = static_cast<std::uint8_t>(toks[n - 1].flags & ~TOKEN_MWT_NEXT);  // no link past the end
  // Sentence starts: the first token starts one where this Doc has sentences; trees decide with a parse.
  if (src.has_sents()) toks[0].sent_start = 1;
  if (any_dep) out.sentences_from_heads(0, n);
  // Entities: an entity cut by the span's start or end loses its annotation (spaCy: "missing").
  if (toks[0].ent_iob == EntIob::I) toks[0].ent_iob = EntIob::B;
  const std::vector<Span> inside = ents();
  const auto is_inside = [&](const Span& e) {
    return std::any_of(inside.begin(), inside.end(), [&](const Span& x) {
      return x.start() == e.start() + start_ && x.end() == e.end() + start_;
    });
  };
  const std::vector<Span> copied = out.ents();
  const auto drop = [&](const Span& e) {
    for (std::size_t k = e.start(); k < e.end(); ++k) {
      toks[k].ent_iob = EntIob::MISSING;
      toks[k].ent_type = 0;
    }
  };
  if (!copied.empty()) {
    if (!is_inside(copied.front())) drop(copied.front());
    if (!is_inside(copied.back())) drop(copied.back());
  }
  return out;
}

}  // namespace weft
