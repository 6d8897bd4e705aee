#include "weft/strings/vocab.hpp"

#include <utility>

#include "weft/error.hpp"

namespace weft {

Vocab::Vocab(std::string lang, LexAttrData data) : lang_(std::move(lang)), data_(std::move(data)) {}

Lexeme Vocab::lexeme(std::string_view orth) const {
  if (const Lexeme* known = find(hash_string(orth))) return *known;
  return lex::make(orth, data_);
}

const Lexeme* Vocab::find(hash_t orth) const {
  const auto it = lexemes_.find(orth);
  return it == lexemes_.end() ? nullptr : &it->second;
}

const Lexeme& Vocab::add(std::string_view orth) {
  const hash_t h = hash_string(orth);
  if (const Lexeme* known = find(h)) return *known;
  if (frozen_)
    throw ValueError("cannot add \"" + std::string(orth.substr(0, 80)) + "\" to a frozen Vocab (language \"" + lang_ +
                     "\")");
  const LexemeStrings s = lex::strings(orth, data_);
  // Strings first: if the store refuses one (frozen on its own), the table stays unchanged.
  strings_.add(orth);
  strings_.add(s.lower);
  strings_.add(s.norm);
  strings_.add(s.shape);
  strings_.add(s.prefix);
  strings_.add(s.suffix);
  return lexemes_.emplace(h, lex::make(orth, data_)).first->second;
}

std::vector<hash_t> Vocab::lexeme_orths() const {
  std::vector<hash_t> out;
  out.reserve(lexemes_.size());
  for (const auto& [h, lex] : lexemes_) out.push_back(h);
  return out;
}

void Vocab::freeze() {
  frozen_ = true;
  strings_.freeze();
}

}  // namespace weft
