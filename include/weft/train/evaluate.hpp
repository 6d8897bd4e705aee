// Scoring a pipeline against gold Docs: the one routine behind the trainer's dev evaluations,
// `weft evaluate` and nlp.evaluate. The CoNLL 2018 metrics (conll18.hpp) and, when the pipeline
// predicts entities, entity P/R/F (entity_scorer.hpp).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "weft/doc/doc.hpp"
#include "weft/json.hpp"
#include "weft/train/conll18.hpp"
#include "weft/train/entity_scorer.hpp"

namespace weft {

class Pipeline;

struct Evaluation {
  Conll18Scores scores;               // every CoNLL 2018 metric
  PredictedAnnotations predicted;     // what the pipeline's output carries
  std::optional<EntityScores> ents;   // when it predicts entities
  std::size_t words = 0;              // gold words
  double seconds = 0.0;               // time spent annotating

  // The metrics of what the pipeline predicts (an unannotated column would score as if it had
  // predicted "_"): what reports show.
  Conll18Scores reported() const;
  // A metric's value, 0..1: a CoNLL 2018 metric's F1, or ENTS_P / ENTS_R / ENTS_F; 0 when not scored.
  double value(const std::string& metric) const;
  // The reported metrics as JSON: {"UPOS": {"precision", "recall", "f1", "aligned_accuracy" (for the
  // metrics on aligned words), "gold", "system", "correct"}, ...} (0..1), plus "ENTS_P", "ENTS_R", "ENTS_F" and "ENTS_PER_TYPE" ({label:
  // {"p", "r", "f"}}) when entities are scored.
  Json to_json() const;
};

// Called as Docs are annotated: (Docs done since the last call, their words).
using EvaluateProgress = std::function<void(std::size_t docs, std::size_t words)>;

// Gold tokenization: the pipeline annotates copies of the gold words and sentence boundaries
// (strip_annotations, in the pipeline's vocab), `batch_size` Docs at a time, with its sentence-only
// components left out (the gold sentences are part of the input). The pipeline is not changed.
Evaluation evaluate(const Pipeline& nlp, const std::vector<Doc>& gold, std::size_t batch_size = 256,
                    const EvaluateProgress& progress = {});

// Raw text: the pipeline processes each gold Doc's text (or, per_sentence, each gold sentence's),
// tokenization and segmentation included; words are aligned by characters.
Evaluation evaluate_raw(const Pipeline& nlp, const std::vector<Doc>& gold, bool per_sentence,
                        const EvaluateProgress& progress = {});

}  // namespace weft
