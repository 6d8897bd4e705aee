#include "weft/train/trainer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <sstream>

#include "weft/backend/ops.hpp"
#include "weft/backend/threads.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"
#include "weft/nn/optimizer.hpp"
#include "weft/nn/rng.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/trainable.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/strings/utf8.hpp"
#include "weft/tokenize/tokenizer_base.hpp"
#include "weft/train/conll18.hpp"
#include "weft/train/evaluate.hpp"

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
    // Keys starting with "_" are comments ("_doc"), allowed everywhere as check_config_keys allows them.
    if (strict && !base.contains(k) && (k.empty() || k[0] != '_')) throw ConfigError("unknown config key \"" + path + k + "\"");
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

bool is_text_corpus(const std::string& path) {
  return path.size() >= 4 && path.compare(path.size() - 4, 4, ".txt") == 0;
}

// The raw text a TextLearner learns from, and how many documents it holds: a .txt file as it is (its
// documents are the blocks between blank lines), or the documents' texts of a CoNLL-U file (sentences
// joined by a space, paragraphs by a newline, as the reader builds them) joined by a blank line.
// `limit` > 0 keeps the first documents.
std::pair<std::string, std::size_t> read_text_corpus(const std::string& path, const std::shared_ptr<Vocab>& vocab,
                                                     std::int64_t limit) {
  std::string text;
  std::size_t docs = 0;
  if (is_text_corpus(path)) {
    const std::string raw = read_file(path);
    utf8::check(raw, path);
    // Blocks between blank lines (lines of whitespace only count as blank).
    std::size_t i = 0, kept_end = 0;
    bool in_doc = false;
    while (i < raw.size()) {
      std::size_t e = raw.find('\n', i);
      if (e == std::string::npos) e = raw.size();
      const bool blank = raw.find_first_not_of(" \t\r\f\v", i) >= e;
      if (!blank && !in_doc) {
        if (limit > 0 && static_cast<std::int64_t>(docs) == limit) break;
        ++docs;
        in_doc = true;
      }
      if (blank) in_doc = false;
      else kept_end = e;
      i = e + 1;
    }
    text = raw.substr(0, limit > 0 ? kept_end : raw.size());
  } else {
    std::vector<Doc> d = read_conllu_file(path, vocab, {ConlluReadOptions::Group::Document, false});
    if (limit > 0 && static_cast<std::int64_t>(d.size()) > limit) d.erase(d.begin() + limit, d.end());
    for (const Doc& doc : d) {
      if (doc.text().empty()) continue;
      text += (text.empty() ? "" : "\n\n") + doc.text();
      ++docs;
    }
  }
  if (docs == 0) throw ValueError("corpus " + path + " has no text");
  return {std::move(text), docs};
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
    "seed": 0, "threads": 1, "device": "cpu",
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
      throw ConfigError("unknown config section \"" + section + "\" (known: nlp, components, corpora, training)");
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

namespace {

// One training run, in the steps train() takes: build the pipeline, read the corpora, initialize the
// components, then batches of updates with an evaluation (and checkpoint) every eval_frequency steps.
class Trainer {
 public:
  Trainer(const Json& raw_config, const TrainOptions& options)
      : config_(resolve_training_config(raw_config)),
        T_(config_["training"]),
        options_(options),
        seed_(T_["seed"].get<std::uint64_t>()),
        nlp_(Pipeline::blank(config_["nlp"]["lang"].get<std::string>())),
        batch_rng_(nn::stream_seed(seed_, "batches")),
        dropout_rng_(nn::stream_seed(seed_, "word_dropout")) {}

  TrainResult run() {
    backend::set_cpu_threads(std::max(1, T_["threads"].get<int>()));
    // The device first: a GPU that is not there fails before the corpora are read.
    const backend::Device device = training_device();
    build_pipeline();
    if (!gold_learners_.empty()) return run_gold_learners();
    if (heads_.empty()) return run_text_learners();
    learn_from_text();
    read_corpora();
    initialize_components();
    // The weights are drawn on the host (the same on every device), then moved; the optimizer's state
    // follows its parameters.
    if (!device.is_cpu()) nlp_.to(device);
    make_optimizer();
    read_score_rules();
    const Json& nlp_config = config_["nlp"];
    base_meta_ = nlp_config.contains("meta") && nlp_config["meta"].is_object() ? nlp_config["meta"] : Json::object();
    log_header();
    const auto max_steps = T_["max_steps"].get<std::int64_t>();
    const auto max_epochs = T_["max_epochs"].get<std::int64_t>();
    const auto max_time = T_["max_time_s"].get<double>();
    const auto eval_every = std::max<std::int64_t>(1, T_["eval_frequency"].get<std::int64_t>());
    const auto patience = T_["patience"].get<std::int64_t>();
    const bool bar = options_.progress_bar && isatty(2);
    for (;;) {
      Batch batch = next_batch(max_epochs);
      if (batch.gold.empty()) break;
      update(batch);
      const double elapsed = std::chrono::duration<double>(Clock::now() - t0_).count();
      const bool last = (max_steps > 0 && step_ >= max_steps) || (max_time > 0 && elapsed >= max_time) ||
                        (max_epochs > 0 && epoch_ >= max_epochs);
      if (bar) draw_progress(eval_every);
      if (step_ % eval_every == 0 || last) {
        if (bar) std::fprintf(stderr, "\r%60s\r", "");
        checkpoint(last);
        if (patience > 0 && step_ - result_.best_step >= patience) break;
      }
      if (last) break;
    }
    result_.steps = step_;
    result_.seconds = std::chrono::duration<double>(Clock::now() - t0_).count();
    result_.words_per_second = static_cast<double>(total_words_) / std::max(1e-9, train_seconds_);
    log_summary();
    return result_;
  }

 private:
  struct Encoder {
    std::string name;
    TokenEncoder* encoder;
  };
  struct Learner {
    std::string name;
    TextLearner* learner;
  };
  struct EpochLearner {
    std::string name;
    GoldLearner* learner;
  };
  struct Batch {
    std::vector<Doc> gold, encoder_input;  // encoder_input: empty when the encoders read `gold`
    std::int64_t words = 0;
  };

  // The pipeline the config describes; its encoders (tok2vec components) and heads (trainable
  // components), as the components say of themselves.
  void build_pipeline() {
    // nlp.tokenizer: the pipeline's tokenizer, as a tokenizer.json ({"@tokenizers": NAME, ...});
    // default: the language's rules.
    if (config_["nlp"].contains("tokenizer")) {
      const Json& t = config_["nlp"]["tokenizer"];
      if (!t.is_object() || !t.contains("@tokenizers"))
        throw ConfigError("config key \"nlp.tokenizer\" must be a tokenizer config: {\"@tokenizers\": NAME, ...}");
      nlp_.set_tokenizer(make_tokenizer(t, nlp_.vocab()));
    }
    for (const Json& n : config_["nlp"]["pipeline"]) {
      const std::string name = n.get<std::string>();
      if (!config_["components"].contains(name)) throw ValueError("pipeline component \"" + name + "\" is not in \"components\"");
      Json c = config_["components"][name];
      const std::string factory = c["factory"].get<std::string>();
      c.erase("factory");
      nlp_.add_pipe(factory, name, c);
    }
    for (const std::string& name : nlp_.pipe_names()) {
      Component& c = nlp_.get_pipe(name);
      if (TokenEncoder* e = c.as_encoder()) encoders_.push_back({name, e});
      if (TrainablePipe* h = c.as_trainable()) heads_.push_back(h);
      if (TextLearner* l = c.as_text_learner()) learners_.push_back({name, l});
      if (GoldLearner* g = as_gold_learner(c)) gold_learners_.push_back({name, g});
    }
    if (heads_.empty() && learners_.empty() && gold_learners_.empty())
      throw ValueError("the config's pipeline has no trainable component (nor one that learns from raw text)");
    if (!heads_.empty() && !gold_learners_.empty())
      throw ValueError("the config's pipeline mixes components with networks (" + heads_.front()->name() +
                       ") and components learnt epoch by epoch without one (" + gold_learners_.front().name +
                       "); train them in separate configs and assemble the pipeline from the trained models");
    for (TrainablePipe* h : heads_) loss_names_.push_back(h->name());
    for (const EpochLearner& g : gold_learners_) loss_names_.push_back(g.name);
  }

  // A pipeline whose trained components learn from gold Docs without a network (an averaged
  // perceptron, a CRF): learners from raw text first, then training.max_epochs passes over the
  // shuffled training Docs, each followed by finish_epoch (averaged weights) and a dev evaluation that
  // keeps model-best; model-last after the last epoch. A step is an epoch.
  TrainResult run_gold_learners() {
    learn_from_text();
    read_corpora();
    for (const EpochLearner& g : gold_learners_) {
      g.learner->begin_learning(train_docs_, nn::stream_seed(seed_, g.name));
      for (const std::string& m : g.learner->learner_metrics()) metric_names_.push_back(m);
    }
    read_score_rules();
    const Json& nlp_config = config_["nlp"];
    base_meta_ = nlp_config.contains("meta") && nlp_config["meta"].is_object() ? nlp_config["meta"] : Json::object();
    const auto max_epochs = T_["max_epochs"].get<std::int64_t>();
    if (max_epochs <= 0)
      throw ValueError("training.max_epochs must be at least 1 for a pipeline of components learnt epoch by epoch (" +
                       gold_learners_.front().name + "): it is the number of passes over the training data");
    const auto max_time = T_["max_time_s"].get<double>();
    std::int64_t words = 0;
    for (const Doc& d : train_docs_) words += static_cast<std::int64_t>(d.size());
    log_header();
    for (std::int64_t e = 1; e <= max_epochs; ++e) {
      const auto start = Clock::now();
      for (const EpochLearner& g : gold_learners_) {
        losses_[g.name] += g.learner->learn_epoch(train_docs_, order_);
        g.learner->finish_epoch();
      }
      train_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
      total_words_ += words;
      words_since_ += words;
      epoch_ = step_ = e;
      std::shuffle(order_.begin(), order_.end(), batch_rng_);
      const double elapsed = std::chrono::duration<double>(Clock::now() - t0_).count();
      const bool last = e == max_epochs || (max_time > 0 && elapsed >= max_time);
      checkpoint(last);
      if (last) break;
    }
    if (std::ostream* log = options_.log)
      for (const EpochLearner& g : gold_learners_) *log << g.name << ": " << g.learner->learnt_summary() << std::endl;
    result_.steps = step_;
    result_.seconds = std::chrono::duration<double>(Clock::now() - t0_).count();
    result_.words_per_second = static_cast<double>(total_words_) / std::max(1e-9, train_seconds_);
    log_summary();
    return result_;
  }

  // Components that learn from raw text (Punkt) learn from the training corpus's text, first.
  void learn_from_text() {
    if (learners_.empty()) return;
    const Json& C = config_["corpora"];
    const std::string path = C["train"].get<std::string>();
    if (is_text_corpus(path))
      throw ValueError("corpora.train is raw text (" + path + "), but the pipeline's trainable components need "
                       "annotated CoNLL-U; a raw-text corpus trains only components that learn from text");
    const auto [text, docs] = read_text_corpus(path, nlp_.vocab(), C["max_train_docs"].get<std::int64_t>());
    for (const Learner& l : learners_) {
      const auto t0 = Clock::now();
      l.learner->learn_from_text(text);
      if (options_.log)
        *options_.log << l.name << ": learnt from the raw text of " << docs << " documents of " << path << " in "
                      << fmt(std::chrono::duration<double>(Clock::now() - t0).count(), 2)
                      << " s: " << l.learner->learnt_summary() << std::endl;
    }
  }

  // A pipeline whose only trained components learn from raw text: they learn, once, from the
  // training corpus's text (a .txt file or the documents of a CoNLL-U file), and the pipeline is
  // evaluated on the dev corpus's raw text (whole documents, tokenization and segmentation included),
  // then saved as model-best and model-last.
  TrainResult run_text_learners() {
    const Json& C = config_["corpora"];
    const std::string train_path = C["train"].get<std::string>();
    const std::string dev_path = C["dev"].get<std::string>();
    if (is_text_corpus(dev_path))
      throw ValueError("corpora.dev must be CoNLL-U (gold sentences to score against), not raw text: " + dev_path);
    const auto [text, docs] = read_text_corpus(train_path, nlp_.vocab(), C["max_train_docs"].get<std::int64_t>());
    dev_docs_ = read_conllu_file(dev_path, nlp_.vocab(), {ConlluReadOptions::Group::Document, false});
    const auto max_dev = C["max_dev_docs"].get<std::int64_t>();
    if (max_dev > 0 && static_cast<std::int64_t>(dev_docs_.size()) > max_dev) dev_docs_.erase(dev_docs_.begin() + max_dev, dev_docs_.end());
    std::erase_if(dev_docs_, [](const Doc& d) { return d.empty(); });
    if (dev_docs_.empty()) throw ValueError("corpus " + dev_path + " has no sentences");
    metric_names_ = {"Sentences", "Tokens"};
    read_score_rules();
    const Json& nlp_config = config_["nlp"];
    base_meta_ = nlp_config.contains("meta") && nlp_config["meta"].is_object() ? nlp_config["meta"] : Json::object();
    std::ostream* log = options_.log;
    if (log) {
      *log << "learning from raw text: " << docs << " documents of " << train_path << " (" << text.size()
           << " bytes); evaluating on the raw text of " << dev_docs_.size() << " documents of " << dev_path
           << "; pipeline:";
      for (const auto& n : nlp_.pipe_names()) *log << ' ' << n;
      *log << std::endl;
    }
    const auto t0 = Clock::now();
    for (const Learner& l : learners_) {
      const auto s0 = Clock::now();
      l.learner->learn_from_text(text);
      if (log)
        *log << l.name << ": " << l.learner->learnt_summary() << " in "
             << fmt(std::chrono::duration<double>(Clock::now() - s0).count(), 2) << " s" << std::endl;
    }
    train_seconds_ = std::chrono::duration<double>(Clock::now() - t0).count();
    const Evaluation e = evaluate_raw(nlp_, dev_docs_, false);
    Json scores = Json::object();
    double score = 0.0;
    for (const std::string& m : metric_names_) {
      scores[m] = e.value(m) * 100.0;
      if (const auto it = weights_.find(m); it != weights_.end()) score += it->second / weight_sum_ * e.value(m);
    }
    base_meta_["training_seconds"] = std::round(std::chrono::duration<double>(Clock::now() - t0_).count());
    result_.best_scores = scores;
    result_.best_score = score;
    result_.best_step = 0;
    result_.best_meets_minimums = meets_minimums(scores);
    result_.steps = 0;
    Json entry = Json::object();
    entry["step"] = 0;
    entry["epoch"] = 1;
    entry["losses"] = Json::object();
    entry["scores"] = scores;
    entry["score"] = score;
    result_.history.push_back(entry);
    if (!options_.output.empty()) {
      save(options_.output / "model-best", scores);
      save(options_.output / "model-last", scores);
    }
    result_.seconds = std::chrono::duration<double>(Clock::now() - t0_).count();
    // Words of the text learnt from per second of learning (Punkt's word tokenization is not counted:
    // these are whitespace-separated words).
    std::size_t words = 0;
    for (std::size_t i = 0; i < text.size(); ++i)
      words += !std::isspace(static_cast<unsigned char>(text[i])) && (i == 0 || std::isspace(static_cast<unsigned char>(text[i - 1])));
    result_.words_per_second = static_cast<double>(words) / std::max(1e-9, train_seconds_);
    if (log) {
      *log << "dev (raw text):";
      for (const std::string& m : metric_names_) *log << ' ' << m << ' ' << fmt(scores[m].get<double>(), 2);
      *log << "; score " << fmt(score, 4) << (minimums_.empty() ? "" : result_.best_meets_minimums ? " (meets score_minimums)" : " (does not meet score_minimums)")
           << "; " << static_cast<std::int64_t>(static_cast<double>(e.words) / std::max(1e-9, e.seconds))
           << " words/s annotating"
           << (options_.output.empty() ? "" : "; saved " + (options_.output / "model-best").string() + " and model-last")
           << std::endl;
    }
    return result_;
  }

  // The training and dev sentences. Training Docs of several sentences (a parser learns sentence
  // boundaries from them); the encoders read them as they read raw text: without the gold boundaries
  // inside, with those the pipeline's sentence-only components (a sentencizer before the parser) set,
  // so only the parser knows the rest. join_fraction: the share of groups that are joined; the other
  // sentences stay Docs of their own (a choice drawn per group from the "corpus.join" stream).
  void read_corpora() {
    const Json& C = config_["corpora"];
    train_docs_ = read_corpus(C["train"].get<std::string>(), nlp_.vocab(), C["max_train_docs"].get<std::int64_t>());
    train_sentences_ = train_docs_.size();
    const auto per_doc = C["sentences_per_doc"].get<std::int64_t>();
    if (per_doc < 1) throw ValueError("corpora.sentences_per_doc must be >= 1");
    const auto join_fraction = C["join_fraction"].get<double>();
    if (!(join_fraction > 0.0 && join_fraction <= 1.0)) throw ValueError("corpora.join_fraction must be in (0, 1]");
    if (per_doc > 1) {
      std::vector<Doc> joined;
      std::mt19937_64 join_rng(nn::stream_seed(seed_, "corpus.join"));
      std::uniform_real_distribution<double> coin(0.0, 1.0);
      for (std::size_t i = 0; i < train_docs_.size();) {
        const std::size_t group = join_fraction >= 1.0 || coin(join_rng) < join_fraction ? static_cast<std::size_t>(per_doc) : 1;
        const std::size_t n = std::min<std::size_t>(group, train_docs_.size() - i);
        joined.push_back(join_docs(std::span<const Doc>(train_docs_.data() + i, n), nlp_.vocab()));
        Doc plain = joined.back();
        for (std::size_t t = 1; t < plain.size(); ++t) plain.data(t).sent_start = 0;
        for (const std::string& name : nlp_.pipe_names())  // rule-based ones: a trained senter is learning them
          if (Pipeline::is_sentence_only(nlp_.get_pipe(name)) && nlp_.get_pipe(name).as_trainable() == nullptr)
            nlp_.get_pipe(name)(plain);
        encoder_docs_.push_back(std::move(plain));
        i += n;
      }
      train_docs_ = std::move(joined);
    }
    dev_docs_ = read_corpus(C["dev"].get<std::string>(), nlp_.vocab(), C["max_dev_docs"].get<std::int64_t>());
    order_.resize(train_docs_.size());
    for (std::size_t i = 0; i < order_.size(); ++i) order_[i] = i;
    std::shuffle(order_.begin(), order_.end(), batch_rng_);
  }

  backend::Device training_device() const {
    if (!T_["device"].is_string()) throw ConfigError("training.device must be a string: \"cpu\" or \"cuda:N\"");
    const backend::Device d = backend::Device::parse(T_["device"].get<std::string>());
    (void)backend::ops(d);  // ValueError naming CUDA and why it is not available
    return d;
  }

  // Encoders first (their width sizes the heads), then labels and heads; each from its own random
  // stream (named after the component).
  void initialize_components() {
    for (const Encoder& e : encoders_) e.encoder->initialize(train_docs_, nn::stream_seed(seed_, e.name));
    const auto names = nlp_.pipe_names();
    for (TrainablePipe* h : heads_) {
      std::int64_t width = 0;
      if (!h->own_encoder()) {
        const auto it = std::find_if(encoders_.begin(), encoders_.end(), [&](const Encoder& e) { return e.name == h->listens_to(); });
        if (it == encoders_.end())
          throw ValueError("component \"" + h->name() + "\" listens to \"" + h->listens_to() + "\", which is not a tok2vec in the pipeline");
        if (std::find(names.begin(), names.end(), it->name) > std::find(names.begin(), names.end(), h->name()))
          throw ValueError("component \"" + h->name() + "\" listens to \"" + h->listens_to() + "\", which comes after it");
        width = it->encoder->width();
      }
      h->initialize(train_docs_, width, nn::stream_seed(seed_, h->name()));
      for (const std::string& m : h->metrics()) metric_names_.push_back(m);
    }
    // A trained sentence segmenter (senter) is scored from the dev documents' raw text: with gold
    // tokenization the gold sentences are part of the input.
    if (std::find(metric_names_.begin(), metric_names_.end(), "Sentences") != metric_names_.end()) {
      const std::string dev_path = config_["corpora"]["dev"].get<std::string>();
      dev_documents_ = read_conllu_file(dev_path, nlp_.vocab(), {ConlluReadOptions::Group::Document, false});
      const auto max_dev = config_["corpora"]["max_dev_docs"].get<std::int64_t>();
      if (max_dev > 0 && static_cast<std::int64_t>(dev_documents_.size()) > max_dev)
        dev_documents_.erase(dev_documents_.begin() + max_dev, dev_documents_.end());
      std::erase_if(dev_documents_, [](const Doc& d) { return d.empty(); });
    }
    std::vector<nn::Layer*> models;
    for (const Encoder& e : encoders_) models.push_back(&e.encoder->model());
    for (TrainablePipe* h : heads_) {
      models.push_back(&h->model());
      if (h->own_encoder()) models.push_back(&h->own_encoder()->model());
    }
    group_ = std::make_unique<ModelGroup>(models);
  }

  void make_optimizer() {
    const Json& O = T_["optimizer"];
    const float lr = O["learn_rate"].get<float>();
    const auto warmup = O["warmup_steps"].get<std::int64_t>();
    adam_config_.learn_rate = warmup > 0 ? nn::warmup_linear(lr, warmup, std::max<std::int64_t>(warmup + 1, T_["max_steps"].get<std::int64_t>()))
                                         : nn::constant_schedule(lr);
    adam_config_.beta1 = O["beta1"].get<float>();
    adam_config_.beta2 = O["beta2"].get<float>();
    adam_config_.eps = O["eps"].get<float>();
    adam_config_.weight_decay = O["weight_decay"].get<float>();
    adam_config_.grad_clip = O["grad_clip"].get<float>();
    adam_config_.use_averages = O["use_averages"].get<bool>();
    adam_.emplace(adam_config_);
  }

  // Score weights over the metrics this pipeline produces (renormalised), and the minimums (metric ->
  // percent): a checkpoint that meets them all becomes model-best ahead of any that does not; among
  // equals the weighted score decides.
  void read_score_rules() {
    for (const auto& [m, w] : T_["score_weights"].items())
      if (std::find(metric_names_.begin(), metric_names_.end(), m) != metric_names_.end()) {
        weights_[m] = w.get<double>();
        weight_sum_ += w.get<double>();
      }
    if (weight_sum_ <= 0.0)
      for (const std::string& m : metric_names_) weights_[m] = 1.0, weight_sum_ += 1.0;
    if (!T_["score_minimums"].is_object()) throw ValueError("training.score_minimums must be an object (metric -> percent)");
    for (const auto& [m, v] : T_["score_minimums"].items()) {
      if (std::find(metric_names_.begin(), metric_names_.end(), m) == metric_names_.end()) {
        std::string known;
        for (const std::string& n : metric_names_) known += (known.empty() ? "" : ", ") + n;
        throw ValueError("training.score_minimums: this pipeline does not score \"" + m + "\" (it scores " + known + ")");
      }
      if (!v.is_number()) throw ValueError("training.score_minimums: \"" + m + "\" must be a number (percent)");
      minimums_[m] = v.get<double>();
    }
  }

  bool meets_minimums(const Json& scores) const {
    for (const auto& [m, v] : minimums_)
      if (!(scores[m].get<double>() >= v)) return false;
    return true;
  }

  // The next batch of shuffled training Docs, about batch_words words (and what the encoders read of
  // them); empty when max_epochs ran out.
  Batch next_batch(std::int64_t max_epochs) {
    if (batch_words_ == 0.0) batch_words_ = T_["batch_words"]["start"].get<double>();
    Batch b;
    while (b.words < static_cast<std::int64_t>(batch_words_)) {
      if (cursor_ == order_.size()) {
        ++epoch_;
        cursor_ = 0;
        std::shuffle(order_.begin(), order_.end(), batch_rng_);
        if (max_epochs > 0 && epoch_ >= max_epochs) break;
      }
      const std::size_t k = order_[cursor_++];
      b.words += static_cast<std::int64_t>(train_docs_[k].size());
      b.gold.push_back(train_docs_[k]);
      if (!encoder_docs_.empty()) b.encoder_input.push_back(encoder_docs_[k]);
    }
    batch_words_ = std::min(T_["batch_words"]["stop"].get<double>(), batch_words_ * T_["batch_words"]["compound"].get<double>());
    return b;
  }

  // One optimizer step: the encoders' forward passes, each head's update (TrainablePipe::update),
  // the heads' gradients summed per shared encoder (times their grad_factor) and back-propagated.
  void update(const Batch& batch) {
    const auto start = Clock::now();
    const std::span<const Doc> gold(batch.gold);
    const std::span<const Doc> encoder_input = batch.encoder_input.empty() ? gold : std::span<const Doc>(batch.encoder_input);
    std::map<std::string, nn::Forward> fwd;
    std::map<std::string, backend::Tensor> grad;
    for (const Encoder& e : encoders_) {
      nn::Forward& f = fwd[e.name] = e.encoder->model().forward(e.encoder->train_keys(encoder_input, dropout_rng_), true);
      grad[e.name] = backend::Tensor::zeros(f.Y.data.shape(), backend::DType::F32, f.Y.data.device());
    }
    for (TrainablePipe* h : heads_) {
      const nn::Ragged* shared = h->own_encoder() ? nullptr : &fwd.at(h->listens_to()).Y;
      TrainablePipe::Update u = h->update(gold, encoder_input, shared, dropout_rng_);
      losses_[h->name()] += u.loss;
      if (shared && h->grad_factor() != 0.f)
        backend::ops(u.d_shared.device()).axpy(h->grad_factor(), u.d_shared, grad.at(h->listens_to()));
    }
    for (const Encoder& e : encoders_) fwd.at(e.name).backprop(grad.at(e.name));
    adam_->step(*group_);
    ++step_;
    words_since_ += batch.words;
    total_words_ += batch.words;
    train_seconds_ += std::chrono::duration<double>(Clock::now() - start).count();
  }

  void for_each_encoder(const std::function<void(TokenEncoder&)>& f) {
    for (const Encoder& e : encoders_) f(*e.encoder);
    for (TrainablePipe* h : heads_)
      if (h->own_encoder()) f(*h->own_encoder());
  }

  // The dev scores (percent) of the metrics the heads name, and their weighted score (0..1).
  std::pair<Json, double> evaluate_dev() const {
    const Evaluation e = evaluate(nlp_, dev_docs_, 64);
    std::optional<Evaluation> raw;
    if (!dev_documents_.empty()) raw = evaluate_raw(nlp_, dev_documents_, false);
    Json scores = Json::object();
    double score = 0.0;
    for (const std::string& m : metric_names_) {
      const double v = m == "Sentences" && raw ? raw->value(m) : e.value(m);
      scores[m] = v * 100.0;
      if (const auto it = weights_.find(m); it != weights_.end()) score += it->second / weight_sum_ * v;
    }
    return {scores, score};
  }

  // Evaluates with the averaged weights (when kept) and the inference forms of the weights; saves
  // model-best when the scores beat the best so far, and model-last at the last step; logs the row.
  void checkpoint(bool last) {
    const double secs = std::chrono::duration<double>(Clock::now() - since_).count();
    base_meta_["training_seconds"] = std::round(std::chrono::duration<double>(Clock::now() - t0_).count());
    Json scores;
    double score = 0.0;
    {
      std::optional<nn::Adam::AveragesInUse> avg;
      if (adam_ && adam_config_.use_averages) avg.emplace(*adam_, *group_);
      for_each_encoder([](TokenEncoder& t) { t.prepare_inference(); });
      for (TrainablePipe* h : heads_) h->prepare_inference();
      std::tie(scores, score) = evaluate_dev();
      const bool meets = meets_minimums(scores);
      if (result_.best_step == 0 || (meets && !result_.best_meets_minimums) ||
          (meets == result_.best_meets_minimums && score > result_.best_score)) {
        result_.best_meets_minimums = meets;
        result_.best_score = score;
        result_.best_scores = scores;
        result_.best_step = step_;
        if (!options_.output.empty()) save(options_.output / "model-best", scores);
      }
      if (last && !options_.output.empty()) save(options_.output / "model-last", scores);
      for_each_encoder([](TokenEncoder& t) { t.discard_inference(); });
    }
    Json entry = Json::object();
    entry["step"] = step_;
    entry["epoch"] = epoch_;
    Json l = Json::object();
    for (const auto& [k, v] : losses_) l[k] = v;
    entry["losses"] = l;
    entry["scores"] = scores;
    entry["score"] = score;
    result_.history.push_back(entry);
    if (std::ostream* log = options_.log) {
      std::vector<std::string> row{std::to_string(epoch_), std::to_string(step_)};
      for (const std::string& n : loss_names_) row.push_back(fmt(losses_[n], 2));
      for (const std::string& m : metric_names_) row.push_back(fmt(scores[m].get<double>(), 2));
      row.push_back(fmt(score, 4));
      row.push_back(std::to_string(static_cast<std::int64_t>(static_cast<double>(words_since_) / std::max(1e-9, secs))));
      for (std::size_t i = 0; i < row.size(); ++i) *log << (i ? "  " : "") << pad(row[i], widths_[i]);
      *log << std::endl;
    }
    losses_.clear();
    words_since_ = 0;
    since_ = Clock::now();
  }

  // meta.json of a saved model: the config's nlp.meta (name, version, sources, licence, ...), then the
  // dev scores and the step they were reached at.
  void save(const std::filesystem::path& dir, const Json& scores) const {
    Json meta = base_meta_;
    meta["scores"] = scores;
    meta["step"] = step_;
    save_pipeline(nlp_, dir, config_, meta);
  }

  void log_header() {
    std::vector<std::string> cols{"E", "#"};
    for (const std::string& n : loss_names_) cols.push_back("LOSS " + n);
    for (const std::string& m : metric_names_) cols.push_back(m);
    cols.push_back("SCORE");
    cols.push_back("WPS");
    for (const std::string& c : cols) widths_.push_back(std::max<std::size_t>(c.size(), 7));
    since_ = Clock::now();
    std::ostream* log = options_.log;
    if (!log) return;
    *log << "training on " << train_docs_.size() << " Docs (" << train_sentences_ << " sentences), evaluating on "
         << dev_docs_.size() << " sentences; pipeline:";
    for (const auto& n : nlp_.pipe_names()) *log << ' ' << n;
    if (!nlp_.device().is_cpu()) *log << "; on " << nlp_.device().str();
    *log << '\n';
    for (std::size_t i = 0; i < cols.size(); ++i) *log << (i ? "  " : "") << pad(cols[i], widths_[i]);
    *log << '\n';
    for (std::size_t i = 0; i < cols.size(); ++i) *log << (i ? "  " : "") << std::string(widths_[i], '-');
    *log << std::endl;
  }

  void draw_progress(std::int64_t eval_every) const {
    const std::int64_t in_round = (step_ - 1) % eval_every + 1;
    const int filled = static_cast<int>(30 * in_round / eval_every);
    std::fprintf(stderr, "\r  step %lld [%s%s] %lld/%lld", static_cast<long long>(step_),
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(30 - filled), ' ').c_str(), static_cast<long long>(in_round),
                 static_cast<long long>(eval_every));
    std::fflush(stderr);
  }

  void log_summary() const {
    std::ostream* log = options_.log;
    if (!log) return;
    *log << "best score " << fmt(result_.best_score, 4) << " at step " << result_.best_step
         << (minimums_.empty() ? "" : result_.best_meets_minimums ? " (meets score_minimums)" : " (no evaluation met score_minimums)")
         << "; " << step_ << " steps in " << fmt(result_.seconds, 1) << " s ("
         << static_cast<std::int64_t>(result_.words_per_second) << " words/s while updating)"
         << (options_.output.empty() ? "" : "; saved " + (options_.output / "model-best").string()) << std::endl;
  }

  const Clock::time_point t0_ = Clock::now();
  const Json config_;
  const Json& T_;
  const TrainOptions& options_;
  const std::uint64_t seed_;
  Pipeline nlp_;
  std::vector<Encoder> encoders_;
  std::vector<TrainablePipe*> heads_;
  std::vector<Learner> learners_;
  std::vector<EpochLearner> gold_learners_;
  std::vector<std::string> loss_names_;  // the heads' and gold learners' names: the log's loss columns
  std::vector<Doc> train_docs_, encoder_docs_, dev_docs_;
  std::vector<Doc> dev_documents_;  // the dev corpus by document, for a trained segmenter's raw-text score
  std::size_t train_sentences_ = 0;
  std::vector<std::string> metric_names_;
  std::unique_ptr<ModelGroup> group_;
  nn::AdamConfig adam_config_;
  std::optional<nn::Adam> adam_;
  std::map<std::string, double> weights_, minimums_;
  double weight_sum_ = 0.0;
  Json base_meta_;
  std::vector<std::size_t> widths_;
  // The batch order (shuffled per epoch) and the encoders' word dropout draw from streams of their own.
  std::mt19937_64 batch_rng_, dropout_rng_;
  std::vector<std::size_t> order_;
  std::size_t cursor_ = 0;
  double batch_words_ = 0.0;
  std::int64_t epoch_ = 0, step_ = 0, words_since_ = 0, total_words_ = 0;
  std::map<std::string, double> losses_;
  Clock::time_point since_;
  double train_seconds_ = 0.0;
  TrainResult result_;
};

}  // namespace

TrainResult train(const Json& raw_config, const TrainOptions& options) { return Trainer(raw_config, options).run(); }

std::vector<double> learn_from_gold(GoldLearner& learner, std::span<const Doc> gold, int n_iter, std::uint64_t seed) {
  if (n_iter < 1) throw ValueError("n_iter must be at least 1, not " + std::to_string(n_iter));
  if (gold.empty()) throw ValueError("no Docs to learn from");
  learner.begin_learning(gold, seed);
  std::vector<std::size_t> order(gold.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 rng(nn::stream_seed(seed, "batches"));
  std::vector<double> losses;
  for (int it = 0; it < n_iter; ++it) {
    losses.push_back(learner.learn_epoch(gold, order));
    std::shuffle(order.begin(), order.end(), rng);
  }
  learner.finish_epoch();
  return losses;
}

}  // namespace weft
