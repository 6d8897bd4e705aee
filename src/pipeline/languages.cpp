// The languages compiled into the library: each src/lang/<code>/*.json file (data only) is embedded by CMake
// (cmake/embed.cmake) as weft_lang_<code>_<stem>; this file turns them into registry entries.
#include <cstddef>
#include <string_view>

#include "pipeline/builtins.hpp"
#include "weft/pipeline/language.hpp"

extern const unsigned char weft_lang_en_lex_attrs[];
extern const std::size_t weft_lang_en_lex_attrs_size;
extern const unsigned char weft_lang_en_tokenizer[];
extern const std::size_t weft_lang_en_tokenizer_size;
extern const unsigned char weft_lang_en_sentencizer[];
extern const std::size_t weft_lang_en_sentencizer_size;

namespace weft {

namespace {
Json embedded(const unsigned char* data, std::size_t size, const std::string& name) {
  return parse_json(std::string_view(reinterpret_cast<const char*>(data), size), name);
}
}  // namespace

void register_languages(Registry& r) {
  r.add("languages", "en", LanguageFactory([] {
          return LanguageData{
              "en",
              embedded(weft_lang_en_lex_attrs, weft_lang_en_lex_attrs_size, "src/lang/en/lex_attrs.json"),
              embedded(weft_lang_en_tokenizer, weft_lang_en_tokenizer_size, "src/lang/en/tokenizer.json"),
              embedded(weft_lang_en_sentencizer, weft_lang_en_sentencizer_size, "src/lang/en/sentencizer.json"),
          };
        }),
        "English: UD English (EWT) tokenization conventions, lexical attributes");
}

LanguageData language_data(const std::string& code) {
  return Registry::global().get<LanguageFactory>("languages", code)();
}

std::shared_ptr<Vocab> make_vocab(const LanguageData& lang) {
  return std::make_shared<Vocab>(lang.code, LexAttrData::from_json(lang.lex_attrs.dump(), "lex_attrs of " + lang.code));
}

}  // namespace weft
