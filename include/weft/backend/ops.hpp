// Ops: every numerical operation the nn layers need, behind one interface with one implementation per
// device (CpuOps: Eigen + oneDNN; CudaOps: cuBLAS + kernels), as CTranslate2's primitives<Device>.
// Each op checks its arguments once (shapes, dtypes, devices; ValueError naming the op) and then
// dispatches; outputs are passed in preallocated, so callers control memory (scratch arenas).
// Everything computes in f32; ids are i32 rows or u64 keys.
#pragma once

#include <cstdint>
#include <vector>

#include "weft/backend/tensor.hpp"

namespace weft::backend {

// One Adam/AdamW step's constants (bias corrections are folded into lr by the optimizer).
struct AdamStep {
  float lr = 0.001f;          // already multiplied by sqrt(1 - beta2^t) / (1 - beta1^t)
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.f;   // decoupled (AdamW): param -= lr_unscaled * weight_decay * param
  float lr_unscaled = 0.001f; // the schedule's learning rate, for the decoupled decay
  float l2 = 0.f;             // coupled L2: grad += l2 * param
  float grad_scale = 1.f;     // multiplies the gradient first (gradient clipping)
};

class Ops {
 public:
  virtual ~Ops() = default;
  virtual Device device() const noexcept = 0;
  // Waits until queued work is done (a no-op on the CPU).
  virtual void synchronize() {}

  // --- dense algebra --------------------------------------------------------------------------
  // c = alpha * op(a) @ op(b) + beta * c, then + bias (broadcast over rows) when bias is given.
  // a, b, c 2-D f32; op(x) = x^T when trans_x.
  virtual void gemm(const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, Tensor& c, float alpha = 1.f,
                    float beta = 0.f, const Tensor* bias = nullptr) = 0;

  // --- elementwise (f32; operands of equal numel) ----------------------------------------------
  virtual void fill(Tensor& x, float value) = 0;
  virtual void axpy(float alpha, const Tensor& x, Tensor& y) = 0;  // y += alpha * x
  virtual void scale(Tensor& x, float alpha) = 0;                  // x *= alpha
  virtual void add(const Tensor& a, const Tensor& b, Tensor& out) = 0;
  virtual void mul(const Tensor& a, const Tensor& b, Tensor& out) = 0;
  virtual void relu(const Tensor& x, Tensor& y) = 0;
  virtual void backprop_relu(const Tensor& dy, const Tensor& y, Tensor& dx) = 0;  // dx = dy * (y > 0)

  // --- reductions --------------------------------------------------------------------------------
  // out[j] = sum_i x[i, j] (out += when accumulate): bias gradients.
  virtual void sum_rows(const Tensor& x, Tensor& out, bool accumulate) = 0;
  virtual double sum_squares(const Tensor& x) = 0;           // gradient norms
  virtual void argmax_rows(const Tensor& x, Tensor& out) = 0;  // out i32 [N]
  // out[i, h] = the argmax of row i among columns [bounds[h], bounds[h + 1]), relative to bounds[h]
  // (several classifier heads side by side, decided on the device); bounds: H + 1 increasing column
  // indices from 0 to at most x's width, every segment non-empty; out i32 [N, H]. Ties keep the first.
  virtual void argmax_segments(const Tensor& x, const std::vector<std::int64_t>& bounds, Tensor& out) = 0;

  // --- hashed embeddings -------------------------------------------------------------------------
  // out[i, s] = row of keys[i] under seed (seed + s) in a table of n_rows rows. keys u64 [N], out i32 [N, S].
  // The function is fixed (mix64 of mix64.hpp, then modulo), so models are portable across devices.
  virtual void hash_rows(const Tensor& keys, std::uint32_t seed, std::int64_t n_rows, Tensor& out) = 0;
  // out[i] = sum over s of table[ids[i, s]]; ids i32 [N] or [N, S], table [R, W], out [N, W].
  virtual void gather_sum_rows(const Tensor& table, const Tensor& ids, Tensor& out) = 0;
  // table[ids[i, s]] += grad[i] for every s (the gradient of gather_sum_rows).
  virtual void scatter_add_rows(Tensor& table, const Tensor& ids, const Tensor& grad) = 0;

  // --- windows over sequences --------------------------------------------------------------------
  // x [N, W] holds the tokens of several documents back to back (lengths i32 [D], summing to N, on
  // the CPU). out [N, (2*n_window+1)*W]: each row is the concatenation of the rows i-n_window..i+n_window,
  // zeros where the window leaves the row's own document.
  virtual void seq2col(const Tensor& x, int n_window, const Tensor& lengths, Tensor& out) = 0;
  virtual void backprop_seq2col(const Tensor& dy, int n_window, const Tensor& lengths, Tensor& dx) = 0;

