// One Adam/AdamW step on CUDA, fused over param, grad and both moments; the same formula, in the same
// order of operations, as CpuOps::adam_update.
#include "../op_checks.hpp"
#include "cuda_check.cuh"
#include "cuda_ops.cuh"
#include "launch.cuh"

namespace weft::backend {

namespace {

__global__ void adam_kernel(float* p, const float* g, float* m, float* v, std::int64_t n, AdamStep step, float decay) {
  for (std::int64_t i = cuda::global_thread(); i < n; i += cuda::grid_threads()) {
    const float pi = p[i];
    const float gi = g[i] * step.grad_scale + step.l2 * pi;
    const float mi = step.beta1 * m[i] + (1.f - step.beta1) * gi;
    const float vi = step.beta2 * v[i] + (1.f - step.beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    // The decoupled decay uses the parameter before this step's update, as in AdamW.
    p[i] = pi - (step.lr * mi / (sqrtf(vi) + step.eps) + decay * pi);
  }
}

}  // namespace

void CudaOps::adam_update(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, const AdamStep& step) {
  check::adam(device(), param, grad, m, v);
  const std::int64_t n = param.numel();
  if (n == 0) return;
  DeviceGuard guard(index_, "adam_update");
  adam_kernel<<<cuda::blocks_for(n), cuda::kBlock>>>(param.data<float>(), grad.data<float>(), m.data<float>(),
                                                     v.data<float>(), n, step, step.lr_unscaled * step.weight_decay);
  cuda_check_launch("adam_update");
}

}  // namespace weft::backend
