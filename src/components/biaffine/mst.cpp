// Maximum spanning tree decoding. See include/weft/components/biaffine/mst.hpp.
#include "weft/components/biaffine/mst.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "weft/error.hpp"

namespace weft::biaffine {

namespace {

constexpr double kNone = -std::numeric_limits<double>::infinity();

// A cycle among heads[1..m) (node 0 is the root and has no head), or empty.
std::vector<std::int32_t> find_cycle(const std::vector<std::int32_t>& heads) {
  const auto m = static_cast<std::int32_t>(heads.size());
  std::vector<std::int32_t> seen(static_cast<std::size_t>(m), -1);  // the walk that reached a node
  for (std::int32_t start = 1; start < m; ++start) {
    std::int32_t v = start;
    while (v != 0 && seen[static_cast<std::size_t>(v)] < 0) {
      seen[static_cast<std::size_t>(v)] = start;
      v = heads[static_cast<std::size_t>(v)];
    }
    if (v != 0 && seen[static_cast<std::size_t>(v)] == start) {  // back on this walk's own path: a cycle through v
      std::vector<std::int32_t> cycle{v};
      for (std::int32_t w = heads[static_cast<std::size_t>(v)]; w != v; w = heads[static_cast<std::size_t>(w)]) cycle.push_back(w);
      return cycle;
    }
  }
  return {};
}

// Chu-Liu/Edmonds over m nodes (0: the root): W[d * m + h] is the score of h as d's head (kNone: no arc).
std::vector<std::int32_t> chu_liu_edmonds(const std::vector<double>& W, std::int32_t m) {
  const auto at = [&](std::int32_t d, std::int32_t h) { return W[static_cast<std::size_t>(d) * static_cast<std::size_t>(m) + static_cast<std::size_t>(h)]; };
  std::vector<std::int32_t> heads(static_cast<std::size_t>(m), -1);
  for (std::int32_t d = 1; d < m; ++d) {
    std::int32_t best = -1;
    for (std::int32_t h = 0; h < m; ++h)
      if (h != d && at(d, h) != kNone && (best < 0 || at(d, h) > at(d, best))) best = h;
    if (best < 0) throw ValueError("max_spanning_tree: a word has no possible head");
    heads[static_cast<std::size_t>(d)] = best;
  }
  const std::vector<std::int32_t> cycle = find_cycle(heads);
  if (cycle.empty()) return heads;
  // Contract the cycle into one node c (the last id); the others keep their order.
  std::vector<char> in_cycle(static_cast<std::size_t>(m), 0);
  for (const std::int32_t v : cycle) in_cycle[static_cast<std::size_t>(v)] = 1;
  std::vector<std::int32_t> new_id(static_cast<std::size_t>(m)), old_id;
  for (std::int32_t v = 0; v < m; ++v)
    if (!in_cycle[static_cast<std::size_t>(v)]) {
      new_id[static_cast<std::size_t>(v)] = static_cast<std::int32_t>(old_id.size());
      old_id.push_back(v);
    }
  const auto c = static_cast<std::int32_t>(old_id.size());
  const std::int32_t m2 = c + 1;
  std::vector<double> W2(static_cast<std::size_t>(m2) * static_cast<std::size_t>(m2), kNone);
  const auto at2 = [&](std::int32_t d, std::int32_t h) -> double& { return W2[static_cast<std::size_t>(d) * static_cast<std::size_t>(m2) + static_cast<std::size_t>(h)]; };
  std::vector<std::int32_t> head_in_cycle(static_cast<std::size_t>(m), -1);  // for an outside d: its best head in the cycle
  std::vector<std::int32_t> enters_at(static_cast<std::size_t>(m), -1);      // for an outside h: the cycle node it would head
  for (std::int32_t d = 1; d < m; ++d) {
    if (in_cycle[static_cast<std::size_t>(d)]) continue;
    for (std::int32_t h = 0; h < m; ++h) {
      if (h == d || at(d, h) == kNone) continue;
      if (!in_cycle[static_cast<std::size_t>(h)]) {
        at2(new_id[static_cast<std::size_t>(d)], new_id[static_cast<std::size_t>(h)]) = at(d, h);
      } else if (at(d, h) > at2(new_id[static_cast<std::size_t>(d)], c)) {
        at2(new_id[static_cast<std::size_t>(d)], c) = at(d, h);
        head_in_cycle[static_cast<std::size_t>(d)] = h;
      }
    }
  }
  for (const std::int32_t d : cycle) {
    const double kept = at(d, heads[static_cast<std::size_t>(d)]);
    for (std::int32_t h = 0; h < m; ++h) {
      if (in_cycle[static_cast<std::size_t>(h)] || at(d, h) == kNone) continue;
      const double gain = at(d, h) - kept;
      if (gain > at2(c, new_id[static_cast<std::size_t>(h)])) {
        at2(c, new_id[static_cast<std::size_t>(h)]) = gain;
        enters_at[static_cast<std::size_t>(h)] = d;
      }
    }
  }
  const std::vector<std::int32_t> sub = chu_liu_edmonds(W2, m2);
  std::vector<std::int32_t> out = heads;  // cycle nodes keep their cycle heads but one
  for (std::int32_t v = 1; v < c; ++v) {
    const std::int32_t d = old_id[static_cast<std::size_t>(v)];
    const std::int32_t h = sub[static_cast<std::size_t>(v)];
    out[static_cast<std::size_t>(d)] = h == c ? head_in_cycle[static_cast<std::size_t>(d)] : old_id[static_cast<std::size_t>(h)];
  }
  const std::int32_t h = old_id[static_cast<std::size_t>(sub[static_cast<std::size_t>(c)])];
  out[static_cast<std::size_t>(enters_at[static_cast<std::size_t>(h)])] = h;
  return out;
}

}  // namespace

std::vector<std::int32_t> max_spanning_tree(std::span<const float> scores, std::int32_t n) {
  if (n < 0) throw ValueError("max_spanning_tree: negative sentence length");
  const auto cols = static_cast<std::size_t>(n) + 1;
  if (scores.size() != static_cast<std::size_t>(n) * cols)
    throw ValueError("max_spanning_tree: expected " + std::to_string(static_cast<std::size_t>(n) * cols) + " scores for " +
                     std::to_string(n) + " words, got " + std::to_string(scores.size()));
  if (n == 0) return {};
  const auto at = [&](std::int32_t i, std::size_t j) { return scores[static_cast<std::size_t>(i) * cols + j]; };
  // Each word's best head: a tree with one root arc is the answer.
  std::vector<std::int32_t> heads(static_cast<std::size_t>(n) + 1, 0);
  std::int32_t roots = 0;
  float lo = std::numeric_limits<float>::infinity(), hi = -lo;
  for (std::int32_t i = 0; i < n; ++i) {
    std::size_t best = 0;
    for (std::size_t j = 0; j < cols; ++j) {
      if (j == static_cast<std::size_t>(i) + 1) continue;
      const float s = at(i, j);
      if (!std::isfinite(s)) throw ValueError("max_spanning_tree: a score is not finite");
      lo = std::min(lo, s);
      hi = std::max(hi, s);
      if (s > at(i, best)) best = j;
    }
    heads[static_cast<std::size_t>(i) + 1] = static_cast<std::int32_t>(best);
    roots += best == 0;
  }
  if (roots == 1 && find_cycle(heads).empty()) return {heads.begin() + 1, heads.end()};
  // Chu-Liu/Edmonds with every root arc lowered by more than any tree's score range (n arcs).
  const double penalty = 1.0 + 2.0 * static_cast<double>(n) * (static_cast<double>(hi) - static_cast<double>(lo));
  const auto m = static_cast<std::int32_t>(cols);
  std::vector<double> W(cols * cols, kNone);
  for (std::int32_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < cols; ++j)
      if (j != static_cast<std::size_t>(i) + 1)
        W[(static_cast<std::size_t>(i) + 1) * cols + j] = static_cast<double>(at(i, j)) - (j == 0 ? penalty : 0.0);
  const std::vector<std::int32_t> tree = chu_liu_edmonds(W, m);
  return {tree.begin() + 1, tree.end()};
}

}  // namespace weft::biaffine
