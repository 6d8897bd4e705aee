#include "weft/components/tok2vec/tok2vec.hpp"

#include <algorithm>
#include <cstring>
#include <cmath>
#include <fstream>
#include <thread>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "weft/doc/doc_chunks.hpp"
#include "weft/error.hpp"
#include "weft/mix64.hpp"
#include "weft/backend/scratch.hpp"
#include "weft/nn/bilstm.hpp"
#include "weft/nn/char_embed.hpp"
#include "weft/nn/hash_embed.hpp"
#include "weft/nn/expand_window.hpp"
#include "weft/nn/layer_norm.hpp"
#include "weft/nn/maxout.hpp"
#include "weft/nn/tok2vec.hpp"
#include "weft/nn/weights.hpp"
#include "weft/pipeline/registry.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

namespace {

// The sequences of `runs` for the encoder: their sentences (a run's first word starts one), i32 [count].
backend::Tensor run_sentence_lengths(std::span<const Doc> docs, std::span<const DocRun> runs) {
  std::vector<std::int32_t> lens;
  for (const DocRun& r : runs) {
    std::int32_t len = 0;
    for (std::int64_t i = r.begin; i < r.end; ++i) {
      if (i > r.begin && docs[r.doc].data(static_cast<std::size_t>(i)).sent_start == 1) {
        lens.push_back(len);
        len = 0;
      }
      ++len;
    }
    lens.push_back(len);
  }
  return backend::Tensor::from_vector(lens, {static_cast<std::int64_t>(lens.size())});
}

// A tok2vec part from its config section `key` (an object naming a registered architecture).
nn::Model make_part(const Json& config, const char* key, int column, const std::string& who) {
  if (!config.is_object() || !config.contains("@architectures") || !config["@architectures"].is_string())
    throw ValueError(who + ": \"" + key + "\" must be null or an object naming its \"@architectures\", not " + config.dump());
  const auto& make = Registry::global().get<Tok2VecLayerFactory>("architectures", config["@architectures"].get<std::string>());
  return make(config, column);
}

nn::StorageType storage_type(const std::string& s) {
  if (s == "f16") return nn::StorageType::F16;
  if (s == "f32") return nn::StorageType::F32;
  throw ValueError("storage must be \"f16\" or \"f32\", not \"" + s + "\"");
}

}  // namespace

Tok2VecConfig Tok2VecConfig::from_json(const Json& j) {
  Tok2VecConfig c;
  if (j.is_null()) return c;
  if (!j.is_object()) throw ValueError("a tok2vec config must be a JSON object");
  check_config_keys(j, {"@architectures", "width", "depth", "window_size", "maxout_pieces", "dropout", "features", "storage",
                        "lexicon", "word_dropout", "char_embed", "encoder"},
                    "the tok2vec config");
  if (j.contains("@architectures") && j["@architectures"] != "weft.Tok2Vec.v1")
    throw ValueError("unknown tok2vec architecture " + j["@architectures"].dump() + " (known: weft.Tok2Vec.v1)");
  c.width = j.value("width", c.width);
  c.depth = j.value("depth", c.depth);
  c.window_size = j.value("window_size", c.window_size);
  c.maxout_pieces = j.value("maxout_pieces", c.maxout_pieces);
  c.dropout = j.value("dropout", c.dropout);
  c.storage = j.value("storage", c.storage);
  c.lexicon = j.value("lexicon", c.lexicon);
  c.word_dropout = j.value("word_dropout", c.word_dropout);
  storage_type(c.storage);
  c.char_embed = j.value("char_embed", Json());
  c.encoder = j.value("encoder", Json());
  if (j.contains("features")) {
    c.features.clear();
    for (const Json& f : j["features"]) c.features.push_back(FeatureSpec::from_json(f));
  }
  if (c.width < 1 || c.depth < 0 || c.window_size < 0 || c.maxout_pieces < 1 || c.dropout < 0.f || c.dropout >= 1.f ||
      !(c.word_dropout >= 0.f))
    throw ValueError("tok2vec config out of range: " + j.dump());
  return c;
}

Json Tok2VecConfig::to_json() const {
  Json j = Json::object();
  j["@architectures"] = "weft.Tok2Vec.v1";
  j["width"] = width;
  j["depth"] = depth;
  j["window_size"] = window_size;
  j["maxout_pieces"] = maxout_pieces;
  j["dropout"] = dropout;
  Json f = Json::array();
  for (const FeatureSpec& s : features) f.push_back(s.to_json());
  j["features"] = f;
  j["storage"] = storage;
  if (!lexicon.empty()) j["lexicon"] = lexicon;
  j["word_dropout"] = word_dropout;
  if (!char_embed.is_null()) j["char_embed"] = char_embed;
  if (!encoder.is_null()) j["encoder"] = encoder;
  return j;
}

Tok2Vec::Tok2Vec(std::string name, Tok2VecConfig config, std::shared_ptr<Vocab> vocab)
    : Component(std::move(name)), config_(std::move(config)), vocab_(std::move(vocab)) {
  const bool lexical = FeatureExtractor::needs_lexicon(config_.features);
  if (lexical && config_.lexicon.empty())
    throw ValueError("tok2vec \"" + this->name() + "\": CLUSTER, PROB, CASE and TAG features need a \"lexicon\" file");
  if (!lexical) features_ = FeatureExtractor(config_.features);
  const std::string who = "tok2vec \"" + this->name() + "\"";
  const auto column = static_cast<int>(config_.features.size());
  nn::Tok2VecConfig c;
  if (!config_.char_embed.is_null()) {
    c.embed.chars = make_part(config_.char_embed, "char_embed", column, who);
    const auto* chars = dynamic_cast<const nn::CharEmbed*>(c.embed.chars.get());
    if (chars == nullptr)
      throw ValueError(who + ": \"char_embed\" names " + config_.char_embed["@architectures"].dump() +
                       ", which makes no character embedding (" + c.embed.chars->type() + ")");
    char_columns_ = chars->nC();
  }
  features_.set_char_columns(char_columns_);
  width_ = config_.width;
  if (!config_.encoder.is_null()) {
    c.sequence = make_part(config_.encoder, "encoder", column, who);
    sequence_ = c.sequence.get();
    width_ = c.sequence->nO() > 0 ? c.sequence->nO() : c.sequence->children().empty() ? 0 : c.sequence->children().back()->nO();
    if (width_ < 1) throw ValueError(who + ": the \"encoder\" " + config_.encoder["@architectures"].dump() + " has no known output width");
  }
  c.embed.width = config_.width;
  c.embed.rows.clear();
  for (const FeatureSpec& s : config_.features) {
    c.embed.rows.push_back(s.rows);
    c.embed.names.push_back(s.name());
  }
  c.embed.maxout_pieces = config_.maxout_pieces;
  c.embed.dropout = config_.dropout;
  c.encode.width = config_.width;
  c.encode.depth = config_.depth;
  c.encode.window_size = config_.window_size;
  c.encode.maxout_pieces = config_.maxout_pieces;
  c.encode.dropout = config_.dropout;
  model_ = nn::tok2vec(c);
}

