// Edit tree construction (longest common substring recursion), interning, application and the binary
// table format. See include/weft/components/lemmatizer/edit_tree.hpp.
#include "weft/components/lemmatizer/edit_tree.hpp"

#include <algorithm>
#include <type_traits>

#include "weft/error.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {
namespace {

constexpr std::string_view kMagic = "WEFTEDT1";
// Each match level removes at least one code point from both sides, so a builder-made tree is no deeper
// than its form is long; the reader holds loaded tables to the same bound so recursion stays shallow.
constexpr std::uint32_t kMaxDepth = EditTrees::kMaxLength + 1;

std::u32string decode(std::string_view s, std::string_view what) {
  utf8::check(s, what);
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) out.push_back(utf8::next(s, i));
  if (out.size() > EditTrees::kMaxLength)
    throw ValueError(std::string(what) + " of " + std::to_string(out.size()) + " code points is too long for an edit tree");
  return out;
}

std::string encode(std::u32string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char32_t c : s) utf8::append(out, c);
  return out;
}

// The first longest common substring, as (form begin, lemma begin, length); length 0 when none.
struct Lcs {
  std::size_t form_begin = 0, lemma_begin = 0, length = 0;
};

Lcs find_lcs(std::u32string_view form, std::u32string_view lemma) {
  Lcs best;
  // Rolling rows of the classic DP: run[j + 1] = length of the common run ending at form[i], lemma[j].
  std::vector<std::size_t> prev(lemma.size() + 1, 0), cur(lemma.size() + 1, 0);
  for (std::size_t i = 0; i < form.size(); ++i) {
    for (std::size_t j = 0; j < lemma.size(); ++j) {
      cur[j + 1] = form[i] == lemma[j] ? prev[j] + 1 : 0;
      if (cur[j + 1] > best.length) best = {i + 1 - cur[j + 1], j + 1 - cur[j + 1], cur[j + 1]};
    }
    std::swap(prev, cur);
  }
  return best;
}

bool continuation(char c) noexcept { return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u; }

// Byte offset after the first n code points of s, or npos when s has fewer. Counting lead bytes keeps
// this in bounds even on bytes that are not valid UTF-8.
std::size_t skip_front(std::string_view s, std::uint32_t n) noexcept {
  std::size_t i = 0;
  for (std::uint32_t k = 0; k < n; ++k) {
    if (i >= s.size()) return utf8::npos;
    ++i;
    while (i < s.size() && continuation(s[i])) ++i;
  }
  return i;
}

// Byte offset where the last n code points of s begin, not before `floor`; npos when they do not fit.
std::size_t skip_back(std::string_view s, std::uint32_t n, std::size_t floor) noexcept {
  std::size_t j = s.size();
  for (std::uint32_t k = 0; k < n; ++k) {
    if (j <= floor) return utf8::npos;
    --j;
    while (j > floor && continuation(s[j])) --j;
  }
  return j;
}

void put_u32(std::string& out, std::uint32_t v) {
  for (int k = 0; k < 4; ++k) out.push_back(static_cast<char>((v >> (8 * k)) & 0xFFu));
}

// Reads the binary table, failing with the byte offset of the first problem.
class Reader {
 public:
  Reader(std::string_view bytes, std::string_view source) : bytes_(bytes), source_(source) {}
  [[noreturn]] void fail(const std::string& why) const {
    Location where;
    where.file = std::string(source_);
    where.offset = pos_;
    throw FormatError("edit tree table: " + why, where);
  }
  std::string_view take(std::size_t n, const char* what) {
    if (bytes_.size() - pos_ < n) fail(std::string("truncated ") + what);
    const auto piece = bytes_.substr(pos_, n);
    pos_ += n;
    return piece;
  }
  std::uint32_t u32(const char* what) {
    const auto b = take(4, what);
    std::uint32_t v = 0;
    for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(b[static_cast<std::size_t>(k)]);
    return v;
  }
  std::uint8_t u8(const char* what) { return static_cast<std::uint8_t>(take(1, what)[0]); }
  std::size_t pos() const noexcept { return pos_; }
  std::size_t left() const noexcept { return bytes_.size() - pos_; }

 private:
  std::string_view bytes_;
  std::string_view source_;
  std::size_t pos_ = 0;
};

}  // namespace

std::size_t EditTrees::NodeHash::operator()(const Node& n) const noexcept {
  std::uint64_t h = static_cast<std::uint64_t>(n.kind) + 0x9E3779B97F4A7C15ull;
  for (const std::uint32_t v : {n.prefix_len, n.suffix_len, n.prefix_tree, n.suffix_tree, n.orig, n.subst})
    h = (h ^ v) * 0x100000001B3ull + (h >> 29);
  return static_cast<std::size_t>(h);
}

