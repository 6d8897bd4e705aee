#include "weft/train/trainer.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>

#include "weft/backend/threads.hpp"
#include "weft/components/tok2vec/tok2vec.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"
#include "weft/nn/optimizer.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/trainable.hpp"
#include "weft/train/conll18.hpp"
#include "weft/train/entity_scorer.hpp"

namespace weft {

namespace {

using Clock = std::chrono::steady_clock;

// All models of the pipeline under one root, so one optimizer step sees every parameter (one schedule
// step, one global gradient norm) and parameter names stay unique (each model is labelled by its
// component's name).
class ModelGroup final : public nn::Layer {
 public:
  explicit ModelGroup(const std::vector<nn::Layer*>& models) : nn::Layer("ModelGroup", 0, 0) {
    for (nn::Layer* m : models) add_child(nn::Model(nn::Model{}, m));  // aliasing: the components own them
  }
  nn::Forward forward(const nn::Ragged&, bool) override { throw ModelError("ModelGroup has no forward pass"); }
  bool transparent() const noexcept override { return true; }

 private:
  void initialize_self(const nn::Ragged*, const nn::Tensor*, nn::Rng&) override {}
};

void merge_into(Json& base, const Json& over, const std::string& path, bool strict) {
  for (const auto& [k, v] : over.items()) {
    if (path == "training." && (k == "score_weights" || k == "score_minimums")) {
      base[k] = v;  // a metric -> number map: replaced whole (the pipeline decides which metrics exist)
      continue;
    }
    if (strict && !base.contains(k)) throw ValueError("unknown config key \"" + path + k + "\"");
    if (v.is_object() && base.contains(k) && base[k].is_object() && !base[k].contains("@architectures") &&
        !(v.contains("@architectures")))
      merge_into(base[k], v, path + k + ".", strict);
    else
      base[k] = v;
  }
}

Json parse_value(const std::string& s) {
  try {
    return Json::parse(s);
  } catch (const std::exception&) {
    return Json(s);
  }
}

std::vector<Doc> read_corpus(const std::string& path, const std::shared_ptr<Vocab>& vocab, std::int64_t limit) {
  std::vector<Doc> docs = read_conllu_file(path, vocab, {ConlluReadOptions::Group::Sentence, false});
  if (limit > 0 && static_cast<std::int64_t>(docs.size()) > limit) docs.erase(docs.begin() + limit, docs.end());
  std::erase_if(docs, [](const Doc& d) { return d.empty(); });
  if (docs.empty()) throw ValueError("corpus " + path + " has no sentences");
  return docs;
}

// One Doc of the sentences `docs` (whole Docs, in order), their texts joined by a space; every
// annotation is kept and each sentence's first word starts a sentence.
Doc join_docs(std::span<const Doc> docs, const std::shared_ptr<Vocab>& vocab) {
  std::string text;
  for (const Doc& d : docs) text += (text.empty() ? "" : " ") + d.text();
  Doc out(vocab, std::move(text));
  std::size_t offset = 0;
  for (const Doc& d : docs) {
    for (std::size_t i = 0; i < d.size(); ++i) {
      const TokenData& g = d.data(i);
      TokenData& t = out.push_token_unchecked(static_cast<std::uint32_t>(g.idx + offset), g.len, g.orth);
      t = g;
      t.idx = static_cast<std::uint32_t>(g.idx + offset);
      hash_t TokenData::*const strings[] = {&TokenData::norm, &TokenData::lemma, &TokenData::tag, &TokenData::morph,
                                             &TokenData::dep, &TokenData::ent_type};
      for (const auto field : strings)
        if (g.*field != 0) t.*field = out.intern(d.str(g.*field));
      if (i == 0) t.sent_start = 1;
    }
    offset += d.text().size() + 1;
  }
  return out;
}

std::string fmt(double v, int prec) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(prec) << v;
  return o.str();
}

std::string pad(const std::string& s, std::size_t w) { return s.size() >= w ? s : std::string(w - s.size(), ' ') + s; }

}  // namespace

Doc strip_annotations(const Doc& gold, std::shared_ptr<Vocab> vocab) {
  Doc d(vocab ? std::move(vocab) : gold.vocab_ptr(), gold.text());
  for (std::size_t i = 0; i < gold.size(); ++i) {
    const TokenData& g = gold.data(i);
    TokenData& t = d.push_token_unchecked(g.idx, g.len, g.orth);
    t.flags = g.flags;
    t.sent_start = g.sent_start;
  }
  return d;
}

