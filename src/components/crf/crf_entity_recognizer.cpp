// The CRF entity recognizer: features, valid transitions, forward-backward with AdaGrad, Viterbi,
// saving and loading.
#include "weft/components/crf/crf_entity_recognizer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>

#include "pipeline/builtins.hpp"
#include "weft/components/entity_ruler/entity_ruler.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/strings/hash.hpp"

namespace weft {

namespace {

constexpr const char* kFactory = "weft.CRFEntityRecognizer.v1";
constexpr std::size_t kMaxFeatures = 96;
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

enum Template : std::uint32_t {
  BIAS, ORTH, LOWER, SHAPE, PRE3, SUF2, SUF3, SUF4, LM1, LP1, LM2, LP2, SM1, SP1, SM1_S, S_SP1, LM1_L, L_LP1, FIRST,
  CL4, CL8, CL12, CL16, CLALL, CLM1, CLP1, DT, DTM1, DTP1, GAZ,
};

const linear::WordInfo kStart = linear::padding("-START-"), kEnd = linear::padding("-END-");

ConfigError config_error(const std::string& what) { return ConfigError(std::string(kFactory) + " config: " + what); }

float log_sum_exp(const float* v, std::size_t n) {
  float m = kNegInf;
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, v[i]);
  if (m == kNegInf) return kNegInf;
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += std::exp(static_cast<double>(v[i] - m));
  return m + static_cast<float>(std::log(s));
}

}  // namespace

CRFEntityRecognizerConfig CRFEntityRecognizerConfig::from_json(const Json& j) {
  CRFEntityRecognizerConfig c;
  if (j.is_null()) return c;
  if (!j.is_object()) throw config_error("must be a JSON object");
  check_config_keys(j, {"scheme", "lexicon", "patterns", "learn_rate", "l2", "min_feature_count"},
                    std::string("the ") + kFactory + " config");
  if (j.contains("scheme")) {
    if (!j["scheme"].is_string() || (j["scheme"] != "BILUO" && j["scheme"] != "BIO"))
      throw config_error("\"scheme\" must be \"BILUO\" or \"BIO\", not " + j["scheme"].dump());
    c.scheme = j["scheme"].get<std::string>();
  }
  for (const char* key : {"lexicon", "patterns"}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_string()) throw config_error(std::string("\"") + key + "\" must be a path (a string)");
    (std::string(key) == "lexicon" ? c.lexicon : c.patterns) = j[key].get<std::string>();
  }
  if (j.contains("learn_rate")) {
    if (!j["learn_rate"].is_number() || !(j["learn_rate"].get<double>() > 0.0))
      throw config_error("\"learn_rate\" must be a number > 0");
    c.learn_rate = j["learn_rate"].get<double>();
  }
  if (j.contains("l2")) {
    if (!j["l2"].is_number() || !(j["l2"].get<double>() >= 0.0)) throw config_error("\"l2\" must be a number >= 0");
    c.l2 = j["l2"].get<double>();
  }
  if (j.contains("min_feature_count")) {
    if (!j["min_feature_count"].is_number_integer() || j["min_feature_count"].get<std::int64_t>() < 1)
      throw config_error("\"min_feature_count\" must be an integer >= 1");
    c.min_feature_count = j["min_feature_count"].get<std::int64_t>();
  }
  return c;
}

Json CRFEntityRecognizerConfig::to_json() const {
  Json j{{"scheme", scheme}, {"learn_rate", learn_rate}, {"l2", l2}, {"min_feature_count", min_feature_count}};
  if (!lexicon.empty()) j["lexicon"] = lexicon;
  if (!patterns.empty()) j["patterns"] = patterns;
  return j;
}

// Learning state: interned features (key -> row) with dense weights and AdaGrad's sums of squared
// gradients, the transitions' too, and each training token's feature rows and gold tag.
struct CRFEntityRecognizer::Learning {
  std::vector<std::uint64_t> keys;      // row -> key
  std::vector<float> w, g2;             // [rows * T]
  std::vector<float> tw, tg2;           // [(T + 1) * T]
  std::vector<std::vector<std::uint32_t>> rows, row_ends;  // per Doc: feature rows (CSR per token)
  std::vector<std::vector<std::int32_t>> gold;             // per Doc: gold tag per token
  double last_loss = 0.0;
  std::int64_t epochs = 0;
};