void Tok2Vec::initialize(std::span<const Doc> train, std::uint64_t seed) {
  features_ = FeatureExtractor(config_.features, config_.lexicon.empty() ? nullptr : Lexicon::load(config_.lexicon));
  features_.set_char_columns(char_columns_);
  for (const Doc& d : train)
    for (std::size_t i = 0; i < d.size(); ++i) features_.cache(d.token_text(i), *vocab_);
  counts_.assign(features_.size(), {});
  const nn::Ragged all = keys(train);
  const std::uint64_t* k = all.data.data<std::uint64_t>();
  const auto F = static_cast<std::int64_t>(features_.size());
  const std::int64_t K = features_.columns();
  for (std::int64_t i = 0; i < all.data.dim(0); ++i)
    for (std::int64_t f = 0; f < F; ++f)
      if (features_.specs()[static_cast<std::size_t>(f)].identity()) ++counts_[static_cast<std::size_t>(f)][k[i * K + f]];
  features_.set_unknown_words(config_.word_dropout > 0.f);
  nn::Ragged sample = keys(train.subspan(0, std::min<std::size_t>(train.size(), 8)));
  model_->initialize(&sample, nullptr, seed);
  folded_.reset();
}

nn::Ragged Tok2Vec::train_keys(std::span<const Doc> docs, std::mt19937_64& rng) const {
  nn::Ragged out = keys(docs);
  const float alpha = config_.word_dropout;
  if (alpha <= 0.f || counts_.empty()) return out;
  std::uniform_real_distribution<float> uniform(0.f, 1.f);
  std::uint64_t* k = out.data.data<std::uint64_t>();
  const auto F = static_cast<std::int64_t>(features_.size());
  const std::int64_t K = features_.columns();
  for (std::int64_t i = 0; i < out.data.dim(0); ++i)
    for (std::int64_t f = 0; f < F; ++f) {
      if (!features_.specs()[static_cast<std::size_t>(f)].identity()) continue;
      const auto& counts = counts_[static_cast<std::size_t>(f)];
      const auto it = counts.find(k[i * K + f]);
      const float count = it == counts.end() ? 0.f : static_cast<float>(it->second);
      if (uniform(rng) < alpha / (alpha + count)) k[i * K + f] = FeatureExtractor::kUnknownKey;
    }
  return out;
}

namespace {

// The parts of the tok2vec chain: embed = [concat(hash tables, chars?), maxout, layernorm, dropout?],
// encoder (the CNN, absent at depth 0), sequence (the BiLSTM, optional).
struct Parts {
  std::vector<nn::HashEmbed*> tables;
  const nn::CharEmbed* chars = nullptr;
  nn::Maxout* mix = nullptr;
  nn::Layer* norm = nullptr;
  nn::Layer* encoder = nullptr;
  nn::Layer* sequence = nullptr;
};

Parts parts_of(nn::Layer& model) {
  Parts p;
  if (model.children().empty()) throw ModelError("tok2vec: unexpected model structure");
  nn::Layer& embed = *model.children()[0];
  for (std::size_t i = 1; i < model.children().size(); ++i) {
    nn::Layer* part = model.children()[i].get();
    if (part->label() == "encode" && p.encoder == nullptr && p.sequence == nullptr) p.encoder = part;
    else if (part->label() == "lstm" && p.sequence == nullptr) p.sequence = part;
    else throw ModelError("tok2vec: unexpected model part " + part->describe());
  }
  if (embed.children().size() < 3) throw ModelError("tok2vec: unexpected embedding structure");
  for (const nn::Model& t : embed.children()[0]->children()) {
    if (const auto* c = dynamic_cast<const nn::CharEmbed*>(t.get()); c != nullptr && p.chars == nullptr) {
      p.chars = c;
      continue;
    }
    auto* h = dynamic_cast<nn::HashEmbed*>(t.get());
    if (!h) throw ModelError("tok2vec: the embedding has a table that is not a HashEmbed");
    p.tables.push_back(h);
  }
  p.mix = dynamic_cast<nn::Maxout*>(embed.children()[1].get());
  p.norm = embed.children()[2].get();
  if (!p.mix) throw ModelError("tok2vec: the embedding mix is not a Maxout");
  return p;
}

}  // namespace

