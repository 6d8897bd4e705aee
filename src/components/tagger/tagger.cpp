#include "weft/components/tagger/tagger.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <cctype>

#include "doc/feats.hpp"
#include "weft/backend/argmax.hpp"
#include "weft/backend/ops.hpp"
#include "weft/doc/doc_chunks.hpp"
#include "weft/error.hpp"
#include "weft/nn/linear.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft {

namespace {

const char* attr_name(TokenClassifier::Attr a) {
  switch (a) {
    case TokenClassifier::Attr::POS: return "pos";
    case TokenClassifier::Attr::TAG: return "tag";
    case TokenClassifier::Attr::MORPH: return "morph";
    case TokenClassifier::Attr::FEAT: return "feats";
    case TokenClassifier::Attr::DEP: return "dep";
    case TokenClassifier::Attr::SENT: return "sent_start";
  }
  return "?";
}

TokenClassifier::Attr attr_from(const std::string& s) {
  if (s == "pos") return TokenClassifier::Attr::POS;
  if (s == "tag") return TokenClassifier::Attr::TAG;
  if (s == "morph") return TokenClassifier::Attr::MORPH;
  if (s == "feats") return TokenClassifier::Attr::FEAT;
  if (s == "dep") return TokenClassifier::Attr::DEP;
  if (s == "sent_start") return TokenClassifier::Attr::SENT;
  throw ValueError("unknown classifier head \"" + s + "\" (known: pos, tag, morph, feats, dep, sent_start)");
}

::weft::Attr doc_attr(TokenClassifier::Attr a) {
  switch (a) {
    case TokenClassifier::Attr::POS: return ::weft::Attr::POS;
    case TokenClassifier::Attr::TAG: return ::weft::Attr::TAG;
    case TokenClassifier::Attr::MORPH:
    case TokenClassifier::Attr::FEAT: return ::weft::Attr::MORPH;
    case TokenClassifier::Attr::DEP: return ::weft::Attr::DEP;
    case TokenClassifier::Attr::SENT: return ::weft::Attr::SENT_START;
  }
  return ::weft::Attr::POS;
}

// The auxiliary dep head's label of token i: its relation and the side of its head.
std::string dep_label(const Doc& doc, std::size_t i) {
  const TokenData& t = doc.data(i);
  if (t.dep == 0) return {};
  if (t.head == 0) return "root";
  return std::string(doc.str(t.dep)) + (t.head < 0 ? "<" : ">");
}

// The sent_start head's label of token i of a Doc with sentence starts: "S" starts a sentence, "I" not.
const char* sent_label(const Doc& doc, std::size_t i) { return i == 0 || doc.data(i).sent_start == 1 ? "S" : "I"; }

// Calls f(name, value) for each "Name=Value" item of a FEATS string ("Number=Sing|Person=3").
template <class F>
void for_each_feature(std::string_view feats, F&& f) {
  std::size_t pos = 0;
  while (pos < feats.size()) {
    std::size_t bar = feats.find('|', pos);
    if (bar == std::string_view::npos) bar = feats.size();
    const std::string_view item = feats.substr(pos, bar - pos);
    const std::size_t eq = item.find('=');
    if (eq != std::string_view::npos) f(item.substr(0, eq), item.substr(eq + 1));
    pos = bar + 1;
  }
}

// The value of `feature` in a FEATS string, or "_" when absent.
std::string_view feature_value(std::string_view feats, std::string_view feature) {
  std::string_view found = "_";
  for_each_feature(feats, [&](std::string_view name, std::string_view value) {
    if (name == feature) found = value;
  });
  return found;
}

}  // namespace

