// A language's data: lexical-attribute lists (stop words, number words, norm exceptions) and the
// tokenizer config with its rules. Both are JSON files under src/lang/<code>/, compiled into the
// library so weft.blank("en") works wherever the library goes; they are registered in the
// "languages" category, so a user can add a language without rebuilding weft.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "weft/json.hpp"
#include "weft/strings/vocab.hpp"

namespace weft {

struct LanguageData {
  std::string code;     // "en"
  Json lex_attrs;       // LexAttrData as JSON
  Json tokenizer;       // tokenizer config ("@tokenizers": ..., plus its rules)
  Json sentencizer;     // default sentencizer config (punctuation characters)
};

using LanguageFactory = std::function<LanguageData()>;

// The registered language `code`; throws KeyError naming the known languages.
LanguageData language_data(const std::string& code);
// A fresh Vocab for the language.
std::shared_ptr<Vocab> make_vocab(const LanguageData& lang);

}  // namespace weft
