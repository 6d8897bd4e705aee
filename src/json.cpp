#include "weft/json.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "weft/error.hpp"

namespace weft {

Json parse_json(std::string_view text, const std::string& source) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    // Turn the byte offset nlohmann reports into a line and column.
    std::uint64_t line = 1, col = 1;
    const std::size_t end = std::min<std::size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
    for (std::size_t i = 0; i < end; ++i) {
      if (text[i] == '\n') { ++line; col = 1; } else { ++col; }
    }
    std::string what = e.what();
    if (auto p = what.find("syntax error"); p != std::string::npos) what = what.substr(p);
    throw FormatError("invalid JSON: " + what, Location{source, line, col});
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError("cannot open file for reading", Location{path});
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw IOError("error while reading", Location{path});
  return std::move(ss).str();
}

Json read_json_file(const std::string& path) { return parse_json(read_file(path), path); }

void write_file(const std::string& path, std::string_view text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw IOError("cannot open file for writing", Location{tmp});
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) throw IOError("error while writing", Location{tmp});
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw IOError("cannot rename " + tmp + " into place", Location{path});
}

}  // namespace weft
