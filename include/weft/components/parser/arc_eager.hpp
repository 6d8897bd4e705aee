// The arc-eager transition system (Nivre 2003) with sentence boundaries, as spaCy's arc_eager.pyx: one
// left-to-right pass over a whole Doc builds a projective tree per sentence and splits the Doc into
// sentences. A state is a stack of partly processed words and a buffer (the words from `buffer` on);
// the moves are
//   SHIFT     push the first buffer word B0                      valid: the buffer is not empty
//   REDUCE    pop S0, the stack top                              valid: S0 has a head, or the buffer is
//                                                                empty (then a headless S0 becomes a root)
//   LEFT(l)   B0 becomes S0's head with label l, pop S0          valid: S0 has no head, B0 exists
//   RIGHT(l)  S0 becomes B0's head with label l, push B0         valid: S0 and B0 exist
//   BREAK     B0 starts a new sentence; S0, the one word on the  valid: the stack holds exactly one
//             stack, is popped as the root of the sentence that  (headless) word, B0 exists and has
//             ends before B0                                     no left dependent
// Choices against spaCy v3: BREAK marks B0 and pops the finished sentence's root in one move (spaCy
// marks and pops through push/pop of B0 and needs a separate REDUCE), and REDUCE of a headless word
// is only allowed once the buffer is empty instead of spaCy's non-monotonic "unshift". Every state that
// is not final has a valid move (SHIFT while the buffer lasts, REDUCE after), so no policy gets stuck;
// a policy that leaves several headless words on the stack at the end gets several roots there. Arcs
// never cross a BREAK: the stack is empty after it, and it is not valid once B0 has taken a left
// dependent (a LEFT arc into B0 followed by a BREAK at B0 would put that dependent's head in the next
// sentence). A word popped without a head becomes a root
// (head = itself, label = the state's root label), so a final state has a head for every word.
//
// The dynamic oracle (Goldberg & Nivre 2012) counts what a move makes unreachable: gold arcs (head and
// label; a gold root is the arc to itself with the root label) and gold sentence starts (a start at B0
// is lost by SHIFT/LEFT/RIGHT while a word of the previous sentence is still needed on the stack, and a
// BREAK where the gold has no start costs 1). Zero cost keeps the gold tree reachable when the gold is
// projective per sentence, so following zero-cost moves rebuilds it exactly.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "weft/components/parser/children.hpp"

namespace weft::arc_eager {

// The name a config will use for this transition system (registered by the parser component).
inline constexpr std::string_view NAME = "weft.ArcEager.v1";

struct Action {
  enum class Move : std::uint8_t { Shift = 0, Reduce = 1, Left = 2, Right = 3, Break = 4 };
  Move move = Move::Shift;
  std::int32_t label = -1;  // index into the caller's label list; LEFT and RIGHT only

  static Action shift() noexcept { return {Move::Shift, -1}; }
  static Action reduce() noexcept { return {Move::Reduce, -1}; }
  static Action left(std::int32_t label) noexcept { return {Move::Left, label}; }
  static Action right(std::int32_t label) noexcept { return {Move::Right, label}; }
  static Action brk() noexcept { return {Move::Break, -1}; }
  bool operator==(const Action&) const = default;
};

struct State {
  // The initial state of a Doc of n words: empty stack, every word in the buffer, word 0 starts a
  // sentence. root_label: the label id given to words that end up as roots. Throws ValueError on n < 0.
  State(std::int32_t n_words, std::int32_t root_label);

  std::vector<std::int32_t> stack;        // word indices, top at the back
  std::int32_t buffer = 0;                // the buffer is the words [buffer, size())
  std::vector<std::int32_t> heads;        // absolute head in the Doc; -1 = none yet
  std::vector<std::int32_t> labels;       // label id; -1 = none yet
  std::vector<std::uint8_t> sent_starts;  // 1 = the word starts a sentence
  std::int32_t root_label = 0;
  bool b0_has_left = false;               // B0 has taken a left dependent (LEFT), so it cannot start a sentence