Json default_training_config() {
  return Json::parse(R"({
  "nlp": {"lang": "en", "pipeline": ["tok2vec", "tagger", "morphologizer", "lemmatizer"]},
  "components": {
    "tok2vec": {"factory": "tok2vec"},
    "tagger": {"factory": "tagger", "tok2vec": {"upstream": "tok2vec"}},
    "morphologizer": {"factory": "morphologizer", "tok2vec": {"upstream": "tok2vec"}},
    "lemmatizer": {"factory": "lemmatizer", "tok2vec": {"upstream": "tok2vec"}}
  },
  "corpora": {"train": "data/en_ewt/train.conllu", "dev": "data/en_ewt/dev.conllu", "max_train_docs": 0,
              "max_dev_docs": 0, "sentences_per_doc": 1, "join_fraction": 1.0},
  "training": {
    "seed": 0, "threads": 1,
    "batch_words": {"start": 500, "stop": 1000, "compound": 1.001},
    "max_steps": 20000, "max_epochs": 0, "max_time_s": 0, "eval_frequency": 200, "patience": 1600,
    "optimizer": {"learn_rate": 0.001, "warmup_steps": 0, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                  "weight_decay": 0.01, "grad_clip": 1.0, "use_averages": true},
    "score_weights": {"UPOS": 0.25, "XPOS": 0.15, "UFeats": 0.25, "Lemmas": 0.35},
    "score_minimums": {}
  }
})");
}

Json resolve_training_config(const Json& config, const std::map<std::string, std::string>& overrides) {
  if (!config.is_object()) throw ValueError("a training config must be a JSON object");
  Json out = default_training_config();
  for (const auto& [section, value] : config.items()) {
    if (section != "nlp" && section != "components" && section != "corpora" && section != "training")
      throw ValueError("unknown config section \"" + section + "\" (known: nlp, components, corpora, training)");
    if (!value.is_object()) throw ValueError("config section \"" + section + "\" must be an object");
    if (section == "components") {
      out["components"] = value;  // a config that names components describes all of them
    } else if (section == "nlp") {
      for (const auto& [k, v] : value.items()) out["nlp"][k] = v;
    } else {
      merge_into(out[section], value, section + ".", true);
    }
  }
  for (const auto& [key, raw] : overrides) {
    Json* node = &out;
    std::string rest = key;
    for (;;) {
      const auto dot = rest.find('.');
      const std::string part = rest.substr(0, dot);
      if (part.empty()) throw ValueError("bad override key \"" + key + "\"");
      if (dot == std::string::npos) {
        if (!node->is_object()) throw ValueError("override \"" + key + "\": parent is not an object");
        const bool known = node->contains(part);
        const bool free_section = key.rfind("components.", 0) == 0 || key.rfind("nlp.", 0) == 0 ||
                                  key.rfind("training.score_weights.", 0) == 0;
        if (!known && !free_section) throw ValueError("override \"" + key + "\" names no config key");
        (*node)[part] = parse_value(raw);
        break;
      }
      if (!node->contains(part) || !(*node)[part].is_object()) {
        if (key.rfind("components.", 0) != 0) throw ValueError("override \"" + key + "\" names no config section");
        (*node)[part] = Json::object();
      }
      node = &(*node)[part];
      rest = rest.substr(dot + 1);
    }
  }
  const Json& sw = out["training"]["score_weights"];
  if (!sw.is_object()) throw ValueError("config key \"training.score_weights\" must be an object");
  const auto& known = conll18_metric_names();
  for (const auto& [m, w] : sw.items()) {
    if (std::find(known.begin(), known.end(), m) == known.end() && m != "ENTS_F" && m != "ENTS_P" && m != "ENTS_R")
      throw ValueError("unknown metric \"" + m + "\" in training.score_weights (known: the CoNLL 2018 metrics and "
                       "ENTS_F, ENTS_P, ENTS_R)");
    if (!w.is_number()) throw ValueError("training.score_weights." + m + " must be a number");
  }
  for (const auto& [name, c] : out["components"].items())
    if (!c.is_object() || !c.contains("factory") || !c["factory"].is_string())
      throw ValueError("component \"" + name + "\" in the config needs a string \"factory\"");
  return out;
}