TokenClassifier::TokenClassifier(std::string name, std::string factory, const Json& config, std::shared_ptr<Vocab> vocab)
    : TrainablePipe(std::move(name), config.is_object() && config.contains("tok2vec") ? config["tok2vec"] : Json(),
                    std::move(vocab)),
      factory_(std::move(factory)) {
  if (!config.is_object()) throw ValueError("component \"" + this->name() + "\": config must be a JSON object");
  check_config_keys(config, {"tok2vec", "heads", "storage", "label_smoothing", "overwrite"}, "the config of component \"" + this->name() + "\"");
  std::vector<std::string> heads = factory_ == "weft.Tagger.v1"                ? std::vector<std::string>{"pos", "tag"}
                                   : factory_ == "weft.SentenceRecognizer.v1" ? std::vector<std::string>{"sent_start"}
                                                                               : std::vector<std::string>{"morph"};
  if (config.contains("heads")) heads = config["heads"].get<std::vector<std::string>>();
  if (heads.empty()) throw ValueError("component \"" + this->name() + "\" needs at least one head");
  if (std::find(heads.begin(), heads.end(), "morph") != heads.end() && std::find(heads.begin(), heads.end(), "feats") != heads.end())
    throw ValueError("component \"" + this->name() + "\": heads \"morph\" and \"feats\" both predict FEATS; choose one");
  for (const std::string& h : heads) {
    const Attr a = attr_from(h);
    if (std::any_of(heads_.begin(), heads_.end(), [a](const Head& x) { return x.attr == a; }) ||
        (a == Attr::FEAT && per_feature_))
      throw ValueError("component \"" + this->name() + "\": head \"" + h + "\" given twice");
    if (a == Attr::FEAT)
      per_feature_ = true;  // the FEAT heads come from the training data (or labels.json)
    else
      heads_.push_back(Head{a, {}, {}, {}, {}});
  }
  order_heads();
  sent_head_ = std::any_of(heads_.begin(), heads_.end(), [](const Head& h) { return h.attr == Attr::SENT; });
  if (!per_feature_ && heads_.front().attr == Attr::DEP)
    throw ValueError("component \"" + this->name() + "\": the auxiliary \"dep\" head needs a head that annotates");
  storage_ = config.value("storage", storage_);
  if (config.contains("overwrite")) {
    if (!has_sent_head()) throw ValueError("component \"" + this->name() + "\": \"overwrite\" needs a \"sent_start\" head");
    if (!config["overwrite"].is_boolean()) throw ValueError("component \"" + this->name() + "\": \"overwrite\" must be true or false");
    overwrite_ = config["overwrite"].get<bool>();
  }
  label_smoothing_ = config.value("label_smoothing", label_smoothing_);
  if (!(label_smoothing_ >= 0.f && label_smoothing_ < 1.f))
    throw ValueError("component \"" + this->name() + "\": label_smoothing must be in [0, 1)");
  if (storage_ != "f16" && storage_ != "f32") throw ValueError("storage must be \"f16\" or \"f32\"");
}

Json TokenClassifier::config() const {
  Json j = Json::object();
  j["tok2vec"] = tok2vec_config();
  Json heads = Json::array();
  for (const Head& h : heads_)
    if (h.attr != Attr::FEAT && h.attr != Attr::DEP) heads.push_back(attr_name(h.attr));  // saving drops dep
  if (per_feature_) heads.push_back("feats");
  j["heads"] = heads;
  j["storage"] = storage_;
  j["label_smoothing"] = label_smoothing_;
  if (has_sent_head()) j["overwrite"] = overwrite_;
  return j;
}

std::vector<std::string> TokenClassifier::metrics() const {
  std::vector<std::string> m;
  for (const Head& h : heads_)
    if (h.attr != Attr::FEAT && h.attr != Attr::DEP)
      m.push_back(h.attr == Attr::POS ? "UPOS" : h.attr == Attr::TAG ? "XPOS" : h.attr == Attr::SENT ? "Sentences" : "UFeats");
  if (per_feature_) m.push_back("UFeats");
  return m;
}

