// Token: a (doc, index) view of one TokenData. Cheap to copy, never owning: it is valid while its Doc
// lives and is not resized. Accessors ending in _ return strings, the others hashes or enums, as in spaCy.
// The syntax accessors (head ... sent) follow spaCy's Token; they scan the token's sentence on each
// call (syntax.hpp), so a caller walking a whole tree should keep the vectors they return.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "weft/doc/doc.hpp"

namespace weft {

class Token {
 public:
  Token(const Doc* doc, std::size_t i) noexcept : doc_(doc), i_(i) {}

  const Doc& doc() const noexcept { return *doc_; }
  std::size_t i() const noexcept { return i_; }
  const TokenData& data() const noexcept { return doc_->data(i_); }

  std::string_view text() const noexcept { return doc_->token_text(i_); }
  std::string_view whitespace() const noexcept { return doc_->whitespace(i_); }
  std::string text_with_ws() const;
  std::size_t idx() const noexcept { return doc_->char_offset(data().idx); }  // code points
  std::size_t byte_idx() const noexcept { return data().idx; }
  std::size_t length() const noexcept;  // code points

  // Lexical attributes (from the Vocab's table, computed when the word is unknown).
  Lexeme lexeme() const { return doc_->vocab().lexeme(text()); }
  hash_t orth() const noexcept { return data().orth; }
  hash_t lower() const { return lexeme().lower; }
  hash_t norm() const { return data().norm ? data().norm : lexeme().norm; }
  hash_t shape() const { return lexeme().shape; }
  hash_t prefix() const { return lexeme().prefix; }
  hash_t suffix() const { return lexeme().suffix; }
  std::string lower_() const;
  std::string norm_() const;
  std::string shape_() const;
  std::string prefix_() const;
  std::string suffix_() const;
  bool check_flag(LexFlag f) const { return lexeme().check(f); }

  // Annotations.
  hash_t lemma() const noexcept { return data().lemma; }
  hash_t tag() const noexcept { return data().tag; }
  hash_t morph() const noexcept { return data().morph; }
  hash_t dep() const noexcept { return data().dep; }
  hash_t ent_type() const noexcept { return data().ent_type; }
  hash_t ent_kb_id() const noexcept { return doc_->ent_kb_id(i_); }
  hash_t ent_id() const noexcept { return doc_->ent_id(i_); }
  UPOS pos() const noexcept { return data().pos; }
  std::string_view lemma_() const { return doc_->str(data().lemma); }
  std::string_view tag_() const { return doc_->str(data().tag); }
  std::string_view morph_() const { return doc_->str(data().morph); }
  std::string_view dep_() const { return doc_->str(data().dep); }
  std::string_view ent_type_() const { return doc_->str(data().ent_type); }
  std::string_view ent_kb_id_() const { return doc_->str(ent_kb_id()); }
  std::string_view ent_id_() const { return doc_->str(ent_id()); }
  std::string_view pos_() const noexcept { return upos_name(data().pos); }
  std::string_view ent_iob_() const noexcept;  // "B", "I", "O" or ""
  // Sentence start: true / false when decided, as is_sent_start in spaCy (unknown reads as false,
  // except for the first token, which always starts a sentence).
  bool is_sent_start() const noexcept { return i_ == 0 || data().sent_start == 1; }
  // True when this token and the next are words of one surface token (see TOKEN_MWT_NEXT).
  bool mwt_next() const noexcept { return data().flags & TOKEN_MWT_NEXT; }

  // Dependency syntax, as spaCy. head() is the token itself for a root (or when there is no parse).
  // Lists are in document order; ancestors() runs head, head's head, ... up to the root.
  Token head() const noexcept;
  std::vector<Token> children() const;
  std::vector<Token> lefts() const;   // children before the token
  std::vector<Token> rights() const;  // children after it
  std::size_t n_lefts() const;
  std::size_t n_rights() const;
  std::vector<Token> subtree() const;  // the token and all its descendants
  std::vector<Token> ancestors() const;
  // Whether this token is an ancestor of `descendant` (false for itself and for another Doc's token).
  bool is_ancestor(const Token& descendant) const;
  Token left_edge() const;   // first token of subtree()
  Token right_edge() const;  // last token of subtree()
  // The sentence holding the token; throws ValueError when no sentence boundaries are set (Doc::sents).
  Span sent() const;

  bool operator==(const Token& o) const noexcept { return doc_ == o.doc_ && i_ == o.i_; }

 private:
  const Doc* doc_;
  std::size_t i_;
};

}  // namespace weft
