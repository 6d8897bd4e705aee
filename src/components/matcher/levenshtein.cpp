#include "levenshtein.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "weft/strings/utf8.hpp"

namespace weft::matcher_detail {

namespace {

// Decodes into a reused buffer (FUZZY predicates run once per token and pattern string).
void decode(std::string_view s, std::vector<char32_t>& out) {
  out.clear();
  for (std::size_t i = 0; i < s.size();) out.push_back(utf8::next(s, i));
}

}  // namespace

std::size_t levenshtein(std::string_view a_utf8, std::string_view b_utf8, std::size_t max_edits) {
  thread_local std::vector<char32_t> a, b;
  thread_local std::vector<std::size_t> row;
  decode(a_utf8, a);
  decode(b_utf8, b);
  if (a.size() < b.size()) std::swap(a, b);  // b is the shorter: one row of |b| + 1 cells
  const std::size_t n = a.size(), m = b.size();
  if (n - m > max_edits) return max_edits + 1;  // at least n - m insertions are needed
  row.resize(m + 1);
  for (std::size_t j = 0; j <= m; ++j) row[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    std::size_t diag = row[0];  // D[i-1][j-1]
    row[0] = i;
    std::size_t best = row[0];
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t up = row[j];  // D[i-1][j]
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({up + 1, row[j - 1] + 1, diag + cost});
      diag = up;
      best = std::min(best, row[j]);
    }
    if (best > max_edits) return max_edits + 1;  // every path through this row already costs too much
  }
  return std::min(row[m], max_edits + 1);
}

std::size_t allowed_edits(std::string_view pattern, int fuzzy) {
  if (fuzzy >= 0) return static_cast<std::size_t>(fuzzy);
  // Python's round(0.3 * len(pattern)): the same double product, rounded half to even (nearbyint in
  // the default rounding mode), so 0.3 * 5 = 1.5 gives 2 and 0.3 * 15 = 4.5 gives 4, as in spaCy.
  const double scaled = 0.3 * static_cast<double>(utf8::length(pattern));
  return std::max<std::size_t>(2, static_cast<std::size_t>(std::nearbyint(scaled)));
}

bool levenshtein_compare(std::string_view input, std::string_view pattern, int fuzzy) {
  const std::size_t k = allowed_edits(pattern, fuzzy);
  return levenshtein(input, pattern, k) <= k;
}

}  // namespace weft::matcher_detail
