// The dependency parser component. See include/weft/components/parser/parser.hpp.
#include "weft/components/parser/parser.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <map>

#include "weft/components/parser/nonproj.hpp"
#include "weft/components/parser/transition_loop.hpp"
#include "weft/error.hpp"
#include "weft/nn/rng.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft {

namespace {

using arc_eager::Action;
using Move = arc_eager::Action::Move;

class ArcEagerSystem final : public TransitionSystem {
 public:
  std::string name() const override { return std::string(arc_eager::NAME); }
  bool is_final(const arc_eager::State& s) const override { return arc_eager::is_final(s); }
  bool valid(const arc_eager::State& s, const Action& a) const override { return arc_eager::valid(s, a); }
  void apply(arc_eager::State& s, const Action& a) const override { arc_eager::apply(s, a); }
  std::int32_t cost(const arc_eager::State& s, const Action& a, const arc_eager::GoldParse& g) const override {
    return arc_eager::cost(s, a, g);
  }
  arc_hybrid::Arc arc(const arc_eager::State& s, Move m) const override {
    if (s.s0() < 0 || s.b0() < 0) return {};
    if (m == Move::Left) return {s.b0(), s.s0()};
    if (m == Move::Right) return {s.s0(), s.b0()};
    return {};
  }
};

class ArcHybridSystem final : public TransitionSystem {
 public:
  std::string name() const override { return std::string(arc_hybrid::NAME); }
  bool is_final(const arc_eager::State& s) const override { return arc_hybrid::is_final(s); }
  bool valid(const arc_eager::State& s, const Action& a) const override { return arc_hybrid::valid(s, a); }
  void apply(arc_eager::State& s, const Action& a) const override { arc_hybrid::apply(s, a); }
  std::int32_t cost(const arc_eager::State& s, const Action& a, const arc_eager::GoldParse& g) const override {
    return arc_hybrid::cost(s, a, g);
  }
  arc_hybrid::Arc arc(const arc_eager::State& s, Move m) const override { return arc_hybrid::arc(s, m); }
};

// Where a feature slot looks in the state.
enum class Slot : std::uint8_t { S0, S1, S2, B0, B1, B2, S0L1, S0R1, S0L2, S0R2, B0L1, S1L1, S1R1 };

struct SlotSet {
  std::vector<Slot> tokens, labels;
};

const SlotSet& slot_set(int n) {
  static const SlotSet rich{{Slot::S0, Slot::S1, Slot::S2, Slot::B0, Slot::B1, Slot::B2, Slot::S0L1, Slot::S0R1, Slot::S0L2,
                             Slot::S0R2, Slot::B0L1, Slot::S1L1, Slot::S1R1},
                            {Slot::S0, Slot::S1, Slot::S0L1, Slot::S0R1, Slot::S0L2, Slot::S0R2, Slot::B0L1, Slot::S1L1,
                             Slot::S1R1}};
  static const SlotSet small{{Slot::S0, Slot::S1, Slot::S2, Slot::B0, Slot::B1, Slot::S0L1, Slot::S0R1, Slot::B0L1},
                             {Slot::S0, Slot::S0L1, Slot::S0R1, Slot::B0L1}};
  return n == 8 ? small : rich;
}

// A state with the two outermost dependents on each side of every word (the child slots).
struct ParseState {
  ParseState(std::int32_t n, std::int32_t root_label)
      : st(n, root_label), l1(static_cast<std::size_t>(n), -1), l2(l1), r1(l1), r2(l1) {}
  arc_eager::State st;
  std::vector<std::int32_t> l1, l2, r1, r2;

