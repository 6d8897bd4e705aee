// The CoNLL 2018 shared-task evaluation (conll18_ud_eval.py), ported to score Docs directly: Tokens,
// Sentences and Words as span F1 over the text without whitespace, and UPOS, XPOS, UFeats, AllTags,
// Lemmas, UAS, LAS, CLAS, MLAS, BLEX on the words the official algorithm aligns (multi-word tokens
// aligned by LCS, as the script does). Numbers are comparable with published UD results.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "weft/doc/doc.hpp"

namespace weft {

struct Conll18Score {
  std::size_t gold_total = 0;
  std::size_t system_total = 0;
  std::size_t correct = 0;
  // Words aligned between gold and system; set for the metrics computed on aligned words.
  std::optional<std::size_t> aligned_total;
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
  std::optional<double> aligned_accuracy;  // correct / aligned_total (0 when nothing aligned)
};

using Conll18Scores = std::map<std::string, Conll18Score>;

// Scores `system` against `gold`; each side is read as one stream (the Docs in order), as the script
// reads one file. The words are the Docs' tokens; a run of tokens linked by TOKEN_MWT_NEXT is one
// surface token; sentences come from sent_start (a Doc without any is one sentence); heads, labels,
// tags, features and lemmas from the token records (unset values read as "_"). Throws ValueError,
// naming the first 20 differing characters, when the two sides' non-whitespace characters differ.
Conll18Scores conll18_evaluate(const std::vector<Doc>& gold, const std::vector<Doc>& system);

// End-to-end evaluation from raw text: `process` (a pipeline) runs on the text of every gold sentence
// (the span from its first to its last token), and its Docs are scored against `gold`.
Conll18Scores conll18_evaluate_sentences(const std::vector<Doc>& gold, const std::function<Doc(std::string)>& process);
// The same with `process` run on each gold Doc's whole text (sentence segmentation included).
Conll18Scores conll18_evaluate_documents(const std::vector<Doc>& gold, const std::function<Doc(std::string)>& process);

// Which annotations a pipeline's output carries, so a report keeps only the metrics of what it predicts
// (an unannotated column would otherwise score as if the pipeline had predicted "_").
struct PredictedAnnotations {
  bool pos = false, tag = false, morph = false, lemma = false, dep = false, ents = false;
  void add(const Doc& system);
  // Whether a CoNLL 2018 metric ("UPOS", "LAS", ...) scores predicted annotations (Tokens, Sentences
  // and Words always do).
  bool covers(const std::string& metric) const;
  // Drops the metrics of annotations nothing predicted.
  void filter(Conll18Scores& scores) const;
};

// The metric names in the script's order: Tokens, Sentences, Words, UPOS, XPOS, UFeats, AllTags,
// Lemmas, UAS, LAS, CLAS, MLAS, BLEX.
const std::vector<std::string>& conll18_metric_names();
// The script's text table ("Metric | Precision | Recall | F1 Score | AligndAcc").
std::string conll18_table(const Conll18Scores& scores);

}  // namespace weft
