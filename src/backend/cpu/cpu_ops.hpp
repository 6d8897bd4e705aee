// CpuOps: the CPU implementation of Ops. gemm goes to oneDNN or Eigen (cpu_gemm.hpp decides per shape);
// everything else is plain loops over contiguous f32 that the compiler vectorises for x86-64-v3.
// One source file per op family keeps each kernel next to its own reasoning.
#pragma once

#include "weft/backend/ops.hpp"

namespace weft::backend {

class CpuOps final : public Ops {
 public:
  static CpuOps& instance();
  Device device() const noexcept override { return Device::cpu(); }

  void gemm(const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, Tensor& c, float alpha, float beta,
            const Tensor* bias) override;

  void fill(Tensor& x, float value) override;
  void axpy(float alpha, const Tensor& x, Tensor& y) override;
  void scale(Tensor& x, float alpha) override;
  void add(const Tensor& a, const Tensor& b, Tensor& out) override;
  void mul(const Tensor& a, const Tensor& b, Tensor& out) override;
  void relu(const Tensor& x, Tensor& y) override;
  void backprop_relu(const Tensor& dy, const Tensor& y, Tensor& dx) override;

  void sum_rows(const Tensor& x, Tensor& out, bool accumulate) override;
  double sum_squares(const Tensor& x) override;
  void argmax_rows(const Tensor& x, Tensor& out) override;
  void argmax_segments(const Tensor& x, const std::vector<std::int64_t>& bounds, Tensor& out) override;

  void hash_rows(const Tensor& keys, std::uint32_t seed, std::int64_t n_rows, Tensor& out) override;
  void gather_sum_rows(const Tensor& table, const Tensor& ids, Tensor& out) override;
  void scatter_add_rows(Tensor& table, const Tensor& ids, const Tensor& grad) override;

  void seq2col(const Tensor& x, int n_window, const Tensor& lengths, Tensor& out) override;
  void backprop_seq2col(const Tensor& dy, int n_window, const Tensor& lengths, Tensor& dx) override;

  void ragged_gemm_nt(const Tensor& a, const Tensor& b, const Tensor& lengths, Tensor& out) override;
  void backprop_ragged_gemm_nt(const Tensor& dout, const Tensor& a, const Tensor& b, const Tensor& lengths, Tensor& da,
                               Tensor& db) override;

  void maxout(const Tensor& x, int pieces, Tensor& y, Tensor& which) override;
  void backprop_maxout(const Tensor& dy, const Tensor& which, int pieces, Tensor& dx) override;

  void layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, float eps, Tensor& y, Tensor& mean,
                  Tensor& rstd) override;
  void backprop_layer_norm(const Tensor& dy, const Tensor& x, const Tensor& gamma, const Tensor& mean,
                           const Tensor& rstd, Tensor& dx, Tensor& dgamma, Tensor& dbeta) override;

  void lstm_forward(const Tensor& xproj, const Tensor& W_hh, const Tensor& lengths, bool reverse, Tensor& h, Tensor& c,
                    Tensor& gates) override;
  void backprop_lstm(const Tensor& dh, const Tensor& W_hh, const Tensor& lengths, bool reverse, const Tensor& h,
                     const Tensor& c, const Tensor& gates, Tensor& dxproj, Tensor& dW_hh) override;

  void softmax(const Tensor& x, Tensor& y) override;
  void log_softmax(const Tensor& x, Tensor& y) override;
  double softmax_cross_entropy(const Tensor& logits, const Tensor& labels, float grad_scale, Tensor& dlogits) override;

  void dropout(const Tensor& x, float rate, std::uint64_t seed, Tensor& y, Tensor& mask) override;
  void adam_update(Tensor& param, const Tensor& grad, Tensor& m, Tensor& v, const AdamStep& step) override;
  void cast(const Tensor& x, Tensor& y) override;
};

}  // namespace weft::backend
