#include "weft/doc/syntax.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "weft/doc/token.hpp"
#include "weft/error.hpp"

namespace weft::syntax {

namespace {

// The dependency tree of tokens [base, base + size): heads and children (CSR, in document order) as
// indices relative to base. A head outside the range makes its token a root of the range.
struct Tree {
  std::size_t base = 0;
  std::vector<std::uint32_t> head;
  std::vector<std::uint32_t> first;  // children of k: kids[first[k] .. first[k + 1])
  std::vector<std::uint32_t> kids;

  Tree(const Doc& doc, std::size_t b, std::size_t e) : base(b), head(e - b), first(e - b + 1, 0), kids(e - b) {
    const std::size_t m = e - b;
    std::size_t n_kids = 0;
    for (std::size_t k = 0; k < m; ++k) {
      const std::size_t h = head_of(doc, b + k);
      head[k] = static_cast<std::uint32_t>(h >= b && h < e ? h - b : k);
      if (head[k] != k) {
        ++first[head[k] + 1];
        ++n_kids;
      }
    }
    for (std::size_t k = 0; k < m; ++k) first[k + 1] += first[k];
    kids.resize(n_kids);
    std::vector<std::uint32_t> fill(first.begin(), first.end() - 1);
    for (std::size_t k = 0; k < m; ++k)
      if (head[k] != k) kids[fill[head[k]]++] = static_cast<std::uint32_t>(k);
  }
  std::size_t size() const noexcept { return head.size(); }

  // The nodes reachable from k (k included), in no particular order.
  std::vector<std::uint32_t> reach(std::uint32_t k) const {
    std::vector<std::uint32_t> out{k};
    std::vector<bool> seen(size(), false);
    seen[k] = true;
    for (std::size_t p = 0; p < out.size(); ++p)
      for (std::uint32_t c = first[out[p]]; c < first[out[p] + 1]; ++c)
        if (!seen[kids[c]]) {
          seen[kids[c]] = true;
          out.push_back(kids[c]);
        }
    return out;
  }