  void add_child(std::int32_t h, std::int32_t c) {
    if (c < h) {
      if (l1[h] < 0 || c < l1[h]) l2[h] = l1[h], l1[h] = c;
      else if (l2[h] < 0 || c < l2[h]) l2[h] = c;
    } else {
      if (r1[h] < 0 || c > r1[h]) r2[h] = r1[h], r1[h] = c;
      else if (r2[h] < 0 || c > r2[h]) r2[h] = c;
    }
  }
  void apply(const TransitionSystem& sys, const Action& a) {
    if (a.move == Move::Left || a.move == Move::Right) {
      const arc_hybrid::Arc x = sys.arc(st, a.move);
      sys.apply(st, a);
      add_child(x.head, x.dep);
    } else {
      sys.apply(st, a);
    }
  }
  std::int32_t word(Slot slot) const {
    const auto stack_at = [&](std::size_t k) { return st.stack.size() > k ? st.stack[st.stack.size() - 1 - k] : -1; };
    const auto buf_at = [&](std::int32_t k) { return st.buffer + k < st.size() ? st.buffer + k : -1; };
    const auto kid = [](const std::vector<std::int32_t>& v, std::int32_t w) { return w < 0 ? -1 : v[static_cast<std::size_t>(w)]; };
    switch (slot) {
      case Slot::S0: return stack_at(0);
      case Slot::S1: return stack_at(1);
      case Slot::S2: return stack_at(2);
      case Slot::B0: return buf_at(0);
      case Slot::B1: return buf_at(1);
      case Slot::B2: return buf_at(2);
      case Slot::S0L1: return kid(l1, stack_at(0));
      case Slot::S0R1: return kid(r1, stack_at(0));
      case Slot::S0L2: return kid(l2, stack_at(0));
      case Slot::S0R2: return kid(r2, stack_at(0));
      case Slot::B0L1: return kid(l1, buf_at(0));
      case Slot::S1L1: return kid(l1, stack_at(1));
      case Slot::S1R1: return kid(r1, stack_at(1));
    }
    return -1;
  }
};

// The gold analysis of one Doc with its words' labels as strings, projectivized per sentence; empty when
// the Doc lacks a full tree (no DEP annotation, an unlabelled word, a head outside its sentence).
struct GoldTree {
  std::vector<std::int32_t> heads;  // absolute, a root is its own head
  std::vector<std::string> labels;  // decorated
  std::vector<std::uint8_t> starts;
  bool empty() const noexcept { return heads.empty(); }
};

GoldTree gold_tree(const Doc& d) {
  GoldTree g;
  if (d.empty() || !d.has_annotation(Attr::DEP)) return g;
  const auto n = static_cast<std::int32_t>(d.size());
  std::vector<std::int32_t> begins;
  for (std::int32_t i = 0; i < n; ++i)
    if (i == 0 || d.data(static_cast<std::size_t>(i)).sent_start == 1) begins.push_back(i);
  begins.push_back(n);
  g.heads.resize(static_cast<std::size_t>(n));
  g.labels.resize(static_cast<std::size_t>(n));
  g.starts.assign(static_cast<std::size_t>(n), 0);
  for (std::size_t s = 0; s + 1 < begins.size(); ++s) {
    const std::int32_t a = begins[s], b = begins[s + 1];
    g.starts[static_cast<std::size_t>(a)] = 1;
    std::vector<std::int32_t> heads;
    std::vector<std::string> labels;
    for (std::int32_t i = a; i < b; ++i) {
      const TokenData& t = d.data(static_cast<std::size_t>(i));
      const std::int32_t h = i + t.head;
      if (t.dep == 0 || h < a || h >= b) return {};
      heads.push_back(h - a);
      labels.emplace_back(d.str(t.dep));
      if (labels.back().find(nonproj::DELIMITER) != std::string::npos) return {};
    }
    nonproj::Tree tree;
    try {
      tree = nonproj::projectivize(heads, labels);
    } catch (const ValueError&) {
      return {};  // a cycle: not a tree
    }
    for (std::int32_t i = a; i < b; ++i) {
      g.heads[static_cast<std::size_t>(i)] = tree.heads[static_cast<std::size_t>(i - a)] + a;
      g.labels[static_cast<std::size_t>(i)] = std::move(tree.labels[static_cast<std::size_t>(i - a)]);
    }
  }
  return g;
}

}  // namespace

DependencyParser::DependencyParser(std::string name, const Json& config, std::shared_ptr<Vocab> vocab)
    : TrainablePipe(std::move(name), config.is_object() && config.contains("tok2vec") ? config["tok2vec"] : Json(), std::move(vocab)) {
  if (!config.is_object()) throw ValueError("component \"" + this->name() + "\": config must be a JSON object");
  check_config_keys(config, {"tok2vec", "transitions", "model", "features", "min_label_freq", "explore", "storage", "beam_width", "dropout"},
                    "the config of component \"" + this->name() + "\"");
  if (config.contains("transitions") && !config["transitions"].is_string())
    throw ValueError("component \"" + this->name() + "\": \"transitions\" must be the name of a transition system (\"" +
                     std::string(arc_eager::NAME) + "\" or \"" + std::string(arc_hybrid::NAME) + "\"), not " +
                     config["transitions"].dump());
  transitions_name_ = config.value("transitions", transitions_name_);
  system_ = Registry::global().get<TransitionSystemFactory>("transition_systems", transitions_name_)();
  model_config_ = transition::model_config(config, this->name());
  n_features_ = config.value("features", n_features_);
  if (n_features_ != 8 && n_features_ != 13)
    throw ValueError("component \"" + this->name() + "\": features must be 8 or 13, not " + std::to_string(n_features_));
  min_label_freq_ = config.value("min_label_freq", min_label_freq_);
  explore_ = config.value("explore", explore_);
  if (!(explore_ >= 0.f && explore_ <= 1.f)) throw ValueError("component \"" + this->name() + "\": explore must be in [0, 1]");
  storage_ = config.value("storage", storage_);
  if (storage_ != "f16" && storage_ != "f32") throw ValueError("storage must be \"f16\" or \"f32\"");
  dropout_ = config.value("dropout", dropout_);
  if (!(dropout_ >= 0.f && dropout_ < 1.f)) throw ValueError("component \"" + this->name() + "\": dropout must be in [0, 1)");
  beam_width_ = config.value("beam_width", beam_width_);
  if (beam_width_ < 1) throw ValueError("component \"" + this->name() + "\": beam_width must be >= 1 (1: greedy)");
}

DependencyParser::~DependencyParser() = default;

Json DependencyParser::config() const {
  Json j = Json::object();
  j["tok2vec"] = tok2vec_config();
  j["transitions"] = transitions_name_;
  j["model"] = model_config_;
  j["features"] = n_features_;
  j["min_label_freq"] = min_label_freq_;
  j["explore"] = explore_;
  j["dropout"] = dropout_;
  j["beam_width"] = beam_width_;
  j["storage"] = storage_;
  return j;
}

ParserModel& DependencyParser::pmodel() const { return static_cast<ParserModel&>(model()); }

