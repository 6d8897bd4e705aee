// The DependencyMatcher: spaCy's dependencymatcher.pyx (validation, add / remove, __call__ and the
// _ops) over an inner Matcher for the nodes' RIGHT_ATTRS, with a depth-first search over per-Doc tree
// arrays in place of spaCy's product of candidates. See dependency_matcher.hpp for the semantics.
#include "weft/components/dependency_matcher/dependency_matcher.hpp"

#include <algorithm>
#include <limits>
#include <span>
#include <utility>

#include "weft/doc/span.hpp"
#include "weft/doc/syntax.hpp"
#include "weft/error.hpp"

namespace weft {

namespace {

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

struct OpName {
  const char* name;
  RelOp op;
};
constexpr OpName kOps[] = {
    {"<", RelOp::DEP},
    {">", RelOp::GOV},
    {"<<", RelOp::DEP_CHAIN},
    {">>", RelOp::GOV_CHAIN},
    {".", RelOp::IMM_PRECEDE},
    {".*", RelOp::PRECEDE},
    {";", RelOp::IMM_FOLLOW},
    {";*", RelOp::FOLLOW},
    {"$+", RelOp::IMM_RIGHT_SIB},
    {"$-", RelOp::IMM_LEFT_SIB},
    {"$++", RelOp::RIGHT_SIB},
    {"$--", RelOp::LEFT_SIB},
    {">+", RelOp::IMM_RIGHT_CHILD},
    {">-", RelOp::IMM_LEFT_CHILD},
    {">++", RelOp::RIGHT_CHILD},
    {">--", RelOp::LEFT_CHILD},
    {"<+", RelOp::IMM_RIGHT_PARENT},
    {"<-", RelOp::IMM_LEFT_PARENT},
    {"<++", RelOp::RIGHT_PARENT},
    {"<--", RelOp::LEFT_PARENT},
};

std::string show(const Json& j) {
  std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// Where an error is: the key, pattern index and node index (npos when not inside a node).
struct Where {
  std::string_view label;
  std::size_t pattern = std::string::npos;
  std::size_t node = std::string::npos;

  [[noreturn]] void fail(const std::string& why) const {
    std::string msg = "DependencyMatcher: key \"" + std::string(label) + "\"";
    if (pattern != std::string::npos) msg += ", pattern " + std::to_string(pattern);
    if (node != std::string::npos) msg += ", node " + std::to_string(node);
    throw ValueError(msg + ": " + why);
  }
};

// The structure of one pattern, checked as spaCy's _validate_input checks it (same order of checks).
struct ParsedNode {
  std::uint32_t parent = kNone;
  RelOp op = RelOp::DEP;
  const Json* attrs = nullptr;
};

std::vector<ParsedNode> parse_pattern(Where w, const Json& pattern) {
  // spaCy: len(pattern) == 0 is E012; a pattern that is not a list of dicts is E1008.
  if (pattern.is_array() && pattern.empty()) w.fail("the pattern is empty (E012: a pattern needs at least one node)");
  if (!pattern.is_array()) w.fail("a pattern must be a list of node dicts, got " + show(pattern) + " (E1008)");
  std::vector<ParsedNode> nodes;
  std::vector<const Json*> ids;  // RIGHT_ID of each node so far
  const auto find_id = [&](const Json& id) -> std::uint32_t {
    for (std::size_t k = 0; k < ids.size(); ++k)
      if (*ids[k] == id) return static_cast<std::uint32_t>(k);
    return kNone;
  };
  for (std::size_t j = 0; j < pattern.size(); ++j) {
    w.node = j;
    const Json& node = pattern[j];
    if (!node.is_object()) w.fail("a node must be a dict, got " + show(node) + " (E1008)");
    const bool has_right_id = node.contains("RIGHT_ID"), has_attrs = node.contains("RIGHT_ATTRS");
    if (!has_right_id && !has_attrs)
      w.fail("the node has neither RIGHT_ID nor RIGHT_ATTRS (E098: every node needs both)");
    ParsedNode parsed;
    if (j == 0) {
      if (!has_right_id || node.contains("REL_OP") || node.contains("LEFT_ID"))
        w.fail("the first node (the anchor) needs RIGHT_ID and RIGHT_ATTRS and must not have REL_OP or LEFT_ID (E099)");
      if (!has_attrs) w.fail("the first node (the anchor) has no RIGHT_ATTRS");
    } else {
      std::string missing;
      for (const char* k : {"RIGHT_ID", "RIGHT_ATTRS", "REL_OP", "LEFT_ID"})
        if (!node.contains(k)) missing += std::string(missing.empty() ? "" : ", ") + k;
      if (!missing.empty())
        w.fail("missing " + missing + " (E100: a node after the first needs RIGHT_ID, RIGHT_ATTRS, REL_OP and LEFT_ID)");
      const Json& right_id = node["RIGHT_ID"];
      const Json& left_id = node["LEFT_ID"];
      if (find_id(right_id) != kNone)
        w.fail("RIGHT_ID " + show(right_id) + " names an earlier node (E101: each RIGHT_ID must be new)");
      parsed.parent = find_id(left_id);
      if (parsed.parent == kNone)
        w.fail("LEFT_ID " + show(left_id) + " is not the RIGHT_ID of an earlier node (E101)");
      const Json& op = node["REL_OP"];
      std::optional<RelOp> rel;
      if (op.is_string()) rel = rel_op_from_name(op.get<std::string>());
      if (!rel) {
        std::string known;
        for (const auto& o : kOps) known += std::string(known.empty() ? "" : " ") + o.name;
        w.fail("unknown REL_OP " + show(op) + " (E1007; the operators are " + known + ")");
      }
      parsed.op = *rel;
    }
    const Json& attrs = node["RIGHT_ATTRS"];
    if (!attrs.is_object()) w.fail("RIGHT_ATTRS must be a dict (a Matcher token spec), got " + show(attrs));
    // Custom extension attributes ("_") become the inner Matcher's external predicates, whose columns
    // the caller gives find() (operator() fills them through the process-wide evaluator).
    for (auto it = attrs.begin(); it != attrs.end(); ++it) {
      if (upper(it.key()) != "OP" || !it.value().is_string()) continue;
      const std::string q = it.value().get<std::string>();
      if (q == "?" || q == "*" || q == "+")
        w.fail("RIGHT_ATTRS has the operator \"OP\": \"" + q + "\" (E1016: ?, * and + cannot be used in a node)");
    }
    parsed.attrs = &attrs;
    ids.push_back(&node["RIGHT_ID"]);
    nodes.push_back(parsed);
  }
  return nodes;
}

// Per-thread scratch arrays, reused by every find() so a warm matcher allocates little per Doc.
struct Workspace {
  std::vector<std::uint32_t> head, root, first, kids, fill, tin, tout, left, right, group_of_root, stack, path;
  std::vector<std::uint32_t> l_edge, r_edge;  // spaCy's TokenC l_edge / r_edge (see spacy_edges)
  std::vector<std::uint8_t> state, is_start;
  struct Entry {
    std::uint32_t slot, group, token;
    bool operator<(const Entry& o) const noexcept {
      return slot != o.slot ? slot < o.slot : group != o.group ? group < o.group : token < o.token;
    }
    bool operator==(const Entry& o) const noexcept = default;
  };
  std::vector<Entry> entries;
  std::vector<std::uint32_t> tokens;  // entries' tokens, in entry order
};

Workspace& workspace() {
  thread_local Workspace ws;
  return ws;
}

}  // namespace

std::optional<RelOp> rel_op_from_name(std::string_view name) noexcept {
  for (const auto& o : kOps)
    if (name == o.name) return o.op;
  return std::nullopt;
}

std::string_view rel_op_name(RelOp op) noexcept {
  for (const auto& o : kOps)
    if (o.op == op) return o.name;
  return "?";
}

// A node of a compiled pattern: its RIGHT_ATTRS (as an inner Matcher slot), its left node and operator.
struct DependencyMatcher::Node {
  std::uint32_t slot = 0;
  std::uint32_t parent = kNone;  // kNone for the anchor
  RelOp op = RelOp::DEP;
};

struct DependencyMatcher::Pattern {
  std::vector<Node> nodes;
};

// One distinct RIGHT_ATTRS: an inner-Matcher rule under the key slot + 1, shared by every node with
// the same spec (compared as JSON text), alive while some node uses it.
struct DependencyMatcher::Slot {
  std::string spec;
  std::uint32_t refs = 0;
};

struct DependencyMatcher::Compiled {
  explicit Compiled(std::shared_ptr<Vocab> vocab) : inner(std::move(vocab)) {}
  Matcher inner;
  std::vector<Slot> slots;
  std::vector<std::uint32_t> free_slots;
  std::unordered_map<std::string, std::uint32_t> slot_of;  // spec -> slot
  std::unordered_map<hash_t, std::vector<Pattern>> patterns;  // per key, in order added

