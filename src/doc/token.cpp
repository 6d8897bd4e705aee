#include "weft/doc/token.hpp"

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

}  // namespace weft