void DependencyParser::index_labels() {
  label_index_.clear();
  label_hashes_.clear();
  for (std::size_t k = 0; k < labels_.size(); ++k) {
    label_index_[labels_[k]] = static_cast<std::int32_t>(k);
    label_hashes_.push_back(vocab_->strings().add(nonproj::base_label(labels_[k])));
  }
  const auto dep = std::find(labels_.begin(), labels_.end(), "dep");
  if (dep == labels_.end()) throw ModelError("component \"" + name() + "\": the labels lack \"dep\"");
  dep_label_ = static_cast<std::int32_t>(dep - labels_.begin());
  for (const Action& x : actions_) {
    const bool labelled = x.move == Move::Left || x.move == Move::Right;
    if (labelled != (x.label >= 0) || x.label >= static_cast<std::int32_t>(labels_.size()))
      throw ModelError("component \"" + name() + "\": a move has label " + std::to_string(x.label) + " of " +
                       std::to_string(labels_.size()));
  }
}

void DependencyParser::build(std::int64_t width) {
  width_ = width;
  const SlotSet& slots = slot_set(n_features_);
  ParserModelShape shape;
  shape.width = width;
  shape.token_slots = static_cast<std::int64_t>(slots.tokens.size());
  shape.label_slots = static_cast<std::int64_t>(slots.labels.size());
  shape.n_labels = static_cast<std::int64_t>(labels_.size());
  shape.n_actions = static_cast<std::int64_t>(actions_.size());
  auto m = transition::make_model(model_config_, shape, name());
  model_ = std::move(m);
}

void DependencyParser::initialize(std::span<const Doc> gold, std::int64_t width, std::uint64_t seed) {
  initialize_own_tok2vec(gold, seed);
  if (own_width() > 0) width = own_width();
  rng_.seed(nn::stream_seed(seed, "moves"));  // exploration and hidden-layer dropout while training
  // Labels of the projectivized training trees; rare decorations fall back to their plain label.
  std::vector<GoldTree> trees;
  std::map<std::string, std::size_t> counts, root_counts;
  for (const Doc& d : gold) {
    GoldTree g = gold_tree(d);
    if (g.empty()) continue;
    for (std::size_t i = 0; i < g.heads.size(); ++i) {
      ++counts[g.labels[i]];
      if (g.heads[i] == static_cast<std::int32_t>(i)) ++root_counts[g.labels[i]];
    }
    trees.push_back(std::move(g));
  }
  if (trees.empty()) throw ValueError("component \"" + name() + "\": no training Doc has a dependency tree");
  std::string root = std::max_element(root_counts.begin(), root_counts.end(),
                                      [](const auto& a, const auto& b) { return a.second < b.second; })->first;
  auto kept = [&](const std::string& l) {
    return nonproj::base_label(l).size() == l.size() || counts[l] >= static_cast<std::size_t>(min_label_freq_)
               ? l
               : std::string(nonproj::base_label(l));
  };
  std::map<std::string, std::pair<bool, bool>> sides;  // label -> (seen on a left arc, on a right arc)
  sides[root];
  for (const GoldTree& g : trees)
    for (std::size_t i = 0; i < g.heads.size(); ++i) {
      const auto h = static_cast<std::size_t>(g.heads[i]);
      const std::string l = kept(g.labels[i]);
      auto& side = sides[l];
      if (h > i) side.first = true;
      if (h < i) side.second = true;
    }
  sides["dep"];  // the label of a word attached to its sentence's root after parsing (single_root)
  labels_.clear();
  for (const auto& [l, side] : sides) labels_.push_back(l);
  root_label_ = static_cast<std::int32_t>(std::find(labels_.begin(), labels_.end(), root) - labels_.begin());
  actions_ = {Action::shift(), Action::reduce(), Action::brk()};
  for (std::size_t k = 0; k < labels_.size(); ++k) {
    const auto& side = sides[labels_[k]];
    if (side.first) actions_.push_back(Action::left(static_cast<std::int32_t>(k)));
    if (side.second) actions_.push_back(Action::right(static_cast<std::int32_t>(k)));
  }
  index_labels();
  build(width);
  model_->initialize(nullptr, nullptr, seed);
}

namespace {

// Everything one parse needs, shared by prediction and training.
struct Parse {
  const TransitionSystem& sys;
  const ParserModel& model;
  const ParserModel::HostView& view;
  const SlotSet& slots;
  const std::vector<Action>& actions;
  ParserModel::Scratch scratch;
  std::vector<const float*> rows;
  std::vector<std::int32_t> words, labels;
  std::vector<float> scores;
  std::vector<std::uint8_t> valid;
  std::vector<std::uint8_t> valid_rows;  // 32 x actions: the valid actions of each set of valid moves

  Parse(const TransitionSystem& s, const ParserModel& m, const ParserModel::HostView& v, const SlotSet& sl,
        const std::vector<Action>& a)
      : sys(s), model(m), view(v), slots(sl), actions(a), rows(sl.tokens.size()), words(sl.tokens.size()),
        labels(sl.labels.size()), scores(a.size()), valid(a.size()) {}