CRFEntityRecognizer::CRFEntityRecognizer(std::string name, CRFEntityRecognizerConfig config, std::shared_ptr<Vocab> vocab)
    : Component(std::move(name)), config_(std::move(config)), vocab_(std::move(vocab)) {}

CRFEntityRecognizer::~CRFEntityRecognizer() = default;

void CRFEntityRecognizer::set_tokenizer(std::shared_ptr<const TokenizerBase> tokenizer) {
  if (gazetteer_) gazetteer_->set_tokenizer(tokenizer);
  tokenizer_ = std::move(tokenizer);
}

std::vector<std::string> CRFEntityRecognizer::labels() const {
  std::set<std::string> out;
  for (std::size_t t = 1; t < tags_.size(); ++t) out.insert(tags_[t].substr(2));
  return {out.begin(), out.end()};
}

void CRFEntityRecognizer::index_tags(std::vector<std::string> labels) {
  tags_ = {"O"};
  tag_label_ = {0};
  tag_kind_ = {'O'};
  const std::string kinds = config_.scheme == "BILUO" ? "BILU" : "BI";
  for (const std::string& l : labels)
    for (const char k : kinds) {
      tags_.push_back(std::string(1, k) + "-" + l);
      tag_label_.push_back(vocab_->strings().add(l));
      tag_kind_.push_back(static_cast<std::uint8_t>(k));
    }
}

bool CRFEntityRecognizer::allowed(std::int32_t prev, std::int32_t next) const noexcept {
  const std::uint8_t nk = tag_kind_[static_cast<std::size_t>(next)];
  const bool continues = nk == 'I' || nk == 'L';
  if (prev < 0) return !continues;
  const std::uint8_t pk = tag_kind_[static_cast<std::size_t>(prev)];
  const bool open = config_.scheme == "BILUO" ? (pk == 'B' || pk == 'I') : false;
  if (config_.scheme == "BILUO") {
    if (open) return continues && tag_label_[static_cast<std::size_t>(prev)] == tag_label_[static_cast<std::size_t>(next)];
    return !continues;
  }
  // BIO: I-X only after B-X or I-X.
  if (nk != 'I') return true;
  return (pk == 'B' || pk == 'I') && tag_label_[static_cast<std::size_t>(prev)] == tag_label_[static_cast<std::size_t>(next)];
}

bool CRFEntityRecognizer::allowed_last(std::int32_t tag) const noexcept {
  if (config_.scheme != "BILUO") return true;
  const std::uint8_t k = tag_kind_[static_cast<std::size_t>(tag)];
  return k != 'B' && k != 'I';
}

std::vector<std::uint64_t> CRFEntityRecognizer::gazetteer_hits(const Doc& doc) const {
  // Per token, the keys of the matches over it: (label, B / I / L / U); at most 4 a token.
  std::vector<std::uint64_t> hits(doc.size() * 4, 0);
  if (!gazetteer_) return hits;
  for (const RulerMatch& m : gazetteer_->match(doc)) {
    const EntityRuler::Key* k = gazetteer_->key(m.match_id);
    const hash_t label = k ? k->label_hash : m.match_id;
    for (std::size_t i = m.start; i < m.end; ++i) {
      const char pos = m.end - m.start == 1 ? 'U' : i == m.start ? 'B' : i + 1 == m.end ? 'L' : 'I';
      const std::uint64_t key = linear::key(GAZ, label, static_cast<std::uint64_t>(pos));
      for (std::size_t s = 0; s < 4; ++s)
        if (hits[i * 4 + s] == 0 || hits[i * 4 + s] == key) {
          hits[i * 4 + s] = key;
          break;
        }
    }
  }
  return hits;
}

