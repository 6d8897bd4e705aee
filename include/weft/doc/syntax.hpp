// Dependency-syntax queries over a Doc's heads, the algorithms behind Token::head/children/subtree/...,
// Span::root/sent and Doc::noun_chunks (which are the API; these work on token indices).
//
// The parse is TokenData::head, an offset from the token: 0 means a root or no head (TokenData::dep
// tells), as does an offset pointing outside the Doc. Nothing is cached (components rewrite heads in
// place): a query scans the token's sentence, the run of tokens between sentence starts exactly as
// Doc::sents() draws them (the whole Doc when none are set), so it costs O(sentence length) and a
// 100k-token document of ordinary sentences is never scanned whole. Heads are assumed to stay inside
// their sentence (parsers and the CoNLL-U reader guarantee it; the CoNLL-U writer requires it): a child
// in another sentence is not found. A cycle (only a hand-made Doc can hold one) ends the walks instead
// of looping; Span::root reports it as spaCy does.
#pragma once

#include <cstddef>
#include <utility>
#include <vector>

#include "weft/doc/doc.hpp"

namespace weft::syntax {

// The index of token i's head: i itself for a root, an unset head or a head outside the Doc.
std::size_t head_of(const Doc& doc, std::size_t i) noexcept;
// [begin, end) of the sentence holding tokens [start, end): back from `start` to the nearest sentence
// start, forward from `end` to the next one (spaCy's Span.sent). Never throws; no boundaries = whole Doc.
std::pair<std::size_t, std::size_t> sentence_range(const Doc& doc, std::size_t start, std::size_t end) noexcept;

// Token i's children in document order (tokens of its sentence whose head is i).
std::vector<std::size_t> children(const Doc& doc, std::size_t i);
// Token i and all its descendants, in document order.
std::vector<std::size_t> subtree(const Doc& doc, std::size_t i);
// The first and last index of subtree(i) (spaCy's left_edge / right_edge).
std::pair<std::size_t, std::size_t> edges(const Doc& doc, std::size_t i);
// i's head, its head's head, ... up to the root (at most doc.size() steps, as spaCy guards).
std::vector<std::size_t> ancestors(const Doc& doc, std::size_t i);

// spaCy's Span.root for [start, end): the first token of the span with no head offset (a root, or no
// parse); else, of the tokens whose head lies outside the span, the one with the fewest steps to its
// root (first on ties; punctuation without children counts as doc.size() - 1 steps). The span's first
// token when there is none. ValueError on a head cycle; IndexError for an empty span at the Doc's end.
std::size_t span_root(const Doc& doc, std::size_t start, std::size_t end);

// spaCy's English noun_chunks on UD labels, as [start, end) token ranges; see syntax.cpp for the rule.
// ValueError "noun_chunks requires the dependency parse" when no token has a DEP label.
std::vector<std::pair<std::size_t, std::size_t>> noun_chunks(const Doc& doc);

}  // namespace weft::syntax
