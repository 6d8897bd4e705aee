// The BILUO transition system. See include/weft/components/ner/biluo.hpp.
#include "weft/components/ner/biluo.hpp"

#include "weft/error.hpp"

namespace weft::biluo {

void Gold::add(std::int32_t start, std::int32_t end, std::int32_t label) {
  if (start < 0 || end <= start || end > static_cast<std::int32_t>(start_at.size()))
    throw ValueError("biluo::Gold: entity [" + std::to_string(start) + ", " + std::to_string(end) + ") out of range");
  start_at[static_cast<std::size_t>(start)] = end;
  label_at[static_cast<std::size_t>(start)] = label;
}

bool is_final(const State& s) noexcept { return s.i >= s.n; }

bool valid(const State& s, const Action& a, const Constraints& c) {
  if (is_final(s)) return false;
  const std::int32_t i = s.i;
  const auto w = static_cast<std::size_t>(i);
  // The next word may continue an entity: it exists, starts no sentence, and is not the first word of a
  // preset entity.
  const bool next_ok = i + 1 < s.n && !c.sent_start[w + 1] &&
                       !(c.preset_label[w + 1] == FOREIGN || (c.preset_label[w + 1] >= 0 && c.preset_begin[w + 1]));
  const std::int32_t preset = c.preset_label[w];
  if (preset == FOREIGN) return a.move == Move::Out && s.open < 0;
  if (preset >= 0) {
    // A preset entity's word takes the one move that reproduces it.
    const bool first = c.preset_begin[w] != 0, more = c.preset_continues(i);
    const Move want = first ? (more ? Move::Begin : Move::Unit) : (more ? Move::In : Move::Last);
    return a.move == want && a.label == preset;
  }
  // A free word: preset entities only ever follow a word that ends an entity or is outside one (the
  // next word's preset start forbids BEGIN and IN above).
  switch (a.move) {
    case Move::Out: return s.open < 0;
    case Move::Unit: return s.open < 0 && a.label >= 0;
    case Move::Begin: return s.open < 0 && a.label >= 0 && next_ok;
    case Move::In: return s.open >= 0 && a.label == s.open_label && next_ok;
    case Move::Last: return s.open >= 0 && a.label == s.open_label;
  }
  return false;
}

void apply(State& s, const Action& a) {
  switch (a.move) {
    case Move::Out: break;
    case Move::Unit: s.ents.push_back({s.i, s.i + 1, a.label}); break;
    case Move::Begin:
      s.open = s.i;
      s.open_label = a.label;
      break;
    case Move::In: break;
    case Move::Last:
      s.ents.push_back({s.open, s.i + 1, s.open_label});
      s.open = s.open_label = -1;
      break;
  }
  ++s.i;
}

std::int32_t cost(const State& s, const Action& a, const Gold& g) {
  const std::int32_t i = s.i;
  if (g.missing[static_cast<std::size_t>(i)]) return 0;
  const auto gold_end = [&](std::int32_t w) { return g.start_at[static_cast<std::size_t>(w)]; };    // exclusive
  const auto gold_label = [&](std::int32_t w) { return g.label_at[static_cast<std::size_t>(w)]; };
  const std::int32_t here = g.starts(i) ? 1 : 0, next = g.starts(i + 1) ? 1 : 0;
  if (s.open < 0) {
    switch (a.move) {
      case Move::Out: return here;  // a gold entity starting here is lost
      case Move::Unit: return g.starts(i) && gold_end(i) == i + 1 && gold_label(i) == a.label ? 0 : 1 + here;
      case Move::Begin:
        // A wrong entity also takes the next word, so a gold entity starting there is lost too.
        return g.starts(i) && gold_end(i) > i + 1 && gold_label(i) == a.label ? 0 : 1 + here + next;
      default: return 0;  // invalid with no entity open
    }
  }
  // The open entity can still be right when a gold entity of its label starts where it started and has
  // not ended before this word.
  const bool matched = g.starts(s.open) && gold_label(s.open) == s.open_label && gold_end(s.open) > i;
  switch (a.move) {
    case Move::In:
      if (!matched) return next;  // it stays wrong and takes the next word as well
      return gold_end(s.open) > i + 1 ? 0 : 2 + next;  // going on past the gold end: one lost, one wrong
    case Move::Last:
      if (!matched) return 0;
      return gold_end(s.open) == i + 1 ? 0 : 2;  // ending before the gold end: one lost, one wrong
    default: return 0;  // invalid with an entity open
  }
}

}  // namespace weft::biluo