std::size_t CRFEntityRecognizer::features(const Doc& doc, const std::vector<linear::WordInfo>& words,
                                          const std::vector<std::uint64_t>& gazetteer, std::size_t begin,
                                          std::size_t end, std::size_t i, std::uint64_t* out) const {
  using linear::key;
  const auto at = [&](std::ptrdiff_t k) -> const linear::WordInfo& {
    const std::ptrdiff_t j = static_cast<std::ptrdiff_t>(i) + k;
    if (j < static_cast<std::ptrdiff_t>(begin)) return kStart;
    if (j >= static_cast<std::ptrdiff_t>(end)) return kEnd;
    return words[static_cast<std::size_t>(j)];
  };
  const linear::WordInfo &w = at(0), &m1 = at(-1), &m2 = at(-2), &p1 = at(1), &p2 = at(2);
  std::size_t n = 0;
  out[n++] = key(BIAS, 0);
  out[n++] = key(ORTH, doc.data(i).orth);
  out[n++] = key(LOWER, w.lower);
  out[n++] = key(SHAPE, w.shape);
  out[n++] = key(PRE3, w.prefix3);
  out[n++] = key(SUF2, w.suffix2);
  out[n++] = key(SUF3, w.suffix3);
  out[n++] = key(SUF4, w.suffix4);
  out[n++] = key(LM1, m1.lower);
  out[n++] = key(LP1, p1.lower);
  out[n++] = key(LM2, m2.lower);
  out[n++] = key(LP2, p2.lower);
  out[n++] = key(SM1, m1.shape);
  out[n++] = key(SP1, p1.shape);
  out[n++] = key(SM1_S, m1.shape, w.shape);
  out[n++] = key(S_SP1, w.shape, p1.shape);
  out[n++] = key(LM1_L, m1.lower, w.lower);
  out[n++] = key(L_LP1, w.lower, p1.lower);
  if (i == begin) out[n++] = key(FIRST, w.shape);
  if (lexicon_) {
    out[n++] = key(CL4, w.cluster & 0xF);
    out[n++] = key(CL8, w.cluster & 0xFF);
    out[n++] = key(CL12, w.cluster & 0xFFF);
    out[n++] = key(CL16, w.cluster & 0xFFFF);
    out[n++] = key(CLALL, w.cluster);
    out[n++] = key(CLM1, m1.cluster & 0xFF);
    out[n++] = key(CLP1, p1.cluster & 0xFF);
    out[n++] = key(DT, w.dict_tag);
    out[n++] = key(DTM1, m1.dict_tag);
    out[n++] = key(DTP1, p1.dict_tag);
  }
  for (std::size_t s = 0; s < 4 && gazetteer[i * 4 + s] != 0; ++s) out[n++] = gazetteer[i * 4 + s];
  return n;
}

std::vector<std::int32_t> CRFEntityRecognizer::gold_tags(const Doc& doc, std::size_t begin, std::size_t end) const {
  std::vector<std::int32_t> g(end - begin, 0);
  const bool biluo = config_.scheme == "BILUO";
  for (std::size_t i = begin; i < end;) {
    const TokenData& t = doc.data(i);
    if (t.ent_iob != EntIob::B || t.ent_type == 0) {
      ++i;
      continue;
    }
    std::size_t e = i + 1;
    while (e < end && doc.data(e).ent_iob == EntIob::I && doc.data(e).ent_type == t.ent_type) ++e;
    const std::string label(doc.str(t.ent_type));
    const auto find = [&](char kind) {
      const std::string tag = std::string(1, kind) + "-" + label;
      const auto it = std::find(tags_.begin(), tags_.end(), tag);
      return it == tags_.end() ? 0 : static_cast<std::int32_t>(it - tags_.begin());
    };
    for (std::size_t k = i; k < e; ++k) {
      char kind = k == i ? 'B' : 'I';
      if (biluo) kind = e - i == 1 ? 'U' : k == i ? 'B' : k + 1 == e ? 'L' : 'I';
      g[k - begin] = find(kind);
    }
    i = e;
  }
  return g;
}

