// Argument checks shared by every Ops implementation, so CPU and CUDA reject the same calls with the
// same message: each op checks shapes, dtypes and devices once, then runs its kernel unchecked.
// Every failure is a ValueError whose message starts with the op's name.
#pragma once

#include <cstdint>
#include <vector>

#include "weft/backend/tensor.hpp"

namespace weft::backend::check {

// The tensor exists, lives on `device`, and has dtype `dtype`.
void on(const char* op, const char* name, const Tensor& t, Device device, DType dtype);
void ndim(const char* op, const char* name, const Tensor& t, int n);
void shape(const char* op, const char* name, const Tensor& t, const Shape& expected);
void same_numel(const char* op, const char* name, const Tensor& t, std::int64_t numel);

struct GemmDims { std::int64_t m, n, k; };
GemmDims gemm(Device d, const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, const Tensor& c,
              const Tensor* bias);
// Elementwise f32 ops: every operand has the numel of the first.
void elementwise(const char* op, Device d, const Tensor& x, const Tensor& y);
void elementwise(const char* op, Device d, const Tensor& a, const Tensor& b, const Tensor& out);
// x 2-D f32; returns its row count and width.
struct Rows { std::int64_t n, width; };
Rows matrix(const char* op, Device d, const Tensor& x);
Rows sum_rows(Device d, const Tensor& x, const Tensor& out);
Rows argmax_rows(Device d, const Tensor& x, const Tensor& out);
Rows argmax_segments(Device d, const Tensor& x, const std::vector<std::int64_t>& bounds, const Tensor& out);
// Returns the number of seeds S.
std::int64_t hash_rows(Device d, const Tensor& keys, std::int64_t n_rows, const Tensor& out);
// ids [N] or [N, S]: returns {N, S}.
struct Ids { std::int64_t n, per_row; };
Ids gather_rows(const char* op, Device d, const Tensor& table, const Tensor& ids, const Tensor& rows_tensor);
// lengths: i32 on the CPU, non-negative, summing to x's row count.
Rows seq2col(const char* op, Device d, const Tensor& x, int n_window, const Tensor& lengths, const Tensor& out);
// a, b [N, d] of one shape, lengths i32 on the CPU summing to N, out with sum n_s^2 elements; returns
// {N, d} and the number of output elements.
struct Ragged { std::int64_t n, width, blocks; };
Ragged ragged_gemm_nt(const char* op, Device d, const Tensor& a, const Tensor& b, const Tensor& lengths, const Tensor& out);
// The same for its gradient: dout as out, and da, db of a's shape.
Ragged backprop_ragged_gemm_nt(Device d, const Tensor& dout, const Tensor& a, const Tensor& b, const Tensor& lengths,
                               const Tensor& da, const Tensor& db);
// Returns {N, O}.
Rows maxout(const char* op, Device d, const Tensor& x, int pieces, const Tensor& y, const Tensor& which);
// lstm_forward / backprop_lstm: returns {N, H}. lengths: i32 on the CPU, non-negative, summing to N.
Rows lstm(const char* op, Device d, const Tensor& xproj_or_dxproj, const Tensor& W_hh, const Tensor& lengths,
          const Tensor& h, const Tensor& c, const Tensor& gates);
// backprop_lstm: lstm()'s checks on dxproj, and dh like h, dW_hh like W_hh.
Rows backprop_lstm(Device d, const Tensor& dh, const Tensor& W_hh, const Tensor& lengths, const Tensor& h, const Tensor& c,
                   const Tensor& gates, const Tensor& dxproj, const Tensor& dW_hh);
Rows layer_norm(Device d, const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& y,
                const Tensor& mean, const Tensor& rstd);
Rows backprop_layer_norm(Device d, const Tensor& dy, const Tensor& x, const Tensor& gamma, const Tensor& mean,
                         const Tensor& rstd, const Tensor& dx, const Tensor& dgamma, const Tensor& dbeta);
Rows softmax_cross_entropy(Device d, const Tensor& logits, const Tensor& labels, const Tensor& dlogits);
void dropout(Device d, const Tensor& x, float rate, const Tensor& y, const Tensor& mask);
void adam(Device d, const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& v);
void cast(Device d, const Tensor& x, const Tensor& y);

}  // namespace weft::backend::check