void Tok2Vec::prepare_inference() {
  folded_.reset();
  if (!model_->initialized() || !model_->device().is_cpu()) return;
  const Parts p = parts_of(*model_);
  const backend::Tensor& W = p.mix->weights();  // [Z, F * width (+ nC * nM)]
  const std::int64_t Z = W.dim(0), width = config_.width;
  Folded f;
  std::int64_t total = 0, groups = 0;
  // The sources folded: each hash table, then each character position's table (its rows of CharEmbed's
  // E), with the mix's columns for it.
  std::vector<std::int64_t> columns;
  const auto add_source = [&](const backend::Tensor& E, std::int64_t column) {
    f.sources.push_back(E);
    columns.push_back(column);
    f.offsets.push_back(total);
    f.rows.push_back(E.dim(0));
    f.group_offsets.push_back(groups);
    total += E.dim(0);
    groups += (E.dim(0) + kFoldRows - 1) / kFoldRows;
  };
  for (nn::HashEmbed* h : p.tables) {
    add_source(h->table(), static_cast<std::int64_t>(f.seeds.size()) * width);
    f.seeds.push_back(h->seed());
    f.n_hashes = h->n_hashes();
  }
  if (p.chars != nullptr) {
    f.chars = p.chars;
    for (int q = 0; q < p.chars->nC(); ++q)
      add_source(p.chars->table().rows(q * p.chars->rows(), (q + 1) * p.chars->rows()),
                 static_cast<std::int64_t>(p.tables.size()) * width + q * p.chars->nM());
  }
  // The folded rows are computed on first use (fold_group): until then their pages are not touched, so
  // they take no memory.
  f.table = backend::Tensor::empty({total + 1, Z}, backend::DType::F32);
  f.folded = std::make_unique<std::atomic<std::uint8_t>[]>(static_cast<std::size_t>(groups));
  // Source t's block of W, columns [columns[t], + its width): copied out to multiply with its table.
  const float* w = W.data<float>();
  for (std::size_t t = 0; t < f.sources.size(); ++t) {
    const std::int64_t cw = f.sources[t].dim(1);
    backend::Tensor Wf = backend::Tensor::empty({Z, cw}, backend::DType::F32);
    float* wf = Wf.data<float>();
    for (std::int64_t r = 0; r < Z; ++r) std::copy(w + r * W.dim(1) + columns[t], w + r * W.dim(1) + columns[t] + cw, wf + r * cw);
    f.mix.push_back(std::move(Wf));
  }
  const float* b = p.mix->bias().data<float>();
  std::copy(b, b + Z, f.table.data<float>() + total * Z);
  // The encoder's blocks (residual [expand_window, maxout, layernorm, dropout?]) with the maxout's
  // rows reordered piece-major for encode_in_chunks.
  for (const nn::Model& residual : p.encoder != nullptr ? p.encoder->children() : std::vector<nn::Model>{}) {
    const auto& inner = residual->children().at(0)->children();
    const auto* win = inner.size() >= 3 ? dynamic_cast<const nn::ExpandWindow*>(inner[0].get()) : nullptr;
    const auto* mix = inner.size() >= 3 ? dynamic_cast<const nn::Maxout*>(inner[1].get()) : nullptr;
    const auto* norm = inner.size() >= 3 ? dynamic_cast<const nn::LayerNorm*>(inner[2].get()) : nullptr;
    if (!win || !mix || !norm) throw ModelError("tok2vec: unexpected encoder block");
    const std::int64_t P = mix->pieces(), in = mix->weights().dim(1);
    Folded::Block blk{win->n_window(), static_cast<int>(P), backend::Tensor::empty({P * width, in}, backend::DType::F32),
                      backend::Tensor::empty({P * width}, backend::DType::F32), norm, {}};
    const float* wsrc = mix->weights().data<float>();
    const float* bsrc = mix->bias().data<float>();
    for (std::int64_t u = 0; u < width; ++u)
      for (std::int64_t q = 0; q < P; ++q) {
        std::copy(wsrc + (u * P + q) * in, wsrc + (u * P + q + 1) * in, blk.W.data<float>() + (q * width + u) * in);
        blk.b.data<float>()[q * width + u] = bsrc[u * P + q];
      }
    blk.W8 = backend::quantize_weights(blk.W);
    f.blocks.push_back(std::move(blk));
  }
  if (!f.blocks.empty()) {
    // first_W: blocks[0].W's columns of window offset o (one word's width each) stacked as rows.
    const Folded::Block& b0 = f.blocks.front();
    const std::int64_t span = 2 * b0.window + 1, PW = b0.pieces * width, in = b0.W.dim(1);
    f.first_W = backend::Tensor::empty({span * PW, width}, backend::DType::F32);
    for (std::int64_t o = 0; o < span; ++o)
      for (std::int64_t r = 0; r < PW; ++r)
        std::copy(b0.W.data<float>() + r * in + o * width, b0.W.data<float>() + r * in + (o + 1) * width,
                  f.first_W.data<float>() + (o * PW + r) * width);
  }
  // Every cached word's embedding and first-block parts, filled on the word's first use (predict).
  const auto n_words = std::max<std::int64_t>(1, static_cast<std::int64_t>(features_.cached()));
  f.word_vectors = backend::Tensor::empty({n_words, width}, backend::DType::F32);
  if (!f.blocks.empty()) f.word_window = backend::Tensor::empty({n_words, f.first_W.dim(0)}, backend::DType::F32);
  f.ready = std::make_unique<std::atomic<std::uint8_t>[]>(static_cast<std::size_t>(n_words));
  folded_ = std::move(f);
}

void Tok2Vec::fold_group(std::size_t t, std::int64_t g) const {
  const Folded& f = *folded_;
  std::atomic<std::uint8_t>& state = f.folded[static_cast<std::size_t>(f.group_offsets[t] + g)];
  if (state.load(std::memory_order_acquire) == 2) return;
  // One product of kFoldRows rows (padded with zero rows at a table's end), as every group.
  const backend::Tensor& E = f.sources[t];
  const std::int64_t r0 = g * kFoldRows, r1 = std::min(f.rows[t], r0 + kFoldRows), width = E.dim(1);
  const std::int64_t Z = f.table.dim(1);
  backend::ScratchArena& arena = backend::ScratchArena::local(backend::Device::cpu());
  backend::ScratchArena::Scope scope(arena);
  backend::Tensor in = E.rows(r0, r1);
  if (r1 - r0 < kFoldRows) {
    in = arena.take({kFoldRows, width});
    float* dst = in.data<float>();
    std::fill(dst, dst + kFoldRows * width, 0.f);
    std::copy(E.data<float>() + r0 * width, E.data<float>() + r1 * width, dst);
  }
  backend::Tensor out = arena.take({kFoldRows, Z});
  backend::ops(backend::Device::cpu()).gemm(in, false, f.mix[t], true, out);
  std::uint8_t expected = 0;
  if (state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
    backend::Tensor rows = f.table.rows(f.offsets[t] + r0, f.offsets[t] + r1);
    std::copy(out.data<float>(), out.data<float>() + (r1 - r0) * Z, rows.data<float>());
    state.store(2, std::memory_order_release);
  } else {
    while (state.load(std::memory_order_acquire) != 2) std::this_thread::yield();  // another thread is copying it
  }
}

