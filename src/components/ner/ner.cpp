// The entity recognizer component. See include/weft/components/ner/ner.hpp.
#include "weft/components/ner/ner.hpp"

#include <algorithm>
#include <set>

#include "weft/components/parser/transition_loop.hpp"
#include "weft/error.hpp"
#include "weft/nn/rng.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft {

namespace {

using biluo::Action;
using biluo::Move;

constexpr std::int64_t kTokenSlots = 4;  // B0, B0-1, B0+1, E0
constexpr std::int64_t kLabelSlots = 1;  // the open entity's label

// The feature rows and label of state `s`, row(w) giving the precomputed rows of word w of its Doc.
// The words of the token slots of state `s` (-1: none) and its label slot.
void slot_words(const biluo::State& s, std::int32_t* w, std::int32_t* labels) {
  const std::int32_t words[kTokenSlots] = {s.i < s.n ? s.i : -1, s.i - 1, s.i + 1 < s.n ? s.i + 1 : -1, s.open};
  std::copy(words, words + kTokenSlots, w);
  labels[0] = s.open_label;
}

template <class Row>
void features_by(const biluo::State& s, Row&& row, std::int64_t HP, const float** rows, std::int32_t* labels,
                 std::int32_t* words = nullptr) {
  std::int32_t w[kTokenSlots];
  slot_words(s, w, labels);
  for (std::int64_t f = 0; f < kTokenSlots; ++f) {
    rows[f] = w[f] < 0 ? nullptr : row(w[f]) + f * HP;
    if (words != nullptr) words[f] = w[f];
  }
}

// The same for a Doc whose precomputed rows start at P, the row of word `origin` (rows of the words a
// state reads around it follow and precede it).
void features(const biluo::State& s, const float* P, std::int64_t HP, const float** rows, std::int32_t* labels,
              std::int32_t* words = nullptr, std::int32_t origin = 0) {
  const std::int64_t stride = kTokenSlots * HP;
  features_by(s, [&](std::int32_t w) { return P + static_cast<std::int64_t>(w - origin) * stride; }, HP, rows, labels, words);
}

}  // namespace

EntityRecognizer::EntityRecognizer(std::string name, const Json& config, std::shared_ptr<Vocab> vocab)
    : TrainablePipe(std::move(name), config.is_object() && config.contains("tok2vec") ? config["tok2vec"] : Json(), std::move(vocab)) {
  if (!config.is_object()) throw ValueError("component \"" + this->name() + "\": config must be a JSON object");
  check_config_keys(config, {"tok2vec", "model", "explore", "storage"}, "the config of component \"" + this->name() + "\"");
  model_config_ = transition::model_config(config, this->name());
  explore_ = config.value("explore", explore_);
  if (!(explore_ >= 0.f && explore_ <= 1.f)) throw ValueError("component \"" + this->name() + "\": explore must be in [0, 1]");
  storage_ = config.value("storage", storage_);
  if (storage_ != "f16" && storage_ != "f32") throw ValueError("storage must be \"f16\" or \"f32\"");
}

EntityRecognizer::~EntityRecognizer() = default;

Json EntityRecognizer::config() const {
  Json j = Json::object();
  j["tok2vec"] = tok2vec_config();
  j["model"] = model_config_;
  j["explore"] = explore_;
  j["storage"] = storage_;
  return j;
}

ParserModel& EntityRecognizer::pmodel() const { return static_cast<ParserModel&>(model()); }

void EntityRecognizer::index_labels() {
  label_index_.clear();
  label_hashes_.clear();
  actions_ = {Action::out()};
  for (std::size_t k = 0; k < labels_.size(); ++k) {
    const hash_t h = vocab_->strings().add(labels_[k]);
    label_hashes_.push_back(h);
    label_index_[h] = static_cast<std::int32_t>(k);
    for (const Move m : {Move::Begin, Move::In, Move::Last, Move::Unit}) actions_.push_back({m, static_cast<std::int32_t>(k)});
  }
}