  void release(std::uint32_t slot) {
    Slot& s = slots[slot];
    if (--s.refs != 0) return;
    inner.remove(static_cast<hash_t>(slot) + 1);
    slot_of.erase(s.spec);
    s.spec.clear();
    free_slots.push_back(slot);
  }
};

namespace {

// The search of one pattern in one tree: node j's candidates are cand[j] (ascending token indices of
// the tree whose token matched its RIGHT_ATTRS); assign[j] is its token once chosen.
class Search {
 public:
  Search(const Workspace& ws, std::size_t n, hash_t match_id, std::vector<DependencyMatch>& out)
      : ws_(ws), n_(n), match_id_(match_id), out_(out) {}

  template <typename NodeT>
  void run(const std::vector<NodeT>& nodes, const std::vector<std::span<const std::uint32_t>>& cand) {
    n_nodes_ = nodes.size();
    cand_ = cand.data();
    assign_.assign(n_nodes_, 0);
    for (std::uint32_t t : cand[0]) {
      assign_[0] = t;
      step(nodes, 1);
    }
  }

 private:
  static bool contains(std::span<const std::uint32_t> c, std::uint32_t t) {
    return std::binary_search(c.begin(), c.end(), t);
  }
  // Is a a proper ancestor of d (both in one tree)?
  bool above(std::uint32_t a, std::uint32_t d) const {
    return ws_.tin[a] < ws_.tin[d] && ws_.tin[d] < ws_.tout[a];
  }