std::vector<std::string> TokenClassifier::assigns() const {
  std::vector<std::string> a;
  const auto add = [&a](const char* what) {
    if (std::find(a.begin(), a.end(), what) == a.end()) a.emplace_back(what);
  };
  for (const Head& h : heads_) {
    if (h.attr == Attr::POS) add("token.pos");
    if (h.attr == Attr::TAG) add("token.tag");
    if (h.attr == Attr::MORPH || h.attr == Attr::FEAT) add("token.morph");
    if (h.attr == Attr::SENT) add("token.is_sent_start");
  }
  if (per_feature_) add("token.morph");
  return a;
}

void TokenClassifier::index_labels() {
  for (Head& h : heads_) {
    h.index.clear();
    h.hashes.clear();
    for (std::size_t k = 0; k < h.labels.size(); ++k) {
      const std::string& l = h.labels[k];
      hash_t v = 0;
      if (h.attr == Attr::POS) {
        const auto p = upos_from_name(l);
        if (!p || *p == UPOS::NONE) throw ModelError("component \"" + name() + "\": \"" + l + "\" is not a UPOS tag");
        v = static_cast<hash_t>(*p);
      } else if (h.attr == Attr::FEAT || h.attr == Attr::DEP || h.attr == Attr::SENT) {
        v = hash_string(l);  // matched by value, not stored on tokens
      } else if (!(h.attr == Attr::MORPH && l == "_")) {
        v = vocab_->strings().add(l);
      }
      h.hashes.push_back(v);
      h.index[v] = static_cast<std::int32_t>(k);
    }
  }
}

std::int32_t TokenClassifier::gold_label(const Head& h, const Doc& doc, std::size_t i, bool annotated) const {
  if (!annotated) return -1;
  const TokenData& t = doc.data(i);
  hash_t v = 0;
  switch (h.attr) {
    case Attr::POS:
      if (t.pos == UPOS::NONE) return -1;
      v = static_cast<hash_t>(t.pos);
      break;
    case Attr::TAG:
      if (t.tag == 0) return -1;
      v = t.tag;
      break;
    case Attr::MORPH: v = t.morph; break;
    case Attr::FEAT: v = hash_string(feature_value(t.morph == 0 ? std::string_view() : doc.str(t.morph), h.feature)); break;
    case Attr::DEP:
      if (t.dep == 0) return -1;
      v = hash_string(dep_label(doc, i));
      break;
    case Attr::SENT: v = hash_string(sent_label(doc, i)); break;
  }
  auto it = h.index.find(v);
  return it == h.index.end() ? -1 : it->second;
}

void TokenClassifier::order_heads() {
  std::stable_partition(heads_.begin(), heads_.end(), [](const Head& h) { return h.attr != Attr::DEP; });
}

std::int64_t TokenClassifier::columns(bool with_aux) const {
  std::int64_t total = 0;
  for (const Head& h : heads_)
    if (with_aux || h.attr != Attr::DEP) total += static_cast<std::int64_t>(h.labels.size());
  return total;
}

void TokenClassifier::build(std::int64_t width) {
  width_ = width;
  model_ = nn::linear(columns(true), width);
  model_->set_label(name());
}

