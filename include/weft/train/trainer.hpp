// The training loop behind `weft train` and weft.train(): builds the pipeline a config describes,
// learns labels from the training corpus, then updates every trainable component on batches of
// shuffled sentences (the shared tok2vec gets the summed gradients of all heads listening to it),
// evaluates on dev every eval_frequency steps with the averaged weights, keeps the best model, and stops
// at max_steps / max_epochs / max_time_s or after `patience` steps without improvement.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "weft/doc/doc.hpp"
#include "weft/json.hpp"
#include "weft/pipeline/learner.hpp"

namespace weft {

// The defaults every config is resolved against (English tagger + morphologizer + lemmatizer over a
// shared tok2vec; corpora from data/en_ewt).
Json default_training_config();
// Fills the defaults into `config` (objects merged key by key; unknown keys in "training" and
// "corpora" are ValueErrors) and applies the overrides ("training.max_steps" -> "100"; values are
// parsed as JSON when they parse, else taken as strings).
Json resolve_training_config(const Json& config, const std::map<std::string, std::string>& overrides = {});

struct TrainOptions {
  std::filesystem::path output;  // model-best/ and model-last/ go here (empty: nothing is written)
  std::ostream* log = nullptr;   // the progress table (nullptr: silent)
  bool progress_bar = false;     // redraw a bar on stderr between evaluations
};

struct TrainResult {
  Json best_scores = Json::object();  // metric -> score (percent) at the best evaluation
  double best_score = 0.0;            // weighted, 0..1
  std::int64_t best_step = 0;
  bool best_meets_minimums = false;   // the best evaluation met training.score_minimums (none: true)
  std::int64_t steps = 0;
  double seconds = 0.0;
  double words_per_second = 0.0;
  // One entry per evaluation: {"step", "epoch", "losses": {...}, "scores": {...}, "score"}.
  std::vector<Json> history;
};

TrainResult train(const Json& config, const TrainOptions& options = {});

// Trains a component that learns from gold Docs epoch by epoch (GoldLearner) outside a training
// config, as NLTK's train(sentences, nr_iter): begin_learning, n_iter epochs (the first in the Docs'
// order, then shuffled by a generator seeded with `seed`, as NLTK shuffles after each), finish_epoch.
// Returns each epoch's loss.
std::vector<double> learn_from_gold(GoldLearner& learner, std::span<const Doc> gold, int n_iter, std::uint64_t seed = 0);

// A copy of a gold Doc keeping only what a pipeline gets as input: text, words, multi-word token
// links and sentence boundaries; in `vocab` when given (a pipeline's, so the labels its components
// write resolve through it), else in the gold Doc's.
Doc strip_annotations(const Doc& gold, std::shared_ptr<Vocab> vocab = nullptr);

}  // namespace weft
