#include "op_checks.hpp"

#include <cstdint>
#include <string>

#include "weft/error.hpp"

namespace weft::backend::check {

namespace {

[[noreturn]] void fail(const char* op, const std::string& what) { throw ValueError(std::string(op) + ": " + what); }

// lengths: i32 [D] on the CPU, non-negative, summing to `rows` (the row count of tensor `name`).
void sequence_lengths(const char* op, const Tensor& lengths, std::int64_t rows, const char* name);

}  // namespace

void on(const char* op, const char* name, const Tensor& t, Device device, DType dtype) {
  if (!t.defined()) fail(op, std::string("tensor ") + name + " is undefined");
  if (!(t.device() == device))
    fail(op, std::string("tensor ") + name + " is on " + t.device().str() + " but the ops run on " + device.str());
  if (t.dtype() != dtype)
    fail(op, std::string("tensor ") + name + " has dtype " + dtype_name(t.dtype()) + ", expected " + dtype_name(dtype));
}

void ndim(const char* op, const char* name, const Tensor& t, int n) {
  if (t.ndim() != n)
    fail(op, std::string("tensor ") + name + " must have " + std::to_string(n) + " dimensions, got shape " + t.shape().str());
}

void shape(const char* op, const char* name, const Tensor& t, const Shape& expected) {
  if (!(t.shape() == expected))
    fail(op, std::string("tensor ") + name + " has shape " + t.shape().str() + ", expected " + expected.str());
}

void same_numel(const char* op, const char* name, const Tensor& t, std::int64_t numel) {
  if (t.numel() != numel)
    fail(op, std::string("tensor ") + name + " has " + std::to_string(t.numel()) + " elements, expected " + std::to_string(numel));
}

GemmDims gemm(Device d, const Tensor& a, bool trans_a, const Tensor& b, bool trans_b, const Tensor& c, const Tensor* bias) {
  const char* op = "gemm";
  on(op, "a", a, d, DType::F32);
  on(op, "b", b, d, DType::F32);
  on(op, "c", c, d, DType::F32);
  ndim(op, "a", a, 2);
  ndim(op, "b", b, 2);
  ndim(op, "c", c, 2);
  const std::int64_t m = trans_a ? a.dim(1) : a.dim(0);
  const std::int64_t k = trans_a ? a.dim(0) : a.dim(1);
  const std::int64_t kb = trans_b ? b.dim(1) : b.dim(0);
  const std::int64_t n = trans_b ? b.dim(0) : b.dim(1);
  if (k != kb)
    fail(op, "inner dimensions differ: op(a) is [" + std::to_string(m) + ", " + std::to_string(k) + "], op(b) is [" +
                 std::to_string(kb) + ", " + std::to_string(n) + "]");
  shape(op, "c", c, Shape{m, n});
  if (bias != nullptr) {
    on(op, "bias", *bias, d, DType::F32);
    same_numel(op, "bias", *bias, n);
  }
  return {m, n, k};
}

void elementwise(const char* op, Device d, const Tensor& x, const Tensor& y) {
  on(op, "x", x, d, DType::F32);
  on(op, "y", y, d, DType::F32);
  same_numel(op, "y", y, x.numel());
}

void elementwise(const char* op, Device d, const Tensor& a, const Tensor& b, const Tensor& out) {
  on(op, "a", a, d, DType::F32);
  on(op, "b", b, d, DType::F32);
  on(op, "out", out, d, DType::F32);
  same_numel(op, "b", b, a.numel());
  same_numel(op, "out", out, a.numel());
}

Rows matrix(const char* op, Device d, const Tensor& x) {
  on(op, "x", x, d, DType::F32);
  ndim(op, "x", x, 2);
  return {x.dim(0), x.dim(1)};
}

Rows sum_rows(Device d, const Tensor& x, const Tensor& out) {
  const Rows r = matrix("sum_rows", d, x);
  on("sum_rows", "out", out, d, DType::F32);
  same_numel("sum_rows", "out", out, r.width);
  return r;
}

Rows argmax_rows(Device d, const Tensor& x, const Tensor& out) {
  const Rows r = matrix("argmax_rows", d, x);
  if (r.width == 0 && r.n > 0) fail("argmax_rows", "rows of width 0 have no maximum");
  on("argmax_rows", "out", out, d, DType::I32);
  same_numel("argmax_rows", "out", out, r.n);
  return r;
}

Rows argmax_segments(Device d, const Tensor& x, const std::vector<std::int64_t>& bounds, const Tensor& out) {
  const char* op = "argmax_segments";
  const Rows r = matrix(op, d, x);
  if (bounds.size() < 2) fail(op, "bounds need at least two columns (one segment)");
  if (bounds.front() != 0) fail(op, "bounds must start at column 0");
  for (std::size_t h = 1; h < bounds.size(); ++h)
    if (bounds[h] <= bounds[h - 1]) fail(op, "bounds must increase (every segment non-empty)");
  if (bounds.back() > r.width)
    fail(op, "bounds end at column " + std::to_string(bounds.back()) + " of rows " + std::to_string(r.width) + " wide");
  on(op, "out", out, d, DType::I32);
  same_numel(op, "out", out, r.n * static_cast<std::int64_t>(bounds.size() - 1));
  return r;
}

std::int64_t hash_rows(Device d, const Tensor& keys, std::int64_t n_rows, const Tensor& out) {
  const char* op = "hash_rows";
  on(op, "keys", keys, d, DType::U64);
  ndim(op, "keys", keys, 1);
  on(op, "out", out, d, DType::I32);
  ndim(op, "out", out, 2);
  if (out.dim(0) != keys.dim(0)) fail(op, "out has " + std::to_string(out.dim(0)) + " rows for " + std::to_string(keys.dim(0)) + " keys");
  if (n_rows < 1 || n_rows > INT32_MAX) fail(op, "table rows must be in 1..2^31-1, got " + std::to_string(n_rows));
  return out.dim(1);
}

Ids gather_rows(const char* op, Device d, const Tensor& table, const Tensor& ids, const Tensor& rows_tensor) {
  on(op, "table", table, d, DType::F32);
  ndim(op, "table", table, 2);
  on(op, "ids", ids, d, DType::I32);
  if (ids.ndim() != 1 && ids.ndim() != 2) fail(op, "ids must be [N] or [N, S], got shape " + ids.shape().str());
  const std::int64_t n = ids.dim(0);
  const std::int64_t s = ids.ndim() == 2 ? ids.dim(1) : 1;
  on(op, "rows", rows_tensor, d, DType::F32);
  shape(op, "rows", rows_tensor, Shape{n, table.dim(1)});
  return {n, s};
}

Rows seq2col(const char* op, Device d, const Tensor& x, int n_window, const Tensor& lengths, const Tensor& out) {
  const Rows r = matrix(op, d, x);
  if (n_window < 0) fail(op, "n_window must be >= 0, got " + std::to_string(n_window));
  sequence_lengths(op, lengths, r.n, "x");
  on(op, "out", out, d, DType::F32);
  shape(op, "out", out, Shape{r.n, (2 * static_cast<std::int64_t>(n_window) + 1) * r.width});
  return r;
}

Ragged ragged_gemm_nt(const char* op, Device d, const Tensor& a, const Tensor& b, const Tensor& lengths, const Tensor& out) {
  on(op, "a", a, d, DType::F32);
  ndim(op, "a", a, 2);
  const Rows r{a.dim(0), a.dim(1)};
  on(op, "b", b, d, DType::F32);
  shape(op, "b", b, a.shape());
  on(op, "lengths", lengths, Device::cpu(), DType::I32);
  ndim(op, "lengths", lengths, 1);
  std::int64_t total = 0, blocks = 0;
  const std::int32_t* len = lengths.data<std::int32_t>();
  for (std::int64_t i = 0; i < lengths.numel(); ++i) {
    if (len[i] < 0) fail(op, "negative sequence length " + std::to_string(len[i]));
    total += len[i];
    blocks += static_cast<std::int64_t>(len[i]) * len[i];
  }
  if (total != r.n) fail(op, "sequence lengths sum to " + std::to_string(total) + " but a has " + std::to_string(r.n) + " rows");
  on(op, "out", out, d, DType::F32);
  same_numel(op, "out", out, blocks);
  return {r.n, r.width, blocks};
}

Ragged backprop_ragged_gemm_nt(Device d, const Tensor& dout, const Tensor& a, const Tensor& b, const Tensor& lengths,
                               const Tensor& da, const Tensor& db) {
  const char* op = "backprop_ragged_gemm_nt";
  const Ragged r = ragged_gemm_nt(op, d, a, b, lengths, dout);
  on(op, "da", da, d, DType::F32);
  shape(op, "da", da, a.shape());
  on(op, "db", db, d, DType::F32);
  shape(op, "db", db, a.shape());
  return r;
}

Rows maxout(const char* op, Device d, const Tensor& x, int pieces, const Tensor& y, const Tensor& which) {
  if (pieces < 1 || pieces > 255) fail(op, "pieces must be in 1..255, got " + std::to_string(pieces));
  const Rows r = matrix(op, d, x);
  if (r.width % pieces != 0) fail(op, "x width " + std::to_string(r.width) + " is not a multiple of " + std::to_string(pieces) + " pieces");
  const Rows out{r.n, r.width / pieces};
  on(op, "y", y, d, DType::F32);
  shape(op, "y", y, Shape{out.n, out.width});
  on(op, "which", which, d, DType::U8);
  shape(op, "which", which, Shape{out.n, out.width});
  return out;
}

Rows lstm(const char* op, Device d, const Tensor& xproj, const Tensor& W_hh, const Tensor& lengths, const Tensor& h,
          const Tensor& c, const Tensor& gates) {
  const Rows r = matrix(op, d, xproj);
  if (r.width % 4 != 0 || r.width == 0)
    fail(op, "xproj width " + std::to_string(r.width) + " is not 4 * H for a hidden size H >= 1");
  const Rows out{r.n, r.width / 4};
  on(op, "W_hh", W_hh, d, DType::F32);
  shape(op, "W_hh", W_hh, Shape{r.width, out.width});
  sequence_lengths(op, lengths, r.n, "xproj");
  on(op, "h", h, d, DType::F32);
  shape(op, "h", h, Shape{out.n, out.width});
  on(op, "c", c, d, DType::F32);
  shape(op, "c", c, Shape{out.n, out.width});
  on(op, "gates", gates, d, DType::F32);
  shape(op, "gates", gates, Shape{r.n, r.width});
  return out;
}

Rows backprop_lstm(Device d, const Tensor& dh, const Tensor& W_hh, const Tensor& lengths, const Tensor& h, const Tensor& c,
                   const Tensor& gates, const Tensor& dxproj, const Tensor& dW_hh) {
  const char* op = "backprop_lstm";
  const Rows r = lstm(op, d, dxproj, W_hh, lengths, h, c, gates);
  on(op, "dh", dh, d, DType::F32);
  shape(op, "dh", dh, h.shape());
  on(op, "dW_hh", dW_hh, d, DType::F32);
  shape(op, "dW_hh", dW_hh, W_hh.shape());
  return r;
}

Rows layer_norm(Device d, const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& y, const Tensor& mean,
                const Tensor& rstd) {
  const char* op = "layer_norm";
  const Rows r = matrix(op, d, x);
  on(op, "gamma", gamma, d, DType::F32);
  same_numel(op, "gamma", gamma, r.width);
  on(op, "beta", beta, d, DType::F32);
  same_numel(op, "beta", beta, r.width);
  on(op, "y", y, d, DType::F32);
  shape(op, "y", y, x.shape());
  on(op, "mean", mean, d, DType::F32);
  same_numel(op, "mean", mean, r.n);
  on(op, "rstd", rstd, d, DType::F32);
  same_numel(op, "rstd", rstd, r.n);
  return r;
}

Rows backprop_layer_norm(Device d, const Tensor& dy, const Tensor& x, const Tensor& gamma, const Tensor& mean,
                         const Tensor& rstd, const Tensor& dx, const Tensor& dgamma, const Tensor& dbeta) {
  const char* op = "backprop_layer_norm";
  const Rows r = matrix(op, d, x);
  on(op, "dy", dy, d, DType::F32);
  shape(op, "dy", dy, x.shape());
  on(op, "gamma", gamma, d, DType::F32);
  same_numel(op, "gamma", gamma, r.width);
  on(op, "mean", mean, d, DType::F32);
  same_numel(op, "mean", mean, r.n);
  on(op, "rstd", rstd, d, DType::F32);
  same_numel(op, "rstd", rstd, r.n);
  on(op, "dx", dx, d, DType::F32);
  shape(op, "dx", dx, x.shape());
  on(op, "dgamma", dgamma, d, DType::F32);
  same_numel(op, "dgamma", dgamma, r.width);
  on(op, "dbeta", dbeta, d, DType::F32);
  same_numel(op, "dbeta", dbeta, r.width);
  return r;
}

Rows softmax_cross_entropy(Device d, const Tensor& logits, const Tensor& labels, const Tensor& dlogits) {
  const char* op = "softmax_cross_entropy";
  const Rows r = matrix(op, d, logits);
  on(op, "labels", labels, d, DType::I32);
  same_numel(op, "labels", labels, r.n);
  on(op, "dlogits", dlogits, d, DType::F32);
  shape(op, "dlogits", dlogits, logits.shape());
  return r;
}

void dropout(Device d, const Tensor& x, float rate, const Tensor& y, const Tensor& mask) {
  if (!(rate >= 0.f && rate < 1.f)) fail("dropout", "rate must be in [0, 1), got " + std::to_string(rate));
  elementwise("dropout", d, x, y);
  on("dropout", "mask", mask, d, DType::F32);
  same_numel("dropout", "mask", mask, x.numel());
}

void adam(Device d, const Tensor& param, const Tensor& grad, const Tensor& m, const Tensor& v) {
  const char* op = "adam_update";
  on(op, "param", param, d, DType::F32);
  on(op, "grad", grad, d, DType::F32);
  on(op, "m", m, d, DType::F32);
  on(op, "v", v, d, DType::F32);
  same_numel(op, "grad", grad, param.numel());
  same_numel(op, "m", m, param.numel());
  same_numel(op, "v", v, param.numel());
}

void cast(Device d, const Tensor& x, const Tensor& y) {
  const char* op = "cast";
  if (x.dtype() != DType::F32 && x.dtype() != DType::F16) fail(op, std::string("x has dtype ") + dtype_name(x.dtype()) + ", expected f32 or f16");
  if (y.dtype() != DType::F32 && y.dtype() != DType::F16) fail(op, std::string("y has dtype ") + dtype_name(y.dtype()) + ", expected f32 or f16");
  on(op, "x", x, d, x.dtype());
  on(op, "y", y, d, y.dtype());
  same_numel(op, "y", y, x.numel());
}

namespace {

void sequence_lengths(const char* op, const Tensor& lengths, std::int64_t rows, const char* name) {
  on(op, "lengths", lengths, Device::cpu(), DType::I32);
  ndim(op, "lengths", lengths, 1);
  std::int64_t total = 0;
  const std::int32_t* len = lengths.data<std::int32_t>();
  for (std::int64_t i = 0; i < lengths.numel(); ++i) {
    if (len[i] < 0) fail(op, "negative document length " + std::to_string(len[i]));
    total += len[i];
  }
  if (total != rows)
    fail(op, "document lengths sum to " + std::to_string(total) + " but " + name + " has " + std::to_string(rows) + " rows");
}

}  // namespace

}  // namespace weft::backend::check
