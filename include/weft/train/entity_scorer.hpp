// Named-entity scoring: entity spans from the token records (ent_iob B/I/O + ent_type, spaCy's IOB
// codes) compared as exact (start, end, label) matches, with micro precision/recall/F1 overall and per
// label. Spans are located by character offsets counted over the non-whitespace characters of the
// tokens, the way the CoNLL 2018 scorer aligns words, so system Docs may be tokenized and split into
// Docs differently from the gold ones (end-to-end evaluation from raw text).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "weft/doc/doc.hpp"

namespace weft {

struct EntityScore {
  std::size_t gold = 0;     // gold entities
  std::size_t system = 0;   // system entities (those overlapping unannotated gold text are left out)
  std::size_t correct = 0;  // system entities with the same start, end and label as a gold one
  double precision = 0.0;   // 0..1; 0 when there is no system entity
  double recall = 0.0;      // 0..1; 0 when there is no gold entity
  double f1 = 0.0;
};

struct EntityScores {
  EntityScore total;
  std::map<std::string, EntityScore> per_type;  // every label seen on either side
};

// Scores `system` against `gold`; each side is read as one stream (the Docs in order). An entity
// starts at B, or at an I that does not continue an entity of the same label; it ends before the
// next token that is not an I of its label. Gold tokens without entity annotation (EntIob::MISSING,
// e.g. a gold Doc with no NER at all) are "unknown": system entities touching them are not scored,
// as in spaCy. Throws ValueError, naming the first differing characters, when the two sides'
// non-whitespace token characters differ.
EntityScores score_entities(const std::vector<Doc>& gold, const std::vector<Doc>& system);

}  // namespace weft