void CRFEntityRecognizer::begin_learning(std::span<const Doc> gold, std::uint64_t seed) {
  (void)seed;  // nothing random: the weights start at zero and the trainer shuffles the order
  lexicon_ = linear::load_config_lexicon(config_.lexicon, name());
  gazetteer_.reset();
  if (!config_.patterns.empty()) {
    auto ruler = std::make_unique<EntityRuler>(name() + ".gazetteer", Json::object(), vocab_);
    if (tokenizer_) ruler->set_tokenizer(tokenizer_);
    try {
      ruler->add_patterns_jsonl(config_.patterns);
    } catch (const Error& e) {
      throw ConfigError("component \"" + name() + "\": cannot read its \"patterns\" " + config_.patterns + ": " + e.what());
    }
    gazetteer_ = std::move(ruler);
  }
  std::set<std::string> labels;
  for (const Doc& d : gold)
    for (std::size_t i = 0; i < d.size(); ++i)
      if (d.data(i).ent_iob == EntIob::B && d.data(i).ent_type != 0) labels.insert(std::string(d.str(d.data(i).ent_type)));
  if (labels.empty()) throw ValueError("component \"" + name() + "\": the training Docs have no entities to learn");
  index_tags({labels.begin(), labels.end()});
  const std::size_t T = tags_.size();
  auto L = std::make_unique<Learning>();
  // Every training token's features, counted; those seen min_feature_count times get rows.
  std::vector<std::vector<std::uint64_t>> keys(gold.size());
  std::vector<std::vector<std::uint32_t>> ends(gold.size());
  std::unordered_map<std::uint64_t, std::int64_t> counts;
  std::uint64_t buf[kMaxFeatures];
  for (std::size_t di = 0; di < gold.size(); ++di) {
    const Doc& d = gold[di];
    std::vector<linear::WordInfo> words(d.size());
    for (std::size_t i = 0; i < d.size(); ++i) words[i] = linear::word_info(d.token_text(i), *vocab_, lexicon_.get());
    const std::vector<std::uint64_t> gaz = gazetteer_hits(d);
    std::vector<std::int32_t> g(d.size(), 0);
    for (const auto& [b, e] : linear::sentences(d)) {
      const std::vector<std::int32_t> s = gold_tags(d, b, e);
      std::copy(s.begin(), s.end(), g.begin() + static_cast<std::ptrdiff_t>(b));
      for (std::size_t i = b; i < e; ++i) {
        const std::size_t n = features(d, words, gaz, b, e, i, buf);
        for (std::size_t k = 0; k < n; ++k) {
          keys[di].push_back(buf[k]);
          ++counts[buf[k]];
        }
        ends[di].push_back(static_cast<std::uint32_t>(keys[di].size()));
      }
    }
    L->gold.push_back(std::move(g));
  }
  std::unordered_map<std::uint64_t, std::uint32_t> row;
  for (const auto& [k, c] : counts)
    if (c >= config_.min_feature_count) {
      row.emplace(k, static_cast<std::uint32_t>(L->keys.size()));
      L->keys.push_back(k);
    }
  for (std::size_t di = 0; di < gold.size(); ++di) {
    std::vector<std::uint32_t> rows, rends;
    std::size_t k = 0;
    for (const std::uint32_t e : ends[di]) {
      for (; k < e; ++k)
        if (const auto it = row.find(keys[di][k]); it != row.end()) rows.push_back(it->second);
      rends.push_back(static_cast<std::uint32_t>(rows.size()));
    }
    L->rows.push_back(std::move(rows));
    L->row_ends.push_back(std::move(rends));
  }
  L->w.assign(L->keys.size() * T, 0.f);
  L->g2.assign(L->keys.size() * T, 0.f);
  L->tw.assign((T + 1) * T, 0.f);
  L->tg2.assign((T + 1) * T, 0.f);
  learning_ = std::move(L);
  transitions_ = learning_->tw;
  weights_ = {};
  trained_ = false;
}

