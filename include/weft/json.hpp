// The mutable JSON tree used for configs, model meta data and rule files (nlohmann::json). Streams of
// input records (JSONL) are parsed with simdjson instead, which is much faster but read-only.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace weft {

using Json = nlohmann::ordered_json;

// Parses JSON text; throws FormatError naming `source` and the line/column of a syntax error.
Json parse_json(std::string_view text, const std::string& source);
// Reads and parses a JSON file; throws IOError / FormatError naming the path.
Json read_json_file(const std::string& path);
// Reads a whole file into a string; throws IOError naming the path.
std::string read_file(const std::string& path);
// Writes text to a file (atomically: temp file then rename); throws IOError naming the path.
void write_file(const std::string& path, std::string_view text);

}  // namespace weft