  template <typename NodeT>
  void take(const std::vector<NodeT>& nodes, std::size_t j, std::uint32_t t) {
    assign_[j] = t;
    step(nodes, j + 1);
  }

  // The children c of x (in ascending order) with keep(c), that are candidates of node j.
  template <typename NodeT, typename Keep>
  void children(const std::vector<NodeT>& nodes, std::size_t j, std::uint32_t x, Keep keep) {
    const std::span<const std::uint32_t> c = cand_[j];
    const std::uint32_t b = ws_.first[x], e = ws_.first[x + 1];
    if (e - b <= c.size()) {
      for (std::uint32_t k = b; k < e; ++k) {
        const std::uint32_t child = ws_.kids[k];
        if (keep(child) && contains(c, child)) take(nodes, j, child);
      }
    } else {
      for (std::uint32_t t : c)
        if (t != x && ws_.head[t] == x && keep(t)) take(nodes, j, t);
    }
  }

  template <typename NodeT>
  void step(const std::vector<NodeT>& nodes, std::size_t j) {
    if (j == n_nodes_) {
      DependencyMatch m;
      m.match_id = match_id_;
      m.tokens.assign(assign_.begin(), assign_.end());
      out_.push_back(std::move(m));
      return;
    }
    const NodeT& node = nodes[j];
    const std::span<const std::uint32_t> c = cand_[j];
    const std::uint32_t a = assign_[node.parent];  // the left node's token
    const std::uint32_t h = ws_.head[a];           // its head (itself for a root)
    // spaCy's _get_sent: the span from the root's l_edge to its r_edge (candidates are in a's tree).
    const std::uint32_t r = ws_.root[a];
    const std::uint32_t sent_begin = ws_.l_edge[r], sent_last = ws_.r_edge[r];
    const auto one = [&](std::uint32_t t) {
      if (contains(c, t)) take(nodes, j, t);
    };
    switch (node.op) {
      case RelOp::DEP:  // spaCy's _dep: [head] unless a root
        if (h != a) one(h);
        break;
      case RelOp::GOV: children(nodes, j, a, [](std::uint32_t) { return true; }); break;
      case RelOp::DEP_CHAIN:  // ancestors
        for (std::uint32_t t : c)
          if (above(t, a)) take(nodes, j, t);
        break;
      case RelOp::GOV_CHAIN: {  // the subtree without the token: inside its edges
        auto it = std::lower_bound(c.begin(), c.end(), ws_.left[a]);
        const auto end = std::upper_bound(it, c.end(), ws_.right[a]);
        for (; it != end; ++it)
          if (above(a, *it)) take(nodes, j, *it);
        break;
      }
      case RelOp::IMM_PRECEDE:
        if (a + 1 < n_ && a + 1 >= sent_begin && a + 1 <= sent_last) one(a + 1);
        break;
      case RelOp::PRECEDE:  // range(a + 1, sent.end)
        for (auto it = std::upper_bound(c.begin(), c.end(), a); it != c.end() && *it <= sent_last; ++it)
          take(nodes, j, *it);
        break;
      case RelOp::IMM_FOLLOW:
        if (a > 0 && a - 1 >= sent_begin && a - 1 <= sent_last) one(a - 1);
        break;
      case RelOp::FOLLOW:  // range(sent.start, a)
        for (auto it = std::lower_bound(c.begin(), c.end(), sent_begin); it != c.end() && *it < a; ++it)
          take(nodes, j, *it);
        break;
      // Siblings are children of the head, which for a root is the token itself (spaCy's head).
      case RelOp::IMM_RIGHT_SIB:
        if (a + 1 < n_ && a + 1 != h && ws_.head[a + 1] == h) one(a + 1);
        break;
      case RelOp::IMM_LEFT_SIB:
        if (a > 0 && a - 1 != h && ws_.head[a - 1] == h) one(a - 1);
        break;
      case RelOp::RIGHT_SIB: children(nodes, j, h, [a](std::uint32_t t) { return t > a; }); break;
      case RelOp::LEFT_SIB: children(nodes, j, h, [a](std::uint32_t t) { return t < a; }); break;
      case RelOp::IMM_RIGHT_CHILD:
        if (a + 1 < n_ && ws_.head[a + 1] == a) one(a + 1);
        break;
      case RelOp::IMM_LEFT_CHILD:
        if (a > 0 && ws_.head[a - 1] == a) one(a - 1);
        break;
      case RelOp::RIGHT_CHILD: children(nodes, j, a, [a](std::uint32_t t) { return t > a; }); break;
      case RelOp::LEFT_CHILD: children(nodes, j, a, [a](std::uint32_t t) { return t < a; }); break;
      case RelOp::IMM_RIGHT_PARENT:
        if (h == a + 1) one(h);
        break;
      case RelOp::IMM_LEFT_PARENT:
        if (h + 1 == a) one(h);
        break;
      case RelOp::RIGHT_PARENT:
        if (h > a) one(h);
        break;
      case RelOp::LEFT_PARENT:
        if (h < a) one(h);
        break;
    }
  }

