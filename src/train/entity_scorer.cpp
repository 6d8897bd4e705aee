// Entity span scoring over non-whitespace character offsets (see entity_scorer.hpp).
#include "weft/train/entity_scorer.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "weft/error.hpp"
#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {
namespace {

struct Entity {
  std::size_t start = 0, end = 0;  // non-whitespace code points; end exclusive
  std::string label;
};

struct Side {
  std::u32string chars;  // the non-whitespace characters of every token, in stream order
  std::vector<Entity> ents;
  std::vector<std::pair<std::size_t, std::size_t>> missing;  // merged ranges of unannotated tokens
};

void load_doc(const Doc& doc, Side& side) {
  std::optional<Entity> open;
  hash_t open_type = 0;
  auto close = [&] {
    if (open) side.ents.push_back(std::move(*open));
    open.reset();
  };
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const TokenData& t = doc.data(i);
    const std::size_t start = side.chars.size();
    const std::string_view text = doc.token_text(i);
    for (std::size_t k = 0; k < text.size();) {
      const char32_t c = utf8::next(text, k);
      if (!unicode::is_space(c)) side.chars += c;
    }
    const std::size_t end = side.chars.size();
    const bool continues = t.ent_iob == EntIob::I && open && open_type == t.ent_type;
    if (continues) {
      open->end = end;
      continue;
    }
    close();
    if (t.ent_iob == EntIob::B || t.ent_iob == EntIob::I) {
      open = Entity{start, end, t.ent_type ? std::string(doc.str(t.ent_type)) : std::string()};
      open_type = t.ent_type;
    } else if (t.ent_iob == EntIob::MISSING && end > start) {
      if (!side.missing.empty() && side.missing.back().second == start) side.missing.back().second = end;
      else side.missing.emplace_back(start, end);
    }
  }
  close();
}

Side load(const std::vector<Doc>& docs) {
  Side side;
  for (const Doc& d : docs) load_doc(d, side);
  return side;
}

// Whether [start, end) overlaps one of the sorted, disjoint ranges.
bool touches(const std::vector<std::pair<std::size_t, std::size_t>>& ranges, std::size_t start, std::size_t end) {
  // The first range that ends after `start`.
  auto it = std::upper_bound(ranges.begin(), ranges.end(), start,
                             [](std::size_t v, const std::pair<std::size_t, std::size_t>& r) { return v < r.second; });
  return it != ranges.end() && it->first < end;
}

void finish(EntityScore& s) {
  s.precision = s.system ? static_cast<double>(s.correct) / static_cast<double>(s.system) : 0.0;
  s.recall = s.gold ? static_cast<double>(s.correct) / static_cast<double>(s.gold) : 0.0;
  s.f1 = s.precision + s.recall > 0 ? 2 * s.precision * s.recall / (s.precision + s.recall) : 0.0;
}

}  // namespace

EntityScores score_entities(const std::vector<Doc>& gold, const std::vector<Doc>& system) {
  const Side g = load(gold);
  const Side s = load(system);
  if (g.chars != s.chars) {
    std::size_t index = 0;
    while (index < g.chars.size() && index < s.chars.size() && g.chars[index] == s.chars[index]) ++index;
    auto first20 = [&](const std::u32string& chars) {
      std::string out;
      for (std::size_t i = index; i < chars.size() && i < index + 20; ++i) utf8::append(out, chars[i]);
      return out;
    };
    throw ValueError("entity scorer: the gold and system texts differ at non-whitespace character " +
                     std::to_string(index) + ": gold '" + first20(g.chars) + "', system '" + first20(s.chars) + "'");
  }
  EntityScores out;
  std::set<std::tuple<std::size_t, std::size_t, std::string>> gold_set;
  for (const Entity& e : g.ents) {
    gold_set.emplace(e.start, e.end, e.label);
    ++out.total.gold;
    ++out.per_type[e.label].gold;
  }
  for (const Entity& e : s.ents) {
    if (touches(g.missing, e.start, e.end)) continue;
    EntityScore& type = out.per_type[e.label];
    ++out.total.system;
    ++type.system;
    if (gold_set.count({e.start, e.end, e.label})) {
      ++out.total.correct;
      ++type.correct;
    }
  }
  finish(out.total);
  for (auto& [label, score] : out.per_type) finish(score);
  return out;
}

}  // namespace weft