void TokenClassifier::initialize(std::span<const Doc> gold, std::int64_t width, std::uint64_t seed) {
  initialize_own_tok2vec(gold, seed);
  if (own_width() > 0) width = own_width();
  if (per_feature_) {
    std::erase_if(heads_, [](const Head& h) { return h.attr == Attr::FEAT; });
    std::map<std::string, std::set<std::string>> values;
    for (const Doc& d : gold) {
      if (!d.has_annotation(::weft::Attr::MORPH)) continue;
      for (std::size_t i = 0; i < d.size(); ++i) {
        if (d.data(i).morph == 0) continue;
        for_each_feature(d.str(d.data(i).morph), [&](std::string_view name, std::string_view value) {
          values[std::string(name)].insert(std::string(value));
        });
      }
    }
    if (values.empty()) throw ValueError("component \"" + name() + "\": no training token has morphological features");
    std::vector<std::string> features;
    for (const auto& [f, v] : values) features.push_back(f);
    std::sort(features.begin(), features.end(), [](const std::string& a, const std::string& b) { return doc_detail::less_nocase(a, b); });  // UD's canonical FEATS order
    for (const std::string& f : features) {
      Head h{Attr::FEAT, f, {"_"}, {}, {}};
      for (const std::string& v : values[f]) h.labels.push_back(v);
      heads_.push_back(std::move(h));
    }
  }
  for (Head& h : heads_) {
    if (h.attr == Attr::FEAT) continue;
    std::map<std::string, std::size_t> counts;
    for (const Doc& d : gold) {
      if (!d.has_annotation(doc_attr(h.attr))) continue;
      for (std::size_t i = 0; i < d.size(); ++i) {
        const TokenData& t = d.data(i);
        if (h.attr == Attr::POS && t.pos != UPOS::NONE) ++counts[std::string(upos_name(t.pos))];
        if (h.attr == Attr::TAG && t.tag != 0) ++counts[std::string(d.str(t.tag))];
        if (h.attr == Attr::MORPH) ++counts[t.morph == 0 ? "_" : std::string(d.str(t.morph))];
        if (h.attr == Attr::DEP && t.dep != 0) ++counts[dep_label(d, i)];
        if (h.attr == Attr::SENT) ++counts[sent_label(d, i)];
      }
    }
    if (counts.empty())
      throw ValueError("component \"" + name() + "\": no training token has a " + attr_name(h.attr) + " annotation");
    h.labels.clear();
    for (const auto& [label, n] : counts) h.labels.push_back(label);
  }
  order_heads();
  index_labels();
  build(width);
  model_->initialize(nullptr, nullptr, seed);
}

void TokenClassifier::set_annotations(std::span<Doc> docs, const backend::Tensor& scores) const {
  const std::int64_t total = scores.dim(1);
  const float* s = scores.data<float>();
  std::string feats;
  for (Doc& d : docs)
    for (std::size_t i = 0; i < d.size(); ++i, s += total) annotate(d, i, s, feats);
}

void TokenClassifier::pipe(std::span<Doc> docs, PipeContext& context) const {
  if (docs.empty()) return;
  const nn::Ragged X = input(docs, context);
  const std::int64_t n = X.data.dim(0);
  const std::int64_t blocks = std::max<std::int64_t>(1, (n + inference_chunking().split_words - 1) / inference_chunking().split_words);
  std::size_t doc = 0, tok = 0;
  std::string feats;
  // The columns of the annotating heads (the auxiliary ones come last), for the argmax on a GPU.
  std::vector<std::int64_t> bounds{0};
  for (const Head& h : heads_) {
    if (h.attr == Attr::DEP) break;
    bounds.push_back(bounds.back() + static_cast<std::int64_t>(h.labels.size()));
  }
  for (std::int64_t b = 0; b < blocks; ++b) {
    // Blocks of equal size, so none is small (a product of few rows rounds differently).
    const std::int64_t begin = n * b / blocks, end = n * (b + 1) / blocks;
    const nn::Ragged part = blocks == 1 ? X
                                        : nn::Ragged{X.data.rows(begin, end),
                                                     backend::Tensor::from_vector(std::vector<std::int32_t>{static_cast<std::int32_t>(end - begin)}, {1})};
    const nn::Ragged scores = model().predict(part);
    if ((!scores.data.device().is_cpu() || device_paths()) && bounds.size() > 1) {
      // On a GPU: each annotating head's argmax there, and only the labels back to the host.
      backend::Tensor best = backend::Tensor::empty({end - begin, static_cast<std::int64_t>(bounds.size()) - 1},
                                                    backend::DType::I32, scores.data.device());
      backend::ops(scores.data.device()).argmax_segments(scores.data, bounds, best);
      const backend::Tensor host = best.to(backend::Device::cpu());
      const std::int32_t* b = host.data<std::int32_t>();
      for (std::int64_t r = begin; r < end; ++r, b += host.dim(1)) {
        while (tok == docs[doc].size()) ++doc, tok = 0;
        annotate_best(docs[doc], tok++, b, feats);
      }
      continue;
    }
    const std::int64_t total = scores.data.dim(1);
    const float* s = scores.data.data<float>();
    for (std::int64_t r = begin; r < end; ++r, s += total) {
      while (tok == docs[doc].size()) ++doc, tok = 0;
      annotate(docs[doc], tok++, s, feats);
    }
  }
}