  // Scores every action of `ps`; P: the segment's first row of precomputed parts. dropout_mask: see
  // ParserModel::score.
  void score(const ParseState& ps, const float* P, const float* dropout_mask = nullptr) {
    features(ps, P);
    model.score(view, rows.data(), labels.data(), scores.data(), scratch, dropout_mask);
  }
  // The feature rows and labels of `ps`.
  void features(const ParseState& ps, const float* P) { features(ps, P, rows.data(), labels.data()); }
  void features(const ParseState& ps, const float* P, const float** rows_out, std::int32_t* labels_out) {
    const std::int64_t stride = model.shape().token_slots * model.row_width();
    features_by(ps, [&](std::int32_t w) { return P + w * stride; }, rows_out, labels_out);
  }
  // The same with the rows of word w from row(w) (rows computed as they are reached: ChunkRows).
  template <class Row>
  void features_by(const ParseState& ps, Row&& row, const float** rows_out, std::int32_t* labels_out) {
    const std::int64_t HP = model.row_width();
    for (std::size_t f = 0; f < slots.tokens.size(); ++f) {
      words[f] = ps.word(slots.tokens[f]);
      rows_out[f] = words[f] < 0 ? nullptr : row(words[f]) + static_cast<std::int64_t>(f) * HP;
    }
    label_features(ps, labels_out);
  }
  // The words of the token slots (first + the word in the segment; -1 for an empty slot) and the labels,
  // for scoring on the device (ParserModel::DeviceRows).
  void slot_words(const ParseState& ps, std::int64_t first, std::int64_t* words_out, std::int32_t* labels_out) const {
    for (std::size_t f = 0; f < slots.tokens.size(); ++f) {
      const std::int32_t w = ps.word(slots.tokens[f]);
      words_out[f] = w < 0 ? -1 : first + w;
    }
    label_features(ps, labels_out);
  }
  void label_features(const ParseState& ps, std::int32_t* labels_out) const {
    for (std::size_t k = 0; k < slots.labels.size(); ++k) {
      const std::int32_t w = ps.word(slots.labels[k]);
      labels_out[k] = w < 0 ? -1 : ps.st.labels[static_cast<std::size_t>(w)];
    }
  }
  // Which moves are valid (by Move); sent_start[b] == -1 forbids a sentence start at b.
  std::array<bool, 5> valid_moves(const ParseState& ps, const std::int8_t* sent_start) const {
    const arc_eager::State& st = ps.st;
    std::array<bool, 5> by_move{};
    for (int m = 0; m < 5; ++m) {
      const Action probe{static_cast<Move>(m), m == 2 || m == 3 ? 0 : -1};
      by_move[static_cast<std::size_t>(m)] = sys.valid(st, probe);
    }
    if (by_move[4] && sent_start != nullptr && sent_start[st.b0()] == -1) by_move[4] = false;
    return by_move;
  }
  // Which actions are valid: validity depends on the move alone, so it is one of 32 rows made once.
  void validity(const ParseState& ps, const std::int8_t* sent_start) { validity(ps, sent_start, valid.data()); }
  void validity(const ParseState& ps, const std::int8_t* sent_start, std::uint8_t* out) {
    const std::array<bool, 5> by_move = valid_moves(ps, sent_start);
    std::size_t row = 0;
    for (std::size_t m = 0; m < 5; ++m) row |= static_cast<std::size_t>(by_move[m]) << m;
    if (valid_rows.empty()) {
      valid_rows.resize(32 * actions.size());
      for (std::size_t r = 0; r < 32; ++r)
        for (std::size_t a = 0; a < actions.size(); ++a)
          valid_rows[r * actions.size() + a] = static_cast<std::uint8_t>((r >> static_cast<std::size_t>(actions[a].move)) & 1U);
    }
    std::memcpy(out, valid_rows.data() + row * actions.size(), actions.size());
  }
  // The cost of each valid action against the gold parse (invalid ones are left alone): one call per
  // move; a labelled move differs from its gold-labelled version by the label.
  void costs(const ParseState& ps, const arc_eager::GoldParse& gp, const std::uint8_t* valid_actions, std::int32_t* out) const {
    const arc_eager::State& st = ps.st;
    std::int32_t by_move[5] = {0, 0, 0, 0, 0};
    std::int32_t gold_left = -1, gold_right = -1;
    for (int mv = 0; mv < 5; ++mv) {
      const auto move = static_cast<Move>(mv);
      std::int32_t lab = -1;
      if (move == Move::Left || move == Move::Right) {
        const arc_hybrid::Arc x = sys.arc(st, move);
        if (x.head < 0 || x.dep < 0) continue;
        const bool arc = gp.head(x.dep) == x.head;
        lab = arc ? gp.label(x.dep) : 0;
        (move == Move::Left ? gold_left : gold_right) = arc ? lab : -1;
      }
      const Action probe{move, lab};
      if (sys.valid(st, probe)) by_move[mv] = sys.cost(st, probe, gp);
    }
    for (std::size_t a = 0; a < actions.size(); ++a) {
      if (!valid_actions[a]) continue;
      const Action& x = actions[a];
      std::int32_t c = by_move[static_cast<int>(x.move)];
      if (x.move == Move::Left && gold_left >= 0 && x.label != gold_left) ++c;
      if (x.move == Move::Right && gold_right >= 0 && x.label != gold_right) ++c;
      out[a] = c;
    }
  }
  std::size_t best_valid() const {
    const std::int64_t best = backend::argmax_valid(scores.data(), valid.data(), static_cast<std::int64_t>(actions.size()));
    return best < 0 ? actions.size() : static_cast<std::size_t>(best);
  }
};

// Beam search over one segment of n words: every path takes 2n moves, so paths compare by the sum of
// their moves' log-probabilities (softmax over the valid moves); the best final state wins.
ParseState beam_search(Parse& parse, const float* P, std::int32_t n, const std::int8_t* sent_start, std::int32_t root_label,
                       std::size_t width) {
  struct Path {
    ParseState ps;
    double score;
  };
  struct Step {
    std::size_t path, action;
    double score;
  };
  std::vector<Path> beam{{ParseState(n, root_label), 0.0}}, next;
  std::vector<Step> steps;
  std::vector<float> p(parse.actions.size());
  while (!parse.sys.is_final(beam.front().ps.st)) {  // all paths have the same length
    steps.clear();
    for (std::size_t k = 0; k < beam.size(); ++k) {
      parse.validity(beam[k].ps, sent_start);
      parse.score(beam[k].ps, P);
      transition::softmax_valid(parse.scores.data(), parse.valid.data(), p.size(), p.data());
      for (std::size_t a = 0; a < p.size(); ++a)
        if (parse.valid[a]) steps.push_back({k, a, beam[k].score + std::log(std::max(1e-30f, p[a]))});
    }
    const std::size_t keep = std::min(width, steps.size());
    std::partial_sort(steps.begin(), steps.begin() + static_cast<std::ptrdiff_t>(keep), steps.end(),
                      [](const Step& x, const Step& y) { return x.score > y.score; });
    next.clear();
    for (std::size_t k = 0; k < keep; ++k) {
      next.push_back({beam[steps[k].path].ps, steps[k].score});
      next.back().ps.apply(parse.sys, parse.actions[steps[k].action]);
    }
    std::swap(beam, next);
  }
  return std::move(beam.front().ps);  // the best: steps were sorted
}

}  // namespace

