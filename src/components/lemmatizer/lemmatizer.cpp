#include "weft/components/lemmatizer/lemmatizer.hpp"

#include <algorithm>
#include <optional>
#include <fstream>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#include "weft/doc/doc_chunks.hpp"
#include "weft/backend/ops.hpp"
#include "weft/error.hpp"
#include "weft/nn/linear.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft {

Lemmatizer::Lemmatizer(std::string name, const Json& config, std::shared_ptr<Vocab> vocab)
    : TrainablePipe(std::move(name), config.is_object() && config.contains("tok2vec") ? config["tok2vec"] : Json(),
                    std::move(vocab)) {
  if (!config.is_object()) throw ValueError("component \"" + this->name() + "\": config must be a JSON object");
  check_config_keys(config, {"tok2vec", "min_tree_freq", "top_k", "storage", "lookup_first"},
                    "the config of component \"" + this->name() + "\"");
  min_tree_freq_ = config.value("min_tree_freq", min_tree_freq_);
  top_k_ = config.value("top_k", top_k_);
  lookup_first_ = config.value("lookup_first", lookup_first_);
  storage_ = config.value("storage", storage_);
  if (min_tree_freq_ < 1 || top_k_ < 1) throw ValueError("component \"" + this->name() + "\": min_tree_freq and top_k must be >= 1");
  if (storage_ != "f16" && storage_ != "f32") throw ValueError("storage must be \"f16\" or \"f32\"");
}

Json Lemmatizer::config() const {
  Json j = Json::object();
  j["tok2vec"] = tok2vec_config();
  j["min_tree_freq"] = min_tree_freq_;
  j["top_k"] = top_k_;
  j["lookup_first"] = lookup_first_;
  j["storage"] = storage_;
  return j;
}

const LemmaTrees& Lemmatizer::trees() const {
  if (!trees_) throw ModelError("lemmatizer \"" + name() + "\" has no edit trees (train it or load a model)");
  return *trees_;
}

void Lemmatizer::intern_lemmas() {
  for (const std::string_view lemma : trees_->lookup_lemmas()) vocab_->strings().add(lemma);
}

void Lemmatizer::build(std::int64_t width) {
  width_ = width;
  model_ = nn::linear(static_cast<std::int64_t>(trees_->labels().size()) + 1, width);
  model_->set_label(name());
}

void Lemmatizer::initialize(std::span<const Doc> gold, std::int64_t width, std::uint64_t seed) {
  initialize_own_tok2vec(gold, seed);
  if (own_width() > 0) width = own_width();
  LemmaTrees trees;
  for (const Doc& d : gold)
    for (std::size_t i = 0; i < d.size(); ++i)
      if (d.data(i).lemma != 0) trees.observe(d.token_text(i), d.str(d.data(i).lemma), d.data(i).pos);
  trees.freeze(min_tree_freq_);
  if (trees.labels().empty()) throw ValueError("lemmatizer \"" + name() + "\": no training token has a lemma");
  trees_ = std::move(trees);
  intern_lemmas();
  build(width);
  model_->initialize(nullptr, nullptr, seed);
}

std::string Lemmatizer::lemmatize(const Doc& d, std::size_t i, const float* s, std::int64_t C,
                                  std::vector<std::size_t>& ranked) const {
  // The k best labels in one pass (k is small; a full sort of C scores per token was the lemmatizer's
  // main cost). Ties keep the lower label first, as a stable sort would.
  const std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(top_k_), static_cast<std::size_t>(C));
  ranked.assign(k, 0);
  std::size_t filled = 0;
  auto offer = [&](std::size_t c) {
    if (filled == k && s[c] <= s[ranked[k - 1]]) return;
    std::size_t pos = filled < k ? filled++ : k - 1;
    while (pos > 0 && s[ranked[pos - 1]] < s[c]) {
      ranked[pos] = ranked[pos - 1];
      --pos;
    }
    ranked[pos] = c;
  };
  const auto n = static_cast<std::size_t>(C);
  std::size_t c = 0;
  for (; c < std::min(n, k); ++c) offer(c);
#if defined(__AVX2__)
  // Eight scores at a time: most blocks hold nothing above the current k-th best and are skipped.
  for (; c + 8 <= n; c += 8) {
    const __m256 threshold = _mm256_set1_ps(s[ranked[k - 1]]);
    const int above = _mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(s + c), threshold, _CMP_GT_OQ));
    if (above == 0) continue;
    for (std::size_t j = 0; j < 8; ++j)
      if (above & (1 << j)) offer(c + j);
  }
#endif
  for (; c < n; ++c) offer(c);
  return trees().lemmatize(d.token_text(i), d.data(i).pos, std::span(ranked.data(), k));
}

void Lemmatizer::set_annotations(std::span<Doc> docs, const backend::Tensor& scores) const {
  const std::int64_t C = scores.dim(1);
  const float* s = scores.data<float>();
  std::vector<std::size_t> ranked;
  for (Doc& d : docs)
    for (std::size_t i = 0; i < d.size(); ++i, s += C) d.data(i).lemma = d.intern(lemmatize(d, i, s, C, ranked));
}

