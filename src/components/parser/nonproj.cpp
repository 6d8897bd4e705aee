// Lifting non-projective arcs and the exact inverse. See include/weft/components/parser/nonproj.hpp.
#include "weft/components/parser/nonproj.hpp"

#include <charconv>
#include <cstddef>
#include <limits>

#include "weft/components/parser/children.hpp"
#include "weft/error.hpp"

namespace weft::nonproj {
namespace {

using Heads = std::vector<std::int32_t>;

// Throws ValueError unless every head is in range and following heads from any word ends at a root.
void check_forest(const Heads& heads) {
  const auto n = static_cast<std::int32_t>(heads.size());
  for (std::int32_t i = 0; i < n; ++i)
    if (heads[i] < 0 || heads[i] >= n)
      throw ValueError("head " + std::to_string(heads[i]) + " of word " + std::to_string(i) + " is outside the sentence of " +
                       std::to_string(n) + " words");
  // 0 = not seen, 1 = on the current path, 2 = known to reach a root.
  std::vector<std::uint8_t> mark(heads.size(), 0);
  for (std::int32_t i = 0; i < n; ++i) {
    std::int32_t x = i;
    while (mark[x] == 0 && heads[x] != x) {
      mark[x] = 1;
      x = heads[x];
    }
    if (mark[x] == 1) throw ValueError("the heads have a cycle through word " + std::to_string(x));
    for (x = i; mark[x] != 2;) {
      mark[x] = 2;
      x = heads[x];
    }
  }
}

bool dominates(std::int32_t head, std::int32_t word, const Heads& heads) noexcept {
  for (std::int32_t x = word; heads[x] != x;) {
    x = heads[x];
    if (x == head) return true;
  }
  return false;
}

bool nonproj_arc(std::int32_t word, const Heads& heads) noexcept {
  const std::int32_t head = heads[word];
  if (head == word) return false;
  const std::int32_t lo = head < word ? head : word, hi = head < word ? word : head;
  for (std::int32_t k = lo + 1; k < hi; ++k)
    if (!dominates(head, k, heads)) return true;
  return false;
}

// The word of the smallest non-projective arc (ties: leftmost), or -1.
std::int32_t smallest_nonproj_arc(const Heads& heads) noexcept {
  std::int32_t best = -1, best_size = std::numeric_limits<std::int32_t>::max();
  for (std::int32_t i = 0; i < static_cast<std::int32_t>(heads.size()); ++i) {
    const std::int32_t size = heads[i] > i ? heads[i] - i : i - heads[i];
    if (size < best_size && nonproj_arc(i, heads)) {
      best = i;
      best_size = size;
    }
  }
  return best;
}

void check_sizes(const Heads& heads, const std::vector<std::string>& labels) {
  if (heads.size() != labels.size())
    throw ValueError(std::to_string(heads.size()) + " heads but " + std::to_string(labels.size()) + " labels");
  if (heads.size() > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw ValueError("sentence too long");
}

// The words a reattachment search visits, breadth-first and left to right, never entering `word`'s
// subtree: from_roots = false: the descendants of heads[word] (not itself); true: the roots, then their
// descendants. Words whose undecorated label is `wanted` are returned in visiting order.
std::vector<std::int32_t> search(const Heads& heads, const std::vector<std::string>& labels, std::int32_t word,
                                 std::string_view wanted, bool from_roots) {
  const auto n = static_cast<std::int32_t>(heads.size());
  const Children children(heads);
  std::vector<std::int32_t> queue, found;
  if (from_roots) {
    for (std::int32_t i = 0; i < n; ++i)
      if (heads[i] == i && i != word) queue.push_back(i);
  } else if (heads[word] != word) {
    for (const std::int32_t k : children.of(heads[word]))
      if (k != word) queue.push_back(k);
  }
  for (std::size_t q = 0; q < queue.size(); ++q) {
    const std::int32_t x = queue[q];
    if (base_label(labels[x]) == wanted) found.push_back(x);
    for (const std::int32_t k : children.of(x))
      if (k != word) queue.push_back(k);
  }
  return found;
}

}  // namespace

std::string_view base_label(std::string_view label) noexcept { return label.substr(0, label.find(DELIMITER)); }

bool is_nonproj_arc(std::int32_t word, const std::vector<std::int32_t>& heads) {
  check_forest(heads);
  if (word < 0 || word >= static_cast<std::int32_t>(heads.size()))
    throw ValueError("word " + std::to_string(word) + " is outside the sentence");
  return nonproj_arc(word, heads);
}

bool is_projective(const std::vector<std::int32_t>& heads) {
  check_forest(heads);
  for (std::int32_t i = 0; i < static_cast<std::int32_t>(heads.size()); ++i)
    if (nonproj_arc(i, heads)) return false;
  return true;
}

Tree projectivize(const std::vector<std::int32_t>& heads, const std::vector<std::string>& labels) {
  check_sizes(heads, labels);
  check_forest(heads);
  for (const std::string& label : labels)
    if (label.find(DELIMITER) != std::string::npos)
      throw ValueError("label '" + label + "' already contains the decoration delimiter '||'");
  Tree out{heads, labels};
  // Lift: a word moves to its head's head (a root's dependent becomes a root, as in spaCy).
  for (std::int32_t w; (w = smallest_nonproj_arc(out.heads)) >= 0;) {
    const std::int32_t head = out.heads[w];
    out.heads[w] = out.heads[head] == head ? w : out.heads[head];
  }
  // Decorate in the order deprojectivize undoes, replaying its reattachments in `cur`.
  Heads cur = out.heads;
  for (std::int32_t i = 0; i < static_cast<std::int32_t>(heads.size()); ++i) {
    if (cur[i] == heads[i]) continue;
    const std::string& head_label = labels[heads[i]];
    std::string& label = out.labels[i];
    label += DELIMITER;
    label += head_label;
    bool placed = false;
    for (const bool from_roots : {false, true}) {
      const std::vector<std::int32_t> found = search(cur, labels, i, head_label, from_roots);
      for (std::size_t k = 0; k < found.size() && !placed; ++k) {
        if (found[k] != heads[i]) continue;
        if (from_roots)
          label += std::string(DELIMITER) + "^" + std::to_string(k + 1);
        else if (k > 0)
          label += std::string(DELIMITER) + std::to_string(k + 1);
        placed = true;
      }
      if (placed) break;
    }
    // Every head on cur's path up from heads[i] is an original ancestor of it, so the original head is
    // never inside i's subtree and the search from the roots always finds it.
    if (!placed) throw ValueError("internal error: projectivize could not encode word " + std::to_string(i));
    cur[i] = heads[i];
  }
  return out;
}

Tree projectivize(const Tree& tree) { return projectivize(tree.heads, tree.labels); }

Tree deprojectivize(const std::vector<std::int32_t>& heads, const std::vector<std::string>& labels) {
  check_sizes(heads, labels);
  check_forest(heads);
  Tree out{heads, labels};
  for (std::int32_t i = 0; i < static_cast<std::int32_t>(heads.size()); ++i) {
    const std::string_view label = labels[i];
    const std::size_t cut = label.find(DELIMITER);
    if (cut == std::string_view::npos) continue;
    std::string_view head_label = label.substr(cut + DELIMITER.size()), suffix;
    if (const std::size_t cut2 = head_label.find(DELIMITER); cut2 != std::string_view::npos) {
      suffix = head_label.substr(cut2 + DELIMITER.size());
      head_label = head_label.substr(0, cut2);
    }
    // The rank k and where the search starts; a malformed suffix leaves the head alone.
    const bool from_roots = !suffix.empty() && suffix.front() == '^';
    if (from_roots) suffix.remove_prefix(1);
    std::size_t k = 1;
    bool ok = true;
    if (!suffix.empty() || from_roots) {
      const auto [end, ec] = std::from_chars(suffix.data(), suffix.data() + suffix.size(), k);
      ok = ec == std::errc() && end == suffix.data() + suffix.size() && k >= 1;
    }
    if (ok) {
      const std::vector<std::int32_t> found = search(out.heads, out.labels, i, head_label, from_roots);
      if (k <= found.size()) out.heads[i] = found[k - 1];
    }
    out.labels[i] = std::string(label.substr(0, cut));
  }
  return out;
}

Tree deprojectivize(const Tree& tree) { return deprojectivize(tree.heads, tree.labels); }

}  // namespace weft::nonproj
