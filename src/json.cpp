#include "weft/json.hpp"

#include <algorithm>
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
  } catch (const nlohmann::json::exception& e) {
    // Errors found while converting a token, such as a number too large for a double (out_of_range.406,
    // "number overflow parsing '1e999'"), carry no offset: the quoted token gives the place.
    std::string what = e.what();
    if (auto p = what.find("] "); what.rfind("[json.exception.", 0) == 0 && p != std::string::npos) what = what.substr(p + 2);
    Location where{source};
    if (const auto q = what.find('\''); q != std::string::npos) {
      const auto q2 = what.find('\'', q + 1);
      const std::string token = what.substr(q + 1, q2 == std::string::npos ? std::string::npos : q2 - q - 1);
      if (const std::size_t at = token.empty() ? std::string_view::npos : text.find(token); at != std::string_view::npos) {
        where.line = 1;
        where.column = 1;
        for (std::size_t i = 0; i < at; ++i) {
          if (text[i] == '\n') { ++where.line; where.column = 1; } else { ++where.column; }
        }
      }
    }
    throw FormatError("invalid JSON: " + what, where);
  }
}

void check_config_keys(const Json& config, std::initializer_list<std::string_view> known, const std::string& what,
                       const std::string& where) {
  if (!config.is_object()) return;
  for (auto it = config.begin(); it != config.end(); ++it) {
    const std::string& key = it.key();
    if (!key.empty() && key[0] == '_') continue;
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (const std::string_view k : known) {
      if (!k.empty() && k[0] == '@') continue;  // registry references are not settings
      list += (list.empty() ? "" : ", ") + std::string(k);
    }
    throw ConfigError("unknown key \"" + key + "\" in " + what + " (known: " + list + ")", Location{where});
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
