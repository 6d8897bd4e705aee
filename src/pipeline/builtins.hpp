// The library's built-in registry entries, one registration function per module; register_builtins()
// (registry.cpp) calls them all. Explicit calls rather than static initialisers, because a static
// library drops object files nothing references.
#pragma once

#include "weft/pipeline/registry.hpp"

namespace weft {

void register_languages(Registry& r);    // src/pipeline/languages.cpp: "languages"
void register_tokenizers(Registry& r);   // src/pipeline/tokenizers.cpp: "tokenizers"
void register_sentencizer(Registry& r);  // src/components/sentencizer/sentencizer.cpp: "components"
void register_tok2vec(Registry& r);      // src/components/tok2vec/tok2vec.cpp: "components"
void register_taggers(Registry& r);      // src/components/tagger/tagger.cpp: "components"
void register_lemmatizer(Registry& r);   // src/components/lemmatizer/lemmatizer.cpp: "components"
// src/components/parser/parser.cpp: "components", "transition_systems", "architectures"
void register_parser(Registry& r);
// src/components/biaffine/biaffine_parser.cpp: "components"
void register_biaffine_parser(Registry& r);
void register_ner(Registry& r);          // src/components/ner/ner.cpp: "components"
void register_entity_ruler(Registry& r);  // src/components/entity_ruler/entity_ruler.cpp: "components"
void register_punkt(Registry& r);        // src/components/punkt/punkt_sentencizer.cpp: "components"
void register_perceptron_tagger(Registry& r);  // src/components/perceptron/perceptron_tagger.cpp: "components"
void register_crf_entity_recognizer(Registry& r);  // src/components/crf/crf_entity_recognizer.cpp: "components"

}  // namespace weft
