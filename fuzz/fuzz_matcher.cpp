// Matcher patterns: the input is the JSON list of patterns of Matcher.add (spaCy's format, e.g.
// [[{"LOWER": "san"}, {"IS_TITLE": true, "OP": "+"}]]), added under a key (greedy none, FIRST or
// LONGEST by the input's length) and matched over fixed Docs (fixed_docs.hpp), whole and as a Span,
// unless their optional specs would make matching take seconds (pattern_cost, fixed_docs.hpp).
// Invariants: matches are non-empty token ranges inside what was matched; removing the rule works.
#include <cstddef>
#include <cstdint>

#include "fixed_docs.hpp"
#include "fuzz_common.hpp"
#include "weft/components/matcher/matcher.hpp"

using namespace weft;

namespace {

void check_matches(const std::vector<Match>& matches, std::size_t n) {
  for (const Match& m : matches) FUZZ_CHECK(m.start < m.end && m.end <= n);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Json patterns;
  if (!weft_fuzz::expect_errors([&] { patterns = parse_json(text, "<fuzz>"); })) return 0;
  Matcher matcher(weft_fuzz::nlp().vocab());
  std::optional<Greedy> greedy;
  if (size % 3 == 1) greedy = Greedy::FIRST;
  if (size % 3 == 2) greedy = Greedy::LONGEST;
  if (!weft_fuzz::expect_errors([&] { matcher.add("KEY", patterns, {}, greedy); })) return 0;
  double cost = 0;  // patterns were accepted: a list of patterns
  for (const Json& p : patterns) cost += weft_fuzz::pattern_cost(p);
  if (cost > weft_fuzz::kMaxPatternCost) return 0;  // the algorithm's known cost (fixed_docs.hpp)
  weft_fuzz::expect_errors([&] { matcher.add("OTHER", patterns); });
  for (const Doc& fixed : weft_fuzz::fixed_docs()) {
    weft_fuzz::expect_errors([&] { check_matches(matcher.find(fixed), fixed.size()); });
    weft_fuzz::expect_errors([&] {
      MatchOptions options;
      options.allow_missing = true;
      options.with_alignments = true;
      const std::vector<Match> found = matcher.find(fixed, options);
      check_matches(found, fixed.size());
      for (const Match& m : found) FUZZ_CHECK(m.alignments.size() == m.end - m.start);
    });
    Doc doc = fixed;
    weft_fuzz::expect_errors([&] { check_matches(matcher(doc), doc.size()); });
    weft_fuzz::expect_errors([&] { (void)matcher.match_spans(doc); });
    if (doc.size() > 6) weft_fuzz::expect_errors([&] { check_matches(matcher.find(doc.span(2, 6)), 4); });
  }
  weft_fuzz::must_succeed("removing a rule that was added", [&] { matcher.remove("KEY"); });
  return 0;
}