bool TokenClassifier::apply_head(const Head& h, std::size_t best, TokenData& t, std::string& feats) const {
  switch (h.attr) {
    case Attr::POS: t.pos = static_cast<UPOS>(h.hashes[best]); break;
    case Attr::TAG: t.tag = h.hashes[best]; break;
    case Attr::MORPH: t.morph = h.hashes[best]; break;
    case Attr::DEP: return false;  // auxiliary heads come last and annotate nothing
    case Attr::SENT:
      if (overwrite_ || t.sent_start == 0) t.sent_start = h.labels[best] == "S" ? 1 : -1;
      break;
    case Attr::FEAT:
      if (best != 0) {  // label 0 is "_": the feature is absent
        if (!feats.empty()) feats += '|';
        feats += h.feature;
        feats += '=';
        feats += h.labels[best];
      }
      break;
  }
  return true;
}

void TokenClassifier::annotate(Doc& d, std::size_t i, const float* s, std::string& feats) const {
  TokenData& t = d.data(i);
  std::int64_t col = 0;
  feats.clear();
  for (const Head& h : heads_) {
    const auto C = static_cast<std::int64_t>(h.labels.size());
    if (h.attr == Attr::DEP) break;
    if (!apply_head(h, static_cast<std::size_t>(backend::argmax(s + col, C)), t, feats)) break;
    col += C;
  }
  if (per_feature_) t.morph = feats.empty() ? 0 : d.intern(feats);
  if (i == 0 && has_sent_head()) t.sent_start = 1;
}

void TokenClassifier::annotate_best(Doc& d, std::size_t i, const std::int32_t* best, std::string& feats) const {
  TokenData& t = d.data(i);
  feats.clear();
  for (std::size_t h = 0; h < heads_.size(); ++h)
    if (!apply_head(heads_[h], static_cast<std::size_t>(best[h]), t, feats)) break;
  if (per_feature_) t.morph = feats.empty() ? 0 : d.intern(feats);
  if (i == 0 && has_sent_head()) t.sent_start = 1;
}

nn::Loss TokenClassifier::get_loss(std::span<const Doc> gold, const backend::Tensor& scores) const {
  const std::int64_t n = scores.dim(0), total = scores.dim(1);
  const backend::Tensor host = scores.device().is_cpu() ? scores : scores.to(backend::Device::cpu());
  backend::Tensor grad = backend::Tensor::zeros({n, total}, backend::DType::F32);
  nn::Loss out;
  std::int64_t col = 0;
  std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
  for (const Head& h : heads_) {
    std::size_t r = 0;
    std::int64_t labelled = 0;
    for (const Doc& d : gold) {
      const bool annotated = d.has_annotation(doc_attr(h.attr));
      for (std::size_t i = 0; i < d.size(); ++i, ++r) {
        labels[r] = gold_label(h, d, i, annotated);
        labelled += labels[r] >= 0;
      }
    }
    if (static_cast<std::int64_t>(r) != n) throw ValueError("component \"" + name() + "\": scores and gold Docs differ in length");
    const auto C = static_cast<std::int64_t>(h.labels.size());
    out.value += softmax_xent(host.data<float>(), n, total, col, C, labels, static_cast<float>(std::max<std::int64_t>(1, labelled)),
                              grad.data<float>(), label_smoothing_);
    out.n_labelled += labelled;
    col += C;
  }
  out.grad = scores.device().is_cpu() ? grad : grad.to(scores.device());
  return out;
}

