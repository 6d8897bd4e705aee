// Levenshtein distance for the Matcher's FUZZY predicates, with spaCy's rule for how many edits a
// pattern string allows (spacy/matcher/levenshtein.pyx, levenshtein_compare). Distances count
// insertions, deletions and substitutions of code points, as polyleven does on Python strings.
#pragma once

#include <cstddef>
#include <string_view>

namespace weft::matcher_detail {

// The edit distance between two UTF-8 strings in code points, or max_edits + 1 as soon as it is known
// to exceed max_edits.
std::size_t levenshtein(std::string_view a, std::string_view b, std::size_t max_edits);

// spaCy's levenshtein_compare(input, pattern, fuzzy): fuzzy >= 0 allows that many edits; fuzzy < 0
// (plain "FUZZY") allows max(2, round(0.3 * code points of the pattern)) edits, rounding half to even
// as Python's round does.
std::size_t allowed_edits(std::string_view pattern, int fuzzy);
bool levenshtein_compare(std::string_view input, std::string_view pattern, int fuzzy);

}  // namespace weft::matcher_detail
