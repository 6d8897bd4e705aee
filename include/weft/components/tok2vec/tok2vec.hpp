// The tok2vec component (weft.Tok2Vec.v1): embeds each token's lexical features (MultiHashEmbed) and
// contextualises them with the CNN window encoder. It annotates nothing itself: inside a pipeline its
// output goes into the batch's PipeContext, where listening components (tagger, morphologizer,
// lemmatizer, ...) read it, so the encoder runs once for all of them.
#pragma once

#include <atomic>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <unordered_map>
#include <span>
#include <vector>

#include "weft/backend/cpu_int8.hpp"
#include "weft/components/tok2vec/features.hpp"
#include "weft/doc/doc_chunks.hpp"
#include "weft/nn/layer.hpp"
#include "weft/pipeline/component.hpp"
#include "weft/pipeline/encoder.hpp"

namespace weft::nn {
class CharEmbed;
class HashEmbed;
class LayerNorm;
}  // namespace weft::nn

namespace weft {

struct Tok2VecConfig {
  std::int64_t width = 96;
  int depth = 4;
  int window_size = 1;
  int maxout_pieces = 3;
  float dropout = 0.1f;  // while training, after the embedding and inside each encoder block
  std::vector<FeatureSpec> features = default_features();
  std::string storage = "f16";  // weights on disk: f16 or f32
  // TSV of Brown clusters and log probabilities for CLUSTER / PROB features, read when training
  // starts (relative to the working directory); a trained model keeps its copy in its folder.
  std::string lexicon;
  // Word dropout (alpha > 0): while training, a token's identity keys (ORTH, LOWER, NORM) become the
  // unknown-word key with probability alpha / (alpha + the key's count in the training data), so
  // rare words teach the one unknown-word embedding and the model learns to read unseen words from
  // their other features; at inference an identity key no training word had is the unknown key too.
  // 0: off (an unseen word's keys hash into rows other words trained).
  float word_dropout = 0.f;
  // Optional parts, each a sub-object naming a registered architecture (category "architectures"):
  // "char_embed" ({"@architectures": "weft.CharEmbed.v1", "nM": 16, "nC": 8, "rows": 512}) adds
  // character features to the embedding's mix; "encoder" ({"@architectures": "weft.BiLSTMEncoder.v1",
  // "width": 128, "depth": 2, "dropout": 0.2}) runs a BiLSTM over each sequence (sentence, else Doc)
  // after the CNN, and the tok2vec's output width becomes the encoder's. Null: absent (the tok2vec
  // of before, bit for bit).
  Json char_embed;
  Json encoder;
  static Tok2VecConfig from_json(const Json& j);  // keys missing from j keep their defaults
  Json to_json() const;
};

// Registry category "architectures": the optional parts of a tok2vec, made from their config section.
// `column`: the first key column past the lexical features (where CharEmbed's code points are).
using Tok2VecLayerFactory = std::function<nn::Model(const Json& config, int column)>;

class Tok2Vec final : public Component, public TokenEncoder {
 public:
  Tok2Vec(std::string name, Tok2VecConfig config, std::shared_ptr<Vocab> vocab);

  std::string factory_name() const override { return "weft.Tok2Vec.v1"; }
  Json config() const override { return config_.to_json(); }
  TokenEncoder* as_encoder() noexcept override { return this; }
  const Tok2VecConfig& settings() const noexcept { return config_; }
  // The output's width: the encoder's when there is one, else the CNN's (config width).
  std::int64_t width() const noexcept override { return width_; }

