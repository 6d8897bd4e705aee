// Vocab: the shared lexicon of a pipeline: its StringStore, its language's lexical-attribute data and
// a table of known lexemes. Lookups never modify it (so a loaded model's Vocab is shared read-only by
// all threads and memory stays bounded while streaming): a word not in the table gets its lexeme
// computed on the fly. Training and model building add words explicitly with add().
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "weft/strings/lexeme.hpp"
#include "weft/strings/string_store.hpp"

namespace weft {

class Vocab {
 public:
  explicit Vocab(std::string lang = "", LexAttrData data = {});
  Vocab(const Vocab&) = delete;
  Vocab& operator=(const Vocab&) = delete;

  const std::string& lang() const { return lang_; }
  StringStore& strings() { return strings_; }
  const StringStore& strings() const { return strings_; }
  const LexAttrData& lex_attr_data() const { return data_; }

  // The lexeme of `orth`: from the table when known, computed otherwise. Thread-safe, no side effects.
  Lexeme lexeme(std::string_view orth) const;
  // The stored lexeme for an orth hash, or nullptr.
  const Lexeme* find(hash_t orth) const;
  // Adds `orth` and its attribute strings to the table and StringStore (not thread-safe with readers).
  const Lexeme& add(std::string_view orth);
  std::size_t size() const { return lexemes_.size(); }
  // The orth hashes of the stored lexemes (any order): with lang() and the strings, what rebuilds it.
  std::vector<hash_t> lexeme_orths() const;

  // Forbids further additions (a loaded model's vocabulary).
  void freeze();
  bool frozen() const { return frozen_; }

 private:
  std::string lang_;
  LexAttrData data_;
  StringStore strings_;
  std::unordered_map<hash_t, Lexeme> lexemes_;
  bool frozen_ = false;
};

}  // namespace weft
