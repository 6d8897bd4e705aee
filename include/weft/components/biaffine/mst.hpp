// Maximum spanning tree decoding for graph-based dependency parsing: the best tree over a sentence's
// arc scores with exactly one word attached to the root, non-projective trees included.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace weft::biaffine {

// scores: n rows of n + 1 columns (row-major): scores[i * (n + 1) + j] is the score of word j - 1 as the
// head of word i (j >= 1), and column 0 that of the root as word i's head; word i's own column (j == i
// + 1) is ignored. Returns each word's head in the same numbering (0: the root, j: word j - 1), the
// highest-scoring tree with exactly one word on the root.
// When each word's best head already forms such a tree (the usual case) that is the answer, found in
// O(n^2); otherwise Chu-Liu/Edmonds runs over the scores with the root's arcs lowered by a constant
// larger than any tree's score range, so a tree with one root arc beats every tree with more (the
// single-root constraint, exactly), O(n^2) per contracted cycle.
std::vector<std::int32_t> max_spanning_tree(std::span<const float> scores, std::int32_t n);

}  // namespace weft::biaffine
