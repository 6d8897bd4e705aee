// The CoNLL-U reader over arbitrary bytes: one Doc per document (stopping at the first error), then one
// per sentence skipping bad sentences (skip_bad reads to the end). Every Doc read is exercised and
// written in every format (fuzz_common.hpp: what a writer writes, its reader reads back).
#include <cstddef>
#include <cstdint>

#include "fuzz_common.hpp"
#include "weft/pipeline/language.hpp"

using namespace weft;

namespace {

const std::shared_ptr<Vocab>& vocab() {
  static const std::shared_ptr<Vocab> v = make_vocab(language_data("en"));
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  {
    std::istringstream in(bytes);
    ConlluReader reader(in, vocab(), "<fuzz>");
    weft_fuzz::expect_errors([&] {
      while (auto doc = reader.next()) weft_fuzz::exercise_doc(*doc);
    });
  }
  {
    std::istringstream in(bytes);
    ConlluReadOptions options;
    options.group = ConlluReadOptions::Group::Sentence;
    options.skip_bad = true;
    ConlluReader reader(in, vocab(), "<fuzz>", options);
    weft_fuzz::must_succeed("reading CoNLL-U with skip_bad", [&] {
      while (auto doc = reader.next()) weft_fuzz::exercise_doc(*doc);
    });
  }
  return 0;
}
