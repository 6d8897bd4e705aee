// Arc-eager moves, their validity and the dynamic oracle. See include/weft/components/parser/arc_eager.hpp.
#include "weft/components/parser/arc_eager.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "weft/error.hpp"

namespace weft::arc_eager {
namespace {

bool on_stack(const State& st, std::int32_t word) noexcept {
  return std::find(st.stack.begin(), st.stack.end(), word) != st.stack.end();
}

// Whether the gold start at B0 is lost by a move that takes B0 off the buffer, gives it a left
// dependent or empties the stack while B0 is unmarked (only BREAK can mark it, and it needs a word on
// the stack and B0 without left dependents).
bool loses_start(const State& st, const GoldParse& gold) noexcept {
  const std::int32_t b = st.b0();
  return b > 0 && gold.sent_start(b) && !st.sent_starts[b];
}

}  // namespace

State::State(std::int32_t n_words, std::int32_t root_label_)
    : heads(static_cast<std::size_t>(std::max(n_words, 0)), -1),
      labels(heads.size(), -1),
      sent_starts(heads.size(), 0),
      root_label(root_label_) {
  if (n_words < 0) throw ValueError("a parse state needs a word count >= 0, not " + std::to_string(n_words));
  if (root_label_ < 0) throw ValueError("the root label id must be >= 0, not " + std::to_string(root_label_));
  if (n_words > 0) sent_starts[0] = 1;
}

GoldParse::GoldParse(std::vector<std::int32_t> heads, std::vector<std::int32_t> labels, std::vector<std::uint8_t> sent_starts)
    : heads_(std::move(heads)), labels_(std::move(labels)), sent_starts_(std::move(sent_starts)) {
  const auto n = static_cast<std::int32_t>(heads_.size());
  if (labels_.size() != heads_.size() || sent_starts_.size() != heads_.size())
    throw ValueError("gold parse: " + std::to_string(heads_.size()) + " heads, " + std::to_string(labels_.size()) + " labels and " +
                     std::to_string(sent_starts_.size()) + " sentence starts");
  for (std::int32_t i = 0; i < n; ++i) {
    if (heads_[i] < 0 || heads_[i] >= n)
      throw ValueError("gold parse: head " + std::to_string(heads_[i]) + " of word " + std::to_string(i) + " is out of range");
    if (labels_[i] < 0) throw ValueError("gold parse: word " + std::to_string(i) + " has no label");
  }
  if (n > 0 && !sent_starts_[0]) throw ValueError("gold parse: word 0 must start a sentence");
  children_ = Children(heads_);
}

void check_gold(const State& st, const GoldParse& gold) {
  if (gold.size() != st.size())
    throw ValueError("gold parse of " + std::to_string(gold.size()) + " words for a state of " + std::to_string(st.size()));
}

bool is_final(const State& st) noexcept { return st.stack.empty() && st.buffer >= st.size(); }

bool valid(const State& st, const Action& a) noexcept {
  const std::int32_t s = st.s0(), b = st.b0();
  switch (a.move) {
    case Action::Move::Shift:
      return b >= 0;
    case Action::Move::Reduce:
      return s >= 0 && (st.has_head(s) || b < 0);
    case Action::Move::Left:
      return s >= 0 && b >= 0 && !st.has_head(s) && a.label >= 0;
    case Action::Move::Right:
      return s >= 0 && b >= 0 && a.label >= 0;
    case Action::Move::Break:
      return st.stack.size() == 1 && b >= 0 && !st.has_head(s) && !st.sent_starts[b] && !st.b0_has_left;
  }
  return false;
}

void apply(State& st, const Action& a) {
  if (!valid(st, a))
    throw ValueError("arc-eager move " + std::to_string(static_cast<int>(a.move)) + " (label " + std::to_string(a.label) +
                     ") is not valid here");
  const std::int32_t s = st.s0(), b = st.b0();
  switch (a.move) {
    case Action::Move::Shift:
      st.stack.push_back(b);
      ++st.buffer;
      st.b0_has_left = false;
      break;
    case Action::Move::Reduce:
      st.stack.pop_back();
      if (!st.has_head(s)) make_root(st, s);
      break;
    case Action::Move::Left:
      st.heads[s] = b;
      st.labels[s] = a.label;
      st.stack.pop_back();
      st.b0_has_left = true;
      break;
    case Action::Move::Right:
      st.heads[b] = s;
      st.labels[b] = a.label;
      st.stack.push_back(b);
      ++st.buffer;
      st.b0_has_left = false;
      break;
    case Action::Move::Break:
      apply_break(st);
      break;
  }
}

// Each case counts the gold items reachable before the move and not after it. An arc of a headless word
// d with gold head h is reachable while d is in the buffer and h on the stack or in the buffer, or d
// on the stack and h in the buffer; a gold root stays reachable while it is headless.
std::int32_t cost(const State& st, const Action& a, const GoldParse& gold) {
  check_gold(st, gold);
  const std::int32_t s = st.s0(), b = st.b0();
  std::int32_t c = 0;
  switch (a.move) {
    case Action::Move::Shift: {
      if (s < 0 || b < 0) return 0;  // nothing on the stack waits for B0
      // B0 goes onto the stack: it can no longer take a head from the stack nor dependents from it.
      const std::int32_t h = gold.head(b);
      c += h < b && on_stack(st, h);
      c += kids_on_stack(st, b, gold);
      c += loses_start(st, gold);
      return c;
    }
    case Action::Move::Reduce:
      // S0 leaves: its dependents still in the buffer lose their head. Its own arc is settled (it has
      // a head) or, with an empty buffer, it becomes a root, which is right exactly when it is reachable.
      return s < 0 ? 0 : kids_in_buffer(st, s, gold);
    case Action::Move::Left: {
      if (s < 0 || b < 0) return 0;
      const std::int32_t h = gold.head(s);
      const bool reachable = h == s || h >= st.buffer;
      c += reachable && !(h == b && gold.label(s) == a.label);
      c += kids_in_buffer(st, s, gold);
      c += loses_start(st, gold);  // B0 with a left dependent can no longer start a sentence
      return c;
    }
    case Action::Move::Right: {
      if (s < 0 || b < 0) return 0;
      const std::int32_t h = gold.head(b);
      const bool reachable = h >= b || on_stack(st, h);
      c += reachable && !(h == s && gold.label(b) == a.label);
      c += kids_on_stack(st, b, gold);
      c += loses_start(st, gold);
      return c;
    }
    case Action::Move::Break:
      return break_cost(st, gold);
  }
  return c;
}

}  // namespace weft::arc_eager
