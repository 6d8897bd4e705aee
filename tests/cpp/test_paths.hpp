// Paths to test data, resolved against the source tree.
#pragma once

#include <string>

namespace weft::test {
inline std::string source_path(const std::string& rel) { return std::string(WEFT_SOURCE_DIR) + "/" + rel; }
inline std::string data_path(const std::string& rel) { return source_path("data/" + rel); }
}  // namespace weft::test
