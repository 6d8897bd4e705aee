// The averaged perceptron tagger (NLTK's PerceptronTagger): features, greedy decoding with tag
// history, perceptron learning with averaged weights, the tag dictionary, saving and loading.
#include "weft/components/perceptron/perceptron_tagger.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "pipeline/builtins.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/strings/hash.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

namespace {

constexpr const char* kFactory = "weft.PerceptronTagger.v1";

// Feature templates. The history templates are repeated per head (their id + head * kHistoryStride).
enum Template : std::uint32_t {
  BIAS, SUF3, PRE1, W, WM1, SUF3M1, WM2, WP1, SUF3P1, WP2,
  // extended
  SHAPE, PRE3, SUF1, SUF2, SUF4, SHAPEM1, SHAPEP1, WM1_W, W_WP1, CL4, CL8, CL12, CLALL, CLP1, CLM1, DT, DTM1, DTP1,
  // history (per head)
  P1 = 100, P2, P1P2, P1W, P1SUF3,
};
constexpr std::uint32_t kHistoryStride = 16;
constexpr std::size_t kMaxFeatures = 64;

const linear::WordInfo kStart = linear::padding("-START-"), kStart2 = linear::padding("-START2-"), kEnd = linear::padding("-END-"),
                       kEnd2 = linear::padding("-END2-");

// The index of the highest score, the last one among equals (NLTK breaks ties by the larger label, and
// the labels are sorted).
std::int32_t argmax_last(const float* s, std::size_t n) noexcept {
  float m = s[0];
  for (std::size_t c = 1; c < n; ++c) m = std::max(m, s[c]);
  std::size_t b = n - 1;
  while (s[b] != m) --b;
  return static_cast<std::int32_t>(b);
}

ConfigError config_error(const std::string& what) { return ConfigError(std::string(kFactory) + " config: " + what); }

}  // namespace

PerceptronTaggerConfig PerceptronTaggerConfig::from_json(const Json& j) {
  PerceptronTaggerConfig c;
  if (j.is_null()) return c;
  if (!j.is_object()) throw config_error("must be a JSON object");
  check_config_keys(j, {"heads", "features", "lexicon", "tagdict_min_count", "tagdict_min_share"},
                    std::string("the ") + kFactory + " config");
  if (j.contains("heads")) {
    const Json& h = j["heads"];
    if (!h.is_array() || h.empty()) throw config_error("\"heads\" must be a non-empty list of \"pos\" and \"tag\"");
    c.heads.clear();
    for (const Json& v : h) {
      if (!v.is_string() || (v != "pos" && v != "tag"))
        throw config_error("\"heads\": unknown head " + v.dump() + " (known: \"pos\" for UPOS, \"tag\" for XPOS)");
      if (std::find(c.heads.begin(), c.heads.end(), v.get<std::string>()) != c.heads.end())
        throw config_error("\"heads\" names " + v.dump() + " twice");
      c.heads.push_back(v.get<std::string>());
    }
  }
  if (j.contains("features")) {
    if (!j["features"].is_string() || (j["features"] != "nltk" && j["features"] != "extended"))
      throw config_error("\"features\" must be \"nltk\" or \"extended\", not " + j["features"].dump());
    c.features = j["features"].get<std::string>();
  }
  if (j.contains("lexicon")) {
    if (!j["lexicon"].is_string()) throw config_error("\"lexicon\" must be a path (a string)");
    c.lexicon = j["lexicon"].get<std::string>();
  }
  if (!c.lexicon.empty() && c.features == "nltk")
    throw config_error("\"lexicon\" needs \"features\": \"extended\" (NLTK's feature set has no lexicon features)");
  if (j.contains("tagdict_min_count")) {
    if (!j["tagdict_min_count"].is_number_integer() || j["tagdict_min_count"].get<std::int64_t>() < 0)
      throw config_error("\"tagdict_min_count\" must be an integer >= 0 (0: no tag dictionary)");
    c.tagdict_min_count = j["tagdict_min_count"].get<std::int64_t>();
  }
  if (j.contains("tagdict_min_share")) {
    const Json& v = j["tagdict_min_share"];
    if (!v.is_number() || !(v.get<double>() > 0.0 && v.get<double>() <= 1.0))
      throw config_error("\"tagdict_min_share\" must be a number in (0, 1]");
    c.tagdict_min_share = v.get<double>();
  }
  return c;
}