double CRFEntityRecognizer::learn_epoch(std::span<const Doc> gold, std::span<const std::size_t> order) {
  if (!learning_ || learning_->gold.size() != gold.size())
    throw ValueError("component \"" + name() + "\": learn_epoch before begin_learning with these Docs");
  Learning& L = *learning_;
  const std::size_t T = tags_.size();
  const auto lr = static_cast<float>(config_.learn_rate), l2 = static_cast<float>(config_.l2);
  // Allowed transitions as a mask over the (T + 1) x T matrix (row T: the start) and the last tag.
  std::vector<std::uint8_t> ok((T + 1) * T), ok_last(T);
  for (std::size_t p = 0; p <= T; ++p)
    for (std::size_t y = 0; y < T; ++y)
      ok[p * T + y] = allowed(p == T ? -1 : static_cast<std::int32_t>(p), static_cast<std::int32_t>(y));
  for (std::size_t y = 0; y < T; ++y) ok_last[y] = allowed_last(static_cast<std::int32_t>(y));
  std::vector<float> E, alpha, beta, dE, dT((T + 1) * T), tmp(T);
  std::unordered_map<std::uint32_t, std::uint32_t> slot;  // row -> its gradient's place in grads
  std::vector<float> grads;
  std::vector<std::uint32_t> touched;
  double loss = 0.0;
  const auto adagrad = [&](float& w, float& g2, float g) {
    g += l2 * w;
    g2 += g * g;
    w -= lr * g / (std::sqrt(g2) + 1e-6f);
  };
  for (const std::size_t di : order) {
    const Doc& d = gold[di];
    const std::vector<std::uint32_t>& rows = L.rows[di];
    const std::vector<std::uint32_t>& rends = L.row_ends[di];
    const std::vector<std::int32_t>& g = L.gold[di];
    for (const auto& [b, e] : linear::sentences(d)) {
      const std::size_t n = e - b;
      E.assign(n * T, 0.f);
      for (std::size_t t = 0; t < n; ++t) {
        const std::size_t i = b + t;
        for (std::uint32_t k = i == 0 ? 0 : rends[i - 1]; k < rends[i]; ++k) {
          const float* w = L.w.data() + static_cast<std::size_t>(rows[k]) * T;
          for (std::size_t y = 0; y < T; ++y) E[t * T + y] += w[y];
        }
      }
      const float* tw = L.tw.data();
      alpha.assign(n * T, kNegInf);
      beta.assign(n * T, kNegInf);
      for (std::size_t y = 0; y < T; ++y)
        if (ok[T * T + y]) alpha[y] = tw[T * T + y] + E[y];
      for (std::size_t t = 1; t < n; ++t)
        for (std::size_t y = 0; y < T; ++y) {
          for (std::size_t p = 0; p < T; ++p) tmp[p] = ok[p * T + y] ? alpha[(t - 1) * T + p] + tw[p * T + y] : kNegInf;
          alpha[t * T + y] = log_sum_exp(tmp.data(), T) + E[t * T + y];
        }
      for (std::size_t y = 0; y < T; ++y) beta[(n - 1) * T + y] = ok_last[y] ? 0.f : kNegInf;
      for (std::size_t t = n - 1; t-- > 0;)
        for (std::size_t p = 0; p < T; ++p) {
          for (std::size_t y = 0; y < T; ++y)
            tmp[y] = ok[p * T + y] ? tw[p * T + y] + E[(t + 1) * T + y] + beta[(t + 1) * T + y] : kNegInf;
          beta[t * T + p] = log_sum_exp(tmp.data(), T);
        }
      for (std::size_t y = 0; y < T; ++y) tmp[y] = alpha[(n - 1) * T + y] + beta[(n - 1) * T + y];
      const float logZ = log_sum_exp(tmp.data(), T);
      // The gold path's score; the loss is logZ minus it.
      double gold_score = tw[T * T + static_cast<std::size_t>(g[b])] + E[static_cast<std::size_t>(g[b])];
      for (std::size_t t = 1; t < n; ++t)
        gold_score += tw[static_cast<std::size_t>(g[b + t - 1]) * T + static_cast<std::size_t>(g[b + t])] +
                      E[t * T + static_cast<std::size_t>(g[b + t])];
      loss += logZ - gold_score;
      // Gradients: marginals minus gold counts.
      dE.assign(n * T, 0.f);
      std::fill(dT.begin(), dT.end(), 0.f);
      for (std::size_t t = 0; t < n; ++t) {
        for (std::size_t y = 0; y < T; ++y) {
          const float a = alpha[t * T + y] + beta[t * T + y];
          dE[t * T + y] = a == kNegInf ? 0.f : std::exp(a - logZ);
        }
        dE[t * T + static_cast<std::size_t>(g[b + t])] -= 1.f;
      }
      for (std::size_t y = 0; y < T; ++y) dT[T * T + y] = dE[y];
      for (std::size_t t = 1; t < n; ++t) {
        for (std::size_t p = 0; p < T; ++p)
          for (std::size_t y = 0; y < T; ++y) {
            if (!ok[p * T + y]) continue;
            const float a = alpha[(t - 1) * T + p] + tw[p * T + y] + E[t * T + y] + beta[t * T + y];
            if (a != kNegInf) dT[p * T + y] += std::exp(a - logZ);
          }
        dT[static_cast<std::size_t>(g[b + t - 1]) * T + static_cast<std::size_t>(g[b + t])] -= 1.f;
      }
      // Emission gradients summed per feature row, then one AdaGrad step per touched weight.
      slot.clear();
      touched.clear();
      grads.clear();
      for (std::size_t t = 0; t < n; ++t) {
        const std::size_t i = b + t;
        for (std::uint32_t k = i == 0 ? 0 : rends[i - 1]; k < rends[i]; ++k) {
          const auto [it, fresh] = slot.emplace(rows[k], static_cast<std::uint32_t>(touched.size()));
          if (fresh) {
            touched.push_back(rows[k]);
            grads.resize(grads.size() + T, 0.f);
          }
          float* gr = grads.data() + static_cast<std::size_t>(it->second) * T;
          for (std::size_t y = 0; y < T; ++y) gr[y] += dE[t * T + y];
        }
      }
      for (std::size_t s = 0; s < touched.size(); ++s) {
        float* w = L.w.data() + static_cast<std::size_t>(touched[s]) * T;
        float* g2 = L.g2.data() + static_cast<std::size_t>(touched[s]) * T;
        for (std::size_t y = 0; y < T; ++y) adagrad(w[y], g2[y], grads[s * T + y]);
      }
      for (std::size_t k = 0; k < dT.size(); ++k)
        if (ok[k]) adagrad(L.tw[k], L.tg2[k], dT[k]);
    }
  }
  ++L.epochs;
  L.last_loss = loss;
  return loss;
}

