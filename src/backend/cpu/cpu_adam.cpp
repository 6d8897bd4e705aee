// One Adam/AdamW step on the CPU, fused over param, grad and both moments in a single pass.
#include <cmath>

#include "../op_checks.hpp"
#include "cpu_ops.hpp"

namespace weft::backend {

void CpuOps::adam_update(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, const AdamStep& step) {
  check::adam(device(), param, grad, m, v);
  float* p = param.data<float>();
  const float* g = grad.data<float>();
  float* mp = m.data<float>();
  float* vp = v.data<float>();
  const float decay = step.lr_unscaled * step.weight_decay;
  for (std::int64_t i = 0, n = param.numel(); i < n; ++i) {
    const float gi = g[i] * step.grad_scale + step.l2 * p[i];
    mp[i] = step.beta1 * mp[i] + (1.f - step.beta1) * gi;
    vp[i] = step.beta2 * vp[i] + (1.f - step.beta2) * gi * gi;
    // The decoupled decay uses the parameter before this step's update, as in AdamW.
    p[i] -= step.lr * mp[i] / (std::sqrt(vp[i]) + step.eps) + decay * p[i];
  }
}

}  // namespace weft::backend
