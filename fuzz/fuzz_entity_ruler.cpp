// EntityRuler patterns from a JSONL patterns file (the input; add_patterns_jsonl, which from_disk
// uses for <component>/patterns.jsonl), one line per pattern ({"label": ..., "pattern": "a phrase" or
// [token specs], "id": ...}), into two rulers (the default settings, and LOWER phrases with
// overwrite_ents), then applied to the fixed Docs (fixed_docs.hpp; unless the token patterns' optional
// specs would make matching take seconds, pattern_cost). A ruler that took the patterns
// saves them (to_disk) and loads the same number back (from_disk).
#include <cstddef>
#include <cstdint>

#include "fixed_docs.hpp"
#include "fuzz_common.hpp"
#include "weft/components/entity_ruler/entity_ruler.hpp"

using namespace weft;
namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path dir = weft_fuzz::temp_dir() / "ruler";
  fs::create_directories(dir);
  const fs::path file = dir / "input.jsonl";
  write_file(file.string(), std::string_view(reinterpret_cast<const char*>(data), size));
  // The token patterns' matching cost (fixed_docs.hpp): the rulers take any patterns, but are applied
  // only where matching them cannot take seconds by the algorithm's design.
  double cost = 0;
  {
    std::istringstream lines(std::string(reinterpret_cast<const char*>(data), size));
    std::string line;
    while (std::getline(lines, line)) {
      const Json p = Json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (p.is_object() && p.contains("pattern")) cost += weft_fuzz::pattern_cost(p["pattern"]);
    }
  }
  const Json configs[] = {Json::object(), Json{{"phrase_matcher_attr", "LOWER"}, {"overwrite_ents", true}}};
  for (const Json& config : configs) {
    EntityRuler ruler("ruler", config, weft_fuzz::nlp().vocab());
    ruler.set_tokenizer(weft_fuzz::nlp().tokenizer_ptr());  // as in a pipeline: no tokenizer built per input
    if (!weft_fuzz::expect_errors([&] { ruler.add_patterns_jsonl(file); })) {
      FUZZ_CHECK(ruler.empty());  // all or nothing
      return 0;
    }
    for (const Doc& fixed : weft_fuzz::fixed_docs()) {
      if (cost > weft_fuzz::kMaxPatternCost) break;
      Doc doc = fixed;
      weft_fuzz::expect_errors([&] {
        ruler(doc);
        for (const Span& e : doc.ents()) FUZZ_CHECK(e.start() < e.end() && e.end() <= doc.size());
      });
    }
    weft_fuzz::must_succeed("saving the patterns and loading them back", [&] {
      const fs::path saved = dir / "saved";
      fs::remove_all(saved);
      ruler.to_disk(saved);
      EntityRuler back("ruler", config, weft_fuzz::nlp().vocab());
      back.set_tokenizer(weft_fuzz::nlp().tokenizer_ptr());
      back.from_disk(saved);
      FUZZ_CHECK(back.size() == ruler.size());
      FUZZ_CHECK(back.patterns() == ruler.patterns());
    });
  }
  return 0;
}
