#include "weft/nn/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "weft/error.hpp"

namespace weft::nn {

namespace {

float warmup_factor(std::int64_t step, std::int64_t warmup) {
  return static_cast<float>(static_cast<double>(step + 1) / static_cast<double>(warmup));
}

void check_step(std::int64_t step) {
  if (step < 0) throw ValueError("schedule: step must be >= 0, got " + std::to_string(step));
}

}  // namespace

Schedule constant_schedule(float rate) {
  return [rate](std::int64_t step) {
    check_step(step);
    return rate;
  };
}

Schedule warmup_linear(float rate, std::int64_t warmup, std::int64_t total) {
  if (warmup < 0 || total <= warmup)
    throw ValueError("warmup_linear.v1: needs 0 <= warmup < total, got warmup " + std::to_string(warmup) + ", total " + std::to_string(total));
  return [rate, warmup, total](std::int64_t step) {
    check_step(step);
    if (step < warmup) return rate * warmup_factor(step, warmup);
    const double left = static_cast<double>(total - step) / static_cast<double>(total - warmup);
    return rate * static_cast<float>(std::max(0.0, left));
  };
}

Schedule warmup_inverse_sqrt(float rate, std::int64_t warmup) {
  if (warmup < 1) throw ValueError("warmup_inverse_sqrt.v1: warmup must be >= 1, got " + std::to_string(warmup));
  return [rate, warmup](std::int64_t step) {
    check_step(step);
    if (step < warmup) return rate * warmup_factor(step, warmup);
    return rate * static_cast<float>(std::sqrt(static_cast<double>(warmup) / static_cast<double>(step + 1)));
  };
}

}  // namespace weft::nn