Json PerceptronTaggerConfig::to_json() const {
  Json j{{"heads", heads}, {"features", features}, {"tagdict_min_count", tagdict_min_count},
         {"tagdict_min_share", tagdict_min_share}};
  if (!lexicon.empty()) j["lexicon"] = lexicon;
  return j;
}

// What learning keeps between epochs: the live weights with NLTK's running totals and timestamps
// (averaging without a pass over all weights per step), the word facts and gold classes of the
// training Docs.
struct PerceptronTagger::Learning {
  struct Weight {
    std::uint32_t cls;
    float w;
    double total;
    std::int64_t stamp;
  };
  std::unordered_map<std::uint64_t, std::vector<Weight>> weights;
  std::int64_t steps = 0;  // NLTK's self.i: one per token the model was asked about
  std::vector<std::vector<linear::WordInfo>> words;
  std::vector<std::vector<std::int32_t>> gold;  // per Doc: token-major, one class per head (-1: none)
  std::int64_t epochs = 0, last_errors = 0, last_tokens = 0;

  void update(std::uint64_t key, std::uint32_t cls, float v) {
    std::vector<Weight>& ws = weights[key];
    auto it = std::find_if(ws.begin(), ws.end(), [&](const Weight& x) { return x.cls == cls; });
    if (it == ws.end()) it = ws.insert(ws.end(), Weight{cls, 0.f, 0.0, steps});
    it->total += static_cast<double>(steps - it->stamp) * it->w;
    it->stamp = steps;
    it->w += v;
  }
};

PerceptronTagger::PerceptronTagger(std::string name, PerceptronTaggerConfig config, std::shared_ptr<Vocab> vocab)
    : Component(std::move(name)), config_(std::move(config)), vocab_(std::move(vocab)) {
  for (const std::string& h : config_.heads) heads_.push_back(Head{h == "pos", {}, {}, 0, {}});
}

PerceptronTagger::~PerceptronTagger() = default;

std::vector<std::string> PerceptronTagger::assigns() const {
  std::vector<std::string> a;
  for (const Head& h : heads_) a.push_back(h.pos ? "token.pos" : "token.tag");
  return a;
}

std::vector<std::string> PerceptronTagger::learner_metrics() const {
  std::vector<std::string> m;
  for (const Head& h : heads_) m.push_back(h.pos ? "UPOS" : "XPOS");
  return m;
}

std::uint32_t PerceptronTagger::n_classes() const noexcept {
  return heads_.empty() ? 0 : heads_.back().offset + static_cast<std::uint32_t>(heads_.back().labels.size());
}

std::vector<std::pair<std::string, std::vector<std::string>>> PerceptronTagger::labels() const {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  for (const Head& h : heads_) out.emplace_back(h.pos ? "pos" : "tag", h.labels);
  return out;
}

void PerceptronTagger::index_labels() {
  std::uint32_t offset = 0;
  for (Head& h : heads_) {
    h.values.clear();
    for (const std::string& l : h.labels) {
      if (h.pos) {
        const auto p = upos_from_name(l);
        if (!p || *p == UPOS::NONE) throw ModelError("component \"" + name() + "\": \"" + l + "\" is not a UPOS tag");
        h.values.push_back(static_cast<hash_t>(*p));
      } else {
        h.values.push_back(vocab_->strings().add(l));
      }
    }
    h.offset = offset;
    offset += static_cast<std::uint32_t>(h.labels.size());
  }
}

std::int32_t PerceptronTagger::gold_class(const Head& h, const TokenData& t) const {
  const hash_t v = h.pos ? static_cast<hash_t>(t.pos) : t.tag;
  if (v == 0) return -1;  // UPOS::NONE is 0
  const auto it = std::find(h.values.begin(), h.values.end(), v);
  return it == h.values.end() ? -1 : static_cast<std::int32_t>(it - h.values.begin());
}