  nn::Layer& model() const override { return *model_; }
  const FeatureExtractor& features() const noexcept { return features_; }
  // Caches the features of every word of `train` and draws the initial weights.
  void initialize(std::span<const Doc> train, std::uint64_t seed) override;
  // Feature keys of a batch, and the encoder's output for it (inference).
  nn::Ragged keys(std::span<const Doc> docs) const { return features_.extract(docs); }
  // keys() with word dropout applied (training).
  nn::Ragged train_keys(std::span<const Doc> docs, std::mt19937_64& rng) const override;
  nn::Ragged predict(std::span<const Doc> docs) const override;
  // The encoder's layers as trained (the path a GPU takes; the folded path equals it to rounding):
  // what the exported ONNX graph computes (components/interop).
  nn::Ragged predict_layers(std::span<const Doc> docs) const;
  // The inputs of that graph for a batch: the hash rows of every token's feature keys in each table,
  // i64 [N, F, n_hashes] (rows[i, f, h] = mix64(key of feature f, seed_f + h) % rows_f, as the
  // HashEmbed layers hash them), and the sequence of each token, i64 [N] (sentences, as the encoder's
  // windows see them: a new one at each Doc and at each sentence start already set).
  backend::Tensor hash_rows(std::span<const Doc> docs) const;
  static backend::Tensor sequence_ids(std::span<const Doc> docs);

  // Stores its output in context.tok2vec[name()].
  void pipe(std::span<Doc> docs, PipeContext& context) const override;
  void pipe(std::span<Doc> docs) const override;
  void operator()(Doc& doc) const override;

  // Precomputes the inference path from the current weights (from_disk does it; the trainer calls it
  // before each evaluation): the embedding mix is linear in the concatenated feature embeddings, so
  // each table row is multiplied by its block of the mix matrix once, and prediction sums hashed rows of
  // the product instead of running the mix's matrix product per token. Until it runs (or after weights
  // change without it), predict() uses the layers as trained. Not thread-safe with predict().
  void prepare_inference() override;
  void discard_inference() noexcept override { folded_ = {}; }
  // Moves the model to a device: on a GPU predict() runs the layers (encode_layers), on the CPU the
  // folded path again (prepare_inference).
  void to(backend::Device device) override;

  // dir/weights.safetensors and dir/words.txt (the cached vocabulary).
  void to_disk(const std::filesystem::path& dir) const override;
  void from_disk(const std::filesystem::path& dir) override;

