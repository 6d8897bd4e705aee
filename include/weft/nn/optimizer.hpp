// Adam (and AdamW): the optimizer spaCy trains with, with global-norm gradient clipping, a learning-rate
// schedule, and an exponential moving average of every weight that evaluation swaps in (averaged
// weights generalise better than the last step's). State is keyed by full parameter name, so a model
// can be rebuilt or moved between devices and keep training. One step, one thread: deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "weft/nn/layer.hpp"
#include "weft/nn/schedule.hpp"

namespace weft::nn {

struct AdamConfig {
  Schedule learn_rate = constant_schedule(0.001f);
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float l2 = 0.f;             // coupled: grad += l2 * w
  float weight_decay = 0.01f; // decoupled (AdamW, spaCy's L2_is_weight_decay): w -= rate * weight_decay * w
  float grad_clip = 1.f;      // largest global gradient norm; 0 = no clipping
  bool use_averages = true;
  float max_average_decay = 0.9999f;
};

class Adam {
 public:
  explicit Adam(AdamConfig config = {});
  const AdamConfig& config() const noexcept { return config_; }

  // One update of every parameter of model from its accumulated gradients, which are then zeroed.
  void step(Layer& model);
  std::int64_t steps() const noexcept { return steps_; }
  float last_learn_rate() const noexcept { return last_rate_; }
  double last_grad_norm() const noexcept { return last_norm_; }  // before clipping

  // The moving average of a parameter (undefined before its first update).
  Tensor average(const std::string& name) const;

  // While alive, model's parameters hold their averages (those that have one); the trained values
  // come back when it is destroyed. Evaluate inside it.
  class AveragesInUse {
   public:
    AveragesInUse(Adam& optimizer, Layer& model);
    ~AveragesInUse();
    AveragesInUse(const AveragesInUse&) = delete;
    AveragesInUse& operator=(const AveragesInUse&) = delete;

   private:
    void swap_all();
    std::vector<std::pair<Param*, Tensor*>> swapped_;
  };
  [[nodiscard]] AveragesInUse use_averages(Layer& model) { return AveragesInUse(*this, model); }

 private:
  struct State {
    Tensor m, v, average;
    std::int64_t updates = 0;
  };
  AdamConfig config_;
  std::map<std::string, State> state_;
  std::int64_t steps_ = 0;
  float last_rate_ = 0.f;
  double last_norm_ = 0.0;
};

}  // namespace weft::nn