std::vector<linear::WordInfo> PerceptronTagger::word_infos(const Doc& doc) const {
  std::vector<linear::WordInfo> w(doc.size());
  for (std::size_t i = 0; i < doc.size(); ++i) w[i] = linear::word_info(doc.token_text(i), *vocab_, lexicon_.get());
  return w;
}

std::size_t PerceptronTagger::features(const std::vector<linear::WordInfo>& words, std::size_t begin, std::size_t end,
                                       std::size_t i, const std::int32_t (*prev)[2], std::uint64_t* out) const {
  const std::size_t n = static_features(words, begin, end, i, out);
  return n + history_features(words[i], prev, out + n);
}

std::size_t PerceptronTagger::history_features(const linear::WordInfo& w, const std::int32_t (*prev)[2],
                                               std::uint64_t* out, bool tag_rows) const {
  using linear::key;
  const bool extended = config_.features == "extended";
  std::size_t n = 0;
  for (std::size_t h = 0; h < heads_.size(); ++h) {
    const std::uint32_t base = static_cast<std::uint32_t>(h) * kHistoryStride;
    // Tag values: class + 3, so the start markers -1, -2 differ from every class.
    const std::uint64_t t1 = static_cast<std::uint64_t>(prev[h][0] + 3), t2 = static_cast<std::uint64_t>(prev[h][1] + 3);
    if (!tag_rows) {
      out[n++] = key(P1 + base, t1);
      out[n++] = key(P2 + base, t2);
      out[n++] = key(P1P2 + base, t1, t2);
    }
    out[n++] = key(P1W + base, t1, w.word);
    if (extended) out[n++] = key(P1SUF3 + base, t1, w.suffix3);
  }
  return n;
}

void PerceptronTagger::build_tag_rows() {
  // Per head, the summed weights of P1, P2 and P1P2 for every tag value (class + 3; 1 and 2 are the
  // start markers), so decoding adds three rows instead of looking up three keys.
  const std::size_t C = n_classes();
  tag_rows_.assign(heads_.size(), {});
  std::uint64_t k[3];
  for (std::size_t h = 0; h < heads_.size(); ++h) {
    const std::uint32_t base = static_cast<std::uint32_t>(h) * kHistoryStride;
    const std::size_t V = heads_[h].labels.size() + 3;
    std::vector<float>& rows = tag_rows_[h];
    rows.assign((2 * V + V * V) * C, 0.f);
    for (std::uint64_t a = 0; a < V; ++a) {
      k[0] = linear::key(P1 + base, a);
      k[1] = linear::key(P2 + base, a);
      weights_.add_all(k, 1, rows.data() + a * C);
      weights_.add_all(k + 1, 1, rows.data() + (V + a) * C);
      for (std::uint64_t b = 0; b < V; ++b) {
        k[2] = linear::key(P1P2 + base, a, b);
        weights_.add_all(k + 2, 1, rows.data() + (2 * V + a * V + b) * C);
      }
    }
  }
}

// The static templates in three groups by the word they read, so that a word's sums over a group can be
// cached: the word itself (kSelf), the word as the left neighbour of the token (kLeft: i - 1), as its
// right neighbour (kRight: i + 1); the rest read two words or none.
std::size_t PerceptronTagger::word_keys(const linear::WordInfo& w, Group g, std::uint64_t* out) const {
  using linear::key;
  const bool extended = config_.features == "extended";
  std::size_t n = 0;
  switch (g) {
    case kSelf:
      out[n++] = key(SUF3, w.suffix3);
      out[n++] = key(PRE1, w.prefix1);
      out[n++] = key(W, w.word);
      if (extended) {
        out[n++] = key(SHAPE, w.shape);
        out[n++] = key(PRE3, w.prefix3);
        out[n++] = key(SUF1, w.suffix1);
        out[n++] = key(SUF2, w.suffix2);
        out[n++] = key(SUF4, w.suffix4);
        if (lexicon_) {
          out[n++] = key(CL4, w.cluster & 0xF);
          out[n++] = key(CL8, w.cluster & 0xFF);
          out[n++] = key(CL12, w.cluster & 0xFFF);
          out[n++] = key(CLALL, w.cluster);
          out[n++] = key(DT, w.dict_tag);
        }
      }
      break;
    case kLeft:
      out[n++] = key(WM1, w.word);
      out[n++] = key(SUF3M1, w.suffix3);
      if (extended) {
        out[n++] = key(SHAPEM1, w.shape);
        if (lexicon_) {
          out[n++] = key(CLM1, w.cluster & 0xFF);
          out[n++] = key(DTM1, w.dict_tag);
        }
      }
      break;
    case kRight:
      out[n++] = key(WP1, w.word);
      out[n++] = key(SUF3P1, w.suffix3);
      if (extended) {
        out[n++] = key(SHAPEP1, w.shape);
        if (lexicon_) {
          out[n++] = key(CLP1, w.cluster & 0xFF);
          out[n++] = key(DTP1, w.dict_tag);
        }
      }
      break;
  }
  return n;
}