  std::int32_t size() const noexcept { return static_cast<std::int32_t>(heads.size()); }
  std::int32_t buffer_length() const noexcept { return size() - buffer; }
  bool has_head(std::int32_t word) const noexcept { return heads[word] >= 0; }
  // S0 and B0, or -1 when the stack / buffer is empty.
  std::int32_t s0() const noexcept { return stack.empty() ? -1 : stack.back(); }
  std::int32_t b0() const noexcept { return buffer < size() ? buffer : -1; }
};

// The gold analysis of a Doc: absolute heads (a root is its own head), label ids and sentence starts.
class GoldParse {
 public:
  // Throws ValueError when sizes differ, a head is out of range, a label is negative or word 0 is not
  // marked as a sentence start.
  GoldParse(std::vector<std::int32_t> heads, std::vector<std::int32_t> labels, std::vector<std::uint8_t> sent_starts);

  std::int32_t size() const noexcept { return static_cast<std::int32_t>(heads_.size()); }
  std::int32_t head(std::int32_t word) const noexcept { return heads_[word]; }
  std::int32_t label(std::int32_t word) const noexcept { return labels_[word]; }
  bool sent_start(std::int32_t word) const noexcept { return sent_starts_[word] != 0; }
  // The gold dependents of a word (itself excluded), left to right.
  std::span<const std::int32_t> children(std::int32_t word) const noexcept { return children_.of(word); }
  const std::vector<std::int32_t>& heads() const noexcept { return heads_; }
  const std::vector<std::int32_t>& labels() const noexcept { return labels_; }
  const std::vector<std::uint8_t>& sent_starts() const noexcept { return sent_starts_; }

 private:
  std::vector<std::int32_t> heads_, labels_;
  std::vector<std::uint8_t> sent_starts_;
  Children children_;
};

// Oracle helpers shared with arc-hybrid (arc_hybrid.hpp), which uses the same State.
// Gold dependents of `word` still in the buffer: popping `word` loses their arcs.
inline std::int32_t kids_in_buffer(const State& st, std::int32_t word, const GoldParse& gold) noexcept {
  std::int32_t n = 0;
  for (const std::int32_t k : gold.children(word)) n += k >= st.buffer;
  return n;
}
// Gold dependents of `word` (= B0) waiting headless on the stack (a headless word left of the buffer is
// on the stack: every popped word has a head): moving B0 onto the stack loses their arcs.
inline std::int32_t kids_on_stack(const State& st, std::int32_t word, const GoldParse& gold) noexcept {
  std::int32_t n = 0;
  for (const std::int32_t k : gold.children(word)) n += k < st.buffer && !st.has_head(k);
  return n;
}
// Pops nothing; makes `word` a root (head = itself, the state's root label).
inline void make_root(State& st, std::int32_t word) noexcept {
  st.heads[word] = word;
  st.labels[word] = st.root_label;
}

// BREAK's effect: B0 marked as a sentence start, S0 popped as a root.
inline void apply_break(State& st) {
  const std::int32_t s = st.s0();
  st.sent_starts[st.b0()] = 1;
  st.stack.pop_back();
  make_root(st, s);
}
// BREAK's cost (the move should be valid): 1 where the gold has no start at B0, and S0, the one word
// on the stack, becomes a root: wrong when its gold head is still ahead, and its dependents ahead are lost.
inline std::int32_t break_cost(const State& st, const GoldParse& gold) noexcept {
  const std::int32_t s = st.s0(), b = st.b0();
  if (s < 0 || b < 0) return 0;
  return static_cast<std::int32_t>(!gold.sent_start(b)) + static_cast<std::int32_t>(gold.head(s) >= b) +
         kids_in_buffer(st, s, gold);
}
// Throws ValueError when the gold's size differs from the state's.
void check_gold(const State& state, const GoldParse& gold);

// Whether the pass is over: empty stack and buffer.
bool is_final(const State& state) noexcept;
// Whether `action` may be taken in `state` (see the table above; LEFT and RIGHT need a label >= 0).
bool valid(const State& state, const Action& action) noexcept;
// Takes the action. Throws ValueError when it is not valid.
void apply(State& state, const Action& action);
// The number of gold arcs and sentence starts the action makes unreachable (see above); 0 = optimal.
// The action should be valid. Throws ValueError when the gold's size differs from the state's.
std::int32_t cost(const State& state, const Action& action, const GoldParse& gold);

}  // namespace weft::arc_eager
