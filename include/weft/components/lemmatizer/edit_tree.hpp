// Edit trees (Müller et al. 2015, as in spaCy's edit_tree_lemmatizer): a tree is a small program that
// turns a form into its lemma by keeping the longest common substring and rewriting what lies around it,
// so "walked"->"walk" and "talked"->"talk" share one tree and a classifier can predict it as a label.
// EditTrees interns the nodes (hash-consing), so equal trees get equal ids; lengths count code points,
// so a tree never splits a UTF-8 sequence.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace weft {

using tree_id = std::uint32_t;
// The empty subtree of a match node: nothing to rewrite on that side.
inline constexpr tree_id NULL_TREE = UINT32_MAX;

class EditTrees {
 public:
  // A match node keeps the middle of the form and rewrites its prefix and suffix with the subtrees; a
  // substitution node replaces the whole (sub)form `orig` by `subst` (both are string ids).
  struct Node {
    enum class Kind : std::uint8_t { Match = 0, Subst = 1 };
    Kind kind = Kind::Match;
    std::uint32_t prefix_len = 0;  // Match: code points before the kept middle
    std::uint32_t suffix_len = 0;  // Match: code points after it
    tree_id prefix_tree = NULL_TREE;
    tree_id suffix_tree = NULL_TREE;
    std::uint32_t orig = 0;   // Subst
    std::uint32_t subst = 0;  // Subst
    bool operator==(const Node&) const = default;
  };

  // Longest form or lemma (code points) a tree is built for: the LCS search is quadratic, and no word
  // worth a lemma is this long. Longer input throws ValueError.
  static constexpr std::uint32_t kMaxLength = 1024;

  // The id of the tree turning `form` into `lemma`, adding its nodes when new. Throws EncodingError
  // when either is not valid UTF-8.
  tree_id add(std::string_view form, std::string_view lemma);
  // The id of that tree when the table already holds it (nothing is added).
  std::optional<tree_id> find(std::string_view form, std::string_view lemma) const;

  // The lemma `tree` makes of `form`, or nullopt when the tree does not fit it (a substitution whose
  // original is not the form's piece, a form shorter than the match node's prefix + suffix). Safe on
  // any bytes: boundaries are taken between code points, never inside one.
  std::optional<std::string> apply(tree_id tree, std::string_view form) const;
  // As apply, appending to `out` (left as it was on a misfit) to spare allocations in hot loops.
  bool apply_to(tree_id tree, std::string_view form, std::string& out) const;

  // spaCy's tree_to_str: "(m 0 2 () (s 'ed' ''))". Throws IndexError for an unknown id.
  std::string to_str(tree_id tree) const;

  std::size_t size() const noexcept { return nodes_.size(); }
  const Node& node(tree_id id) const;
  std::string_view string(std::uint32_t id) const;

  // Binary form (little-endian): "WEFTEDT1", u32 string count, each (u32 byte length, bytes), u32 node
  // count, each (u8 kind, u32 x4). Children precede parents, so reading checks every reference points
  // backwards (no cycles) and that no node or string repeats (interning stays exact).
  std::string serialize() const;
  // Throws FormatError (naming `source` and the byte offset) on anything malformed or trailing.
  static EditTrees deserialize(std::string_view bytes, std::string_view source = "edit trees");

 private:
  struct NodeHash {
    std::size_t operator()(const Node& n) const noexcept;
  };
  // Self is EditTrees (add) or const EditTrees (find): one recursion, interning or only looking up.
  template <class Self>
  static std::optional<tree_id> build(Self& self, std::u32string_view form, std::u32string_view lemma);
  template <class Self>
  static std::optional<tree_id> intern(Self& self, const Node& n);
  template <class Self>
  static std::optional<std::uint32_t> intern_string(Self& self, std::u32string_view s);
  bool apply_piece(tree_id tree, std::string_view form, std::string& out) const;
  void to_str(tree_id tree, std::string& out) const;

  std::vector<Node> nodes_;
  std::unordered_map<Node, tree_id, NodeHash> node_ids_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, std::uint32_t> string_ids_;
};

}  // namespace weft