backend::Tensor Tok2Vec::embed_folded(const backend::Tensor& K) const {
  const Parts p = parts_of(*model_);
  const std::int64_t n = K.dim(0), K_cols = K.dim(1), F = static_cast<std::int64_t>(folded_->seeds.size());
  const std::int64_t H = folded_->n_hashes, C = K_cols - F;  // C: character columns
  const std::int64_t Z = folded_->table.dim(1), cols = F * H + C + 1;
  backend::Ops& o = backend::ops(backend::Device::cpu());
  backend::ScratchArena& arena = backend::ScratchArena::local(backend::Device::cpu());
  backend::Tensor mixed = backend::Tensor::empty({n, config_.width}, backend::DType::F32);
  {
    backend::ScratchArena::Scope scope(arena);
    backend::Tensor ids = arena.take({n, cols}, backend::DType::I32);
    backend::Tensor col_keys = arena.take({n}, backend::DType::U64);
    backend::Tensor col_ids = arena.take({n, H}, backend::DType::I32);
    const std::uint64_t* k = K.data<std::uint64_t>();
    std::int32_t* id = ids.data<std::int32_t>();
    const auto bias_row = static_cast<std::int32_t>(folded_->table.dim(0) - 1);
    for (std::int64_t f = 0; f < F; ++f) {
      std::uint64_t* ck = col_keys.data<std::uint64_t>();
      for (std::int64_t i = 0; i < n; ++i) ck[i] = k[i * K_cols + f];
      o.hash_rows(col_keys, folded_->seeds[static_cast<std::size_t>(f)], folded_->rows[static_cast<std::size_t>(f)], col_ids);
      const std::int32_t* ci = col_ids.data<std::int32_t>();
      const auto off = static_cast<std::int32_t>(folded_->offsets[static_cast<std::size_t>(f)]);
      const std::atomic<std::uint8_t>* folded = folded_->folded.get() + folded_->group_offsets[static_cast<std::size_t>(f)];
      for (std::int64_t i = 0; i < n; ++i)
        for (std::int64_t h = 0; h < H; ++h) {
          const std::int32_t row = ci[i * H + h];
          if (folded[row / kFoldRows].load(std::memory_order_acquire) != 2) fold_group(static_cast<std::size_t>(f), row / kFoldRows);
          id[i * cols + f * H + h] = row + off;
        }
    }
    for (std::int64_t q = 0; q < C; ++q) {
      const auto t = static_cast<std::size_t>(F + q);
      const std::atomic<std::uint8_t>* folded = folded_->folded.get() + folded_->group_offsets[t];
      const std::int64_t first = q * folded_->rows[t];  // position q's first row in CharEmbed's E
      for (std::int64_t i = 0; i < n; ++i) {
        const auto row = static_cast<std::int32_t>(folded_->chars->row(static_cast<int>(q), k[i * K_cols + F + q]) - first);
        if (folded[row / kFoldRows].load(std::memory_order_acquire) != 2) fold_group(t, row / kFoldRows);
        id[i * cols + F * H + q] = row + static_cast<std::int32_t>(folded_->offsets[t]);
      }
    }
    for (std::int64_t i = 0; i < n; ++i) id[i * cols + cols - 1] = bias_row;
    backend::Tensor pre = arena.take({n, Z});
    o.gather_sum_rows(folded_->table, ids, pre);
    backend::Tensor which = arena.take({n, config_.width}, backend::DType::U8);
    o.maxout(pre, p.mix->pieces(), mixed, which);
  }
  const backend::Tensor one = backend::Tensor::from_vector(std::vector<std::int32_t>{static_cast<std::int32_t>(n)}, {1});
  return p.norm->predict({mixed, one}).data;
}

void Tok2Vec::to(backend::Device device) {
  folded_.reset();
  model_->to(device);
  prepare_inference();  // folds on the CPU; on a GPU predict() runs the layers
}

nn::Ragged Tok2Vec::encode_layers(std::span<const Doc> docs) const {
  std::int64_t n = 0;
  for (const Doc& d : docs) n += static_cast<std::int64_t>(d.size());
  const std::int64_t W = config_.width, K = features_.columns();
  backend::Tensor X = backend::Tensor::empty({n, W}, backend::DType::F32, model_->device());
  const InferenceChunking c = device_chunking();
  // A word's output depends on the words up to `reach` places away in its sentence.
  const std::int64_t reach = static_cast<std::int64_t>(config_.depth) * config_.window_size;
  // Encodes `runs` (n_rows words) and copies rows [keep_begin, keep_end) of the output to X from row out_row.
  const auto encode = [&](std::span<const DocRun> runs, std::int64_t n_rows, std::int64_t keep_begin, std::int64_t keep_end,
                          std::int64_t out_row) {
    backend::Tensor keys_t = backend::Tensor::empty({n_rows, K}, backend::DType::U64);
    std::uint64_t* k = keys_t.data<std::uint64_t>();
    for (const DocRun& r : runs)
      for (std::int64_t t = r.begin; t < r.end; ++t, k += K) features_.row_keys(docs[r.doc], static_cast<std::size_t>(t), k);
    const nn::Ragged Y = embed_and_convolve({keys_t, run_sentence_lengths(docs, runs)});
    X.rows(out_row, out_row + (keep_end - keep_begin)).copy_from(Y.data.rows(keep_begin, keep_end));
  };
  for_each_chunk(docs, c, [](const Doc& d, std::size_t i) { return d.data(i).sent_start == 1; },
                 [&](std::span<const DocRun> runs) {
                   const DocRun& run = runs.front();
                   if (runs.size() == 1 && run.size() > c.chunk_words) {
                     // One sentence longer than a pass: windows computed with `reach` words of it on either
                     // side, whose rows then hold what the whole sentence gives them.
                     for (std::int64_t w0 = run.begin; w0 < run.end; w0 += c.chunk_words) {
                       const std::int64_t w1 = std::min(run.end, w0 + c.chunk_words);
                       const std::int64_t c0 = std::max(run.begin, w0 - reach), c1 = std::min(run.end, w1 + reach);
                       const DocRun piece{run.doc, c0, c1, run.row + (c0 - run.begin)};
                       encode(std::span<const DocRun>(&piece, 1), c1 - c0, w0 - c0, w1 - c0, run.row + (w0 - run.begin));
                     }
                     return;
                   }
                   std::int64_t words = 0;
                   for (const DocRun& r : runs) words += r.size();
                   encode(runs, words, 0, words, run.row);
                 });
  backend::Tensor lengths = FeatureExtractor::lengths(docs);
  if (sequence_ != nullptr) X = encode_sequences(X, lengths, c.chunk_words);
  return {X, std::move(lengths)};
}

nn::Ragged Tok2Vec::embed_and_convolve(const nn::Ragged& keys) const {
  nn::Ragged x = keys;
  for (const nn::Model& part : model_->children()) {
    if (part.get() == sequence_) break;
    x = part->predict(x);
  }
  return x;
}

backend::Tensor Tok2Vec::encode_sequences(const backend::Tensor& X, const backend::Tensor& lengths,
                                          std::int64_t chunk_words) const {
  const std::int64_t n = X.dim(0);
  backend::Tensor Y = backend::Tensor::empty({n, width_}, backend::DType::F32, model_->device());
  const std::int32_t* len = lengths.data<std::int32_t>();
  const std::int64_t D = lengths.numel();
  std::vector<std::int32_t> group;
  std::int64_t row = 0;
  for (std::int64_t i = 0; i < D;) {
    group.clear();
    std::int64_t words = 0;
    do {
      group.push_back(len[i]);
      words += len[i++];
    } while (i < D && words + len[i] <= chunk_words);
    const backend::Tensor g = backend::Tensor::from_vector(group, {static_cast<std::int64_t>(group.size())});
    const nn::Ragged out = sequence_->predict({X.rows(row, row + words), g});
    Y.rows(row, row + words).copy_from(out.data);
    row += words;
  }
  return Y;
}