void DependencyParser::single_root(std::vector<std::int32_t>& heads, std::vector<std::int32_t>& labels, std::int32_t begin,
                                   std::int32_t end) const {
  // The roots of [begin, end) and the size of their trees; the largest tree's root stays the root.
  std::vector<std::int32_t> root_of(static_cast<std::size_t>(end - begin), -1), roots;
  std::vector<std::int32_t> size(static_cast<std::size_t>(end - begin), 0);
  for (std::int32_t i = begin; i < end; ++i)
    if (heads[static_cast<std::size_t>(i)] == i) roots.push_back(i);
  if (roots.size() <= 1) return;
  for (std::int32_t i = begin; i < end; ++i) {
    std::int32_t w = i;
    for (std::int32_t steps = 0; heads[static_cast<std::size_t>(w)] != w && steps < end - begin; ++steps)
      w = heads[static_cast<std::size_t>(w)];
    ++size[static_cast<std::size_t>(w - begin)];
  }
  const std::int32_t main = *std::max_element(roots.begin(), roots.end(), [&](std::int32_t x, std::int32_t y) {
    return size[static_cast<std::size_t>(x - begin)] < size[static_cast<std::size_t>(y - begin)];
  });
  for (const std::int32_t r : roots)
    if (r != main) {
      heads[static_cast<std::size_t>(r)] = main;
      labels[static_cast<std::size_t>(r)] = dep_label_;
    }
}

void DependencyParser::pipe(std::span<Doc> docs, PipeContext& context) const {
  if (docs.empty()) return;
  // A long Doc is parsed in runs of whole segments (the sentences already marked): segments are parsed
  // apart anyway.
  // A segment longer than a chunk gets its rows as they are reached (greedy decoding; beam search reads
  // them all).
  transition::precompute_runs(
      pmodel(), input(docs, context), docs, [](const Doc& d, std::size_t i) { return d.data(i).sent_start == 1; }, 0,
      beam_width_ == 1, [&](std::span<const DocRun> runs, const transition::ChunkRows& rows) { parse_runs(docs, runs, rows); });
}

void DependencyParser::set_annotations(std::span<Doc> docs, const backend::Tensor& P) const {
  const std::vector<DocRun> runs = transition::whole_docs(docs);
  if (!runs.empty()) parse_runs(docs, runs, transition::ChunkRows(P.data<float>(), P.dim(1)));
}