void CRFEntityRecognizer::finish_epoch() {
  if (!learning_) throw ValueError("component \"" + name() + "\": finish_epoch before begin_learning");
  const Learning& L = *learning_;
  const std::size_t T = tags_.size();
  std::unordered_map<std::uint64_t, std::vector<linear::SparseWeights::Entry>> rows;
  rows.reserve(L.keys.size());
  for (std::size_t r = 0; r < L.keys.size(); ++r) {
    std::vector<linear::SparseWeights::Entry> out;
    for (std::size_t y = 0; y < T; ++y)
      if (std::abs(L.w[r * T + y]) >= 1e-4f) out.push_back({static_cast<std::uint32_t>(y), L.w[r * T + y]});
    if (!out.empty()) rows.emplace(L.keys[r], std::move(out));
  }
  weights_ = linear::SparseWeights::build(rows);
  transitions_ = L.tw;
  trained_ = true;
}

std::vector<std::int32_t> CRFEntityRecognizer::viterbi(const Doc& doc, std::size_t begin, std::size_t end) const {
  std::vector<linear::WordInfo> words(doc.size());
  for (std::size_t i = begin; i < end; ++i) words[i] = linear::word_info(doc.token_text(i), *vocab_, lexicon_.get());
  return decode(doc, words, gazetteer_hits(doc), begin, end);
}

