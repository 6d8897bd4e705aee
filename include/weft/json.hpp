// The mutable JSON tree used for configs, model meta data and rule files (nlohmann::json). Streams of
// input records (JSONL) are parsed with simdjson instead, which is much faster but read-only.
#pragma once

#include <nlohmann/json.hpp>
#include <initializer_list>
#include <string>
#include <string_view>

namespace weft {

using Json = nlohmann::ordered_json;

// Parses JSON text; throws FormatError naming `source` and the line/column of a syntax error.
Json parse_json(std::string_view text, const std::string& source);
// Checks that every key of the object `config` is one of `known`; keys starting with "_" are
// comments ("_doc") and allowed everywhere. Throws ConfigError `unknown key "K" in WHAT (known: A,
// B, ...)`, with `where` (a file) when given. The one check behind every config reader.
void check_config_keys(const Json& config, std::initializer_list<std::string_view> known, const std::string& what,
                       const std::string& where = "");
// Reads and parses a JSON file; throws IOError / FormatError naming the path.
Json read_json_file(const std::string& path);
// Reads a whole file into a string; throws IOError naming the path.
std::string read_file(const std::string& path);
// Writes text to a file (atomically: temp file then rename); throws IOError naming the path.
void write_file(const std::string& path, std::string_view text);

}  // namespace weft