 private:
  Tok2VecConfig config_;
  std::int64_t width_ = 0;
  int char_columns_ = 0;            // the CharEmbed's nC (0: no character features)
  nn::Layer* sequence_ = nullptr;   // the "lstm" part of model_, or null
  std::shared_ptr<Vocab> vocab_;
  FeatureExtractor features_;
  // Per feature, the training count of each identity key (filled by initialize, for word dropout).
  std::vector<std::unordered_map<std::uint64_t, std::uint32_t>> counts_;
  nn::Model model_;
  // Groups of rows folded together (Folded::table) and the fewest rows a product of the folded path
  // has: oneDNN's sgemm rounds a row the same whatever the number of rows from 16 up (fewer take
  // another kernel), so rows folded or cached a few at a time equal those of one product over them all.
  static constexpr std::int64_t kFoldRows = 16;
  struct Folded {
    // f32 [sum of rows + 1, width * pieces]; the last row is the mix's bias. Row r of feature f's block
    // is row r of its hash table times that feature's block of the mix matrix (mix[f], [Z, width]),
    // computed on first use kFoldRows rows at a time (`folded`: 0 not yet, 1 being written, 2 done, one
    // flag per group; group_offsets: each feature's first group), so a process computes and keeps
    // resident only the rows its text reaches.
    mutable backend::Tensor table;
    // The sources folded, in table order: each feature's hash table, then (with character features)
    // each character position's rows of the CharEmbed table, whose own mix block is [Z, nM].
    std::vector<backend::Tensor> sources;
    const nn::CharEmbed* chars = nullptr;
    std::vector<backend::Tensor> mix;
    std::vector<std::int64_t> offsets;  // first row of each source's block
    std::vector<std::int64_t> rows;     // rows of each source
    std::vector<std::int64_t> group_offsets;
    std::vector<std::uint32_t> seeds;   // per hash table
    int n_hashes = 0;
    std::unique_ptr<std::atomic<std::uint8_t>[]> folded;
    // The embedding (after the mix's normalisation) of every cached word, row = its cache row: a
    // known word's embedding is context-free, so prediction copies it instead of computing it. Filled on
    // the word's first use (`ready`, one flag per cached word, as `folded`).
    mutable backend::Tensor word_vectors;
    std::unique_ptr<std::atomic<std::uint8_t>[]> ready;
    // The encoder's blocks for encode_in_chunks: the maxout's weights [P * width, in] and bias with
    // their rows piece-major (the layer has them unit-major, piece q of unit u at u * P + q).
    struct Block {
      int window = 1, pieces = 3;
      backend::Tensor W, b;
      const nn::LayerNorm* norm = nullptr;
      backend::Int8Weights W8;  // W for the int8 product (backend/cpu_int8.hpp), where that is on
    };
    std::vector<Block> blocks;
    // The first block's product, folded into the word cache: its window is 2 * window + 1 words and
    // the product is linear, so its pre-activation at word i is the sum over offsets o of
    // first_W[o] @ x[i + o] (words outside the sentence add nothing). first_W: [(2 * window + 1) *
    // P * width, width], offset o's part of blocks[0].W (rows in that order); word_window: [cached
    // words, (2 * window + 1) * P * width], every cached word's parts (filled with word_vectors), so a
    // known word's parts are a copy instead of a product.
    backend::Tensor first_W;
    mutable backend::Tensor word_window;
  };
  // The layers as trained over a batch on the model's device (a GPU, or the CPU before
  // prepare_inference), device_chunking().device_words words a pass: Docs grouped, a long Doc in runs of
  // whole sentences, a longer sentence in windows that overlap by the encoder's reach, so each output
  // row is what one pass over the whole batch gives it, in memory bounded by the pass.
  nn::Ragged encode_layers(std::span<const Doc> docs) const;
  // The sequence encoder (sequence_) over X [n, config width], the rows of sequences `lengths`, a
  // group of whole sequences of about `chunk_words` words at a time (an LSTM's reach is its whole
  // sequence, so a sequence is never cut): [n, width()] on the model's device.
  backend::Tensor encode_sequences(const backend::Tensor& X, const backend::Tensor& lengths, std::int64_t chunk_words) const;
  // The embedding and CNN of the model (every part before the sequence encoder) over keys.
  nn::Ragged embed_and_convolve(const nn::Ragged& keys) const;
  // Folds group g of feature f's table (Folded::table) unless done; thread-safe.
  void fold_group(std::size_t f, std::int64_t g) const;
  // Embeddings of tokens with these keys (u64 [n, F + character columns]) through the folded tables:
  // [n, width].
  backend::Tensor embed_folded(const backend::Tensor& keys) const;
  // The encoder over the embedded rows of a batch of `docs`, written into X, a chunk of about
  // inference_chunking().chunk_words words at a time (doc_chunks.hpp: a long Doc in runs of whole
  // sentences, a sentence longer than a chunk in windows overlapping by the encoder's receptive field),
  // so that the windows, pre-activations and norms stay in the cache and memory is bounded (the same
  // operations as the encoder's layers, which run each over the whole batch). The first block sums
  // folded parts (Folded::word_window) instead of its product.
  void encode_in_chunks(std::span<const Doc> docs, backend::Tensor& X) const;
  // Embeds and encodes one piece: tokens `runs` (rows [0, n) of x, n their total), whose rows
  // [keep_begin, keep_end) go to X from row `out_row`.
  void encode_piece(std::span<const Doc> docs, std::span<const DocRun> runs, backend::Tensor& x, std::int64_t keep_begin,
                    std::int64_t keep_end, backend::Tensor& X, std::int64_t out_row) const;
  // The first block's pre-activations of the piece's rows (sequences `lengths`): row i sums the parts
  // of the words in its window, found by source[j] (>= 0: row of Folded::word_window, else row -1 - s
  // of `computed`, laid out as word_window).
  void sum_window_parts(const std::int32_t* source, const float* computed, const backend::Tensor& lengths, int window,
                        backend::Tensor& pre) const;
  std::optional<Folded> folded_;
};

}  // namespace weft
