// The safetensors loader over arbitrary bytes (load_safetensors on an in-memory stream, the same code
// as loading a file). A file it accepts must hold exactly the tensors its header describes.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "fuzz_common.hpp"
#include "weft/nn/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  weft::nn::SafeTensors st;
  if (!weft_fuzz::expect_errors([&] { st = weft::nn::load_safetensors(in, "<fuzz>"); })) return 0;
  std::size_t bytes = 0;
  for (const auto& [name, t] : st.tensors) {
    FUZZ_CHECK(name != "__metadata__");
    bytes += static_cast<std::size_t>(t.numel()) * 2;  // at least f16's share of the data
  }
  FUZZ_CHECK(bytes <= size);
  return 0;
}