void Lemmatizer::pipe(std::span<Doc> docs, PipeContext& context) const {
  if (docs.empty()) return;
  const LemmaTrees& t = trees();
  // With lookup_first, (form, UPOS) pairs that training always saw with one lemma take it; the rest are
  // classified, at most inference_chunking().split_words words at a time (blocks of equal size), so a
  // long Doc's scores take bounded memory.
  std::int64_t n = 0;
  for (const Doc& d : docs) n += static_cast<std::int64_t>(d.size());
  const std::int64_t split = inference_chunking().split_words, blocks = std::max<std::int64_t>(1, (n + split - 1) / split);
  std::optional<nn::Ragged> X;
  std::vector<std::pair<Doc*, std::size_t>> rest;
  std::vector<std::int64_t> rows;
  std::vector<std::size_t> ranked;
  std::size_t doc = 0, tok = 0;
  for (std::int64_t b = 0; b < blocks; ++b) {
    const std::int64_t begin = n * b / blocks, end = n * (b + 1) / blocks;
    rest.clear();
    rows.clear();
    for (std::int64_t row = begin; row < end; ++row) {
      while (tok == docs[doc].size()) ++doc, tok = 0;
      Doc& d = docs[doc];
      const std::size_t i = tok++;
      const LemmaTrees::Entry* e = lookup_first_ ? t.entry(d.token_text(i), d.data(i).pos) : nullptr;
      if (e && e->certain) {
        d.data(i).lemma = e->lemma_hash;  // the table's lemmas are in the vocab (intern_lemmas)
      } else {
        rest.emplace_back(&d, i);
        rows.push_back(row);
      }
    }
    if (rows.empty()) continue;
    if (!X) X = input(docs, context);
    const backend::Device device = X->data.device();
    const std::int64_t width = X->data.dim(1), m = static_cast<std::int64_t>(rows.size());
    backend::Tensor sub = backend::Tensor::empty({m, width}, backend::DType::F32, device);
    if (device.is_cpu() && !device_paths()) {
      const float* x = X->data.data<float>();
      float* y = sub.data<float>();
      for (std::int64_t r = 0; r < m; ++r)
        std::copy(x + rows[static_cast<std::size_t>(r)] * width, x + (rows[static_cast<std::size_t>(r)] + 1) * width, y + r * width);
    } else {
      // The rows stay on the device: a gather of one row each.
      std::vector<std::int32_t> ids(rows.begin(), rows.end());
      backend::ops(device).gather_sum_rows(X->data, backend::Tensor::from_vector(ids, {m}, device), sub);
    }
    const backend::Tensor lengths = backend::Tensor::from_vector(std::vector<std::int32_t>{static_cast<std::int32_t>(m)}, {1});
    const nn::Ragged scores = model().predict({sub, lengths});
    const backend::Tensor S = scores.data.device().is_cpu() ? scores.data : scores.data.to(backend::Device::cpu());
    const std::int64_t C = S.dim(1);
    for (std::size_t r = 0; r < rest.size(); ++r) {
      auto [d, i] = rest[r];
      d->data(i).lemma = d->intern(lemmatize(*d, i, S.data<float>() + static_cast<std::int64_t>(r) * C, C, ranked));
    }
  }
}

nn::Loss Lemmatizer::get_loss(std::span<const Doc> gold, const backend::Tensor& scores) const {
  const LemmaTrees& t = trees();
  const std::int64_t n = scores.dim(0), C = scores.dim(1);
  std::vector<std::int32_t> labels;
  labels.reserve(static_cast<std::size_t>(n));
  std::int64_t labelled = 0;
  for (const Doc& d : gold)
    for (std::size_t i = 0; i < d.size(); ++i) {
      std::int32_t y = -1;
      if (d.data(i).lemma != 0) {
        const std::string_view lemma = d.str(d.data(i).lemma);
        if (lemma != "_") y = static_cast<std::int32_t>(t.label_of(d.token_text(i), lemma));
      }
      labels.push_back(y);
      labelled += y >= 0;
    }
  if (static_cast<std::int64_t>(labels.size()) != n) throw ValueError("lemmatizer: scores and gold Docs differ in length");
  const backend::Tensor host = scores.device().is_cpu() ? scores : scores.to(backend::Device::cpu());
  backend::Tensor grad = backend::Tensor::zeros({n, C}, backend::DType::F32);
  nn::Loss out;
  out.value = softmax_xent(host.data<float>(), n, C, 0, C, labels, static_cast<float>(std::max<std::int64_t>(1, labelled)),
                           grad.data<float>());
  out.n_labelled = labelled;
  out.grad = scores.device().is_cpu() ? grad : grad.to(scores.device());
  return out;
}

void Lemmatizer::to_disk(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  trees().save(dir);
  Json j = Json::object();
  j["width"] = width_;
  std::ofstream out(dir / "lemmatizer.json");
  out << j.dump() << '\n';
  if (!out) throw IOError("cannot write " + (dir / "lemmatizer.json").string());
  save_model(dir);
}

void Lemmatizer::from_disk(const std::filesystem::path& dir) {
  const auto path = dir / "lemmatizer.json";
  std::ifstream in(path);
  if (!in) throw ModelError("cannot open " + path.string() + " (component \"" + name() + "\")");
  std::int64_t width = 0;
  try {
    width = Json::parse(in).at("width").get<std::int64_t>();
  } catch (const std::exception& e) {
    throw ModelError(path.string() + ": " + e.what());
  }
  trees_ = LemmaTrees::load(dir);
  intern_lemmas();
  build(width);
  load_model(dir);
}

void register_lemmatizer(Registry& r) {
  ComponentFactory make = [](const std::string& name, const Json& config, std::shared_ptr<Vocab> vocab) {
    return std::unique_ptr<Component>(std::make_unique<Lemmatizer>(name, config, std::move(vocab)));
  };
  const char* what = "trainable edit-tree lemmatizer with a lookup fallback";
  r.add("components", "lemmatizer", make, what, "builtin");
  r.add("components", "trainable_lemmatizer", make, what, "builtin");
  r.add("components", "weft.Lemmatizer.v1", make, what, "builtin");
}

}  // namespace weft