void EntityRecognizer::build(std::int64_t width) {
  width_ = width;
  ParserModelShape shape;
  shape.width = width;
  shape.token_slots = kTokenSlots;
  shape.label_slots = kLabelSlots;
  shape.n_labels = static_cast<std::int64_t>(labels_.size());
  shape.n_actions = static_cast<std::int64_t>(actions_.size());
  model_ = transition::make_model(model_config_, shape, name());
}

void EntityRecognizer::initialize(std::span<const Doc> gold, std::int64_t width, std::uint64_t seed) {
  initialize_own_tok2vec(gold, seed);
  if (own_width() > 0) width = own_width();
  rng_.seed(nn::stream_seed(seed, "moves"));  // exploration while training
  std::set<std::string> seen;
  for (const Doc& d : gold)
    for (const Span& e : d.ents()) seen.insert(std::string(e.label_()));
  if (seen.empty()) throw ValueError("component \"" + name() + "\": no training Doc has an entity");
  labels_.assign(seen.begin(), seen.end());
  index_labels();
  build(width);
  model_->initialize(nullptr, nullptr, seed);
}

namespace {

// The constraints a Doc puts on the moves: sentence starts, and the entities already set on it (a label
// the recognizer lacks makes its words "foreign": they stay as they are and the recognizer's own
// entities stop before them).
biluo::Constraints constraints(const Doc& d, const std::unordered_map<hash_t, std::int32_t>& label_index) {
  const std::size_t n = d.size();
  biluo::Constraints c;
  c.sent_start.assign(n, 0);
  c.preset_label.assign(n, -1);
  c.preset_begin.assign(n, 0);
  for (std::size_t i = 1; i < n; ++i) c.sent_start[i] = d.data(i).sent_start == 1;
  for (const Span& e : d.ents()) {
    const auto it = label_index.find(e.label());
    for (std::size_t i = e.start(); i < e.end(); ++i) {
      c.preset_label[i] = it == label_index.end() ? biluo::FOREIGN : it->second;
      c.preset_begin[i] = i == e.start();
    }
  }
  return c;
}

}  // namespace

void EntityRecognizer::pipe(std::span<Doc> docs, PipeContext& context) const {
  if (docs.empty()) return;
  std::vector<biluo::Constraints> c;
  c.reserve(docs.size());
  for (const Doc& d : docs) c.push_back(constraints(d, label_index_));
  // A long Doc is decoded in runs of whole sentences: at a sentence start no entity is open (none
  // crosses one, unless an entity already on the Doc does, which is no place to cut), so a state
  // starting there is the whole Doc's state at that word. The row of the word before and after a run
  // is there for the slots B0-1 and B0+1.
  const auto unit_start = [&](const Doc& d, std::size_t i) {
    const biluo::Constraints& k = c[static_cast<std::size_t>(&d - docs.data())];
    return k.sent_start[i] != 0 && !(k.preset_label[i] >= 0 && !k.preset_begin[i]);
  };
  transition::precompute_runs(pmodel(), input(docs, context), docs, unit_start, 1, true,
                              [&](std::span<const DocRun> runs, const transition::ChunkRows& rows) { decode_runs(docs, c, runs, rows); });
}

void EntityRecognizer::set_annotations(std::span<Doc> docs, const backend::Tensor& P) const {
  std::vector<biluo::Constraints> c;
  c.reserve(docs.size());
  for (const Doc& d : docs) c.push_back(constraints(d, label_index_));
  const std::vector<DocRun> runs = transition::whole_docs(docs);
  if (!runs.empty()) decode_runs(docs, c, runs, transition::ChunkRows(P.data<float>(), P.dim(1)));
}

