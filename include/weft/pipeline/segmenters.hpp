// Sentence segmenters of a pipeline, as the faces prepare it for their input: raw text needs one
// (weft run, weft evaluate --raw, and the Python module's batch annotators behind weft.spark and
// weft.dask, which must write what weft run writes), input already split into sentences (CoNLL-U,
// DocBin) needs the sentence-only ones off.
#pragma once

#include <string>

#include "weft/pipeline/pipeline.hpp"

namespace weft {

// Whether the enabled component `name` sets sentence boundaries (a sentencizer, senter or parser).
bool is_segmenter(const Pipeline& nlp, const std::string& name);
// Whether an enabled component sets sentence boundaries.
bool has_segmenter(const Pipeline& nlp);
// Adds the rule-based sentencizer before the first component unless a segmenter is there; returns
// whether it added one.
bool ensure_segmenter(Pipeline& nlp);
// Disables the components that only set sentence boundaries (sentencizer, senter), for input that
// already carries them; a parser stays.
void disable_segmenters(Pipeline& nlp);

}  // namespace weft
