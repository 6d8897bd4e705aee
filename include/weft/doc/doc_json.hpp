// A Doc as JSON, in spaCy's Doc.to_json layout: {"text", "tokens": [{"id","start","end","pos","tag",
// "morph","lemma","dep","head"}], "ents": [{"start","end","label"}], "sents": [{"start","end"}]} with
// code-point offsets, plus weft's "meta" (the JSONL record's metadata) and "mwt" (token ids that join
// the next one in a multi-word token). doc_from_json reverses it, so JSONL carries full annotations.
// As in spaCy, a token field appears on every token once any token has it, "head" is an absolute token
// index (a root is its own head), and reading "ents" marks every token outside them O.
#pragma once

#include <memory>
#include <string>

#include "weft/doc/doc.hpp"
#include "weft/json.hpp"

namespace weft {

Json doc_to_json(const Doc& doc);
// Throws FormatError naming `source` when fields are missing, of the wrong type or inconsistent
// (token offsets outside the text, overlapping tokens, heads out of range).
Doc doc_from_json(const Json& json, std::shared_ptr<Vocab> vocab, const std::string& source = "<json>");
// One compact line (no trailing newline), fast path for writers: the same bytes as doc_to_json().dump(),
// except that a stored meta_json on one line is copied as it is rather than re-serialized.
std::string doc_to_json_line(const Doc& doc);

}  // namespace weft