template <class Self>
std::optional<std::uint32_t> EditTrees::intern_string(Self& self, std::u32string_view s) {
  std::string bytes = encode(s);
  if (const auto it = self.string_ids_.find(bytes); it != self.string_ids_.end()) return it->second;
  if constexpr (std::is_const_v<Self>) {
    return std::nullopt;
  } else {
    const auto id = static_cast<std::uint32_t>(self.strings_.size());
    self.strings_.push_back(bytes);
    self.string_ids_.emplace(std::move(bytes), id);
    return id;
  }
}

template <class Self>
std::optional<tree_id> EditTrees::intern(Self& self, const Node& n) {
  if (const auto it = self.node_ids_.find(n); it != self.node_ids_.end()) return it->second;
  if constexpr (std::is_const_v<Self>) {
    return std::nullopt;
  } else {
    if (self.nodes_.size() >= NULL_TREE) throw ValueError("edit tree table is full");
    const auto id = static_cast<tree_id>(self.nodes_.size());
    self.nodes_.push_back(n);
    self.node_ids_.emplace(n, id);
    return id;
  }
}

template <class Self>
std::optional<tree_id> EditTrees::build(Self& self, std::u32string_view form, std::u32string_view lemma) {
  const Lcs lcs = find_lcs(form, lemma);
  Node n;
  if (lcs.length == 0) {
    // Nothing in common (or both empty): the whole piece is replaced.
    n.kind = Node::Kind::Subst;
    const auto orig = intern_string(self, form);
    if (!orig) return std::nullopt;
    const auto subst = intern_string(self, lemma);
    if (!subst) return std::nullopt;
    n.orig = *orig;
    n.subst = *subst;
    return intern(self, n);
  }
  const std::size_t form_end = lcs.form_begin + lcs.length, lemma_end = lcs.lemma_begin + lcs.length;
  n.kind = Node::Kind::Match;
  n.prefix_len = static_cast<std::uint32_t>(lcs.form_begin);
  n.suffix_len = static_cast<std::uint32_t>(form.size() - form_end);
  if (lcs.form_begin != 0 || lcs.lemma_begin != 0) {
    const auto t = build(self, form.substr(0, lcs.form_begin), lemma.substr(0, lcs.lemma_begin));
    if (!t) return std::nullopt;
    n.prefix_tree = *t;
  }
  if (form_end != form.size() || lemma_end != lemma.size()) {
    const auto t = build(self, form.substr(form_end), lemma.substr(lemma_end));
    if (!t) return std::nullopt;
    n.suffix_tree = *t;
  }
  return intern(self, n);
}

tree_id EditTrees::add(std::string_view form, std::string_view lemma) {
  const auto f = decode(form, "form"), l = decode(lemma, "lemma");
  return *build(*this, f, l);
}

std::optional<tree_id> EditTrees::find(std::string_view form, std::string_view lemma) const {
  const auto f = decode(form, "form"), l = decode(lemma, "lemma");
  return build(*this, f, l);
}

const EditTrees::Node& EditTrees::node(tree_id id) const {
  if (id >= nodes_.size()) throw IndexError("edit tree " + std::to_string(id) + " does not exist");
  return nodes_[id];
}

std::string_view EditTrees::string(std::uint32_t id) const {
  if (id >= strings_.size()) throw IndexError("edit tree string " + std::to_string(id) + " does not exist");
  return strings_[id];
}

bool EditTrees::apply_piece(tree_id tree, std::string_view form, std::string& out) const {
  const Node& n = nodes_[tree];
  if (n.kind == Node::Kind::Subst) {
    if (strings_[n.orig] != form) return false;
    out += strings_[n.subst];
    return true;
  }
  const std::size_t mid_begin = skip_front(form, n.prefix_len);
  if (mid_begin == utf8::npos) return false;
  const std::size_t mid_end = skip_back(form, n.suffix_len, mid_begin);
  if (mid_end == utf8::npos) return false;
  if (n.prefix_tree != NULL_TREE && !apply_piece(n.prefix_tree, form.substr(0, mid_begin), out)) return false;
  out += form.substr(mid_begin, mid_end - mid_begin);
  return n.suffix_tree == NULL_TREE || apply_piece(n.suffix_tree, form.substr(mid_end), out);
}

bool EditTrees::apply_to(tree_id tree, std::string_view form, std::string& out) const {
  if (tree >= nodes_.size()) throw IndexError("edit tree " + std::to_string(tree) + " does not exist");
  const std::size_t mark = out.size();
  if (apply_piece(tree, form, out)) return true;
  out.resize(mark);
  return false;
}

std::optional<std::string> EditTrees::apply(tree_id tree, std::string_view form) const {
  std::string out;
  if (!apply_to(tree, form, out)) return std::nullopt;
  return out;
}