  const Workspace& ws_;
  std::size_t n_;
  hash_t match_id_;
  std::vector<DependencyMatch>& out_;
  std::size_t n_nodes_ = 0;
  const std::span<const std::uint32_t>* cand_ = nullptr;
  std::vector<std::uint32_t> assign_;
};

// spaCy's set_children_from_heads over the whole Doc (as its parser, Doc(heads=...) and from_array
// call it), for the l_edge / r_edge its DependencyMatcher reads to draw a root's sentence: one forward
// and one backward pass fold each token's edges into its head's, repeated (at most 12 passes) only
// until every head lies inside the sentences the roots' left edges start. In a projective tree that
// gives the subtree's true extent; in a non-projective one a root's edges may stop short of it, and
// spaCy's ".", ".*", ";" and ";*" then stop there too.
void spacy_edges(Workspace& ws, std::uint32_t n) {
  ws.l_edge.resize(n);
  ws.r_edge.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) ws.l_edge[i] = ws.r_edge[i] = i;
  if (n == 0) return;
  for (int loop = 0;; ++loop) {
    for (std::uint32_t i = 0; i < n; ++i) {
      const std::uint32_t h = ws.head[i];
      ws.l_edge[h] = std::min(ws.l_edge[h], ws.l_edge[i]);
      ws.r_edge[h] = std::max(ws.r_edge[h], ws.r_edge[i]);
    }
    for (std::uint32_t i = n; i-- > 0;) {
      const std::uint32_t h = ws.head[i];
      ws.r_edge[h] = std::max(ws.r_edge[h], ws.r_edge[i]);
      ws.l_edge[h] = std::min(ws.l_edge[h], ws.l_edge[i]);
    }
    // spaCy's check, quirks included: a sentence runs from one start to the next, its last token is
    // checked with the next sentence, and a head may be the next sentence's first token.
    ws.is_start.assign(n, 0);
    for (std::uint32_t i = 0; i < n; ++i)
      if (ws.head[i] == i) ws.is_start[ws.l_edge[i]] = 1;
    bool inside = true;
    std::uint32_t sent_start = 0;
    for (std::uint32_t i = 0; i < n && inside; ++i) {
      if ((i > 0 && ws.is_start[i]) || i == n - 1) {
        for (std::uint32_t j = sent_start; j < i && inside; ++j)
          inside = ws.head[j] >= sent_start && ws.head[j] < i + 1;
        sent_start = i;
      }
    }
    if (inside || loop > 10) break;
  }
}

// The tree arrays of a Doc in `ws`: heads, children (CSR, ascending), the root of each token's tree
// (kNone when its head chain runs into a cycle), an Euler tour (tin / tout), subtree edges and spaCy's edges.
void build_trees(const Doc& doc, Workspace& ws) {
  const auto n = static_cast<std::uint32_t>(doc.size());
  ws.head.resize(n);
  ws.first.assign(n + 1, 0);
  for (std::uint32_t i = 0; i < n; ++i) {
    ws.head[i] = static_cast<std::uint32_t>(syntax::head_of(doc, i));
    if (ws.head[i] != i) ++ws.first[ws.head[i] + 1];
  }
  for (std::uint32_t i = 0; i < n; ++i) ws.first[i + 1] += ws.first[i];
  ws.kids.resize(ws.first[n]);
  ws.fill.assign(ws.first.begin(), ws.first.end() - 1);
  for (std::uint32_t i = 0; i < n; ++i)
    if (ws.head[i] != i) ws.kids[ws.fill[ws.head[i]]++] = i;

  // Roots: follow heads to a token with a known root, a root, or back onto the path (a cycle).
  enum : std::uint8_t { UNSEEN, ON_PATH, DONE };
  ws.root.assign(n, kNone);
  ws.state.assign(n, UNSEEN);
  for (std::uint32_t i = 0; i < n; ++i) {
    if (ws.state[i] == DONE) continue;
    ws.path.clear();
    std::uint32_t k = i;
    std::uint32_t r = kNone;
    while (true) {
      if (ws.state[k] == DONE) {
        r = ws.root[k];
        break;
      }
      if (ws.state[k] == ON_PATH) break;  // a cycle: no root
      ws.state[k] = ON_PATH;
      ws.path.push_back(k);
      if (ws.head[k] == k) {
        r = k;
        break;
      }
      k = ws.head[k];
    }
    for (std::uint32_t p : ws.path) {
      ws.root[p] = r;
      ws.state[p] = DONE;
    }
  }

  // Euler tour from each root (tokens on or below a cycle get none: they never match) and edges.
  ws.tin.assign(n, 0);
  ws.tout.assign(n, 0);
  ws.left.resize(n);
  ws.right.resize(n);
  std::uint32_t clock = 0;
  for (std::uint32_t r = 0; r < n; ++r) {
    if (ws.head[r] != r) continue;
    // stack entries: token, with the top bit set once its children are pushed (post-order visit).
    ws.stack.clear();
    ws.stack.push_back(r);
    while (!ws.stack.empty()) {
      const std::uint32_t top = ws.stack.back();
      const std::uint32_t t = top & 0x7fffffffu;
      if (top & 0x80000000u) {
        ws.stack.pop_back();
        ws.tout[t] = clock;
        for (std::uint32_t k = ws.first[t]; k < ws.first[t + 1]; ++k) {
          ws.left[t] = std::min(ws.left[t], ws.left[ws.kids[k]]);
          ws.right[t] = std::max(ws.right[t], ws.right[ws.kids[k]]);
        }
        continue;
      }
      ws.stack.back() = top | 0x80000000u;
      ws.tin[t] = clock++;
      ws.left[t] = ws.right[t] = t;
      for (std::uint32_t k = ws.first[t + 1]; k-- > ws.first[t];) ws.stack.push_back(ws.kids[k]);
    }
  }
  spacy_edges(ws, n);
}

}  // namespace

DependencyMatcher::DependencyMatcher(std::shared_ptr<Vocab> vocab)
    : vocab_(std::move(vocab)), compiled_(vocab_ ? std::make_unique<Compiled>(vocab_) : nullptr) {
  if (!vocab_) throw ValueError("DependencyMatcher: the vocab is null");
}
DependencyMatcher::~DependencyMatcher() = default;
DependencyMatcher::DependencyMatcher(DependencyMatcher&&) noexcept = default;
DependencyMatcher& DependencyMatcher::operator=(DependencyMatcher&&) noexcept = default;

void DependencyMatcher::add(std::string_view key, const Json& patterns, OnMatch on_match) {
  if (key.empty()) throw ValueError("DependencyMatcher: the key is empty");
  add_rule(hash_string(key), std::string(key), patterns, std::move(on_match));
}

void DependencyMatcher::add(hash_t match_id, const Json& patterns, OnMatch on_match) {
  std::string key;
  if (auto s = vocab_->strings().find(match_id)) key = std::string(*s);
  if (auto it = rules_.find(match_id); key.empty() && it != rules_.end()) key = it->second.key;
  add_rule(match_id, std::move(key), patterns, std::move(on_match));
}

void DependencyMatcher::add_rule(hash_t match_id, std::string key, const Json& patterns, OnMatch on_match) {
  const std::string label = key.empty() ? std::to_string(match_id) : key;
  if (!patterns.is_array())
    Where{label}.fail("patterns must be a list of patterns, got " + show(patterns) + " (E948)");
  // spaCy validates every pattern before it adds any.
  std::vector<std::vector<ParsedNode>> parsed;
  for (std::size_t p = 0; p < patterns.size(); ++p) parsed.push_back(parse_pattern(Where{label, p}, patterns[p]));

  // The RIGHT_ATTRS: new specs become inner-Matcher rules; undone if one is refused.
  Compiled& c = *compiled_;
  std::vector<std::uint32_t> added;
  std::vector<Pattern> compiled;
  try {
    for (std::size_t p = 0; p < parsed.size(); ++p) {
      Pattern pattern;
      for (std::size_t j = 0; j < parsed[p].size(); ++j) {
        const ParsedNode& pn = parsed[p][j];
        std::string spec = pn.attrs->dump(-1, ' ', false, Json::error_handler_t::replace);
        std::uint32_t slot;
        if (auto it = c.slot_of.find(spec); it != c.slot_of.end()) {
          slot = it->second;
        } else {
          if (c.free_slots.empty()) {
            slot = static_cast<std::uint32_t>(c.slots.size());
            c.slots.emplace_back();
          } else {
            slot = c.free_slots.back();
            c.free_slots.pop_back();
          }
          try {
            c.inner.add(static_cast<hash_t>(slot) + 1, Json::array({Json::array({*pn.attrs})}));
          } catch (const ValueError& e) {
            c.free_slots.push_back(slot);
            // The inner Matcher names its own key, pattern and token: keep only the reason.
            std::string why = e.cause();
            const std::string prefix = "Matcher: key \"" + std::to_string(slot + 1) + "\", pattern 0, token 0: ";
            if (why.rfind(prefix, 0) == 0) why = why.substr(prefix.size());
            Where{label, p, j}.fail("RIGHT_ATTRS: " + why);
          }
          c.slots[slot].spec = spec;
          c.slot_of.emplace(std::move(spec), slot);
          added.push_back(slot);
        }
        pattern.nodes.push_back(Node{slot, pn.parent, pn.op});
      }
      compiled.push_back(std::move(pattern));
    }
  } catch (...) {
    for (std::uint32_t slot : added) {
      c.inner.remove(static_cast<hash_t>(slot) + 1);
      c.slot_of.erase(c.slots[slot].spec);
      c.slots[slot].spec.clear();
      c.free_slots.push_back(slot);
    }
    throw;
  }
  for (const Pattern& p : compiled)
    for (const Node& n : p.nodes) ++c.slots[n.slot].refs;

  if (!key.empty() && !vocab_->strings().frozen()) vocab_->strings().add(key);
  auto [it, fresh] = rules_.try_emplace(match_id);
  Rule& r = it->second;
  if (fresh) key_order_.push_back(match_id);
  r.match_id = match_id;
  if (!key.empty()) r.key = std::move(key);
  for (const Json& p : patterns) r.patterns.push_back(p);
  r.on_match = std::move(on_match);  // spaCy: a key added again replaces its callback
  auto& list = c.patterns[match_id];
  for (Pattern& p : compiled) list.push_back(std::move(p));
}

void DependencyMatcher::remove(std::string_view key) {
  if (!contains(key)) throw ValueError("DependencyMatcher: cannot remove unknown key \"" + std::string(key) + "\" (E175)");
  remove(hash_string(key));
}

void DependencyMatcher::remove(hash_t match_id) {
  if (!contains(match_id))
    throw ValueError("DependencyMatcher: cannot remove unknown key " + std::to_string(match_id) + " (E175)");
  Compiled& c = *compiled_;
  if (auto it = c.patterns.find(match_id); it != c.patterns.end()) {
    for (const Pattern& p : it->second)
      for (const Node& n : p.nodes) c.release(n.slot);
    c.patterns.erase(it);
  }
  rules_.erase(match_id);
  key_order_.erase(std::find(key_order_.begin(), key_order_.end(), match_id));
}

const DependencyMatcher::Rule* DependencyMatcher::get(hash_t match_id) const noexcept {
  const auto it = rules_.find(match_id);
  return it == rules_.end() ? nullptr : &it->second;
}

std::size_t DependencyMatcher::n_patterns() const noexcept {
  std::size_t n = 0;
  for (const auto& [id, list] : compiled_->patterns) n += list.size();
  return n;
}

const std::vector<ExternalPredicate>& DependencyMatcher::external_predicates() const noexcept {
  return compiled_->inner.external_predicates();
}

std::vector<DependencyMatch> DependencyMatcher::find(const Doc& doc, const ExternalColumns* external) const {
  std::vector<DependencyMatch> out;
  const Compiled& c = *compiled_;
  if (rules_.empty() || doc.empty()) return out;  // spaCy: an empty Doc counts as annotated (no E155)
  std::vector<Match> inner;
  try {
    MatchOptions options;
    options.external = external;
    inner = c.inner.find(doc, options);
  } catch (const ValueError& e) {
    std::string why = e.cause();
    if (why.rfind("Matcher: ", 0) == 0) why = why.substr(9);
    throw ValueError("DependencyMatcher: " + why);
  }
  if (inner.empty()) return out;

  Workspace& ws = workspace();
  build_trees(doc, ws);
  const auto n = static_cast<std::uint32_t>(doc.size());

  // spaCy's _get_keys_to_position_maps: each node's tokens grouped by the root of their tree, the
  // trees numbered in the order the inner matches first reach them.
  ws.group_of_root.assign(n, kNone);
  ws.entries.clear();
  std::uint32_t n_groups = 0;
  for (const Match& m : inner) {
    const auto t = static_cast<std::uint32_t>(m.start);
    const std::uint32_t r = ws.root[t];
    if (r == kNone) continue;
    if (ws.group_of_root[r] == kNone) ws.group_of_root[r] = n_groups++;
    ws.entries.push_back({static_cast<std::uint32_t>(m.match_id - 1), ws.group_of_root[r], t});
  }
  std::sort(ws.entries.begin(), ws.entries.end());
  ws.entries.erase(std::unique(ws.entries.begin(), ws.entries.end()), ws.entries.end());
  ws.tokens.resize(ws.entries.size());
  for (std::size_t k = 0; k < ws.entries.size(); ++k) ws.tokens[k] = ws.entries[k].token;
  const auto range = [&](std::uint32_t slot, std::uint32_t group) {
    const Workspace::Entry lo{slot, group, 0}, hi{slot, group, kNone};
    const auto b = std::lower_bound(ws.entries.begin(), ws.entries.end(), lo);
    const auto e = std::upper_bound(b, ws.entries.end(), hi);
    return std::span<const std::uint32_t>(ws.tokens.data() + (b - ws.entries.begin()), static_cast<std::size_t>(e - b));
  };

  std::vector<std::span<const std::uint32_t>> cand;
  for (hash_t key : key_order_) {
    const auto pit = c.patterns.find(key);
    if (pit == c.patterns.end()) continue;
    for (const Pattern& pattern : pit->second) {
      const std::vector<Node>& nodes = pattern.nodes;
      cand.assign(nodes.size(), {});
      Search search(ws, n, key, out);
      // The trees where the anchor has candidates, in tree order.
      const Workspace::Entry lo{nodes[0].slot, 0, 0}, hi{nodes[0].slot, kNone, kNone};
      auto b = std::lower_bound(ws.entries.begin(), ws.entries.end(), lo);
      const auto e = std::upper_bound(b, ws.entries.end(), hi);
      while (b != e) {
        const std::uint32_t group = b->group;
        auto g_end = b;
        while (g_end != e && g_end->group == group) ++g_end;
        cand[0] = std::span<const std::uint32_t>(ws.tokens.data() + (b - ws.entries.begin()),
                                                 static_cast<std::size_t>(g_end - b));
        bool possible = true;
        for (std::size_t j = 1; j < nodes.size() && possible; ++j) {
          cand[j] = range(nodes[j].slot, group);
          possible = !cand[j].empty();
        }
        if (possible) search.run(nodes, cand);
        b = g_end;
      }
    }
  }
  return out;
}

Doc DependencyMatcher::span_doc(const Doc& doc, std::size_t start, std::size_t end) {
  if (start > end || end > doc.size())
    throw IndexError("DependencyMatcher: tokens [" + std::to_string(start) + ", " + std::to_string(end) +
                     ") are not in a Doc of " + std::to_string(doc.size()) + " tokens");
  if (start == end) return Doc(doc.vocab_ptr(), std::string());
  const std::size_t b = doc.data(start).idx;
  const std::size_t e = doc.data(end - 1).idx + doc.data(end - 1).len + doc.whitespace(end - 1).size();
  Doc copy(doc.vocab_ptr(), doc.text().substr(b, e - b));
  for (const auto& [h, s] : doc.pool()) copy.intern(s);
  const std::size_t length = end - start;
  auto& tokens = copy.tokens();
  tokens.reserve(length);
  for (std::size_t i = start; i < end; ++i) {
    TokenData t = doc.data(i);
    t.idx = static_cast<std::uint32_t>(t.idx - b);
    tokens.push_back(t);
  }
  // spaCy's Span._fix_dep_copy.
  const hash_t dep = copy.intern("dep");
  std::unordered_map<std::size_t, std::size_t> old_to_new_root;  // old tree root -> new root (copy index)
  for (std::size_t i = 0; i < length; ++i) {
    const std::size_t old = start + i;
    std::size_t h = syntax::head_of(doc, old);
    std::size_t new_head = h;  // a Doc index while it is outside [start, end)
    if (h < start || h >= end) {
      tokens[i].dep = dep;
      // The last (highest) ancestor inside the span, as spaCy's loop leaves it; ends on the old root.
      std::size_t top = old;
      for (std::size_t steps = 0, k = old; steps < doc.size(); ++steps) {
        const std::size_t up = syntax::head_of(doc, k);
        if (up == k) break;
        if (up >= start && up < end) new_head = up;
        top = k = up;
      }
      if (new_head < start || new_head >= end) {
        const auto [it, fresh] = old_to_new_root.try_emplace(top, i);
        new_head = start + it->second;
        (void)fresh;
      }
    }
    tokens[i].head = static_cast<std::int32_t>(static_cast<std::int64_t>(new_head - start) - static_cast<std::int64_t>(i));
  }
  // spaCy's Doc.from_array on a parsed copy (some DEP set): set_children_from_heads draws the sentences
  // again, one starting at the left edge of each root that has a label.
  if (std::any_of(tokens.begin(), tokens.end(), [](const TokenData& t) { return t.dep != 0; })) {
    // The root of each token (kCycle when its heads run into a cycle) and each root's left edge.
    constexpr std::uint32_t kCycle = kNone - 1;
    std::vector<std::uint32_t> root(length, kNone), left(length), path;
    for (std::size_t i = 0; i < length; ++i) left[i] = static_cast<std::uint32_t>(i);
    for (std::size_t i = 0; i < length; ++i) {
      path.clear();
      std::uint32_t r = kCycle;
      for (std::size_t k = i, steps = 0; steps <= length; ++steps) {
        if (root[k] != kNone) {
          r = root[k];
          break;
        }
        path.push_back(static_cast<std::uint32_t>(k));
        if (tokens[k].head == 0) {
          r = static_cast<std::uint32_t>(k);
          break;
        }
        k = static_cast<std::size_t>(static_cast<std::int64_t>(k) + tokens[k].head);
      }
      for (std::uint32_t p : path) root[p] = r;
      if (r != kCycle) left[r] = std::min(left[r], static_cast<std::uint32_t>(i));
    }
    for (auto& t : tokens) t.sent_start = -1;
    for (std::size_t i = 0; i < length; ++i)
      if (tokens[i].head == 0 && tokens[i].dep != 0) tokens[left[i]].sent_start = 1;
  }
  return copy;
}

std::vector<DependencyMatch> DependencyMatcher::find(const Span& span) const {
  return find(span_doc(span.doc(), span.start(), span.end()));
}

void DependencyMatcher::run_callbacks(Doc& doc, std::vector<DependencyMatch>& matches) {
  // spaCy: for i, (match_id, nodes) in enumerate(matches): the list is read as the callbacks change it.
  for (std::size_t i = 0; i < matches.size(); ++i) {
    const Rule* rule = get(matches[i].match_id);
    if (!rule || !rule->on_match) continue;
    const OnMatch callback = rule->on_match;  // a copy: the callback may remove its own rule
    callback(*this, doc, i, matches);
  }
}

std::vector<DependencyMatch> DependencyMatcher::operator()(Doc& doc) {
  ExternalColumns columns;
  if (!external_predicates().empty()) evaluate_extensions(doc, 0, doc.size(), external_predicates(), columns);
  std::vector<DependencyMatch> matches = find(doc, external_predicates().empty() ? nullptr : &columns);
  run_callbacks(doc, matches);
  return matches;
}

std::vector<DependencyMatch> DependencyMatcher::operator()(const Span& span, Doc* copy) {
  Doc local = span_doc(span.doc(), span.start(), span.end());
  Doc& target = copy ? (*copy = std::move(local)) : local;
  // Extension values belong to the original Doc's tokens (its user_data, by its offsets).
  ExternalColumns columns;
  if (!external_predicates().empty())
    evaluate_extensions(const_cast<Doc&>(span.doc()), span.start(), span.end(), external_predicates(), columns);
  std::vector<DependencyMatch> matches = find(target, external_predicates().empty() ? nullptr : &columns);
  run_callbacks(target, matches);
  return matches;
}

}  // namespace weft
