// The library's built-in registry entries, one registration function per module; register_builtins()
// (registry.cpp) calls them all. Explicit calls rather than static initialisers, because a static
// library drops object files nothing references.
#pragma once

#include "weft/pipeline/registry.hpp"

namespace weft {

void register_languages(Registry& r);    // src/lang/languages.cpp: "languages"
void register_tokenizers(Registry& r);   // src/tokenize/register.cpp: "tokenizers"
void register_sentencizer(Registry& r);  // src/tokenize/sentencizer.cpp: "components"
void register_tok2vec(Registry& r);      // src/components/tok2vec/tok2vec.cpp: "components"
void register_taggers(Registry& r);      // src/components/tagger/tagger.cpp: "components"
void register_lemmatizer(Registry& r);
void register_parser(Registry& r);       // src/components/parser/parser.cpp: "components", "transition_systems", "architectures"   // src/components/lemmatizer/lemmatizer.cpp: "components"

}  // namespace weft