std::size_t PerceptronTagger::static_features(const std::vector<linear::WordInfo>& words, std::size_t begin,
                                              std::size_t end, std::size_t i, std::uint64_t* out,
                                              const bool* cached) const {
  using linear::key;
  const auto at = [&](std::ptrdiff_t k) -> const linear::WordInfo& {
    const std::ptrdiff_t j = static_cast<std::ptrdiff_t>(i) + k;
    if (j < static_cast<std::ptrdiff_t>(begin)) return j == static_cast<std::ptrdiff_t>(begin) - 1 ? kStart : kStart2;
    if (j >= static_cast<std::ptrdiff_t>(end)) return j == static_cast<std::ptrdiff_t>(end) ? kEnd : kEnd2;
    return words[static_cast<std::size_t>(j)];
  };
  const linear::WordInfo &w = at(0), &m1 = at(-1), &m2 = at(-2), &p1 = at(1), &p2 = at(2);
  std::size_t n = 0;
  out[n++] = key(BIAS, 0);
  if (!(cached && cached[0])) n += word_keys(w, kSelf, out + n);
  if (!(cached && cached[1])) n += word_keys(m1, kLeft, out + n);
  if (!(cached && cached[2])) n += word_keys(p1, kRight, out + n);
  out[n++] = key(WM2, m2.word);
  out[n++] = key(WP2, p2.word);
  if (config_.features == "extended") {
    out[n++] = key(WM1_W, m1.word, w.word);
    out[n++] = key(W_WP1, w.word, p1.word);
  }
  return n;
}

void PerceptronTagger::build_word_cache() {
  // Per cached word, the summed weights of each group: [word][group][class].
  const std::size_t C = n_classes();
  cache_rows_.assign(cache_forms_.size() * 3 * C, 0.f);
  cache_info_.clear();
  cache_index_.clear();
  cache_index_.reserve(cache_forms_.size());
  std::uint64_t keys[kMaxFeatures];
  for (std::size_t r = 0; r < cache_forms_.size(); ++r) {
    const linear::WordInfo w = linear::word_info(cache_forms_[r], *vocab_, lexicon_.get());
    cache_info_.push_back(w);
    cache_index_.emplace(hash_string(cache_forms_[r]), static_cast<std::uint32_t>(r));
    for (const Group g : {kSelf, kLeft, kRight})
      weights_.add_all(keys, word_keys(w, g, keys), cache_rows_.data() + (r * 3 + g) * C);
  }
}