void DependencyParser::parse_runs(std::span<Doc> docs, std::span<const DocRun> runs, const transition::ChunkRows& chunk) const {
  const float* P = chunk.data();  // null when rows are computed as they are reached
  const ParserModel& m = pmodel();
  // The host's copies of the upper layers, where the states are scored there.
  const ParserModel::HostView view = chunk.device() != nullptr ? ParserModel::HostView{} : m.host_view(false);
  Parse parse(*system_, m, view, slot_set(n_features_), actions_);
  const std::int64_t stride = m.shape().token_slots * m.row_width();
  // The segments of every run: words between the sentence starts already set.
  struct Segment {
    std::size_t doc, run;
    std::int32_t a, b;
    const float* rows;  // the precomputed rows of word a (null: chunk.row(first + w))
    std::int64_t first;  // word a in the chunk
    ParseState ps;
  };
  std::vector<Segment> segments;
  std::vector<std::vector<std::int8_t>> starts(runs.size());  // per run, from its first word
  const float* rows = P;  // the first row of the current run
  std::int64_t first = 0;  // its first word in the chunk
  for (std::size_t k = 0; k < runs.size(); ++k) {
    const DocRun& run = runs[k];
    const Doc& d = docs[run.doc];
    const auto begin = static_cast<std::int32_t>(run.begin), end = static_cast<std::int32_t>(run.end);
    std::vector<std::int8_t>& st = starts[k];
    st.resize(static_cast<std::size_t>(end - begin));
    for (std::int32_t i = begin; i < end; ++i) st[static_cast<std::size_t>(i - begin)] = d.data(static_cast<std::size_t>(i)).sent_start;
    for (std::int32_t a = begin; a < end;) {
      std::int32_t b = a + 1;
      while (b < end && st[static_cast<std::size_t>(b - begin)] != 1) ++b;
      segments.push_back({run.doc, k, a, b, P == nullptr ? nullptr : rows + static_cast<std::int64_t>(a - begin) * stride,
                          first + (a - begin), ParseState(b - a, root_label_)});
      a = b;
    }
    if (P != nullptr) rows += run.size() * stride;
    first += run.size();
  }
  // A segment's sentence-start constraints, from its first word.
  const auto seg_starts = [&](const Segment& g) { return starts[g.run].data() + (g.a - runs[g.run].begin); };
  if (beam_width_ > 1) {
    if (P == nullptr) throw ModelError("parser: beam search needs every precomputed row (a bug)");
    for (Segment& g : segments)
      g.ps = beam_search(parse, g.rows, g.b - g.a, seg_starts(g), root_label_, static_cast<std::size_t>(beam_width_));
  } else {
    // Greedy, all segments in lockstep: each round scores every unfinished state with one matrix
    // product for the output layer.
    std::vector<std::size_t> active;
    for (std::size_t k = 0; k < segments.size(); ++k)
      if (!system_->is_final(segments[k].ps.st)) active.push_back(k);
    const auto apply = [&](std::size_t k, std::size_t action) {
      segments[k].ps.apply(*system_, actions_[action]);
      return system_->is_final(segments[k].ps.st);
    };
    if (ParserModel::DeviceRows* on_device = chunk.device()) {
      transition::greedy_decode_on_device(
          m, *on_device, std::move(active),
          [&](std::size_t k, std::int64_t* words_out, std::int32_t* labels_out, std::uint8_t* valid) {
            const Segment& g = segments[k];
            parse.validity(g.ps, seg_starts(g), valid);
            parse.slot_words(g.ps, g.first, words_out, labels_out);
          },
          apply);
    } else {
      transition::greedy_decode(
          m, view, std::move(active),
          [&](std::size_t k, const float** rows_out, std::int32_t* labels_out, std::uint8_t* valid) {
            const Segment& g = segments[k];
            parse.validity(g.ps, seg_starts(g), valid);
            if (g.rows != nullptr) parse.features(g.ps, g.rows, rows_out, labels_out);
            else parse.features_by(g.ps, [&](std::int32_t w) { return chunk.row(g.first + w); }, rows_out, labels_out);
          },
          apply);
    }
  }
  for (Segment& g : segments) write_segment(docs[g.doc], g.a, g.ps.st);
}

void DependencyParser::write_segment(Doc& d, std::int32_t a, arc_eager::State& st) const {
  // Each predicted sentence: one tree (extra roots attached to the main one), deprojectivized when a
  // label is decorated.
  const std::int32_t n = st.size();
  std::vector<std::int32_t> heads;
  std::vector<std::string> labels;
  std::int32_t s0 = 0;
  while (s0 < n) {
    std::int32_t s1 = s0 + 1;
    while (s1 < n && !st.sent_starts[static_cast<std::size_t>(s1)]) ++s1;
    single_root(st.heads, st.labels, s0, s1);
    bool decorated = false;
    for (std::int32_t i = s0; i < s1; ++i)
      decorated |= labels_[static_cast<std::size_t>(st.labels[static_cast<std::size_t>(i)])].find(nonproj::DELIMITER) !=
                   std::string::npos;
    if (decorated) {
      heads.clear();
      labels.clear();
      for (std::int32_t i = s0; i < s1; ++i) {
        heads.push_back(st.heads[static_cast<std::size_t>(i)] - s0);
        labels.push_back(labels_[static_cast<std::size_t>(st.labels[static_cast<std::size_t>(i)])]);
      }
      const nonproj::Tree tree = nonproj::deprojectivize(heads, labels);
      for (std::int32_t i = s0; i < s1; ++i) {
        TokenData& t = d.data(static_cast<std::size_t>(a + i));
        t.head = tree.heads[static_cast<std::size_t>(i - s0)] + s0 - i;
        t.dep = d.intern(tree.labels[static_cast<std::size_t>(i - s0)]);
      }
    } else {
      for (std::int32_t i = s0; i < s1; ++i) {
        TokenData& t = d.data(static_cast<std::size_t>(a + i));
        t.head = st.heads[static_cast<std::size_t>(i)] - i;
        t.dep = label_hashes_[static_cast<std::size_t>(st.labels[static_cast<std::size_t>(i)])];
      }
    }
    for (std::int32_t i = s0; i < s1; ++i) d.data(static_cast<std::size_t>(a + i)).sent_start = i == s0 ? 1 : -1;
    s0 = s1;
  }
}

