// CharEmbed.v1: the character part of spaCy's CharacterEmbed. Input: u64 keys [N, K] on the CPU whose
// columns [column, column + nC) hold each token's characters as Unicode code points: its first nC/2
// and its last nC/2 (a short word repeats characters between the two halves; 0 pads a word shorter
// than nC/2). Each of the nC positions has its own table of `rows` vectors of nM values (thinc's
// CharacterEmbed keeps one per position too); a code point below 128 has its own row, any other hashes
// (mix64) into the rows from 128 up. Output: the nC vectors concatenated, [N, nC * nM].
// Parameter "E" [nC * rows, nM], position p's table in rows [p * rows, (p + 1) * rows), U(-0.1, 0.1).
#pragma once

#include <cstdint>
#include <string_view>

#include "weft/nn/layer.hpp"

namespace weft::nn {

class CharEmbed final : public Layer {
 public:
  CharEmbed(std::int64_t nM, int nC, std::int64_t rows, int column);
  std::int64_t nM() const noexcept { return nM_; }
  int nC() const noexcept { return nC_; }
  std::int64_t rows() const noexcept { return rows_; }
  int column() const noexcept { return column_; }
  const Tensor& table() const noexcept { return E_.value; }
  // The row of E for code point `cp` at position p.
  std::int64_t row(int p, std::uint64_t cp) const noexcept;
  // The table rows of keys [N, K] (columns [column, column + nC)): i32 [N * nC], on the CPU.
  Tensor ids(const Tensor& keys) const;
  Forward forward(const Ragged& X, bool is_train) override;

  // The nC code points of a token text (UTF-8), as the input's columns hold them.
  static void code_points(std::string_view text, int nC, std::uint64_t* out);

 private:
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
  std::int64_t nM_;
  int nC_;
  std::int64_t rows_;
  int column_;
  Param E_;
};

Model char_embed(std::int64_t nM, int nC, std::int64_t rows, int column);

}  // namespace weft::nn
