// DocBin::from_bytes and get_docs over arbitrary bytes. The trailing XXH3 checksum would stop the
// fuzzer at the first changed byte, so the target writes the right checksum into the input's last 8
// bytes first (inputs starting with "!" keep theirs, so the checksum test itself is covered too).
// Every Doc read is exercised and written in every format (fuzz_common.hpp).
#include <xxhash.h>

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
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (!bytes.empty() && bytes[0] == '!') {
    bytes.erase(0, 1);
  } else if (bytes.size() >= 8) {
    const std::uint64_t sum = XXH3_64bits(bytes.data(), bytes.size() - 8);
    for (int k = 0; k < 8; ++k) bytes[bytes.size() - 8 + k] = static_cast<char>((sum >> (8 * k)) & 0xFF);
  }
  std::vector<Doc> docs;
  if (!weft_fuzz::expect_errors([&] { docs = DocBin::from_bytes(bytes, "<fuzz>").get_docs(vocab()); })) return 0;
  for (const Doc& doc : docs) weft_fuzz::exercise_doc(doc);
  return 0;
}
