#include "weft/doc/token.hpp"

#include <algorithm>

#include "weft/doc/span.hpp"
#include "weft/doc/syntax.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

std::string Token::text_with_ws() const {
  std::string out(text());
  out += whitespace();
  return out;
}

std::size_t Token::length() const noexcept { return utf8::length(text()); }

std::string Token::lower_() const { return lex::lower(text()); }
std::string Token::norm_() const {
  if (data().norm) return std::string(doc_->str(data().norm));
  return lex::norm(text(), doc_->vocab().lex_attr_data());
}
std::string Token::shape_() const { return lex::shape(text()); }
std::string Token::prefix_() const { return lex::prefix(text()); }
std::string Token::suffix_() const { return lex::suffix(text()); }

std::string_view Token::ent_iob_() const noexcept {
  switch (data().ent_iob) {
    case EntIob::B: return "B";
    case EntIob::I: return "I";
    case EntIob::O: return "O";
    default: return "";
  }
}

namespace {
std::vector<Token> tokens_at(const Doc& doc, const std::vector<std::size_t>& idx) {
  std::vector<Token> out;
  out.reserve(idx.size());
  for (std::size_t i : idx) out.push_back(doc.token(i));
  return out;
}
}  // namespace

Token Token::head() const noexcept { return Token(doc_, syntax::head_of(*doc_, i_)); }
std::vector<Token> Token::children() const { return tokens_at(*doc_, syntax::children(*doc_, i_)); }

std::vector<Token> Token::lefts() const {
  auto kids = syntax::children(*doc_, i_);
  kids.erase(std::lower_bound(kids.begin(), kids.end(), i_), kids.end());
  return tokens_at(*doc_, kids);
}

std::vector<Token> Token::rights() const {
  auto kids = syntax::children(*doc_, i_);
  kids.erase(kids.begin(), std::lower_bound(kids.begin(), kids.end(), i_));
  return tokens_at(*doc_, kids);
}

std::size_t Token::n_lefts() const {
  const auto kids = syntax::children(*doc_, i_);
  return static_cast<std::size_t>(std::lower_bound(kids.begin(), kids.end(), i_) - kids.begin());
}

std::size_t Token::n_rights() const {
  const auto kids = syntax::children(*doc_, i_);
  return static_cast<std::size_t>(kids.end() - std::lower_bound(kids.begin(), kids.end(), i_));
}

std::vector<Token> Token::subtree() const { return tokens_at(*doc_, syntax::subtree(*doc_, i_)); }
std::vector<Token> Token::ancestors() const { return tokens_at(*doc_, syntax::ancestors(*doc_, i_)); }

bool Token::is_ancestor(const Token& descendant) const {
  if (doc_ != descendant.doc_) return false;
  for (std::size_t a : syntax::ancestors(*doc_, descendant.i_))
    if (a == i_) return true;
  return false;
}

Token Token::left_edge() const { return Token(doc_, syntax::edges(*doc_, i_).first); }
Token Token::right_edge() const { return Token(doc_, syntax::edges(*doc_, i_).second); }
Span Token::sent() const { return Span(doc_, i_, i_ + 1).sent(); }

}  // namespace weft