TrainResult train(const Json& raw_config, const TrainOptions& options) {
  const Json config = resolve_training_config(raw_config);
  const Json& T = config["training"];
  const auto t0 = Clock::now();
  backend::set_cpu_threads(std::max(1, T["threads"].get<int>()));
  const std::uint64_t seed = T["seed"].get<std::uint64_t>();

  // The pipeline.
  Pipeline nlp = Pipeline::blank(config["nlp"]["lang"].get<std::string>());
  for (const Json& n : config["nlp"]["pipeline"]) {
    const std::string name = n.get<std::string>();
    if (!config["components"].contains(name)) throw ValueError("pipeline component \"" + name + "\" is not in \"components\"");
    Json c = config["components"][name];
    const std::string factory = c["factory"].get<std::string>();
    c.erase("factory");
    nlp.add_pipe(factory, name, c);
  }
  std::vector<Tok2Vec*> encoders;
  std::vector<TrainablePipe*> heads;
  for (const std::string& name : nlp.pipe_names()) {
    Component& c = nlp.get_pipe(name);
    if (auto* t = dynamic_cast<Tok2Vec*>(&c)) encoders.push_back(t);
    if (auto* h = dynamic_cast<TrainablePipe*>(&c)) heads.push_back(h);
  }
  if (heads.empty()) throw ValueError("the config's pipeline has no trainable component");

  // Corpora.
  const Json& C = config["corpora"];
  auto train_docs = read_corpus(C["train"].get<std::string>(), nlp.vocab(), C["max_train_docs"].get<std::int64_t>());
  const std::size_t train_sentences = train_docs.size();
  // Training Docs of several sentences (a parser learns sentence boundaries from them); the encoders
  // read them as they read raw text: without the gold boundaries inside, with those the pipeline's
  // sentence-only components (a sentencizer before the parser) set, so only the parser knows the rest.
  // join_fraction: the share of groups that are joined; the other sentences stay Docs of their own
  // (a choice drawn per group from the seed).
  const auto per_doc = C["sentences_per_doc"].get<std::int64_t>();
  if (per_doc < 1) throw ValueError("corpora.sentences_per_doc must be >= 1");
  const auto join_fraction = C["join_fraction"].get<double>();
  if (!(join_fraction > 0.0 && join_fraction <= 1.0)) throw ValueError("corpora.join_fraction must be in (0, 1]");
  std::vector<Doc> encoder_docs;
  if (per_doc > 1) {
    std::vector<Doc> joined;
    std::mt19937_64 join_rng(seed + 7919);
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    for (std::size_t i = 0; i < train_docs.size();) {
      const std::size_t group = join_fraction >= 1.0 || coin(join_rng) < join_fraction ? static_cast<std::size_t>(per_doc) : 1;
      const std::size_t n = std::min<std::size_t>(group, train_docs.size() - i);
      joined.push_back(join_docs(std::span<const Doc>(train_docs.data() + i, n), nlp.vocab()));
      Doc plain = joined.back();
      for (std::size_t t = 1; t < plain.size(); ++t) plain.data(t).sent_start = 0;
      for (const std::string& name : nlp.pipe_names())
        if (Pipeline::is_sentence_only(nlp.get_pipe(name))) nlp.get_pipe(name)(plain);
      encoder_docs.push_back(std::move(plain));
      i += n;
    }
    train_docs = std::move(joined);
  }
  const auto dev_docs = read_corpus(C["dev"].get<std::string>(), nlp.vocab(), C["max_dev_docs"].get<std::int64_t>());

  // Initialization: encoders first (their width sizes the heads), then labels and heads.
  for (Tok2Vec* t : encoders) t->initialize(train_docs, seed);
  std::vector<std::string> metric_names;
  for (TrainablePipe* h : heads) {
    std::int64_t width = 0;
    if (!h->own_tok2vec()) {
      const auto it = std::find_if(encoders.begin(), encoders.end(), [&](Tok2Vec* t) { return t->name() == h->listens_to(); });
      if (it == encoders.end())
        throw ValueError("component \"" + h->name() + "\" listens to \"" + h->listens_to() + "\", which is not a tok2vec in the pipeline");
      const auto names = nlp.pipe_names();
      if (std::find(names.begin(), names.end(), (*it)->name()) > std::find(names.begin(), names.end(), h->name()))
        throw ValueError("component \"" + h->name() + "\" listens to \"" + h->listens_to() + "\", which comes after it");
      width = (*it)->width();
    }
    h->initialize(train_docs, width, seed);
    for (const std::string& m : h->metrics()) metric_names.push_back(m);
  }
  std::vector<nn::Layer*> models;
  for (Tok2Vec* t : encoders) models.push_back(&t->model());
  for (TrainablePipe* h : heads) {
    models.push_back(&h->model());
    if (h->own_tok2vec()) models.push_back(&h->own_tok2vec()->model());
  }
  ModelGroup group(models);

  // Optimizer.
  const Json& O = T["optimizer"];
  nn::AdamConfig ac;
  const float lr = O["learn_rate"].get<float>();
  const auto warmup = O["warmup_steps"].get<std::int64_t>();
  ac.learn_rate = warmup > 0 ? nn::warmup_linear(lr, warmup, std::max<std::int64_t>(warmup + 1, T["max_steps"].get<std::int64_t>()))
                             : nn::constant_schedule(lr);
  ac.beta1 = O["beta1"].get<float>();
  ac.beta2 = O["beta2"].get<float>();
  ac.eps = O["eps"].get<float>();
  ac.weight_decay = O["weight_decay"].get<float>();
  ac.grad_clip = O["grad_clip"].get<float>();
  ac.use_averages = O["use_averages"].get<bool>();
  nn::Adam adam(ac);

  // Score weights over the metrics this pipeline produces (renormalised).
  std::map<std::string, double> weights;
  double wsum = 0.0;
  for (const auto& [m, w] : T["score_weights"].items())
    if (std::find(metric_names.begin(), metric_names.end(), m) != metric_names.end()) {
      weights[m] = w.get<double>();
      wsum += w.get<double>();
    }
  if (wsum <= 0.0)
    for (const std::string& m : metric_names) weights[m] = 1.0, wsum += 1.0;
  // Minimums (metric -> percent): a checkpoint that meets them all becomes model-best ahead of any
  // that does not; among equals the weighted score decides.
  std::map<std::string, double> minimums;
  if (!T["score_minimums"].is_object()) throw ValueError("training.score_minimums must be an object (metric -> percent)");
  for (const auto& [m, v] : T["score_minimums"].items()) {
    if (std::find(metric_names.begin(), metric_names.end(), m) == metric_names.end()) {
      std::string known;
      for (const std::string& n : metric_names) known += (known.empty() ? "" : ", ") + n;
      throw ValueError("training.score_minimums: this pipeline does not score \"" + m + "\" (it scores " + known + ")");
    }
    if (!v.is_number()) throw ValueError("training.score_minimums: \"" + m + "\" must be a number (percent)");
    minimums[m] = v.get<double>();
  }
  const auto meets_minimums = [&](const Json& scores) {
    for (const auto& [m, v] : minimums)
      if (!(scores[m].get<double>() >= v)) return false;
    return true;
  };

  std::vector<Doc> dev_input;
  dev_input.reserve(dev_docs.size());
  for (const Doc& g : dev_docs) dev_input.push_back(strip_annotations(g));

  TrainResult result;
  std::ostream* log = options.log;
  // meta.json of the saved models: the config's nlp.meta (name, version, sources, licence, ...), then
  // the dev scores and the step they were reached at.
  Json base_meta = config["nlp"].contains("meta") && config["nlp"]["meta"].is_object() ? config["nlp"]["meta"] : Json::object();
  // Header.
  std::vector<std::string> cols{"E", "#"};
  for (TrainablePipe* h : heads) cols.push_back("LOSS " + h->name());
  for (const std::string& m : metric_names) cols.push_back(m);
  cols.push_back("SCORE");
  cols.push_back("WPS");
  std::vector<std::size_t> widths;
  for (const std::string& c : cols) widths.push_back(std::max<std::size_t>(c.size(), 7));
  if (log) {
    *log << "training on " << train_docs.size() << " Docs (" << train_sentences << " sentences), evaluating on " << dev_docs.size()
         << " sentences; pipeline:";
    for (const auto& n : nlp.pipe_names()) *log << ' ' << n;
    *log << '\n';
    for (std::size_t i = 0; i < cols.size(); ++i) *log << (i ? "  " : "") << pad(cols[i], widths[i]);
    *log << '\n';
    for (std::size_t i = 0; i < cols.size(); ++i) *log << (i ? "  " : "") << std::string(widths[i], '-');
    *log << std::endl;
  }

  const auto max_steps = T["max_steps"].get<std::int64_t>();
  const auto max_epochs = T["max_epochs"].get<std::int64_t>();
  const auto max_time = T["max_time_s"].get<double>();
  const auto eval_every = std::max<std::int64_t>(1, T["eval_frequency"].get<std::int64_t>());
  const auto patience = T["patience"].get<std::int64_t>();
  const double bw_start = T["batch_words"]["start"].get<double>(), bw_stop = T["batch_words"]["stop"].get<double>(),
               bw_comp = T["batch_words"]["compound"].get<double>();
  double batch_words = bw_start;
  std::mt19937_64 rng(seed);
  std::vector<std::size_t> order(train_docs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  std::size_t cursor = 0;
  std::int64_t epoch = 0, step = 0, words_since = 0, total_words = 0;
  std::map<std::string, double> losses;
  auto since = Clock::now();
  double train_seconds = 0.0;
  const bool bar = options.progress_bar && isatty(2);
  std::filesystem::path best_dir = options.output.empty() ? std::filesystem::path() : options.output / "model-best";

  auto for_each_encoder = [&](const std::function<void(Tok2Vec&)>& f) {
    for (Tok2Vec* t : encoders) f(*t);
    for (TrainablePipe* h : heads)
      if (h->own_tok2vec()) f(*h->own_tok2vec());
  };
  auto evaluate = [&]() {
    std::vector<Doc> sys;
    sys.reserve(dev_input.size());
    for (const Doc& d : dev_input) sys.push_back(d);  // Docs are copyable values
    for (std::size_t i = 0; i < sys.size(); i += 64)
      nlp.annotate_sentences(std::span<Doc>(sys.data() + i, std::min<std::size_t>(64, sys.size() - i)));
    const Conll18Scores s = conll18_evaluate(dev_docs, sys);
    const bool with_ents = std::any_of(metric_names.begin(), metric_names.end(), [](const std::string& m) { return m.rfind("ENTS_", 0) == 0; });
    const EntityScores ents = with_ents ? score_entities(dev_docs, sys) : EntityScores{};
    Json scores = Json::object();
    double score = 0.0;
    for (const std::string& m : metric_names) {
      const auto it = s.find(m);
      const double v = m == "ENTS_F"   ? ents.total.f1
                       : m == "ENTS_P" ? ents.total.precision
                       : m == "ENTS_R" ? ents.total.recall
                       : it == s.end() ? 0.0
                                       : it->second.f1;
      scores[m] = v * 100.0;
      if (weights.count(m)) score += weights[m] / wsum * v;
    }
    return std::make_pair(scores, score);
  };

  bool stop = false;
  while (!stop) {
    // One batch of sentences, about batch_words words (and what the encoders read of them).
    std::vector<Doc> batch, encoder_batch;
    std::int64_t words = 0;
    while (words < static_cast<std::int64_t>(batch_words)) {
      if (cursor == order.size()) {
        ++epoch;
        cursor = 0;
        std::shuffle(order.begin(), order.end(), rng);
        if (max_epochs > 0 && epoch >= max_epochs) break;
      }
      const std::size_t k = order[cursor++];
      const Doc& d = train_docs[k];
      words += static_cast<std::int64_t>(d.size());
      batch.push_back(d);
      if (!encoder_docs.empty()) encoder_batch.push_back(encoder_docs[k]);
    }
    if (batch.empty()) break;
    batch_words = std::min(bw_stop, batch_words * bw_comp);
    const std::span<const Doc> gold(batch);
    const std::span<const Doc> encoder_input = encoder_docs.empty() ? gold : std::span<const Doc>(encoder_batch);

    // Forward the encoders, then each head; sum the heads' gradients per encoder.
    const auto step_start = Clock::now();
    std::map<std::string, nn::Forward> enc_fwd;
    std::map<std::string, backend::Tensor> enc_grad;
    for (Tok2Vec* t : encoders) {
      enc_fwd[t->name()] = t->model().forward(t->train_keys(encoder_input, rng), true);
      enc_grad[t->name()] = backend::Tensor::zeros(enc_fwd[t->name()].Y.data.shape(), backend::DType::F32,
                                                   enc_fwd[t->name()].Y.data.device());
    }
    for (TrainablePipe* h : heads) {
      nn::Forward own;
      const nn::Ragged* X = nullptr;
      if (h->own_tok2vec()) {
        own = h->own_tok2vec()->model().forward(h->own_tok2vec()->train_keys(encoder_input, rng), true);
        X = &own.Y;
      } else {
        X = &enc_fwd.at(h->listens_to()).Y;
      }
      nn::Forward f = h->model().forward(*X, true);
      nn::Loss loss = h->get_loss(gold, f.Y.data);
      losses[h->name()] += loss.value;
      backend::Tensor dX = f.backprop(loss.grad);
      if (h->own_tok2vec())
        own.backprop(dX);
      else if (h->grad_factor() != 0.f)
        backend::ops(dX.device()).axpy(h->grad_factor(), dX, enc_grad.at(h->listens_to()));
    }
    for (Tok2Vec* t : encoders) enc_fwd.at(t->name()).backprop(enc_grad.at(t->name()));
    adam.step(group);
    ++step;
    words_since += words;
    total_words += words;
    train_seconds += std::chrono::duration<double>(Clock::now() - step_start).count();

    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    const bool out_of_time = max_time > 0 && elapsed >= max_time;
    const bool last = (max_steps > 0 && step >= max_steps) || out_of_time || (max_epochs > 0 && epoch >= max_epochs);
    if (bar) {
      const std::int64_t in_round = (step - 1) % eval_every + 1;
      const int filled = static_cast<int>(30 * in_round / eval_every);
      std::fprintf(stderr, "\r  step %lld [%s%s] %lld/%lld", static_cast<long long>(step), std::string(static_cast<std::size_t>(filled), '#').c_str(),
                   std::string(static_cast<std::size_t>(30 - filled), ' ').c_str(), static_cast<long long>(in_round),
                   static_cast<long long>(eval_every));
      std::fflush(stderr);
    }
    if (step % eval_every == 0 || last) {
      if (bar) std::fprintf(stderr, "\r%60s\r", "");
      const double secs = std::chrono::duration<double>(Clock::now() - since).count();
      Json scores;
      double score = 0.0;
      const double train_time = std::chrono::duration<double>(Clock::now() - t0).count();
      base_meta["training_seconds"] = std::round(train_time);
      {
        std::optional<nn::Adam::AveragesInUse> avg;
        if (ac.use_averages) avg.emplace(adam, group);
        for_each_encoder([](Tok2Vec& t) { t.prepare_inference(); });
        for (TrainablePipe* h : heads) h->prepare_inference();
        std::tie(scores, score) = evaluate();
        const bool meets = meets_minimums(scores);
        if (result.best_step == 0 || (meets && !result.best_meets_minimums) ||
            (meets == result.best_meets_minimums && score > result.best_score)) {
          result.best_meets_minimums = meets;
          result.best_score = score;
          result.best_scores = scores;
          result.best_step = step;
          if (!best_dir.empty()) {
            Json meta = base_meta;
            meta["scores"] = scores;
            meta["step"] = step;
            save_pipeline(nlp, best_dir, config, meta);
          }
        }
        if (last && !options.output.empty()) {
          Json meta = base_meta;
          meta["scores"] = scores;
          meta["step"] = step;
          save_pipeline(nlp, options.output / "model-last", config, meta);
        }
        for_each_encoder([](Tok2Vec& t) { t.discard_inference(); });
      }
      Json entry = Json::object();
      entry["step"] = step;
      entry["epoch"] = epoch;
      Json l = Json::object();
      for (const auto& [k, v] : losses) l[k] = v;
      entry["losses"] = l;
      entry["scores"] = scores;
      entry["score"] = score;
      result.history.push_back(entry);
      if (log) {
        std::vector<std::string> row{std::to_string(epoch), std::to_string(step)};
        for (TrainablePipe* h : heads) row.push_back(fmt(losses[h->name()], 2));
        for (const std::string& m : metric_names) row.push_back(fmt(scores[m].get<double>(), 2));
        row.push_back(fmt(score, 4));
        row.push_back(std::to_string(static_cast<std::int64_t>(static_cast<double>(words_since) / std::max(1e-9, secs))));
        for (std::size_t i = 0; i < row.size(); ++i) *log << (i ? "  " : "") << pad(row[i], widths[i]);
        *log << std::endl;
      }
      losses.clear();
      words_since = 0;
      since = Clock::now();
      if (patience > 0 && step - result.best_step >= patience) stop = true;
    }
    if (last) stop = true;
  }
  result.steps = step;
  result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  result.words_per_second = static_cast<double>(total_words) / std::max(1e-9, train_seconds);
  if (log)
    *log << "best score " << fmt(result.best_score, 4) << " at step " << result.best_step
         << (minimums.empty() ? "" : result.best_meets_minimums ? " (meets score_minimums)" : " (no evaluation met score_minimums)")
         << "; " << step
         << " steps in " << fmt(result.seconds, 1) << " s (" << static_cast<std::int64_t>(result.words_per_second)
         << " words/s while updating)" << (best_dir.empty() ? "" : "; saved " + best_dir.string()) << std::endl;
  return result;
}

}  // namespace weft