void PerceptronTagger::operator()(Doc& doc) const {
  if (!trained_) throw linear::not_trained(name(), kFactory, "annotate");
  if (doc.empty()) return;
  auto& toks = doc.tokens();
  const std::size_t C = n_classes(), H = heads_.size();
  // Words of the training vocabulary take their facts and their groups' summed weights from the word
  // cache; the others are computed.
  std::vector<std::int32_t> row(toks.size(), -1);
  std::vector<linear::WordInfo> words(toks.size());
  for (std::size_t i = 0; i < toks.size(); ++i) {
    const auto it = cache_index_.find(toks[i].orth);
    if (it != cache_index_.end()) {
      row[i] = static_cast<std::int32_t>(it->second);
      words[i] = cache_info_[it->second];
    } else {
      words[i] = linear::word_info(doc.token_text(i), *vocab_, lexicon_.get());
    }
  }
  // Per sentence: the dictionary's tags, then the scores of the static features of every other word in
  // one batch of lookups (their cache misses overlap), then left to right the tag-history features.
  std::vector<float> base, scores(C);
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> rows;
  std::vector<std::int32_t> known;
  std::uint64_t history[kMaxFeatures];
  std::int32_t prev[2][2];
  for (const auto& [begin, end] : linear::sentences(doc)) {
    const std::size_t n = end - begin;
    known.assign(n * H, -1);
    keys.clear();
    rows.clear();
    base.assign(n * C, 0.f);
    for (std::size_t i = begin; i < end; ++i) {
      bool all_known = true;
      for (std::size_t h = 0; h < H; ++h) {
        const auto it = heads_[h].tagdict.find(toks[i].orth);
        if (it != heads_[h].tagdict.end()) known[(i - begin) * H + h] = it->second;
        else all_known = false;
      }
      if (all_known) continue;
      float* b = base.data() + (i - begin) * C;
      const bool cached[3] = {row[i] >= 0, i > begin && row[i - 1] >= 0, i + 1 < end && row[i + 1] >= 0};
      const auto add = [&](std::int32_t r, Group g) {
        const float* src = cache_rows_.data() + (static_cast<std::size_t>(r) * 3 + g) * C;
        for (std::size_t c = 0; c < C; ++c) b[c] += src[c];
      };
      if (cached[0]) add(row[i], kSelf);
      if (cached[1]) add(row[i - 1], kLeft);
      if (cached[2]) add(row[i + 1], kRight);
      const std::size_t before = keys.size();
      keys.resize(before + kMaxFeatures);
      keys.resize(before + static_features(words, begin, end, i, keys.data() + before, cached));
      rows.resize(keys.size(), static_cast<std::uint32_t>(i - begin));
    }
    weights_.add_all(keys.data(), keys.size(), base.data(), rows.data(), C);
    for (auto& p : prev) p[0] = -1, p[1] = -2;
    for (std::size_t i = begin; i < end; ++i) {
      std::int32_t* best = known.data() + (i - begin) * H;
      if (std::any_of(best, best + H, [](std::int32_t b) { return b < 0; })) {
        std::copy(base.begin() + static_cast<std::ptrdiff_t>((i - begin) * C),
                  base.begin() + static_cast<std::ptrdiff_t>((i - begin + 1) * C), scores.begin());
        weights_.add_all(history, history_features(words[i], prev, history, true), scores.data());
        for (std::size_t h = 0; h < H; ++h) {
          const std::size_t V = heads_[h].labels.size() + 3;
          const auto t1 = static_cast<std::size_t>(prev[h][0] + 3), t2 = static_cast<std::size_t>(prev[h][1] + 3);
          const float* r1 = tag_rows_[h].data() + t1 * C;
          const float* r2 = tag_rows_[h].data() + (V + t2) * C;
          const float* r12 = tag_rows_[h].data() + (2 * V + t1 * V + t2) * C;
          for (std::size_t c = 0; c < C; ++c) scores[c] += r1[c] + r2[c] + r12[c];
        }
        for (std::size_t h = 0; h < H; ++h) {
          if (best[h] >= 0) continue;
          const Head& hd = heads_[h];
          best[h] = argmax_last(scores.data() + hd.offset, hd.labels.size());
        }
      }
      TokenData& t = toks[i];
      for (std::size_t h = 0; h < H; ++h) {
        const Head& hd = heads_[h];
        if (hd.pos) t.pos = static_cast<UPOS>(hd.values[static_cast<std::size_t>(best[h])]);
        else t.tag = hd.values[static_cast<std::size_t>(best[h])];
        prev[h][1] = prev[h][0];
        prev[h][0] = best[h];
      }
    }
  }
}

