// The JSONL reader (simdjson) over arbitrary bytes: strict (stopping at the first bad line), then with
// skip_bad (reads to the end). Annotated records' Docs are exercised and written in every format
// (fuzz_common.hpp); raw-text records are tokenized as `weft run` would.
#include <cstddef>
#include <cstdint>

#include "fuzz_common.hpp"
#include "weft/pipeline/pipeline.hpp"

using namespace weft;

namespace {

const Pipeline& nlp() {
  static const Pipeline p = Pipeline::blank("en");
  return p;
}

void use(const JsonlRecord& rec) {
  if (rec.doc) {
    weft_fuzz::exercise_doc(*rec.doc);
  } else {
    // The reader hands out text only after checking it: tokenizing it cannot fail.
    weft_fuzz::must_succeed("tokenizing a JSONL record's text", [&] { (void)nlp().make_doc(rec.text); });
  }
  if (!rec.meta_json.empty())
    weft_fuzz::must_succeed("parsing a record's meta", [&] { FUZZ_CHECK(parse_json(rec.meta_json, "meta").is_object()); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  {
    std::istringstream in(bytes);
    JsonlReader reader(in, nlp().vocab(), "<fuzz>");
    weft_fuzz::expect_errors([&] {
      while (auto rec = reader.next()) use(*rec);
    });
  }
  {
    std::istringstream in(bytes);
    JsonlReader reader(in, nlp().vocab(), "<fuzz>", /*skip_bad=*/true);
    weft_fuzz::must_succeed("reading JSONL with skip_bad", [&] {
      while (auto rec = reader.next()) use(*rec);
    });
  }
  return 0;
}