nn::Loss DependencyParser::get_loss(std::span<const Doc> gold, const backend::Tensor& scores) const {
  ParserModel& m = pmodel();
  // Normalise by the words with a gold tree, as the token classifiers do.
  std::int64_t n_words = 0;
  std::vector<GoldTree> trees;
  trees.reserve(gold.size());
  for (const Doc& doc : gold) {
    trees.push_back(gold_tree(doc));
    n_words += static_cast<std::int64_t>(trees.back().heads.size());
  }
  nn::Loss out;
  out.n_labelled = n_words;
  const float norm = static_cast<float>(std::max<std::int64_t>(1, n_words));
  const auto gold_parse = [&](const GoldTree& g) {
    const auto n = static_cast<std::int32_t>(g.heads.size());
    std::vector<std::int32_t> ids(static_cast<std::size_t>(n));
    for (std::int32_t i = 0; i < n; ++i) {
      const std::string& l = g.labels[static_cast<std::size_t>(i)];
      auto it = label_index_.find(l);
      if (it == label_index_.end()) it = label_index_.find(std::string(nonproj::base_label(l)));
      // A label the parser lacks keeps its arc's head as gold but can never be right: it gets an id no
      // move has, so every LEFT/RIGHT for that arc costs one.
      ids[static_cast<std::size_t>(i)] = it == label_index_.end() ? static_cast<std::int32_t>(labels_.size()) : it->second;
    }
    return arc_eager::GoldParse(g.heads, ids, g.starts);
  };
  if (!scores.device().is_cpu() || device_paths()) {
    // On a GPU: every sentence's oracle in lockstep, the states scored and backpropagated there
    // (transition::oracle_rounds); P and its gradient never leave the device.
    ParserModel::DeviceRows rows(m, scores);
    struct Sequence {
      arc_eager::GoldParse gp;
      ParseState ps;
      std::int64_t first;  // its first word's row in the batch
    };
    std::vector<Sequence> seqs;
    std::int64_t first = 0;
    for (std::size_t di = 0; di < gold.size(); first += static_cast<std::int64_t>(gold[di].size()), ++di)
      if (!trees[di].empty())
        seqs.push_back({gold_parse(trees[di]), ParseState(static_cast<std::int32_t>(trees[di].heads.size()), root_label_), first});
    std::vector<std::size_t> active;
    for (std::size_t k = 0; k < seqs.size(); ++k)
      if (!system_->is_final(seqs[k].ps.st)) active.push_back(k);
    const ParserModel::HostView none;
    Parse parse(*system_, m, none, slot_set(n_features_), actions_);
    out.value = transition::oracle_rounds(
        m, rows, std::move(active), norm, dropout_, explore_, rng_,
        [&](std::size_t k, std::int64_t* words, std::int32_t* labels, std::uint8_t* valid, std::int32_t* costs_out) {
          const Sequence& q = seqs[k];
          parse.validity(q.ps, nullptr, valid);
          parse.costs(q.ps, q.gp, valid, costs_out);
          parse.slot_words(q.ps, q.first, words, labels);
        },
        [&](std::size_t k, std::size_t action) {
          seqs[k].ps.apply(*system_, actions_[action]);
          return system_->is_final(seqs[k].ps.st);
        });
    out.grad = rows.finish();
    return out;
  }
  // On the CPU: one sentence at a time, one state at a time, on the host (Parse::score,
  // ParserModel::backprop_score).
  ParserModel::HostView view = m.host_view(true);
  const backend::Tensor& host = scores;
  backend::Tensor grad = backend::Tensor::zeros(host.shape(), backend::DType::F32);
  const SlotSet& slots = slot_set(n_features_);
  Parse parse(*system_, m, view, slots, actions_);
  const std::int64_t stride = m.shape().token_slots * m.row_width(), HP = m.row_width();
  std::vector<float*> d_rows(slots.tokens.size());
  std::vector<float> p(actions_.size()), d(actions_.size());
  std::vector<std::int32_t> costs(actions_.size());
  std::uniform_real_distribution<float> coin(0.f, 1.f);
  std::vector<float> mask(static_cast<std::size_t>(m.shape().hidden), 1.f);
  const float keep = 1.f / (1.f - dropout_);
  std::int64_t r0 = 0;
  for (std::size_t di = 0; di < gold.size(); r0 += static_cast<std::int64_t>(gold[di].size()), ++di) {
    const GoldTree& g = trees[di];
    if (g.empty()) continue;
    const auto n = static_cast<std::int32_t>(g.heads.size());
    const arc_eager::GoldParse gp = gold_parse(g);
    const float* P = host.data<float>() + r0 * stride;
    float* dP = grad.data<float>() + r0 * stride;
    ParseState ps(n, root_label_);
    while (!system_->is_final(ps.st)) {
      parse.validity(ps, nullptr);
      if (dropout_ > 0.f)
        for (float& x : mask) x = coin(rng_) < dropout_ ? 0.f : keep;
      parse.score(ps, P, dropout_ > 0.f ? mask.data() : nullptr);
      parse.costs(ps, gp, parse.valid.data(), costs.data());
      std::size_t best_gold = actions_.size();
      out.value += transition::zero_cost_loss(parse.scores.data(), parse.valid.data(), costs.data(), actions_.size(), norm,
                                             p.data(), d.data(), &best_gold);
      for (std::size_t f = 0; f < slots.tokens.size(); ++f)
        d_rows[f] = parse.words[f] < 0 ? nullptr : dP + parse.words[f] * stride + static_cast<std::int64_t>(f) * HP;
      m.backprop_score(view, d_rows.data(), parse.labels.data(), d.data(), parse.scratch);
      const std::size_t chosen = coin(rng_) < explore_ ? parse.best_valid() : best_gold;
      ps.apply(*system_, actions_[chosen]);
    }
  }
  m.add_grads(view);
  out.grad = grad;
  return out;
}