nn::Ragged Tok2Vec::predict_layers(std::span<const Doc> docs) const {
  if (!model_->initialized()) throw ModelError("tok2vec \"" + name() + "\" is not initialized (train or load it first)");
  return encode_layers(docs);
}

backend::Tensor Tok2Vec::hash_rows(std::span<const Doc> docs) const {
  const Parts p = parts_of(*model_);
  const nn::Ragged k = keys(docs);
  const std::int64_t n = k.data.dim(0), F = static_cast<std::int64_t>(p.tables.size());
  if (k.data.ndim() != 2 || k.data.dim(1) != features_.columns() || features_.size() != p.tables.size())
    throw ModelError("tok2vec \"" + name() + "\": keys and tables disagree");
  const std::int64_t K = k.data.dim(1);
  const int H = p.tables.empty() ? 0 : p.tables.front()->n_hashes();
  for (const nn::HashEmbed* t : p.tables)
    if (t->n_hashes() != H) throw ModelError("tok2vec \"" + name() + "\": its tables hash a key a different number of times");
  backend::Tensor out = backend::Tensor::empty({n, F, H}, backend::DType::I64);
  const std::uint64_t* kp = k.data.data<std::uint64_t>();
  std::int64_t* o = out.data<std::int64_t>();
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t f = 0; f < F; ++f) {
      const nn::HashEmbed& t = *p.tables[static_cast<std::size_t>(f)];
      const std::uint64_t key = kp[i * K + t.column()];
      for (int h = 0; h < H; ++h)
        *o++ = static_cast<std::int64_t>(mix64(key, std::uint64_t{t.seed()} + static_cast<std::uint64_t>(h)) %
                                         static_cast<std::uint64_t>(t.nV()));
    }
  return out;
}

backend::Tensor Tok2Vec::sequence_ids(std::span<const Doc> docs) {
  std::vector<std::int64_t> ids;
  std::int64_t seq = -1;
  for (const Doc& d : docs)
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (i == 0 || d.data(i).sent_start == 1) ++seq;
      ids.push_back(seq);
    }
  return backend::Tensor::from_vector(ids, {static_cast<std::int64_t>(ids.size())});
}

nn::Ragged Tok2Vec::predict(std::span<const Doc> docs) const {
  if (!model_->initialized()) throw ModelError("tok2vec \"" + name() + "\" is not initialized (train or load it first)");
  if (!folded_ || device_paths()) return encode_layers(docs);
  std::int64_t n = 0;
  for (const Doc& d : docs) n += static_cast<std::int64_t>(d.size());
  backend::Tensor embedded = backend::Tensor::empty({n, config_.width}, backend::DType::F32);
  encode_in_chunks(docs, embedded);
  backend::Tensor lengths = FeatureExtractor::lengths(docs);
  if (sequence_ != nullptr) embedded = encode_sequences(embedded, lengths, inference_chunking().chunk_words);
  return {embedded, std::move(lengths)};
}
namespace {

// x += layer_norm(maxout(pre + bias)) row by row, in one pass: the bias, maxout, norm and residual
// sum of an encoder block, which the layers do in four passes over the batch (and the bias in a fifth,
// before the product). pre: [n, P * W], piece-major (piece p of unit o at p * W + o, so the maxout is
// an elementwise max of P contiguous rows); x: [n, W]. The sums run in kLanes partial sums so that
// they vectorize (a single float accumulator is a chain of dependent adds).
// With `int8`, pre holds the int8 product's int32 sums (backend/cpu_int8.hpp), scaled here on the way:
// pre[i, c] = s_i * (scale_c * acc[i, c] - z_i * scaled_sum_c).
struct Int8Sums {
  const float *s, *z;               // per row
  const float *scale, *scaled_sum;  // per column (Int8Weights)
};

void maxout_norm_add(const float* pre, const float* bias, int P, std::int64_t n, std::int64_t W, const float* gamma,
                     const float* beta, float eps, float* x, const Int8Sums* int8 = nullptr) {
  constexpr std::int64_t kLanes = 16;
  std::vector<float> h(static_cast<std::size_t>(W));
  float* hp = h.data();
  const float inv_w = 1.f / static_cast<float>(W);
#if defined(__AVX2__)
  if (W % 8 == 0) {
    // The same steps in registers; the sums add their eight lanes pairwise at the end.
    const auto hsum = [](__m256 v) {
      __m128 q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
      q = _mm_add_ps(q, _mm_movehl_ps(q, q));
      q = _mm_add_ss(q, _mm_movehdup_ps(q));
      return _mm_cvtss_f32(q);
    };
    for (std::int64_t i = 0; i < n; ++i) {
      const float* z = pre + i * W * P;
      // pre[i, c] + bias[c] for 8 columns from c
      __m256 vs = _mm256_setzero_ps(), vz = vs;
      if (int8 != nullptr) {
        vs = _mm256_set1_ps(int8->s[i]);
        vz = _mm256_set1_ps(int8->z[i]);
      }
      const auto at = [&](std::int64_t c) {
        if (int8 == nullptr) return _mm256_add_ps(_mm256_loadu_ps(z + c), _mm256_loadu_ps(bias + c));
        const __m256 acc = _mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(z + c)));
        const __m256 v = _mm256_fmsub_ps(_mm256_loadu_ps(int8->scale + c), acc, _mm256_mul_ps(vz, _mm256_loadu_ps(int8->scaled_sum + c)));
        return _mm256_fmadd_ps(vs, v, _mm256_loadu_ps(bias + c));
      };
      __m256 sum = _mm256_setzero_ps();
      for (std::int64_t o = 0; o < W; o += 8) {
        __m256 m = at(o);
        for (int p = 1; p < P; ++p) m = _mm256_max_ps(m, at(p * W + o));
        _mm256_storeu_ps(hp + o, m);
        sum = _mm256_add_ps(sum, m);
      }
      const __m256 mean = _mm256_set1_ps(hsum(sum) * inv_w);
      __m256 sq = _mm256_setzero_ps();
      for (std::int64_t o = 0; o < W; o += 8) {
        const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(hp + o), mean);
        sq = _mm256_fmadd_ps(d, d, sq);
      }
      const __m256 rstd = _mm256_set1_ps(1.f / std::sqrt(hsum(sq) * inv_w + eps));
      float* row = x + i * W;
      for (std::int64_t o = 0; o < W; o += 8) {
        const __m256 y = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(hp + o), mean), rstd),
                                         _mm256_loadu_ps(gamma + o), _mm256_loadu_ps(beta + o));
        _mm256_storeu_ps(row + o, _mm256_add_ps(_mm256_loadu_ps(row + o), y));
      }
    }
    return;
  }