void EditTrees::to_str(tree_id tree, std::string& out) const {
  if (tree == NULL_TREE) {
    out += "()";
    return;
  }
  const Node& n = node(tree);
  if (n.kind == Node::Kind::Subst) {
    out += "(s '";
    out += strings_[n.orig];
    out += "' '";
    out += strings_[n.subst];
    out += "')";
    return;
  }
  out += "(m " + std::to_string(n.prefix_len) + " " + std::to_string(n.suffix_len) + " ";
  to_str(n.prefix_tree, out);
  out += ' ';
  to_str(n.suffix_tree, out);
  out += ')';
}

std::string EditTrees::to_str(tree_id tree) const {
  node(tree);  // an unknown root is an error, not "()"
  std::string out;
  to_str(tree, out);
  return out;
}

std::string EditTrees::serialize() const {
  std::string out(kMagic);
  put_u32(out, static_cast<std::uint32_t>(strings_.size()));
  for (const auto& s : strings_) {
    put_u32(out, static_cast<std::uint32_t>(s.size()));
    out += s;
  }
  put_u32(out, static_cast<std::uint32_t>(nodes_.size()));
  for (const Node& n : nodes_) {
    out.push_back(static_cast<char>(n.kind));
    if (n.kind == Node::Kind::Match) {
      for (const std::uint32_t v : {n.prefix_len, n.suffix_len, n.prefix_tree, n.suffix_tree}) put_u32(out, v);
    } else {
      for (const std::uint32_t v : {n.orig, n.subst, 0u, 0u}) put_u32(out, v);
    }
  }
  return out;
}

EditTrees EditTrees::deserialize(std::string_view bytes, std::string_view source) {
  Reader r(bytes, source);
  if (r.take(std::min(bytes.size(), kMagic.size()), "magic") != kMagic) r.fail("not an edit tree table (bad magic)");
  EditTrees t;
  const std::uint32_t n_strings = r.u32("string count");
  // Each string takes at least its 4-byte length: a count beyond that is a lie, not a reason to allocate.
  if (n_strings > r.left() / 4) r.fail("string count " + std::to_string(n_strings) + " exceeds the data");
  for (std::uint32_t i = 0; i < n_strings; ++i) {
    const std::uint32_t len = r.u32("string length");
    const std::size_t at = r.pos();
    const std::string_view s = r.take(len, "string");
    if (!utf8::valid(s)) r.fail("string " + std::to_string(i) + " at byte " + std::to_string(at) + " is not UTF-8");
    if (!t.string_ids_.emplace(std::string(s), i).second) r.fail("string " + std::to_string(i) + " repeats");
    t.strings_.emplace_back(s);
  }
  std::vector<std::uint32_t> depth;
  const std::uint32_t n_nodes = r.u32("node count");
  if (n_nodes > r.left() / 17 || n_nodes >= NULL_TREE) r.fail("node count " + std::to_string(n_nodes) + " exceeds the data");
  for (std::uint32_t i = 0; i < n_nodes; ++i) {
    const std::uint8_t kind = r.u8("node kind");
    std::uint32_t v[4];
    for (auto& x : v) x = r.u32("node");
    Node n;
    const std::string which = "node " + std::to_string(i);
    if (kind == static_cast<std::uint8_t>(Node::Kind::Match)) {
      n.kind = Node::Kind::Match;
      n.prefix_len = v[0];
      n.suffix_len = v[1];
      n.prefix_tree = v[2];
      n.suffix_tree = v[3];
      for (const tree_id child : {n.prefix_tree, n.suffix_tree})
        if (child != NULL_TREE && child >= i) r.fail(which + " refers forward to node " + std::to_string(child));
      // The builder only leaves a side empty when nothing is cut there.
      if (n.prefix_tree == NULL_TREE && n.prefix_len != 0) r.fail(which + " cuts a prefix it never rewrites");
      if (n.suffix_tree == NULL_TREE && n.suffix_len != 0) r.fail(which + " cuts a suffix it never rewrites");
    } else if (kind == static_cast<std::uint8_t>(Node::Kind::Subst)) {
      n.kind = Node::Kind::Subst;
      n.orig = v[0];
      n.subst = v[1];
      if (n.orig >= n_strings || n.subst >= n_strings) r.fail(which + " names a string that does not exist");
      if (v[2] != 0 || v[3] != 0) r.fail(which + " has non-zero padding");
    } else {
      r.fail(which + " has unknown kind " + std::to_string(kind));
    }
    std::uint32_t d = 1;
    for (const tree_id child : {n.prefix_tree, n.suffix_tree})
      if (n.kind == Node::Kind::Match && child != NULL_TREE) d = std::max(d, depth[child] + 1);
    if (d > kMaxDepth) r.fail(which + " nests deeper than " + std::to_string(kMaxDepth) + " levels");
    depth.push_back(d);
    if (!t.node_ids_.emplace(n, i).second) r.fail(which + " repeats node " + std::to_string(t.node_ids_.at(n)));
    t.nodes_.push_back(n);
  }
  if (r.left() != 0) r.fail(std::to_string(r.left()) + " trailing bytes");
  return t;
}

}  // namespace weft