void TokenClassifier::to_disk(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  Json j = Json::object();
  j["width"] = width_;
  Json labels = Json::object();
  for (const Head& h : heads_)
    if (h.attr != Attr::DEP) labels[h.attr == Attr::FEAT ? "feats:" + h.feature : std::string(attr_name(h.attr))] = h.labels;
  j["labels"] = labels;
  write_model_json(dir / "labels.json", j, 1);
  const std::int64_t kept = columns(false);
  if (kept == columns(true)) {
    save_model(dir);
    return;
  }
  // Without the auxiliary heads: the first `kept` rows of W and b (they come last).
  nn::Model annotating = nn::linear(kept, width_);
  annotating->set_label(name());
  annotating->initialize(nullptr, nullptr, std::uint64_t{0});
  const auto src = model_->params(), dst = annotating->params();
  for (std::size_t p = 0; p < src.size(); ++p) {
    const backend::Tensor value = src[p]->value.device().is_cpu() ? src[p]->value : src[p]->value.to(backend::Device::cpu());
    const float* from = value.data<float>();
    std::copy(from, from + dst[p]->value.numel(), dst[p]->value.data<float>());
  }
  save_model(dir, *annotating);
}

void TokenClassifier::from_disk(const std::filesystem::path& dir) {
  const auto path = dir / "labels.json";
  const Json j = read_model_json(path);
  if (!j.is_object() || !j.contains("width") || !j["width"].is_number_integer() || !j.contains("labels") ||
      !j["labels"].is_object())
    throw ModelError(path.string() + ": expected {\"width\": N, \"labels\": {...}}");
  if (per_feature_) {
    std::erase_if(heads_, [](const Head& h) { return h.attr == Attr::FEAT; });
    for (const auto& [key, value] : j["labels"].items())
      if (key.rfind("feats:", 0) == 0) heads_.push_back(Head{Attr::FEAT, key.substr(6), {}, {}, {}});
    if (std::none_of(heads_.begin(), heads_.end(), [](const Head& h) { return h.attr == Attr::FEAT; }))
      throw ModelError(path.string() + ": no \"feats:...\" label lists for the per-feature heads");
  }
  for (Head& h : heads_) {
    const std::string key = h.attr == Attr::FEAT ? "feats:" + h.feature : std::string(attr_name(h.attr));
    const Json& l = j["labels"];
    if (!l.contains(key) || !l[key].is_array() || l[key].empty())
      throw ModelError(path.string() + ": no label list \"" + key + "\"");
    try {
      h.labels = l[key].get<std::vector<std::string>>();
    } catch (const std::exception&) {
      throw ModelError(path.string() + ": label list \"" + key + "\" must hold strings");
    }
  }
  index_labels();
  build(j["width"].get<std::int64_t>());
  load_model(dir);
}

void register_taggers(Registry& r) {
  for (const char* factory : {"weft.Tagger.v1", "weft.Morphologizer.v1", "weft.SentenceRecognizer.v1"}) {
    ComponentFactory make = [f = std::string(factory)](const std::string& name, const Json& config,
                                                       std::shared_ptr<Vocab> vocab) {
      return std::unique_ptr<Component>(std::make_unique<TokenClassifier>(name, f, config, std::move(vocab)));
    };
    const std::string f = factory;
    const char* what = f == "weft.Tagger.v1"     ? "UPOS and XPOS tagger (softmax heads over token vectors)"
                       : f == "weft.Morphologizer.v1" ? "UD morphological features (the FEATS string as one label)"
                                                      : "statistical sentence segmenter (a token classifier of sentence starts)";
    r.add("components", f == "weft.Tagger.v1" ? "tagger" : f == "weft.Morphologizer.v1" ? "morphologizer" : "senter", make, what, "builtin");
    r.add("components", factory, make, what, "builtin");
  }
}

}  // namespace weft
