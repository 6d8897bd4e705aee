// The arc-hybrid transition system (Kuhlmann, Gomez-Rodriguez and Satta 2011) with sentence boundaries,
// over the same State, Action and GoldParse as arc-eager (arc_eager.hpp), so the parser's features,
// models and decoding loops serve both. Every word on the stack or in the buffer is headless: an arc
// always pops its dependent. The moves are
//   SHIFT     push the first buffer word B0                      valid: the buffer is not empty
//   LEFT(l)   B0 becomes S0's head with label l, pop S0          valid: S0 and B0 exist
//   RIGHT(l)  S1 becomes S0's head with label l, pop S0          valid: S1 and S0 exist (the buffer may be
//                                                                empty)
//   REDUCE    pop S0 as a root                                   valid: the buffer is empty and S0 exists
//   BREAK     B0 starts a new sentence; S0, the one word on the  valid: the stack holds exactly one word,
//             stack, is popped as the root of the sentence that  B0 exists, is not marked yet and has no
//             ends before B0                                     left dependent
// BREAK is arc-eager's (arc_eager.hpp): the sentence before B0 is reduced to its root with RIGHT moves and
// popped, so arcs never cross a sentence start. REDUCE only serves the end of the buffer (classic
// arc-hybrid pops the root with RIGHT onto an artificial ROOT token; here the last word is popped as a
// root). Every state that is not final has a valid move (SHIFT while the buffer lasts, REDUCE after),
// so every pass over n words takes 2n moves.
//
// The dynamic oracle (Goldberg & Nivre 2013) counts the gold arcs (head and label; a gold root is the
// arc to itself with the root label) and gold sentence starts that a move makes unreachable. The arc of
// a headless word d with gold head h is reachable while d is in the buffer and h on the stack or in the
// buffer, or d is on the stack and h is the word just below it or in the buffer. So SHIFT loses B0's
// arc from a stack word other than S0 and the arcs of stack words to B0; LEFT and RIGHT lose S0's
// other reachable head and its dependents in the buffer; a gold start at B0 is lost by SHIFT or LEFT
// (B0 leaves the buffer or takes a left dependent). Arc-hybrid is arc-decomposable, so for a projective
// gold the cost is the true loss and following zero-cost moves rebuilds the gold tree exactly.
#pragma once

#include <cstdint>
#include <string_view>

#include "weft/components/parser/arc_eager.hpp"

namespace weft::arc_hybrid {

using arc_eager::Action;
using arc_eager::GoldParse;
using arc_eager::State;

// The name a config will use for this transition system (registered by the parser component).
inline constexpr std::string_view NAME = "weft.ArcHybrid.v1";

// Whether the pass is over: empty stack and buffer.
bool is_final(const State& state) noexcept;
// Whether `action` may be taken in `state` (see the table above; LEFT and RIGHT need a label >= 0).
bool valid(const State& state, const Action& action) noexcept;
// Takes the action. Throws ValueError when it is not valid.
void apply(State& state, const Action& action);
// The number of gold arcs and sentence starts the action makes unreachable (see above); 0 = optimal.
// The action should be valid. Throws ValueError when the gold's size differs from the state's.
std::int32_t cost(const State& state, const Action& action, const GoldParse& gold);
// The head and the dependent of the arc a LEFT or RIGHT move adds in `state` ({-1, -1} otherwise).
struct Arc {
  std::int32_t head = -1, dep = -1;
};
Arc arc(const State& state, Action::Move move) noexcept;

}  // namespace weft::arc_hybrid
