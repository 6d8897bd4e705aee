// HashEmbed.v1: an embedding table addressed by hashing, as spaCy's. Each feature key is hashed under
// `n_hashes` seeds to rows of a table of nV rows and the rows are summed (a Bloom-style embedding: two
// keys that collide in one row rarely collide in all), so any vocabulary fits a fixed table. E [nV, nO]
// starts uniform(-0.1, 0.1), as thinc's.
//
// Input: u64 keys [N] or [N, F] (this layer reads column `column`), on the CPU like document lengths:
// the keys come from Docs on the host and are uploaded per column. The keys have no gradient.
#pragma once

#include "weft/nn/layer.hpp"

namespace weft::nn {

class HashEmbed final : public Layer {
 public:
  HashEmbed(std::int64_t nO, std::int64_t nV, std::uint32_t seed, int column = 0, int n_hashes = 4);
  std::int64_t nV() const noexcept { return nV_; }
  std::uint32_t seed() const noexcept { return seed_; }
  int column() const noexcept { return column_; }
  int n_hashes() const noexcept { return n_hashes_; }
  const Tensor& table() const noexcept { return E_.value; }
  Forward forward(const Ragged& X, bool is_train) override;

 private:
  void initialize_self(const Ragged* X, const Tensor* Y, Rng& rng) override;
  std::int64_t nV_;
  std::uint32_t seed_;
  int column_, n_hashes_;
  Param E_;
};

Model hash_embed(std::int64_t nO, std::int64_t nV, std::uint32_t seed, int column = 0);

}  // namespace weft::nn