void EntityRecognizer::decode_runs(std::span<Doc> docs, const std::vector<biluo::Constraints>& c,
                                   std::span<const DocRun> runs, const transition::ChunkRows& chunk) const {
  const float* P = chunk.data();  // null when rows are computed as they are reached
  const ParserModel& m = pmodel();
  // The host's copies of the upper layers, where the states are scored there.
  const ParserModel::HostView view = chunk.device() != nullptr ? ParserModel::HostView{} : m.host_view(false);
  const std::int64_t HP = m.row_width();
  // One state per run, over the whole Doc's words from the run's first word to its end.
  struct Sequence {
    const float* rows;  // the row of word `origin` (null: chunk.row(first + w - origin))
    std::int64_t first;  // word `origin` in the chunk
    std::int32_t origin, end;
    biluo::State st;
  };
  std::vector<Sequence> seqs;
  seqs.reserve(runs.size());
  std::vector<std::size_t> active;
  const float* rows = P;
  std::int64_t first = 0;
  for (std::size_t k = 0; k < runs.size(); ++k) {
    const DocRun& run = runs[k];
    biluo::State st(static_cast<std::int32_t>(docs[run.doc].size()));
    st.i = static_cast<std::int32_t>(run.begin);
    seqs.push_back({rows, first, st.i, static_cast<std::int32_t>(run.end), std::move(st)});
    active.push_back(k);
    if (P != nullptr) rows += run.size() * kTokenSlots * HP;
    first += run.size();
  }
  const auto validity = [&](std::size_t k, std::uint8_t* valid) {
    const biluo::Constraints& cons = c[runs[k].doc];
    for (std::size_t a = 0; a < actions_.size(); ++a) valid[a] = biluo::valid(seqs[k].st, actions_[a], cons);
  };
  const auto apply = [&](std::size_t k, std::size_t action) {
    biluo::apply(seqs[k].st, actions_[action]);
    return seqs[k].st.i >= seqs[k].end;
  };
  if (ParserModel::DeviceRows* on_device = chunk.device()) {
    transition::greedy_decode_on_device(
        m, *on_device, std::move(active),
        [&](std::size_t k, std::int64_t* words_out, std::int32_t* labels_out, std::uint8_t* valid) {
          const Sequence& q = seqs[k];
          validity(k, valid);
          std::int32_t w[kTokenSlots];
          slot_words(q.st, w, labels_out);
          for (std::int64_t f = 0; f < kTokenSlots; ++f) words_out[f] = w[f] < 0 ? -1 : q.first + (w[f] - q.origin);
        },
        apply);
  } else {
    transition::greedy_decode(
        m, view, std::move(active),
        [&](std::size_t k, const float** rows_out, std::int32_t* labels_out, std::uint8_t* valid) {
          const Sequence& q = seqs[k];
          validity(k, valid);
          if (q.rows != nullptr) features(q.st, q.rows, HP, rows_out, labels_out, nullptr, q.origin);
          else features_by(q.st, [&](std::int32_t w) { return chunk.row(q.first + (w - q.origin)); }, HP, rows_out, labels_out);
        },
        apply);
  }
  for (std::size_t k = 0; k < runs.size(); ++k) {
    const DocRun& run = runs[k];
    Doc& d = docs[run.doc];
    const Sequence& q = seqs[k];
    const biluo::Constraints& cons = c[run.doc];
    // Words of entities already set keep them; every other word gets O or its predicted entity.
    for (auto i = static_cast<std::size_t>(run.begin); i < static_cast<std::size_t>(run.end); ++i)
      if (cons.preset_label[i] == -1) d.data(i).ent_iob = EntIob::O, d.data(i).ent_type = 0;
    for (const biluo::State::Entity& e : q.st.ents) {
      if (cons.preset_label[static_cast<std::size_t>(e.start)] != -1) continue;  // a preset entity, reproduced
      for (std::int32_t i = e.start; i < e.end; ++i) {
        TokenData& t = d.data(static_cast<std::size_t>(i));
        t.ent_iob = i == e.start ? EntIob::B : EntIob::I;
        t.ent_type = label_hashes_[static_cast<std::size_t>(e.label)];
      }
    }
  }
}