  // Left and right edges of every node in one pass: children are folded into their head in the
  // reverse of a breadth-first order from the roots. Nodes on a cycle keep themselves as edges.
  void edges(std::vector<std::uint32_t>& left, std::vector<std::uint32_t>& right) const {
    const std::size_t m = size();
    left.resize(m);
    right.resize(m);
    std::vector<std::uint32_t> order;
    order.reserve(m);
    for (std::uint32_t k = 0; k < m; ++k) {
      left[k] = right[k] = k;
      if (head[k] == k) order.push_back(k);
    }
    for (std::size_t p = 0; p < order.size(); ++p)
      for (std::uint32_t c = first[order[p]]; c < first[order[p] + 1]; ++c) order.push_back(kids[c]);
    for (std::size_t p = order.size(); p-- > 0;) {
      const std::uint32_t k = order[p], h = head[k];
      if (h == k) continue;
      left[h] = std::min(left[h], left[k]);
      right[h] = std::max(right[h], right[k]);
    }
  }
};

}  // namespace

std::size_t head_of(const Doc& doc, std::size_t i) noexcept {
  const std::int64_t h = static_cast<std::int64_t>(i) + doc.data(i).head;
  return h >= 0 && h < static_cast<std::int64_t>(doc.size()) ? static_cast<std::size_t>(h) : i;
}

std::pair<std::size_t, std::size_t> sentence_range(const Doc& doc, std::size_t start, std::size_t end) noexcept {
  const auto& t = doc.tokens();
  std::size_t b = std::min(start, t.size());
  while (b > 0 && (b == t.size() || t[b].sent_start != 1)) --b;
  std::size_t e = end;
  while (e < t.size() && t[e].sent_start != 1) ++e;
  return {b, e};
}

std::vector<std::size_t> children(const Doc& doc, std::size_t i) {
  const auto [b, e] = sentence_range(doc, i, i + 1);
  std::vector<std::size_t> out;
  for (std::size_t j = b; j < e; ++j)
    if (j != i && head_of(doc, j) == i) out.push_back(j);
  return out;
}

std::vector<std::size_t> subtree(const Doc& doc, std::size_t i) {
  const auto [b, e] = sentence_range(doc, i, i + 1);
  const Tree tree(doc, b, e);
  const auto nodes = tree.reach(static_cast<std::uint32_t>(i - b));
  std::vector<std::size_t> out(nodes.begin(), nodes.end());
  std::sort(out.begin(), out.end());
  for (auto& k : out) k += b;
  return out;
}

std::pair<std::size_t, std::size_t> edges(const Doc& doc, std::size_t i) {
  const auto [b, e] = sentence_range(doc, i, i + 1);
  const Tree tree(doc, b, e);
  const auto nodes = tree.reach(static_cast<std::uint32_t>(i - b));
  const auto [lo, hi] = std::minmax_element(nodes.begin(), nodes.end());
  return {b + *lo, b + *hi};
}

std::vector<std::size_t> ancestors(const Doc& doc, std::size_t i) {
  std::vector<std::size_t> out;
  for (std::size_t steps = 0, k = i; steps < doc.size(); ++steps) {
    const std::size_t h = head_of(doc, k);
    if (h == k) break;
    out.push_back(h);
    k = h;
  }
  return out;
}

std::size_t span_root(const Doc& doc, std::size_t start, std::size_t end) {
  // As spaCy: a token without a head offset wins outright (linear for spans holding a sentence root).
  for (std::size_t i = start; i < end; ++i)
    if (head_of(doc, i) == i) return i;
  const std::size_t n = doc.size();
  std::size_t best = n, root = end;
  for (std::size_t i = start; i < end; ++i) {
    const std::size_t h = head_of(doc, i);
    if (h >= start && h < end) continue;
    std::size_t steps = 0;
    const Lexeme lex = doc.vocab().lexeme(doc.token_text(i));
    if ((lex.check(FLAG_IS_SPACE) || lex.check(FLAG_IS_PUNCT)) && children(doc, i).empty()) {
      steps = n - 1;  // spaCy: a bare punctuation mark is the root only when nothing else can be
    } else {
      for (std::size_t k = i; head_of(doc, k) != k; k = head_of(doc, k))
        if (++steps >= n)
          throw ValueError("Span.root: the heads of token " + std::to_string(i) + " form a cycle (invalid parse)");
    }
    if (steps < best) {
      best = steps;
      root = i;
    }
  }
  if (root != end) return root;
  if (start >= n) throw IndexError("Span.root: the span is empty and at the end of the Doc");
  return start;
}

// noun_chunks: spaCy's English iterator (spacy/lang/en/syntax_iterators.py) over UD trees. For each
// NOUN/PROPN/PRON in order: a chunk when its label is an NP label, or when it is a conj whose chain of
// conj heads (spaCy's loop) ends on an NP head; skipped when it would overlap the previous chunk.
// NP labels are the UD equivalents of spaCy's list (nsubj, nsubj:pass, nsubj:outer, obj, iobj, obl,
// obl:agent, nmod, appos, root) plus spaCy's own (oprd, dobj, nsubjpass, pcomp, pobj, dative, attr,
// ROOT); a noun with a cop child (UD's nominal predicate) counts as spaCy's attr. UD makes content words
// heads, so a noun's left subtree can hold its preposition, coordinator, copula and even the clause's
// subject, none of which spaCy's trees put there: the chunk starts at the left edge of the nearest
// left children only up to the first one whose label (before ':') is clausal or functional (kStop),
// and it extends right over adjacent flat/fixed children ("John Smith", "al - Qaeda"), as spaCy's
// UD-labelled languages do. On spaCy-labelled trees this is spaCy's left_edge .. word, except where a
// noun has a left child labelled punct, advmod or cc.
namespace {

enum LabelClass : std::uint8_t { NP = 1, CONJ = 2, COP = 4, STOP = 8, POSTMOD = 16, PUNCT = 32 };

std::uint8_t classify(std::string_view label) {
  static const std::vector<std::string_view> kNp = {"nsubj",     "nsubj:pass", "nsubj:outer", "obj",  "iobj",   "obl",
                                                    "obl:agent", "nmod",       "appos",       "root", "ROOT",   "oprd",
                                                    "dobj",      "nsubjpass",  "pcomp",       "pobj", "dative", "attr"};
  static const std::vector<std::string_view> kStop = {
      "case",   "cc",    "cop",  "aux",  "mark",      "nsubj",      "csubj", "expl",      "advcl",
      "advmod", "obl",   "obj",  "iobj", "discourse", "vocative",   "punct", "parataxis", "dislocated",
      "ccomp",  "xcomp", "conj", "list", "orphan",    "reparandum", "dep",   "root",      "appos"};
  const std::string_view base = label.substr(0, label.find(':'));
  std::uint8_t c = 0;
  if (std::find(kNp.begin(), kNp.end(), label) != kNp.end()) c |= NP;
  if (label == "conj") c |= CONJ;
  if (base == "cop") c |= COP;
  if (std::find(kStop.begin(), kStop.end(), base) != kStop.end()) c |= STOP;
  if (base == "flat" || base == "fixed") c |= POSTMOD;
  if (base == "punct") c |= PUNCT;
  return c;
}

}  // namespace

std::vector<std::pair<std::size_t, std::size_t>> noun_chunks(const Doc& doc) {
  if (doc.empty()) return {};
  if (!doc.has_annotation(Attr::DEP)) throw ValueError("noun_chunks requires the dependency parse");
  const std::size_t n = doc.size();
  const Tree tree(doc, 0, n);
  std::vector<std::uint32_t> left, right;
  tree.edges(left, right);
  std::unordered_map<hash_t, std::uint8_t> classes;  // per distinct label
  auto cls = [&](std::size_t k) -> std::uint8_t {
    const hash_t dep = doc.data(k).dep;
    if (dep == 0) return 0;
    auto it = classes.find(dep);
    if (it != classes.end()) return it->second;
    std::uint8_t c = 0;
    try {
      c = classify(doc.str(dep));
    } catch (const KeyError&) {
    }
    return classes.emplace(dep, c).first->second;
  };
  auto np_head = [&](std::size_t k) {
    if (cls(k) & NP) return true;
    for (std::uint32_t c = tree.first[k]; c < tree.first[k + 1]; ++c)
      if (cls(tree.kids[c]) & COP) return true;
    return false;
  };

  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::int64_t prev_end = -1;
  for (std::size_t w = 0; w < n; ++w) {
    const UPOS pos = doc.data(w).pos;
    if (pos != UPOS::NOUN && pos != UPOS::PROPN && pos != UPOS::PRON) continue;
    // The chunk's start: left children nearest first, up to a clausal or functional one.
    std::size_t start = w;
    for (std::uint32_t c = tree.first[w + 1]; c-- > tree.first[w];) {
      const std::uint32_t kid = tree.kids[c];
      if (kid > w) continue;
      if (cls(kid) & STOP) break;
      start = std::min<std::size_t>(start, left[kid]);
    }
    if (static_cast<std::int64_t>(start) <= prev_end) continue;
    bool chunk = np_head(w);
    if (!chunk && (cls(w) & CONJ)) {
      std::size_t h = tree.head[w];
      while ((cls(h) & CONJ) && tree.head[h] < h) h = tree.head[h];
      chunk = np_head(h);
    }
    if (!chunk) continue;
    // Adjacent flat/fixed children extend the chunk, also across punctuation ("al - Qaeda").
    std::size_t end = w, reach = w;
    for (std::uint32_t c = tree.first[w]; c < tree.first[w + 1]; ++c) {
      const std::uint32_t kid = tree.kids[c];
      if (kid < w) continue;
      if (left[kid] != reach + 1 || !(cls(kid) & (POSTMOD | PUNCT))) break;
      reach = right[kid];
      if (cls(kid) & POSTMOD) end = reach;
    }
    out.emplace_back(start, end + 1);
    prev_end = static_cast<std::int64_t>(end);
  }
  return out;
}

}  // namespace weft::syntax
