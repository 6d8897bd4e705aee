// Weights on disk in the safetensors format (what Hugging Face and spaCy-curated models share): an
// 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte range,
// then the raw little-endian tensors, packed without gaps. Storage is f32 or f16 (halving model size);
// in memory tensors are always f32. Loading checks every claim of the header against the file before
// reading a byte of data and names the file and tensor on failure.
#pragma once

#include <istream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "weft/backend/tensor.hpp"

namespace weft::nn {

enum class StorageType { F32, F16 };

using NamedTensors = std::vector<std::pair<std::string, backend::Tensor>>;

struct SafeTensors {
  NamedTensors tensors;                          // f32, on the CPU, in file order
  std::map<std::string, std::string> metadata;  // the header's "__metadata__"
};

// Writes f32 tensors (any device) stored as `storage`; IOError when the file cannot be written.
void save_safetensors(const std::string& path, const NamedTensors& tensors, StorageType storage,
                      const std::map<std::string, std::string>& metadata = {});
// FormatError for a malformed file, IOError when it cannot be read.
SafeTensors load_safetensors(const std::string& path);
// The same from a seekable stream (weights held in memory: an std::istringstream over the bytes);
// `source` names it in errors.
SafeTensors load_safetensors(std::istream& in, const std::string& source);

}  // namespace weft::nn
