// Pseudo-projective parsing (Nivre & Nilsson 2005, as in spaCy's nonproj.pyx): an arc-eager parser can
// only build projective trees, so training trees are made projective by lifting each non-projective arc
// to the head's head (smallest arc first, ties left to right, until none is left), and the lifted word's
// label records where it came from. After parsing, deprojectivize() follows those records back.
//
// A tree is one sentence: heads[i] is the absolute 0-based index of word i's head, a root word has
// heads[i] == i (spaCy's convention); labels[i] is its relation ("nsubj", "root").
//
// Decorated labels. spaCy's HEAD scheme writes "label||headlabel" and deprojectivize reattaches the word
// to the first word labelled `headlabel` found breadth-first (left to right) among the descendants of
// its current head. That guess is not always the original head, so weft extends the scheme to make the
// round trip exact on any tree:
//   "label||headlabel"     the original head is the 1st match of that search (spaCy's form, unchanged)
//   "label||headlabel||k"  it is the k-th match (k >= 2) of the same search
//   "label||headlabel||^k" it is not below the current head: the k-th match (k >= 1) of the same
//                          breadth-first search started from the sentence's roots instead
// Matches compare the undecorated part of a label (before the first "||"), the word's own subtree is
// never searched (no cycle can arise), and words are reattached in order, each search seeing the tree
// as reattached so far; projectivize() computes k against exactly that sequence, which is what makes the
// inverse exact. A decoration naming no match (a parser's guess) leaves the head where it is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weft::nonproj {

// Separates a label from its decoration.
inline constexpr std::string_view DELIMITER = "||";

struct Tree {
  std::vector<std::int32_t> heads;
  std::vector<std::string> labels;
  bool operator==(const Tree&) const = default;
};

// Whether arc heads[i] -> i is non-projective: some word strictly between them is not a descendant of
// heads[i] (Havelka 2007). Root arcs never are. Throws ValueError on heads that are not a forest.
bool is_nonproj_arc(std::int32_t word, const std::vector<std::int32_t>& heads);
// Whether no arc is non-projective. Throws ValueError on heads that are not a forest.
bool is_projective(const std::vector<std::int32_t>& heads);

// The projective tree with decorated labels (see above). Throws ValueError when the sizes differ, a
// head is out of range, the heads have a cycle or a label already contains DELIMITER.
Tree projectivize(const std::vector<std::int32_t>& heads, const std::vector<std::string>& labels);
Tree projectivize(const Tree& tree);

// Reattaches every word with a decorated label and strips the decoration; deprojectivize(projectivize(t))
// == t for every tree. Throws ValueError as projectivize does (except on decorated labels).
Tree deprojectivize(const std::vector<std::int32_t>& heads, const std::vector<std::string>& labels);
Tree deprojectivize(const Tree& tree);

// The label without its decoration ("nmod||obj" -> "nmod").
std::string_view base_label(std::string_view label) noexcept;

}  // namespace weft::nonproj