#endif
  for (std::int64_t i = 0; i < n; ++i) {
    const float* z = pre + i * W * P;
    const auto at = [&](std::int64_t c) {
      if (int8 == nullptr) return z[c] + bias[c];
      std::int32_t acc;
      std::memcpy(&acc, z + c, sizeof acc);
      return int8->s[i] * (int8->scale[c] * static_cast<float>(acc) - int8->z[i] * int8->scaled_sum[c]) + bias[c];
    };
    for (std::int64_t o = 0; o < W; ++o) hp[o] = at(o);
    for (int p = 1; p < P; ++p)
      for (std::int64_t o = 0; o < W; ++o) hp[o] = std::max(hp[o], at(p * W + o));
    float lanes[kLanes] = {};
    std::int64_t o = 0;
    for (; o + kLanes <= W; o += kLanes)
      for (std::int64_t l = 0; l < kLanes; ++l) lanes[l] += hp[o + l];
    float sum = 0.f;
    for (; o < W; ++o) sum += hp[o];
    for (const float l : lanes) sum += l;
    const float mean = sum * inv_w;
    float sq[kLanes] = {};
    for (o = 0; o + kLanes <= W; o += kLanes)
      for (std::int64_t l = 0; l < kLanes; ++l) sq[l] += (hp[o + l] - mean) * (hp[o + l] - mean);
    float var = 0.f;
    for (; o < W; ++o) var += (hp[o] - mean) * (hp[o] - mean);
    for (const float l : sq) var += l;
    const float rstd = 1.f / std::sqrt(var * inv_w + eps);
    float* row = x + i * W;
    for (o = 0; o < W; ++o) row[o] += (hp[o] - mean) * rstd * gamma[o] + beta[o];
  }
}

// The windows of rows [0, n) of x (sequences `lengths`, words outside a sequence are zeros), each
// quantized as one row for the int8 product: seq2col and the product's quantization in one pass,
// without the f32 windows; each row's range is found once for the windows it is in.
void quantize_windows(const float* x, std::int64_t n, std::int64_t W, const backend::Tensor& lengths, int window,
                      std::uint8_t* q, float* s, float* z) {
  const std::int64_t span = 2 * static_cast<std::int64_t>(window) + 1;
  std::vector<float> lo(static_cast<std::size_t>(n), 0.f), hi(static_cast<std::size_t>(n), 0.f);
  for (std::int64_t i = 0; i < n; ++i) backend::value_range(x + i * W, W, lo[static_cast<std::size_t>(i)], hi[static_cast<std::size_t>(i)]);
  std::vector<const float*> segments(static_cast<std::size_t>(span));
  const std::int32_t* len = lengths.data<std::int32_t>();
  std::int64_t start = 0;
  for (std::int64_t d = 0; d < lengths.numel(); ++d) {
    const std::int64_t end = start + len[d];
    for (std::int64_t i = start; i < end; ++i) {
      float l = 0.f, h = 0.f;
      for (std::int64_t o = -window; o <= window; ++o) {
        const std::int64_t j = i + o;
        const bool inside = j >= start && j < end;
        segments[static_cast<std::size_t>(o + window)] = inside ? x + j * W : nullptr;
        if (inside) {
          l = std::min(l, lo[static_cast<std::size_t>(j)]);
          h = std::max(h, hi[static_cast<std::size_t>(j)]);
        }
      }
      backend::quantize_segments_in_range(segments.data(), static_cast<int>(span), W, l, h, q + i * span * W, s[i], z[i]);
    }
    start = end;
  }
}

}  // namespace

void Tok2Vec::sum_window_parts(const std::int32_t* src, const float* computed, const backend::Tensor& lengths, int window,
                               backend::Tensor& pre) const {
  const std::int64_t PW = pre.dim(1), span = 2 * static_cast<std::int64_t>(window) + 1;
  const float* known = folded_->word_window.data<float>();
  const auto parts = [&](std::int64_t i) {
    const std::int32_t s = src[i];
    return s >= 0 ? known + static_cast<std::int64_t>(s) * span * PW : computed + static_cast<std::int64_t>(-1 - s) * span * PW;
  };
  float* out = pre.data<float>();
  const std::int32_t* len = lengths.data<std::int32_t>();
  std::int64_t start = 0;
  const float* rows[8];  // the parts a row sums, where the window spans at most 8 words
  for (std::int64_t d = 0; d < lengths.numel(); ++d) {
    const std::int64_t end = start + len[d];
    for (std::int64_t i = start; i < end; ++i) {
      float* dst = out + i * PW;
      // Offsets in the window's order (left to right), as the product sums the window's columns.
      int k = 0;
      for (std::int64_t o = -window; o <= window; ++o) {
        const std::int64_t j = i + o;
        if (span <= 8 && j >= start && j < end) rows[k++] = parts(j) + (o + window) * PW;
      }
      std::int64_t c = 0;
#if defined(__AVX2__)
      if (span <= 8) {
        // 64 columns at a time summed in registers, stored once.
        for (; c + 64 <= PW; c += 64) {
          __m256 acc[8];
          for (int v = 0; v < 8; ++v) acc[v] = _mm256_loadu_ps(rows[0] + c + 8 * v);
          for (int r = 1; r < k; ++r)
            for (int v = 0; v < 8; ++v) acc[v] = _mm256_add_ps(acc[v], _mm256_loadu_ps(rows[r] + c + 8 * v));
          for (int v = 0; v < 8; ++v) _mm256_storeu_ps(dst + c + 8 * v, acc[v]);
        }
      }
#endif
      for (; c < PW; ++c) {
        float a = 0.f;
        bool any = false;
        for (std::int64_t o = -window, r = 0; o <= window; ++o) {
          const std::int64_t j = i + o;
          if (j < start || j >= end) continue;
          const float* p = span <= 8 ? rows[r++] : parts(j) + (o + window) * PW;
          a = any ? a + p[c] : p[c];
          any = true;
        }
        dst[c] = a;
      }
    }
    start = end;
  }
}