void PerceptronTagger::begin_learning(std::span<const Doc> gold, std::uint64_t seed) {
  lexicon_ = config_.features == "extended" ? linear::load_config_lexicon(config_.lexicon, name()) : nullptr;
  // Labels, sorted.
  for (Head& h : heads_) {
    std::set<std::string> seen;
    for (const Doc& d : gold)
      for (std::size_t i = 0; i < d.size(); ++i) {
        const TokenData& t = d.data(i);
        if (h.pos ? t.pos != UPOS::NONE : t.tag != 0) seen.insert(std::string(h.pos ? upos_name(t.pos) : d.str(t.tag)));
      }
    if (seen.empty())
      throw ValueError("component \"" + name() + "\": the training Docs have no " + (h.pos ? "UPOS" : "XPOS") +
                       " tags to learn (heads: " + (h.pos ? "\"pos\"" : "\"tag\"") + ")");
    h.labels.assign(seen.begin(), seen.end());
  }
  index_labels();
  learning_ = std::make_unique<Learning>();
  (void)seed;  // nothing random: the trainer shuffles the order
  // NLTK's _make_tagdict: per word form, its tags' counts.
  for (std::size_t hi = 0; hi < heads_.size(); ++hi) {
    Head& h = heads_[hi];
    h.tagdict.clear();
    std::unordered_map<hash_t, std::map<std::int32_t, std::int64_t>> counts;
    std::unordered_map<hash_t, std::string_view> forms;
    for (const Doc& d : gold)
      for (std::size_t i = 0; i < d.size(); ++i)
        if (const std::int32_t c = gold_class(h, d.data(i)); c >= 0) {
          ++counts[d.data(i).orth][c];
          forms.try_emplace(d.data(i).orth, d.token_text(i));
        }
    if (config_.tagdict_min_count == 0) continue;
    for (const auto& [orth, tags] : counts) {
      std::int64_t n = 0, mode = 0;
      std::int32_t tag = -1;
      for (const auto& [c, k] : tags) {
        n += k;
        if (k > mode) mode = k, tag = c;
      }
      if (n >= config_.tagdict_min_count && static_cast<double>(mode) / static_cast<double>(n) >= config_.tagdict_min_share)
        h.tagdict[vocab_->strings().add(forms.at(orth))] = tag;
    }
  }
  // The word cache's vocabulary: every training form that a line of words.txt can hold.
  std::set<std::string> forms;
  for (const Doc& d : gold)
    for (std::size_t i = 0; i < d.size(); ++i)
      if (d.token_text(i).find_first_of(" \t\r\n") == std::string_view::npos) forms.emplace(d.token_text(i));
  cache_forms_.assign(forms.begin(), forms.end());
  for (const Doc& d : gold) {
    learning_->words.push_back(word_infos(d));
    std::vector<std::int32_t> g(d.size() * heads_.size());
    for (std::size_t i = 0; i < d.size(); ++i)
      for (std::size_t h = 0; h < heads_.size(); ++h) g[i * heads_.size() + h] = gold_class(heads_[h], d.data(i));
    learning_->gold.push_back(std::move(g));
  }
  weights_ = {};
  trained_ = false;
}

