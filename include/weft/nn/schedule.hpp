// Learning-rate schedules: the rate as a function of the optimizer step (0 for the first update). A
// schedule is a plain function so configs can name new ones without a class per shape.
#pragma once

#include <cstdint>
#include <functional>

namespace weft::nn {

using Schedule = std::function<float(std::int64_t step)>;

// constant.v1: the same rate at every step.
Schedule constant_schedule(float rate);
// warmup_linear.v1 (thinc's): rate * (step+1)/warmup while step < warmup, then a linear decay to 0 at
// step == total: rate * max(0, (total - step) / (total - warmup)).
Schedule warmup_linear(float rate, std::int64_t warmup, std::int64_t total);
// warmup_inverse_sqrt.v1 (the Transformer's): the same linear warm-up, then rate * sqrt(warmup / (step+1)).
Schedule warmup_inverse_sqrt(float rate, std::int64_t warmup);

}  // namespace weft::nn