std::vector<std::int32_t> CRFEntityRecognizer::decode(const Doc& doc, const std::vector<linear::WordInfo>& words,
                                                      const std::vector<std::uint64_t>& gaz, std::size_t begin,
                                                      std::size_t end) const {
  const std::size_t T = tags_.size(), n = end - begin;
  std::vector<float> E(n * T, 0.f), score(n * T, kNegInf);
  std::vector<std::int32_t> back(n * T, -1);
  std::uint64_t keys[kMaxFeatures];
  for (std::size_t t = 0; t < n; ++t) {
    const std::size_t k = features(doc, words, gaz, begin, end, begin + t, keys);
    weights_.add_all(keys, k, E.data() + t * T);
  }
  for (std::size_t y = 0; y < T; ++y)
    if (allowed(-1, static_cast<std::int32_t>(y))) score[y] = transitions_[T * T + y] + E[y];
  for (std::size_t t = 1; t < n; ++t)
    for (std::size_t y = 0; y < T; ++y) {
      float best = kNegInf;
      std::int32_t arg = -1;
      for (std::size_t p = 0; p < T; ++p) {
        if (score[(t - 1) * T + p] == kNegInf || !allowed(static_cast<std::int32_t>(p), static_cast<std::int32_t>(y))) continue;
        const float s = score[(t - 1) * T + p] + transitions_[p * T + y];
        if (s > best) best = s, arg = static_cast<std::int32_t>(p);
      }
      if (arg >= 0) score[t * T + y] = best + E[t * T + y], back[t * T + y] = arg;
    }
  std::int32_t last = 0;
  float best = kNegInf;
  for (std::size_t y = 0; y < T; ++y)
    if (allowed_last(static_cast<std::int32_t>(y)) && score[(n - 1) * T + y] > best)
      best = score[(n - 1) * T + y], last = static_cast<std::int32_t>(y);
  std::vector<std::int32_t> path(n);
  for (std::size_t t = n; t-- > 0;) {
    path[t] = last;
    if (t > 0) last = back[t * T + static_cast<std::size_t>(last)];
  }
  return path;
}

void CRFEntityRecognizer::operator()(Doc& doc) const {
  if (!trained_)
    throw linear::not_trained(name(), kFactory, "annotate");
  if (doc.empty()) return;
  auto& toks = doc.tokens();
  // Entities already on the Doc are kept: their tokens are not touched, and predicted entities that
  // overlap them are dropped.
  std::vector<std::uint8_t> preset(toks.size());
  for (std::size_t i = 0; i < toks.size(); ++i) preset[i] = toks[i].ent_iob == EntIob::B || toks[i].ent_iob == EntIob::I;
  std::vector<linear::WordInfo> words(doc.size());
  for (std::size_t i = 0; i < doc.size(); ++i) words[i] = linear::word_info(doc.token_text(i), *vocab_, lexicon_.get());
  const std::vector<std::uint64_t> gaz = gazetteer_hits(doc);
  for (const auto& [b, e] : linear::sentences(doc)) {
    const std::vector<std::int32_t> path = decode(doc, words, gaz, b, e);
    for (std::size_t i = b; i < e; ++i)
      if (!preset[i]) toks[i].ent_iob = EntIob::O, toks[i].ent_type = 0;
    for (std::size_t t = 0; t < path.size();) {
      const std::uint8_t k = tag_kind_[static_cast<std::size_t>(path[t])];
      if (k == 'O' || k == 'I' || k == 'L') {  // an I or L without its B cannot occur: transitions forbid it
        ++t;
        continue;
      }
      const hash_t label = tag_label_[static_cast<std::size_t>(path[t])];
      std::size_t u = t + 1;
      if (k == 'B')
        while (u < path.size() && (tag_kind_[static_cast<std::size_t>(path[u])] == 'I' || tag_kind_[static_cast<std::size_t>(path[u])] == 'L') &&
               tag_label_[static_cast<std::size_t>(path[u])] == label) {
          ++u;
          if (tag_kind_[static_cast<std::size_t>(path[u - 1])] == 'L') break;
        }
      bool free = true;
      for (std::size_t j = t; j < u; ++j) free = free && !preset[b + j];
      if (free)
        for (std::size_t j = t; j < u; ++j) {
          toks[b + j].ent_iob = j == t ? EntIob::B : EntIob::I;
          toks[b + j].ent_type = label;
        }
      t = u;
    }
  }
}