double PerceptronTagger::learn_epoch(std::span<const Doc> gold, std::span<const std::size_t> order) {
  if (!learning_ || learning_->gold.size() != gold.size())
    throw ValueError("component \"" + name() + "\": learn_epoch before begin_learning with these Docs");
  Learning& L = *learning_;
  const std::size_t H = heads_.size();
  const std::uint32_t C = n_classes();
  std::vector<float> scores(C);
  std::uint64_t keys[kMaxFeatures];
  std::int32_t prev[2][2], guess[2];
  std::int64_t errors = 0, tokens = 0;
  for (const std::size_t di : order) {
    const Doc& d = gold[di];
    const std::vector<linear::WordInfo>& words = L.words[di];
    const std::vector<std::int32_t>& g = L.gold[di];
    for (const auto& [begin, end] : linear::sentences(d)) {
      for (auto& p : prev) p[0] = -1, p[1] = -2;
      for (std::size_t i = begin; i < end; ++i) {
        bool all_known = true;
        for (std::size_t h = 0; h < H; ++h) {
          const auto it = heads_[h].tagdict.find(d.data(i).orth);
          guess[h] = it == heads_[h].tagdict.end() ? -1 : it->second;
          all_known = all_known && guess[h] >= 0;
        }
        if (!all_known) {
          const std::size_t n = features(words, begin, end, i, prev, keys);
          std::fill(scores.begin(), scores.end(), 0.f);
          for (std::size_t k = 0; k < n; ++k)
            if (const auto it = L.weights.find(keys[k]); it != L.weights.end())
              for (const Learning::Weight& w : it->second) scores[w.cls] += w.w;
          ++L.steps;
          for (std::size_t h = 0; h < H; ++h) {
            if (guess[h] >= 0) continue;
            const Head& hd = heads_[h];
            const std::int32_t b = argmax_last(scores.data() + hd.offset, hd.labels.size());
            guess[h] = b;
            const std::int32_t truth = g[i * H + h];
            ++tokens;
            if (truth < 0 || truth == b) continue;
            ++errors;
            for (std::size_t k = 0; k < n; ++k) {
              L.update(keys[k], hd.offset + static_cast<std::uint32_t>(truth), 1.f);
              L.update(keys[k], hd.offset + static_cast<std::uint32_t>(b), -1.f);
            }
          }
        }
        for (std::size_t h = 0; h < H; ++h) {
          prev[h][1] = prev[h][0];
          prev[h][0] = guess[h];
        }
      }
    }
  }
  ++L.epochs;
  L.last_errors = errors;
  L.last_tokens = tokens;
  return static_cast<double>(errors);
}

void PerceptronTagger::finish_epoch() {
  if (!learning_) throw ValueError("component \"" + name() + "\": finish_epoch before begin_learning");
  const Learning& L = *learning_;
  std::unordered_map<std::uint64_t, std::vector<linear::SparseWeights::Entry>> averaged;
  averaged.reserve(L.weights.size());
  const double steps = static_cast<double>(std::max<std::int64_t>(1, L.steps));
  for (const auto& [k, ws] : L.weights) {
    std::vector<linear::SparseWeights::Entry> out;
    for (const Learning::Weight& w : ws) {
      const double total = w.total + static_cast<double>(L.steps - w.stamp) * w.w;
      // NLTK's average_weights rounds to three decimals, which also drops the weights that average to
      // nearly nothing.
      const double avg = std::round(total / steps * 1000.0) / 1000.0;
      if (avg != 0.0) out.push_back({w.cls, static_cast<float>(avg)});
    }
    if (!out.empty()) averaged.emplace(k, std::move(out));
  }
  weights_ = linear::SparseWeights::build(averaged);
  build_word_cache();
  build_tag_rows();
  trained_ = true;
}

std::string PerceptronTagger::learnt_summary() const {
  std::size_t dict = 0;
  for (const Head& h : heads_) dict += h.tagdict.size();
  char line[256];
  std::snprintf(line, sizeof line, "%zu features, %zu weights, %zu tag-dictionary words; last epoch %lld errors in %lld predictions",
                weights_.features(), weights_.entries(), dict,
                static_cast<long long>(learning_ ? learning_->last_errors : 0),
                static_cast<long long>(learning_ ? learning_->last_tokens : 0));
  return line;
}

void PerceptronTagger::to_disk(const std::filesystem::path& dir) const {
  if (!trained_) throw linear::not_trained(name(), kFactory, "save");
  std::filesystem::create_directories(dir);
  Json labels = Json::object(), dict = Json::object();
  for (const Head& h : heads_) {
    const std::string key = h.pos ? "pos" : "tag";
    labels[key] = h.labels;
    // The dictionary by word form, sorted, so the same training writes the same file.
    std::map<std::string, std::string> words;
    for (const auto& [orth, c] : h.tagdict) words[std::string(vocab_->strings().at(orth))] = h.labels[static_cast<std::size_t>(c)];
    dict[key] = words;
  }
  write_model_json(dir / "labels.json", Json{{"labels", labels}, {"tagdict", dict}});
  weights_.save(dir / "weights.bin");
  std::string words;
  for (const std::string& f : cache_forms_) words += f + "\n";
  write_file((dir / "words.txt").string(), words);
  linear::save_lexicon(lexicon_, dir);
}