nn::Loss EntityRecognizer::get_loss(std::span<const Doc> gold, const backend::Tensor& scores) const {
  ParserModel& m = pmodel();
  std::int64_t n_words = 0;
  for (const Doc& doc : gold)
    if (doc.has_annotation(Attr::ENT_IOB)) n_words += static_cast<std::int64_t>(doc.size());
  nn::Loss out;
  out.n_labelled = n_words;
  const float norm = static_cast<float>(std::max<std::int64_t>(1, n_words));
  // The gold entities of a Doc (words without annotation, or in an entity of a label the recognizer
  // lacks, are left out of the loss) and the constraints of its sentence starts.
  const auto gold_of = [&](const Doc& doc) {
    const auto n = static_cast<std::int32_t>(doc.size());
    biluo::Gold g(n);
    for (std::int32_t i = 0; i < n; ++i) g.missing[static_cast<std::size_t>(i)] = doc.data(static_cast<std::size_t>(i)).ent_iob == EntIob::MISSING;
    for (const Span& e : doc.ents()) {
      const auto it = label_index_.find(e.label());
      if (it != label_index_.end()) {
        g.add(static_cast<std::int32_t>(e.start()), static_cast<std::int32_t>(e.end()), it->second);
      } else {
        for (std::size_t i = e.start(); i < e.end(); ++i) g.missing[i] = 1;
      }
    }
    biluo::Constraints c;
    c.sent_start.assign(static_cast<std::size_t>(n), 0);
    c.preset_label.assign(static_cast<std::size_t>(n), -1);
    c.preset_begin.assign(static_cast<std::size_t>(n), 0);
    for (std::int32_t i = 1; i < n; ++i) c.sent_start[static_cast<std::size_t>(i)] = doc.data(static_cast<std::size_t>(i)).sent_start == 1;
    return std::pair<biluo::Gold, biluo::Constraints>(std::move(g), std::move(c));
  };
  if (!scores.device().is_cpu() || device_paths()) {
    // On a GPU: every Doc's oracle in lockstep, the states scored and backpropagated there
    // (transition::oracle_rounds); P and its gradient never leave the device.
    ParserModel::DeviceRows rows(m, scores);
    struct Sequence {
      biluo::Gold g;
      biluo::Constraints c;
      biluo::State st;
      std::int64_t first;  // its first word's row in the batch
    };
    std::vector<Sequence> seqs;
    std::int64_t first = 0;
    for (std::size_t di = 0; di < gold.size(); first += static_cast<std::int64_t>(gold[di].size()), ++di) {
      const Doc& doc = gold[di];
      if (doc.empty() || !doc.has_annotation(Attr::ENT_IOB)) continue;
      auto [g, c] = gold_of(doc);
      seqs.push_back({std::move(g), std::move(c), biluo::State(static_cast<std::int32_t>(doc.size())), first});
    }
    std::vector<std::size_t> active;
    for (std::size_t k = 0; k < seqs.size(); ++k)
      if (!biluo::is_final(seqs[k].st)) active.push_back(k);
    out.value = transition::oracle_rounds(
        m, rows, std::move(active), norm, 0.f, explore_, rng_,
        [&](std::size_t k, std::int64_t* words, std::int32_t* labels, std::uint8_t* valid, std::int32_t* costs_out) {
          const Sequence& q = seqs[k];
          for (std::size_t a = 0; a < actions_.size(); ++a) {
            valid[a] = biluo::valid(q.st, actions_[a], q.c);
            costs_out[a] = valid[a] ? biluo::cost(q.st, actions_[a], q.g) : 0;
          }
          std::int32_t w[kTokenSlots];
          slot_words(q.st, w, labels);
          for (std::int64_t f = 0; f < kTokenSlots; ++f) words[f] = w[f] < 0 ? -1 : q.first + w[f];
        },
        [&](std::size_t k, std::size_t action) {
          biluo::apply(seqs[k].st, actions_[action]);
          return biluo::is_final(seqs[k].st);
        });
    out.grad = rows.finish();
    return out;
  }
  // On the CPU: one Doc at a time, one state at a time, on the host.
  ParserModel::HostView view = m.host_view(true);
  const backend::Tensor& host = scores;
  backend::Tensor grad = backend::Tensor::zeros(host.shape(), backend::DType::F32);

  const std::int64_t HP = m.row_width(), stride = kTokenSlots * HP;
  const std::size_t A = actions_.size();
  std::vector<const float*> rows(kTokenSlots);
  std::vector<float*> d_rows(kTokenSlots);
  std::int32_t words[kTokenSlots], labels[kLabelSlots];
  std::vector<float> z(A), p(A), d(A);
  std::vector<std::uint8_t> valid(A);
  std::vector<std::int32_t> costs(A);
  ParserModel::Scratch scratch;
  std::uniform_real_distribution<float> coin(0.f, 1.f);

  std::int64_t r0 = 0;
  for (std::size_t di = 0; di < gold.size(); r0 += static_cast<std::int64_t>(gold[di].size()), ++di) {
    const Doc& doc = gold[di];
    if (doc.empty() || !doc.has_annotation(Attr::ENT_IOB)) continue;
    const auto n = static_cast<std::int32_t>(doc.size());
    auto [g, c] = gold_of(doc);
    const float* P = host.data<float>() + r0 * stride;
    float* dP = grad.data<float>() + r0 * stride;
    biluo::State st(n);
    while (!biluo::is_final(st)) {
      for (std::size_t a = 0; a < A; ++a) {
        valid[a] = biluo::valid(st, actions_[a], c);
        costs[a] = valid[a] ? biluo::cost(st, actions_[a], g) : 0;
      }
      features(st, P, HP, rows.data(), labels, words);
      m.score(view, rows.data(), labels, z.data(), scratch);
      std::size_t best_gold = A;
      out.value += transition::zero_cost_loss(z.data(), valid.data(), costs.data(), A, norm, p.data(), d.data(), &best_gold);
      for (std::int64_t f = 0; f < kTokenSlots; ++f) d_rows[static_cast<std::size_t>(f)] = words[f] < 0 ? nullptr : dP + words[f] * stride + f * HP;
      m.backprop_score(view, d_rows.data(), labels, d.data(), scratch);
      std::size_t chosen = best_gold;
      if (coin(rng_) < explore_)
        chosen = static_cast<std::size_t>(backend::argmax_valid(z.data(), valid.data(), static_cast<std::int64_t>(A)));
      biluo::apply(st, actions_[chosen]);
    }
  }
  m.add_grads(view);
  out.grad = grad;
  return out;
}

