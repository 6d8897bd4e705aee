// A Doc as JSON, in spaCy's Doc.to_json layout: {"text", "tokens": [{"id","start","end","pos","tag",
// "morph","lemma","dep","head"}], "ents": [{"start","end","label"}], "sents": [{"start","end"}]} with
// code-point offsets, plus weft's "meta" (the JSONL record's metadata) and "mwt" (token ids that join
// the next one in a multi-word token). doc_from_json reverses it, so JSONL carries full annotations.
// As in spaCy, a token field appears on every token once any token has it, "head" is an absolute token
// index (a root is its own head), and reading "ents" marks every token outside them O.
#pragma once

#include <memory>
#include <ostream>
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
// The same line written to `os` as it is made, through `buffer` (so a long Doc's line is never held
// whole: the buffer is flushed every 64 KB).
void write_json_line(const Doc& doc, std::ostream& os, std::string& buffer);

// spaCy's own Doc.to_json schema, exactly: {"text", "ents": [{"start","end","label"}] (when the Doc has
// entity annotation), "sents": [{"start","end"}] (when it has sentence starts), "tokens": [{"id",
// "start","end", and "tag","pos","morph","lemma","dep","head" for each annotation the Doc has}]}, with
// code-point offsets and "head" the absolute index. No "meta"/"mwt" (weft's JSONL fields above); the
// Python layer adds spaCy's "spans", "cats" and "_" parts.
Json doc_to_spacy_json(const Doc& doc);
// spaCy's Doc.from_json: tokens at their character offsets into "text"; their annotations through
// Doc::annotate (so spaCy's rules hold: a field on some tokens only is refused (spaCy's E1040), "head"
// without "dep" too (E1017), "pos" must be a UPOS name (E1021), and the trees give the sentences);
// "sents" set the sentence starts when there is no parse; "ents" are set as doc.ents (others "O").
// ValueError naming the problem (a span not on token boundaries is spaCy's E1039). Other keys are
// left to the caller.
Doc doc_from_spacy_json(const Json& json, std::shared_ptr<Vocab> vocab);

}  // namespace weft
