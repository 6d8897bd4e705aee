// Arc-hybrid moves, their validity and the dynamic oracle. See include/weft/components/parser/arc_hybrid.hpp.
#include "weft/components/parser/arc_hybrid.hpp"

#include <algorithm>
#include <string>

#include "weft/error.hpp"

namespace weft::arc_hybrid {
namespace {

using Move = Action::Move;
using arc_eager::apply_break;
using arc_eager::break_cost;
using arc_eager::check_gold;
using arc_eager::kids_in_buffer;
using arc_eager::kids_on_stack;
using arc_eager::make_root;

// The stack word k places below the top (k = 0: S0), or -1.
std::int32_t stack_at(const State& st, std::size_t k) noexcept {
  return st.stack.size() > k ? st.stack[st.stack.size() - 1 - k] : -1;
}

// Whether the gold start at B0 is still reachable (unmarked, and B0 has no left dependent yet).
bool start_pending(const State& st, const GoldParse& gold) noexcept {
  const std::int32_t b = st.b0();
  return b > 0 && gold.sent_start(b) && !st.sent_starts[b] && !st.b0_has_left;
}

// Whether a gold sentence start after B0 is still reachable.
bool start_after_b0(const State& st, const GoldParse& gold) noexcept {
  for (std::int32_t w = st.buffer + 1; w < st.size(); ++w)
    if (gold.sent_start(w)) return true;
  return false;
}

// Whether the headless gold root r on the stack can still become a root: only BREAK (with r alone on
// the stack) or REDUCE (after the buffer) make roots, so a root above other stack words is lost while a
// sentence start is still ahead.
bool root_reachable(const State& st, std::int32_t r, const GoldParse& gold) noexcept {
  return r >= st.buffer || st.stack.front() == r || !(start_pending(st, gold) || start_after_b0(st, gold));
}

// Whether S0's gold arc is still reachable: it is a reachable gold root, or its gold head is S1 or in
// the buffer.
bool s0_arc_reachable(const State& st, const GoldParse& gold) noexcept {
  const std::int32_t s = st.s0(), h = gold.head(s);
  return h == s ? root_reachable(st, s, gold) : h >= st.buffer || h == stack_at(st, 1);
}

}  // namespace

bool is_final(const State& st) noexcept { return arc_eager::is_final(st); }

bool valid(const State& st, const Action& a) noexcept {
  const std::int32_t s = st.s0(), b = st.b0();
  switch (a.move) {
    case Move::Shift:
      return b >= 0;
    case Move::Reduce:
      return s >= 0 && b < 0;
    case Move::Left:
      return s >= 0 && b >= 0 && a.label >= 0;
    case Move::Right:
      return st.stack.size() >= 2 && a.label >= 0;
    case Move::Break:
      return st.stack.size() == 1 && b >= 0 && !st.sent_starts[b] && !st.b0_has_left;
  }
  return false;
}

Arc arc(const State& st, Move move) noexcept {
  if (move == Move::Left) return {st.b0(), st.s0()};
  if (move == Move::Right) return {stack_at(st, 1), st.s0()};
  return {};
}

void apply(State& st, const Action& a) {
  if (!arc_hybrid::valid(st, a))
    throw ValueError("arc-hybrid move " + std::to_string(static_cast<int>(a.move)) + " (label " + std::to_string(a.label) +
                     ") is not valid here");
  const std::int32_t s = st.s0(), b = st.b0();
  switch (a.move) {
    case Move::Shift:
      st.stack.push_back(b);
      ++st.buffer;
      st.b0_has_left = false;
      break;
    case Move::Reduce:
      st.stack.pop_back();
      make_root(st, s);
      break;
    case Move::Left:
      st.heads[s] = b;
      st.labels[s] = a.label;
      st.stack.pop_back();
      st.b0_has_left = true;
      break;
    case Move::Right:
      st.heads[s] = stack_at(st, 1);
      st.labels[s] = a.label;
      st.stack.pop_back();
      break;
    case Move::Break:
      apply_break(st);
      break;
  }
}

std::int32_t cost(const State& st, const Action& a, const GoldParse& gold) {
  check_gold(st, gold);
  const std::int32_t s = st.s0(), b = st.b0();
  std::int32_t c = 0;
  switch (a.move) {
    case Move::Shift: {
      if (b < 0) return 0;
      // B0 goes onto the stack: its head can then only be S0 (the word below it) or in the buffer, and
      // the stack words below it can no longer take it as head.
      const std::int32_t h = gold.head(b);
      c += h < b && h != s && st.has_head(h) == false;  // a headless word left of the buffer is on the stack
      c += kids_on_stack(st, b, gold);
      c += start_pending(st, gold);
      // A gold root pushed above other words is lost while a sentence start is still ahead.
      c += h == b && s >= 0 && start_after_b0(st, gold);
      return c;
    }
    case Move::Left:
    case Move::Right: {
      const Arc x = arc(st, a.move);
      if (x.dep < 0 || x.head < 0) return 0;
      c += s0_arc_reachable(st, gold) && !(gold.head(s) == x.head && gold.label(s) == a.label);
      c += kids_in_buffer(st, s, gold);
      if (a.move == Move::Left) c += start_pending(st, gold);  // B0 with a left dependent starts no sentence
      return c;
    }
    case Move::Reduce:
      // The buffer is empty: S0 becomes a root, wrong when its gold head is S1 (its only reachable one).
      if (s < 0) return 0;
      return gold.head(s) != s && gold.head(s) == stack_at(st, 1);
    case Move::Break:
      return break_cost(st, gold);
  }
  return c;
}

}  // namespace weft::arc_hybrid