std::string CRFEntityRecognizer::learnt_summary() const {
  char line[256];
  std::snprintf(line, sizeof line, "%zu tags, %zu features with weights (%zu weights); last epoch's negative log-likelihood %.1f",
                tags_.size(), weights_.features(), weights_.entries(), learning_ ? learning_->last_loss : 0.0);
  return line;
}

void CRFEntityRecognizer::to_disk(const std::filesystem::path& dir) const {
  if (!trained_) throw linear::not_trained(name(), kFactory, "save");
  std::filesystem::create_directories(dir);
  write_model_json(dir / "labels.json", Json{{"labels", labels()}, {"transitions", transitions_}});
  weights_.save(dir / "weights.bin");
  linear::save_lexicon(lexicon_, dir);
  if (gazetteer_) gazetteer_->to_disk(dir / "gazetteer");
}

void CRFEntityRecognizer::from_disk(const std::filesystem::path& dir) {
  const auto path = dir / "labels.json";
  const Json j = read_model_json(path);
  if (!j.is_object() || !j.contains("labels") || !j["labels"].is_array() || j["labels"].empty() ||
      !j.contains("transitions") || !j["transitions"].is_array())
    throw ModelError(path.string() + ": expected {\"labels\": [LABEL, ...], \"transitions\": [...]}");
  std::vector<std::string> labels;
  for (const Json& l : j["labels"]) {
    if (!l.is_string() || l.get<std::string>().empty()) throw ModelError(path.string() + ": \"labels\" must hold non-empty strings");
    labels.push_back(l.get<std::string>());
  }
  index_tags(labels);
  const std::size_t T = tags_.size();
  if (j["transitions"].size() != (T + 1) * T)
    throw ModelError(path.string() + ": \"transitions\" must hold " + std::to_string((T + 1) * T) + " numbers for " +
                     std::to_string(T) + " tags, not " + std::to_string(j["transitions"].size()));
  std::vector<float> tr;
  for (const Json& v : j["transitions"]) {
    if (!v.is_number()) throw ModelError(path.string() + ": \"transitions\" must hold numbers");
    tr.push_back(v.get<float>());
  }
  linear::SparseWeights w = linear::SparseWeights::load(dir / "weights.bin");
  if (w.classes() > T)
    throw ModelError((dir / "weights.bin").string() + ": weights for " + std::to_string(w.classes()) + " tags, but labels.json gives " +
                     std::to_string(T));
  lexicon_ = linear::load_model_lexicon(dir, !config_.lexicon.empty());
  gazetteer_.reset();
  if (!config_.patterns.empty()) {
    if (!std::filesystem::exists(dir / "gazetteer" / "patterns.jsonl"))
      throw ModelError((dir / "gazetteer" / "patterns.jsonl").string() + " is missing (the config names \"patterns\")");
    auto ruler = std::make_unique<EntityRuler>(name() + ".gazetteer", Json::object(), vocab_);
    if (tokenizer_) ruler->set_tokenizer(tokenizer_);
    ruler->from_disk(dir / "gazetteer");
    gazetteer_ = std::move(ruler);
  }
  transitions_ = std::move(tr);
  weights_ = std::move(w);
  learning_.reset();
  trained_ = true;
}

void register_crf_entity_recognizer(Registry& r) {
  ComponentFactory make = [](const std::string& name, const Json& config, std::shared_ptr<Vocab> vocab) {
    return std::unique_ptr<Component>(
        std::make_unique<CRFEntityRecognizer>(name, CRFEntityRecognizerConfig::from_json(config), std::move(vocab)));
  };
  r.add("components", kFactory, make,
        "linear-chain CRF entity recognizer over hand-built features (shape, affixes, Brown clusters, gazetteer hits "
        "from EntityRuler patterns), maximum likelihood with L2 by AdaGrad, constrained Viterbi over BILUO or BIO "
        "tags; writes doc.ents; trained by weft train",
        "builtin");
}

}  // namespace weft
