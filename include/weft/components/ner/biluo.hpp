// The BILUO transition system of the entity recognizer (spaCy's BiluoPushDown): one move per word,
// left to right. With no entity open a word is OUT, a one-word entity (UNIT-L), or the first word of a
// longer one (BEGIN-L); inside an entity of label L a word continues it (IN-L) or ends it (LAST-L).
//
// Constraints (valid()):
//   - BEGIN and IN need a next word, and no entity crosses a sentence start (the next word's
//     sent_start == 1 forbids BEGIN and IN);
//   - entities already on the Doc (ent_iob B or I: an entity ruler before the recognizer, or entities
//     set by hand) are kept: their words take the only moves that reproduce them. Words marked O or
//     without annotation are free, as in spaCy.
//
// The dynamic oracle (cost()): the number of gold entities a move loses plus the number of wrong
// entities it commits to, counted against the best continuation (so each state has a zero-cost move).
// Words whose gold annotation is missing make every move cost nothing.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace weft::biluo {

inline constexpr std::string_view NAME = "weft.BiluoPushDown.v1";

enum class Move : std::uint8_t { Out = 0, Begin = 1, In = 2, Last = 3, Unit = 4 };

struct Action {
  Move move;
  std::int32_t label;  // entity label id; -1 for Out
  static Action out() { return {Move::Out, -1}; }
};

// preset_label of a word in an entity whose label the recognizer lacks: the word takes OUT (its
// annotation is left as it is) and no entity of the recognizer runs into it.
inline constexpr std::int32_t FOREIGN = -2;

// What the Doc imposes on the moves, per word: whether it starts a sentence, and the entity already set
// there, if any (preset_label >= 0 with preset_begin / the entity continuing at the next word).
struct Constraints {
  std::vector<std::uint8_t> sent_start;    // 1: the word starts a sentence
  std::vector<std::int32_t> preset_label;  // -1: free; FOREIGN; else the label of the entity set on the word
  std::vector<std::uint8_t> preset_begin;  // the preset entity starts at the word
  // The preset entity goes on at the next word.
  bool preset_continues(std::int32_t i) const {
    const auto n = static_cast<std::int32_t>(preset_label.size());
    return i + 1 < n && preset_label[static_cast<std::size_t>(i + 1)] >= 0 && !preset_begin[static_cast<std::size_t>(i + 1)];
  }
};

struct State {
  explicit State(std::int32_t n_words) : n(n_words) {}
  std::int32_t n;
  std::int32_t i = 0;            // the next word
  std::int32_t open = -1;        // the first word of the open entity; -1: none
  std::int32_t open_label = -1;  // its label
  struct Entity {
    std::int32_t start, end, label;  // words [start, end)
  };
  std::vector<Entity> ents;  // the closed entities, in order
};

// The gold entities of one sequence of words; missing[i]: word i has no gold annotation.
struct Gold {
  explicit Gold(std::int32_t n)
      : start_at(static_cast<std::size_t>(n), -1), label_at(static_cast<std::size_t>(n), -1), missing(static_cast<std::size_t>(n), 0) {}
  // Adds the gold entity [start, end) of label `label` (non-overlapping, in any order).
  void add(std::int32_t start, std::int32_t end, std::int32_t label);
  std::vector<std::int32_t> start_at;  // the end of the gold entity starting at the word, or -1
  std::vector<std::int32_t> label_at;  // its label
  std::vector<std::uint8_t> missing;
  bool starts(std::int32_t i) const {
    return i >= 0 && i < static_cast<std::int32_t>(start_at.size()) && start_at[static_cast<std::size_t>(i)] >= 0;
  }
};

bool is_final(const State& s) noexcept;
bool valid(const State& s, const Action& a, const Constraints& c);
void apply(State& s, const Action& a);
std::int32_t cost(const State& s, const Action& a, const Gold& g);

}  // namespace weft::biluo