void Tok2Vec::encode_in_chunks(std::span<const Doc> docs, backend::Tensor& X) const {
  // Chunks of about chunk_words words (doc_chunks.hpp). With int8 products (width 64: 192 bytes of
  // window, 192 int32 sums and 64 floats a word, about 600 KB for 512 words) 512 words measured faster
  // for the whole pipeline than 256 in paired runs on a 512 KB L2 Zen 3; the int8 product runs faster
  // with more rows (bench_gemm --int8).
  const InferenceChunking c = inference_chunking();
  // A word's output depends on the words up to `reach` places away in its sentence (each block widens
  // the window by its own).
  std::int64_t reach = 0;
  for (const Folded::Block& b : folded_->blocks) reach += b.window;
  const std::int64_t W = config_.width;
  backend::ScratchArena& arena = backend::ScratchArena::local(backend::Device::cpu());
  for_each_chunk(
      docs, c, [](const Doc& d, std::size_t i) { return d.data(i).sent_start == 1; },
      [&](std::span<const DocRun> runs) {
        const DocRun& run = runs.front();
        if (runs.size() == 1 && run.size() > c.chunk_words && static_cast<std::int64_t>(docs[run.doc].size()) > c.split_words) {
          // A sentence longer than a chunk in a Doc that is cut: windows of chunk_words words, each
          // computed with `reach` words of its sentence on either side, whose rows then hold exactly
          // what the whole sentence would give them.
          for (std::int64_t w0 = run.begin; w0 < run.end; w0 += c.chunk_words) {
            const std::int64_t w1 = std::min(run.end, w0 + c.chunk_words);
            const std::int64_t c0 = std::max(run.begin, w0 - reach), c1 = std::min(run.end, w1 + reach);
            backend::ScratchArena::Scope scope(arena);
            backend::Tensor x = arena.take({c1 - c0, W});
            const DocRun piece{run.doc, c0, c1, run.row + (c0 - run.begin)};
            encode_piece(docs, std::span<const DocRun>(&piece, 1), x, w0 - c0, w1 - c0, X, run.row + (w0 - run.begin));
          }
          return;
        }
        std::int64_t n = 0;
        for (const DocRun& r : runs) n += r.size();
        backend::Tensor x = X.rows(run.row, run.row + n);
        encode_piece(docs, runs, x, 0, n, X, -1);
      });
}

void Tok2Vec::encode_piece(std::span<const Doc> docs, std::span<const DocRun> runs, backend::Tensor& x,
                           std::int64_t keep_begin, std::int64_t keep_end, backend::Tensor& X, std::int64_t out_row) const {
  backend::Ops& o = backend::ops(backend::Device::cpu());
  backend::ScratchArena& arena = backend::ScratchArena::local(backend::Device::cpu());
  backend::ScratchArena::Scope scope(arena);
  const std::int64_t W = config_.width, n = x.dim(0), F = static_cast<std::int64_t>(features_.size());
  const std::int64_t K = features_.columns();
  const Folded& f = *folded_;
  const backend::Tensor len = run_sentence_lengths(docs, runs);
  // Embeddings: a cached word's is a copy once computed; the others (uncached words, and cached ones
  // met for the first time, which are then stored) go through the folded tables.
  float* e = x.data<float>();
  const float* known = f.word_vectors.data<float>();
  backend::Tensor source_t = arena.take({n}, backend::DType::I32);
  std::int32_t* source = source_t.data<std::int32_t>();
  std::vector<std::int64_t> pending;     // piece rows
  std::vector<std::int32_t> cache_rows;  // their cache rows (-1: not cached)
  std::vector<std::uint64_t> keys;
  std::int64_t r = 0;
  for (const DocRun& run : runs) {
    const Doc& d = docs[run.doc];
    for (std::int64_t t = run.begin; t < run.end; ++t, ++r) {
      const auto i = static_cast<std::size_t>(t);
      const std::int64_t row = d.data(i).norm == 0 ? features_.cached_row(d.token_text(i)) : -1;
      if (row >= 0 && f.ready[static_cast<std::size_t>(row)].load(std::memory_order_acquire) == 2) {
        std::copy(known + row * W, known + (row + 1) * W, e + r * W);
        source[r] = static_cast<std::int32_t>(row);
        continue;
      }
      source[r] = -1 - static_cast<std::int32_t>(pending.size());
      pending.push_back(r);
      cache_rows.push_back(static_cast<std::int32_t>(row));
      keys.resize(keys.size() + static_cast<std::size_t>(K));
      std::uint64_t* k = &keys[keys.size() - static_cast<std::size_t>(K)];
      if (row >= 0) features_.cached_keys(row, d.vocab(), k);
      else features_.keys(d.token_text(i), d.data(i).norm, d.vocab(), k);
      if (K > F) nn::CharEmbed::code_points(d.token_text(i), static_cast<int>(K - F), k + F);
    }
  }
  const float* computed = nullptr;
  if (!pending.empty()) {
    const auto u = static_cast<std::int64_t>(pending.size());
    const backend::Tensor vecs = embed_folded(backend::Tensor::from_vector(keys, {u, K}));
    const float* v = vecs.data<float>();
    for (std::int64_t k = 0; k < u; ++k) std::copy(v + k * W, v + (k + 1) * W, e + pending[static_cast<std::size_t>(k)] * W);
    backend::Tensor parts;
    if (!f.blocks.empty()) {
      // At least kFoldRows rows, so that every word's parts round as in any other product.
      backend::Tensor in = vecs;
      if (u < kFoldRows) {
        in = arena.take({kFoldRows, W});
        std::fill(in.data<float>(), in.data<float>() + kFoldRows * W, 0.f);
        std::copy(v, v + u * W, in.data<float>());
      }
      parts = arena.take({in.dim(0), f.first_W.dim(0)});
      o.gemm(in, false, f.first_W, true, parts);
      computed = parts.data<float>();
    }
    // Cached words met for the first time: stored for the next time (one writer per word).
    for (std::int64_t k = 0; k < u; ++k) {
      const std::int32_t row = cache_rows[static_cast<std::size_t>(k)];
      if (row < 0) continue;
      std::atomic<std::uint8_t>& state = f.ready[static_cast<std::size_t>(row)];
      std::uint8_t expected = 0;
      if (!state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) continue;
      std::copy(v + k * W, v + (k + 1) * W, f.word_vectors.data<float>() + static_cast<std::int64_t>(row) * W);
      if (computed != nullptr) {
        const std::int64_t PW = parts.dim(1);
        std::copy(computed + k * PW, computed + (k + 1) * PW, f.word_window.data<float>() + static_cast<std::int64_t>(row) * PW);
      }
      state.store(2, std::memory_order_release);
    }
  }
  for (const Folded::Block& b : f.blocks) {
    backend::ScratchArena::Scope inner(arena);
    backend::Tensor pre = arena.take({n, W * b.pieces});
    const std::int64_t span = 2 * static_cast<std::int64_t>(b.window) + 1;
    const Int8Sums* int8 = nullptr;
    Int8Sums sums{};
    if (&b == &f.blocks.front()) {
      sum_window_parts(source, computed, len, b.window, pre);
    } else if (!b.W8.empty() && backend::int8_available()) {
      // Int8: the windows quantized straight from x, the product's int32 sums in pre's memory, scaled
      // in the maxout.
      backend::Tensor q = arena.take({n, W * span}, backend::DType::U8);
      backend::Tensor scales = arena.take({2, n});
      float* s = scales.data<float>();
      quantize_windows(x.data<float>(), n, W, len, b.window, q.data<std::uint8_t>(), s, s + n);
      backend::int8_gemm_quantized(q.data<std::uint8_t>(), n, b.W8, reinterpret_cast<std::int32_t*>(pre.data<float>()));
      sums = {s, s + n, b.W8.scale.data(), b.W8.scaled_sum.data()};
      int8 = &sums;
    } else {
      backend::Tensor win = arena.take({n, W * span});
      o.seq2col(x, b.window, len, win);
      o.gemm(win, false, b.W, true, pre);
    }
    maxout_norm_add(pre.data<float>(), b.b.data<float>(), b.pieces, n, W, b.norm->gamma().data<float>(),
                    b.norm->beta().data<float>(), b.norm->eps(), x.data<float>(), int8);
  }
  if (out_row >= 0) {
    backend::Tensor out = X.rows(out_row, out_row + (keep_end - keep_begin));
    std::copy(x.data<float>() + keep_begin * W, x.data<float>() + keep_end * W, out.data<float>());
  }
}
void Tok2Vec::pipe(std::span<Doc> docs, PipeContext& context) const {
  nn::Ragged& out = context.tok2vec[name()];
  out = predict(docs);
  if (!context.keep_tensors) return;
  // Each Doc's rows of the batch's output, as a view (spaCy's doc.tensor).
  std::int64_t row = 0;
  for (Doc& d : docs) {
    const auto n = static_cast<std::int64_t>(d.size());
    if (n > 0) d.set_tensor(out.data.rows(row, row + n));
    else d.clear_tensor();
    row += n;
  }
}