namespace {

const char* slot_name(Slot s) {
  static constexpr const char* kNames[] = {"S0", "S1", "S2", "B0", "B1", "B2", "S0L1", "S0R1", "S0L2", "S0R2", "B0L1", "S1L1", "S1R1"};
  return kNames[static_cast<int>(s)];
}

}  // namespace

std::vector<std::string> DependencyParser::action_names() const {
  std::vector<std::string> out;
  for (const Action& a : actions_) {
    switch (a.move) {
      case Move::Shift: out.emplace_back("SHIFT"); break;
      case Move::Reduce: out.emplace_back("REDUCE"); break;
      case Move::Left: out.push_back("LEFT-" + labels_.at(static_cast<std::size_t>(a.label))); break;
      case Move::Right: out.push_back("RIGHT-" + labels_.at(static_cast<std::size_t>(a.label))); break;
      case Move::Break: out.emplace_back("BREAK"); break;
    }
  }
  return out;
}

std::vector<std::string> DependencyParser::token_slot_names() const {
  std::vector<std::string> out;
  for (const Slot s : slot_set(n_features_).tokens) out.emplace_back(slot_name(s));
  return out;
}

std::vector<std::string> DependencyParser::label_slot_names() const {
  std::vector<std::string> out;
  for (const Slot s : slot_set(n_features_).labels) out.emplace_back(slot_name(s));
  return out;
}

void DependencyParser::to_disk(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  Json j = Json::object();
  j["width"] = width_;
  j["labels"] = labels_;
  j["root"] = labels_.at(static_cast<std::size_t>(root_label_));
  Json acts = Json::array();
  for (const Action& a : actions_) acts.push_back(Json::array({static_cast<int>(a.move), a.label}));
  j["actions"] = acts;
  write_model_json(dir / "labels.json", j, 1);
  save_model(dir);
}

void DependencyParser::from_disk(const std::filesystem::path& dir) {
  const auto path = dir / "labels.json";
  const Json j = read_model_json(path);
  try {
    if (!j.is_object()) throw ModelError("not an object");
    width_ = j.at("width").get<std::int64_t>();
    labels_ = j.at("labels").get<std::vector<std::string>>();
    const std::string root = j.at("root").get<std::string>();
    const auto it = std::find(labels_.begin(), labels_.end(), root);
    if (it == labels_.end()) throw ModelError("the root label \"" + root + "\" is not among the labels");
    root_label_ = static_cast<std::int32_t>(it - labels_.begin());
    actions_.clear();
    for (const Json& a : j.at("actions")) {
      const int mv = a.at(0).get<int>();
      if (mv < 0 || mv > 4) throw ModelError("unknown move " + std::to_string(mv));
      actions_.push_back(Action{static_cast<Move>(mv), a.at(1).get<std::int32_t>()});
    }
    if (labels_.empty() || actions_.empty()) throw ModelError("no labels or no actions");
    index_labels();
  } catch (const ModelError& e) {
    throw ModelError(path.string() + ": " + e.what());
  } catch (const std::exception& e) {
    throw ModelError(path.string() + ": expected {\"width\", \"labels\", \"root\", \"actions\"}: " + e.what());
  }
  build(width_);
  load_model(dir);
}

void register_parser(Registry& r) {
  ComponentFactory make = [](const std::string& name, const Json& config, std::shared_ptr<Vocab> vocab) {
    return std::unique_ptr<Component>(std::make_unique<DependencyParser>(name, config, std::move(vocab)));
  };
  const char* what = "transition-based dependency parser (arc-eager or arc-hybrid, pseudo-projective, sentence boundaries)";
  r.add("components", "parser", make, what, "builtin");
  r.add("components", "weft.DependencyParser.v1", make, what, "builtin");
  r.add("transition_systems", std::string(arc_eager::NAME),
        TransitionSystemFactory([] { return std::unique_ptr<TransitionSystem>(std::make_unique<ArcEagerSystem>()); }),
        "arc-eager with a BREAK move for sentence boundaries and a dynamic oracle", "builtin");
  r.add("transition_systems", std::string(arc_hybrid::NAME),
        TransitionSystemFactory([] { return std::unique_ptr<TransitionSystem>(std::make_unique<ArcHybridSystem>()); }),
        "arc-hybrid (Kuhlmann et al. 2011) with arc-eager's BREAK move for sentence boundaries and the dynamic oracle "
        "of Goldberg and Nivre 2013", "builtin");
  r.add("architectures", "weft.TransitionParserModel.v1",
        ParserModelFactory([](const Json& config, ParserModelShape shape) {
          check_config_keys(config, {"@architectures", "hidden_width", "maxout_pieces"}, "the weft.TransitionParserModel.v1 config");
          shape.hidden = config.value("hidden_width", shape.hidden);
          shape.pieces = config.value("maxout_pieces", shape.pieces);
          return std::make_shared<ParserModel>(shape);
        }),
        "the parser's hidden layer over precomputed per-token parts and an output layer", "builtin");
}

}  // namespace weft