void PerceptronTagger::from_disk(const std::filesystem::path& dir) {
  const auto path = dir / "labels.json";
  const Json j = read_model_json(path);
  if (!j.is_object() || !j.contains("labels") || !j["labels"].is_object() || !j.contains("tagdict") || !j["tagdict"].is_object())
    throw ModelError(path.string() + ": expected {\"labels\": {...}, \"tagdict\": {...}}");
  std::vector<Head> heads = heads_;
  for (Head& h : heads) {
    const std::string key = h.pos ? "pos" : "tag";
    const Json& l = j["labels"];
    if (!l.contains(key) || !l[key].is_array() || l[key].empty())
      throw ModelError(path.string() + ": no label list \"" + key + "\"");
    h.labels.clear();
    for (const Json& v : l[key]) {
      if (!v.is_string()) throw ModelError(path.string() + ": label list \"" + key + "\" must hold strings");
      h.labels.push_back(v.get<std::string>());
    }
  }
  std::swap(heads, heads_);
  try {
    index_labels();
  } catch (const ModelError& e) {
    std::swap(heads, heads_);
    throw ModelError(path.string() + ": " + e.what());
  }
  for (Head& h : heads_) {
    const std::string key = h.pos ? "pos" : "tag";
    h.tagdict.clear();
    const Json& d = j["tagdict"].contains(key) ? j["tagdict"][key] : Json::object();
    if (!d.is_object()) throw ModelError(path.string() + ": \"tagdict\"." + key + " must be an object (word -> label)");
    for (const auto& [word, label] : d.items()) {
      const auto it = label.is_string() ? std::find(h.labels.begin(), h.labels.end(), label.get<std::string>()) : h.labels.end();
      if (it == h.labels.end())
        throw ModelError(path.string() + ": tag dictionary entry \"" + word + "\" has " + label.dump() + ", which is not a " + key + " label");
      h.tagdict[vocab_->strings().add(word)] = static_cast<std::int32_t>(it - h.labels.begin());
    }
  }
  linear::SparseWeights w = linear::SparseWeights::load(dir / "weights.bin");
  if (w.classes() > n_classes())
    throw ModelError((dir / "weights.bin").string() + ": weights for " + std::to_string(w.classes()) +
                     " classes, but labels.json has " + std::to_string(n_classes()));
  lexicon_ = config_.features == "extended" ? linear::load_model_lexicon(dir, !config_.lexicon.empty()) : nullptr;
  const auto words_path = dir / "words.txt";
  if (!std::filesystem::exists(words_path)) throw ModelError(words_path.string() + " is missing");
  std::vector<std::string> forms;
  {
    const std::string text = read_file(words_path.string());
    std::size_t line = 0;
    for (std::size_t p = 0; p < text.size();) {
      std::size_t e = text.find('\n', p);
      if (e == std::string::npos) e = text.size();
      ++line;
      const std::string_view f(text.data() + p, e - p);
      if (f.empty() || f.find_first_of(" \t\r") != std::string_view::npos || !utf8::valid(f))
        throw ModelError(words_path.string() + ":" + std::to_string(line) + ": not a word form");
      forms.emplace_back(f);
      p = e + 1;
    }
  }
  weights_ = std::move(w);
  cache_forms_ = std::move(forms);
  build_word_cache();
  build_tag_rows();
  learning_.reset();
  trained_ = true;
}

void register_perceptron_tagger(Registry& r) {
  ComponentFactory make = [](const std::string& name, const Json& config, std::shared_ptr<Vocab> vocab) {
    return std::unique_ptr<Component>(
        std::make_unique<PerceptronTagger>(name, PerceptronTaggerConfig::from_json(config), std::move(vocab)));
  };
  r.add("components", kFactory, make,
        "averaged perceptron UPOS and XPOS tagger (NLTK's PerceptronTagger: greedy left-to-right with tag history, "
        "hashed features, tag dictionary; no neural network), trained by weft train",
        "builtin");
}

}  // namespace weft
