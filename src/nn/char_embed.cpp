#include "weft/nn/char_embed.hpp"

#include <string>
#include <vector>

#include "weft/error.hpp"
#include "weft/mix64.hpp"
#include "weft/nn/init.hpp"
#include "weft/strings/utf8.hpp"

namespace weft::nn {

namespace {

constexpr std::uint64_t kDirect = 128;  // code points with a row of their own

}  // namespace

CharEmbed::CharEmbed(std::int64_t nM, int nC, std::int64_t rows, int column)
    : Layer("CharEmbed.v1", nM * nC, 0), nM_(nM), nC_(nC), rows_(rows), column_(column) {
  if (nM < 1 || nC < 2 || nC % 2 != 0 || nC > 64)
    throw ValueError("CharEmbed.v1: needs nM >= 1 and an even nC in 2..64, got nM " + std::to_string(nM) + ", nC " +
                     std::to_string(nC));
  if (rows <= static_cast<std::int64_t>(kDirect) || rows * nC > INT32_MAX)
    throw ValueError("CharEmbed.v1: rows must be above " + std::to_string(kDirect) + " (and rows * nC < 2^31), got " +
                     std::to_string(rows));
  if (column < 0) throw ValueError("CharEmbed.v1: column must be >= 0");
  register_param(E_, "E");
}

void CharEmbed::initialize_self(const Ragged* X, const Tensor*, Rng& rng) {
  if (X != nullptr) nI_ = X->data.ndim() == 2 ? X->data.dim(1) : 1;
  set_param(E_, Shape{nC_ * rows_, nM_}, init::uniform(nC_ * rows_ * nM_, -0.1f, 0.1f, rng));
}

std::int64_t CharEmbed::row(int p, std::uint64_t cp) const noexcept {
  const std::uint64_t r = cp < kDirect ? cp : kDirect + mix64(cp, 0) % static_cast<std::uint64_t>(rows_ - static_cast<std::int64_t>(kDirect));
  return static_cast<std::int64_t>(p) * rows_ + static_cast<std::int64_t>(r);
}

void CharEmbed::code_points(std::string_view text, int nC, std::uint64_t* out) {
  const int half = nC / 2;
  std::size_t i = 0;
  for (int p = 0; p < half; ++p) out[p] = i < text.size() ? utf8::next(text, i) : 0;
  // The last half, in the text's order: out[half + half - 1] is the last character.
  // (utf8::next only, which is inline: weft_core does not link the strings library.)
  std::size_t j = text.size();
  for (int p = nC - 1; p >= half; --p) {
    if (j == 0) {
      out[p] = 0;
      continue;
    }
    std::size_t at = j - 1;
    while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80 && j - at < 4) --at;
    std::size_t k = at;
    out[p] = utf8::next(text, k);
    j = at;
  }
}

Tensor CharEmbed::ids(const Tensor& keys) const {
  if (keys.dtype() != DType::U64 || keys.ndim() != 2 || keys.dim(1) < column_ + nC_ || !keys.device().is_cpu())
    throw ModelError(describe() + ": expected u64 keys [N, >= " + std::to_string(column_ + nC_) + "] on the CPU, got " +
                     std::string(backend::dtype_name(keys.dtype())) + " " + keys.shape().str() + " on " + keys.device().str());
  const std::int64_t n = keys.dim(0), K = keys.dim(1);
  Tensor out = Tensor::empty(Shape{n * nC_}, DType::I32);
  const std::uint64_t* k = keys.data<std::uint64_t>();
  std::int32_t* o = out.data<std::int32_t>();
  for (std::int64_t i = 0; i < n; ++i)
    for (int p = 0; p < nC_; ++p) o[i * nC_ + p] = static_cast<std::int32_t>(row(p, k[i * K + column_ + p]));
  return out;
}

Forward CharEmbed::forward(const Ragged& X, bool is_train) {
  check_ready();
  const std::int64_t n = X.data.dim(0);
  Tensor Y = Tensor::empty(Shape{n, nO_}, DType::F32, device());
  if (n == 0) return {{Y, X.lengths}, [](const Tensor&) { return Tensor(); }};
  const Tensor ids = this->ids(X.data).to(device());
  Tensor flat = Y.reshape(Shape{n * nC_, nM_});
  ops().gather_sum_rows(E_.value, ids, flat);
  if (!is_train) return {{Y, X.lengths}, no_backprop()};
  Backprop back = [this, ids](const Tensor& dY) {
    ops().scatter_add_rows(E_.grad, ids, dY.reshape(Shape{ids.numel(), nM_}));
    return Tensor();
  };
  return {{Y, X.lengths}, std::move(back)};
}

Model char_embed(std::int64_t nM, int nC, std::int64_t rows, int column) {
  return std::make_shared<CharEmbed>(nM, nC, rows, column);
}

}  // namespace weft::nn