  // --- ragged products (per-sentence score matrices) ---------------------------------------------
  // a, b [N, d] hold the rows of several sequences back to back (lengths i32 [S] on the CPU,
  // non-negative, summing to N). For each sequence s of n_s rows starting at row o_s, the block
  // out_s = a[o_s : o_s + n_s] @ b[o_s : o_s + n_s]^T (n_s x n_s, row-major) is written into out
  // (f32, sum of n_s^2 elements, any shape) at offset sum_{t < s} n_t^2: the blocks back to back.
  virtual void ragged_gemm_nt(const Tensor& a, const Tensor& b, const Tensor& lengths, Tensor& out) = 0;
  // Its gradient: da_s = dout_s @ b_s and db_s = dout_s^T @ a_s (da, db [N, d], overwritten).
  virtual void backprop_ragged_gemm_nt(const Tensor& dout, const Tensor& a, const Tensor& b, const Tensor& lengths,
                                       Tensor& da, Tensor& db) = 0;

  // --- maxout --------------------------------------------------------------------------------
  // x [N, O*P] read as [N, O, P]; y [N, O] the max over the P pieces; which u8 [N, O] its index.
  virtual void maxout(const Tensor& x, int pieces, Tensor& y, Tensor& which) = 0;
  virtual void backprop_maxout(const Tensor& dy, const Tensor& which, int pieces, Tensor& dx) = 0;

  // --- layer normalisation over the last dimension ----------------------------------------------------
  // y = (x - mean) * rstd * gamma + beta; mean, rstd f32 [N] are kept for the backward pass.
  virtual void layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps, Tensor& y,
                          Tensor& mean, Tensor& rstd) = 0;
  // dx = the input gradient; dgamma, dbeta accumulate (+=).
  virtual void backprop_layer_norm(const Tensor& dy, const Tensor& x, const Tensor& gamma, const Tensor& mean,
                                   const Tensor& rstd, Tensor& dx, Tensor& dgamma, Tensor& dbeta) = 0;

  // --- LSTM recurrence over ragged sequences ----------------------------------------------------
  // One direction of an LSTM layer over the sequences of a batch (lengths i32 [D] on the CPU, summing to
  // N; rows back to back as in seq2col). xproj [N, 4H] is the input's projection with the bias, every
  // timestep at once (one gemm by the caller); gates in PyTorch's order i, f, g, o. With `reverse` each
  // sequence is read from its last row to its first. Per timestep the sequences still running are
  // stepped together: one product of their previous h [k, H] with W_hh [4H, H] transposed, then one
  // fused pass for the gates (sigmoid i, f, o; tanh g), c = f * c_prev + i * g and h = o * tanh(c)
  // (h_prev = c_prev = 0 at a sequence's first step). Writes h [N, H], c [N, H] and the activated gates
  // [N, 4H], which the backward pass reads.
  virtual void lstm_forward(const Tensor& xproj, const Tensor& W_hh, const Tensor& lengths, bool reverse, Tensor& h,
                            Tensor& c, Tensor& gates) = 0;
  // The gradient of lstm_forward for dh [N, H] (the loss's gradient with respect to every h): writes
  // dxproj [N, 4H] (the pre-activations' gradient, which is also the bias's) and accumulates dW_hh (+=).
  virtual void backprop_lstm(const Tensor& dh, const Tensor& W_hh, const Tensor& lengths, bool reverse, const Tensor& h,
                             const Tensor& c, const Tensor& gates, Tensor& dxproj, Tensor& dW_hh) = 0;

  // --- softmax and loss ------------------------------------------------------------------------
  virtual void softmax(const Tensor& x, Tensor& y) = 0;      // over each row
  virtual void log_softmax(const Tensor& x, Tensor& y) = 0;  // over each row
  // For logits [N, C] and labels i32 [N] (a label < 0 ignores the row): returns the summed negative
  // log-likelihood and writes dlogits = (softmax - onehot) * grad_scale (zero rows where ignored).
  virtual double softmax_cross_entropy(const Tensor& logits, const Tensor& labels, float grad_scale,
                                       Tensor& dlogits) = 0;

  // --- dropout (inverted) ----------------------------------------------------------------------
  // mask[i] = 0 with probability rate, else 1/(1-rate); y = x * mask. Deterministic given seed (a
  // counter-based generator, so CPU and CUDA draw the same mask).
  virtual void dropout(const Tensor& x, float rate, std::uint64_t seed, Tensor& y, Tensor& mask) = 0;

  // --- optimiser -------------------------------------------------------------------------------
  virtual void adam_update(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, const AdamStep& step) = 0;

  // --- conversion ----------------------------------------------------------------------------------
  virtual void cast(const Tensor& x, Tensor& y) = 0;  // f32 <-> f16, same numel
};

// The implementation for a device: the CPU always; CUDA when the CUDA module loads and the device
// exists (throws ValueError naming the device and why otherwise; device_info.hpp). The first CUDA
// request loads the module. The returned object lives for the program's lifetime.
Ops& ops(Device device);
// True when the CUDA module is loaded (or loads now) and sees at least one device.
bool cuda_available() noexcept;

}  // namespace weft::backend
