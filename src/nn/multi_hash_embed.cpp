#include "weft/nn/multi_hash_embed.hpp"

#include "weft/error.hpp"
#include "weft/nn/chain.hpp"
#include "weft/nn/concat.hpp"
#include "weft/nn/dropout.hpp"
#include "weft/nn/hash_embed.hpp"
#include "weft/nn/layer_norm.hpp"
#include "weft/nn/maxout.hpp"
#include "weft/nn/static_vectors.hpp"

namespace weft::nn {

namespace {

Model labelled(Model m, const char* label) {
  m->set_label(label);
  return m;
}

}  // namespace

Model multi_hash_embed(const MultiHashEmbedConfig& config) {
  if (config.width < 1) throw ValueError("MultiHashEmbed.v1: width must be >= 1");
  const std::size_t n = config.rows.size();
  if (n == 0) throw ValueError("MultiHashEmbed.v1: needs at least one feature table");
  if (!config.names.empty() && config.names.size() != n)
    throw ValueError("MultiHashEmbed.v1: " + std::to_string(config.names.size()) + " names for " + std::to_string(n) +
                     " tables");
  static constexpr const char* kNames[kFeatureCount] = {"norm", "prefix", "suffix", "shape"};
  std::vector<Model> tables;
  for (std::size_t f = 0; f < n; ++f) {
    // spaCy seeds its tables 8, 9, 10, 11 (a counter from 7, bumped before each table).
    const auto seed = static_cast<std::uint32_t>(8 + f);
    std::string name = !config.names.empty() ? config.names[f] : n == kFeatureCount ? kNames[f] : "f" + std::to_string(f);
    Model table = hash_embed(config.width, config.rows[f], seed, static_cast<int>(f));
    table->set_label(std::move(name));
    tables.push_back(std::move(table));
  }
  if (config.static_vectors)
    tables.push_back(labelled(static_vectors(config.width, *config.static_vectors, static_cast<int>(n)), "vectors"));
  auto concat_width = config.width * static_cast<std::int64_t>(tables.size());
  if (config.chars) {
    if (config.chars->nO() < 1) throw ValueError("MultiHashEmbed.v1: the character features have no known width");
    concat_width += config.chars->nO();
    tables.push_back(labelled(config.chars, "chars"));
  }
  std::vector<Model> parts{concat(std::move(tables)), labelled(maxout(config.width, concat_width, config.maxout_pieces), "maxout"),
                           labelled(layer_norm(config.width), "layernorm")};
  if (config.dropout > 0.f) parts.push_back(labelled(dropout(config.dropout), "dropout"));
  return chain(std::move(parts));
}

}  // namespace weft::nn