void Tok2Vec::pipe(std::span<Doc> docs) const {
  PipeContext context;
  pipe(docs, context);
}

void Tok2Vec::operator()(Doc& doc) const { pipe(std::span<Doc>(&doc, 1)); }

void Tok2Vec::to_disk(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  nn::save_weights(*model_, (dir / "weights.safetensors").string(), storage_type(config_.storage));
  std::ofstream out(dir / "words.txt", std::ios::binary);
  for (std::size_t r = 0; r < features_.cached(); ++r) out << features_.cached_form(r) << '\n';
  if (!out) throw IOError("cannot write " + (dir / "words.txt").string());
  if (features_.lexicon()) features_.lexicon()->write_copy(dir / "lexicon.tsv");
}

void Tok2Vec::from_disk(const std::filesystem::path& dir) {
  const auto words_path = dir / "words.txt";
  std::ifstream in(words_path, std::ios::binary);
  if (!in) throw ModelError("cannot open " + words_path.string() + " (tok2vec \"" + name() + "\")");
  std::string line;
  std::shared_ptr<const Lexicon> lexicon;
  if (std::filesystem::exists(dir / "lexicon.tsv")) {
    try {
      lexicon = Lexicon::load(dir / "lexicon.tsv");
    } catch (const Error& e) {
      throw ModelError(e.what());
    }
  }
  FeatureExtractor features(config_.features, lexicon);
  features.set_unknown_words(config_.word_dropout > 0.f);
  features.set_char_columns(char_columns_);
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line.find_first_of(" \t\r") != std::string::npos || !utf8::valid(line))
      throw ModelError(words_path.string() + ":" + std::to_string(line_no) + ": not a word form");
    features.cache(line, *vocab_);
  }
  nn::load_model(*model_, (dir / "weights.safetensors").string());
  features_ = std::move(features);
  prepare_inference();
}

void register_tok2vec(Registry& r) {
  ComponentFactory make = [](const std::string& name, const Json& config, std::shared_ptr<Vocab> vocab) {
    return std::unique_ptr<Component>(std::make_unique<Tok2Vec>(name, Tok2VecConfig::from_json(config), std::move(vocab)));
  };
  r.add("architectures", "weft.BiLSTMEncoder.v1", Tok2VecLayerFactory([](const Json& config, int) {
          check_config_keys(config, {"@architectures", "width", "depth", "dropout"},
                            "the weft.BiLSTMEncoder.v1 config (a tok2vec's \"encoder\")");
          nn::BiLSTMConfig c;
          c.width = config.value("width", c.width);
          c.depth = config.value("depth", c.depth);
          c.dropout = config.value("dropout", c.dropout);
          return nn::bilstm(c);
        }),
        "a tok2vec's \"encoder\": bidirectional LSTM layers after its CNN (spaCy's TorchBiLSTMEncoder.v1); width (2 x "
        "hidden, default 128), depth (2), dropout between layers (0)",
        "builtin");
  r.add("architectures", "weft.CharEmbed.v1", Tok2VecLayerFactory([](const Json& config, int column) {
          check_config_keys(config, {"@architectures", "nM", "nC", "rows"}, "the weft.CharEmbed.v1 config (a tok2vec's \"char_embed\")");
          return nn::char_embed(config.value("nM", std::int64_t{16}), config.value("nC", 8), config.value("rows", std::int64_t{512}),
                                column);
        }),
        "a tok2vec's \"char_embed\": each word's first and last nC/2 characters embedded (nM dims each, a table "
        "of rows per position) and mixed with its hash embeddings (spaCy's CharacterEmbed); nM (16), nC (8), rows (512)",
        "builtin");
  const char* what = "token-to-vector encoder (hash embeddings + CNN) that other components listen to";
  r.add("components", "tok2vec", make, what, "builtin");
  r.add("components", "weft.Tok2Vec.v1", make, what, "builtin");
  r.add("encoders", "weft.Tok2Vec.v1",
        EncoderFactory([](const std::string& name, const Json& config, std::shared_ptr<Vocab> vocab) {
          return std::unique_ptr<TokenEncoder>(std::make_unique<Tok2Vec>(name, Tok2VecConfig::from_json(config), std::move(vocab)));
        }),
        "a component's own token encoder (the tok2vec's hash embeddings + CNN)", "builtin");
}

}  // namespace weft
