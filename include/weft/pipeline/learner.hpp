// GoldLearner: the training role of a component with a model other than a network (an averaged
// perceptron, a CRF) that learns from gold Docs in passes of its own. A component takes the role by
// deriving from it beside Component; the trainer finds it with as_gold_learner() (a dynamic_cast: the
// role is a mixin, so Component's interface, and every file that includes it, stays as it was).
//
// `weft train` calls begin_learning once with the training Docs, then learn_epoch per epoch (the Docs in
// a shuffled order) and finish_epoch, which makes the weights it annotates with (averaged, ...) from what
// it learnt so far, so it can be scored on dev after every epoch and learning can go on. Learning again
// starts over.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "weft/pipeline/component.hpp"

namespace weft {

class GoldLearner {
 public:
  virtual ~GoldLearner() = default;
  // Labels, dictionaries and empty weights from the training Docs; `seed` for any random choice.
  virtual void begin_learning(std::span<const Doc> gold, std::uint64_t seed) = 0;
  // One pass over gold[order[0]], gold[order[1]], ... (the Docs given to begin_learning); returns its
  // loss (the perceptron: the number of wrong predictions it learnt from; a CRF: the negative
  // log-likelihood).
  virtual double learn_epoch(std::span<const Doc> gold, std::span<const std::size_t> order) = 0;
  virtual void finish_epoch() = 0;
  // The metrics that score what it predicts ("UPOS", "XPOS", "ENTS_F").
  virtual std::vector<std::string> learner_metrics() const = 0;
  // One line on what it learnt, for the training log.
  virtual std::string learnt_summary() const = 0;
};

// The component's GoldLearner role, or nullptr.
inline GoldLearner* as_gold_learner(Component& c) noexcept { return dynamic_cast<GoldLearner*>(&c); }

}  // namespace weft