std::vector<std::string> EntityRecognizer::action_names() const {
  std::vector<std::string> out;
  for (const biluo::Action& a : actions_) {
    static constexpr const char* kMoves[] = {"O", "B", "I", "L", "U"};
    const char* m = kMoves[static_cast<int>(a.move)];
    out.push_back(a.label < 0 ? std::string(m) : std::string(m) + "-" + labels_.at(static_cast<std::size_t>(a.label)));
  }
  return out;
}

void EntityRecognizer::to_disk(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  Json j = Json::object();
  j["width"] = width_;
  j["labels"] = labels_;
  write_model_json(dir / "labels.json", j, 1);
  save_model(dir);
}

void EntityRecognizer::from_disk(const std::filesystem::path& dir) {
  const auto path = dir / "labels.json";
  const Json j = read_model_json(path);
  try {
    if (!j.is_object()) throw ModelError("not an object");
    width_ = j.at("width").get<std::int64_t>();
    labels_ = j.at("labels").get<std::vector<std::string>>();
    if (labels_.empty()) throw ModelError("no labels");
    if (!std::is_sorted(labels_.begin(), labels_.end()) || std::adjacent_find(labels_.begin(), labels_.end()) != labels_.end())
      throw ModelError("the labels must be sorted and distinct");
  } catch (const ModelError& e) {
    throw ModelError(path.string() + ": " + e.what());
  } catch (const std::exception& e) {
    throw ModelError(path.string() + ": expected {\"width\", \"labels\"}: " + e.what());
  }
  index_labels();
  build(width_);
  load_model(dir);
}

void register_ner(Registry& r) {
  ComponentFactory make = [](const std::string& name, const Json& config, std::shared_ptr<Vocab> vocab) {
    return std::unique_ptr<Component>(std::make_unique<EntityRecognizer>(name, config, std::move(vocab)));
  };
  const char* what = "transition-based named-entity recognizer (BILUO, the parser's precomputed-feature model)";
  r.add("components", "ner", make, what, "builtin");
  r.add("components", "weft.EntityRecognizer.v1", make, what, "builtin");
}

}  // namespace weft
