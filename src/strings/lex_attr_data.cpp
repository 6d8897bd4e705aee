// LexAttrData's JSON form (a language's lex_attrs.json).
#include <algorithm>
#include <string>
#include <vector>

#include "weft/error.hpp"
#include "weft/json.hpp"
#include "weft/strings/lexeme.hpp"
#include "weft/strings/unicode.hpp"

namespace weft {

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& cause) {
  throw FormatError(cause, Location{source});
}

std::vector<std::string> string_array(const Json& doc, const char* key, const std::string& source) {
  std::vector<std::string> out;
  const auto it = doc.find(key);
  if (it == doc.end()) return out;
  if (!it->is_array()) fail(source, std::string("\"") + key + "\" must be an array of strings");
  out.reserve(it->size());
  for (const auto& v : *it) {
    if (!v.is_string()) fail(source, std::string("\"") + key + "\" must be an array of strings, found " + v.dump());
    out.push_back(unicode::lower(v.get<std::string>()));
  }
  return out;
}

std::vector<std::string> sorted(const std::unordered_set<std::string>& set) {
  std::vector<std::string> v(set.begin(), set.end());
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

LexAttrData LexAttrData::from_json(std::string_view json, const std::string& source) {
  const Json doc = parse_json(json, source);
  if (!doc.is_object()) fail(source, "lexical attribute data must be a JSON object");
  check_config_keys(doc, {"stop_words", "num_words", "norm_exceptions", "ordinal_suffixes"}, "lexical attribute data", source);
  LexAttrData data;
  for (auto& w : string_array(doc, "stop_words", source)) data.stop_words.insert(std::move(w));
  for (auto& w : string_array(doc, "num_words", source)) data.num_words.insert(std::move(w));
  data.ordinal_suffixes = string_array(doc, "ordinal_suffixes", source);
  if (const auto it = doc.find("norm_exceptions"); it != doc.end()) {
    if (!it->is_object()) fail(source, "\"norm_exceptions\" must be an object mapping strings to strings");
    for (const auto& [key, value] : it->items()) {
      if (!value.is_string())
        fail(source, "\"norm_exceptions\" value for \"" + key + "\" must be a string, found " + value.dump());
      data.norm_exceptions[unicode::lower(key)] = value.get<std::string>();
    }
  }
  return data;
}

std::string LexAttrData::to_json() const {
  // Sorted so that saving the same data twice gives the same file.
  Json doc = Json::object();
  doc["stop_words"] = sorted(stop_words);
  doc["num_words"] = sorted(num_words);
  Json norms = Json::object();
  std::vector<std::pair<std::string, std::string>> pairs(norm_exceptions.begin(), norm_exceptions.end());
  std::sort(pairs.begin(), pairs.end());
  for (const auto& [k, v] : pairs) norms[k] = v;
  doc["norm_exceptions"] = std::move(norms);
  doc["ordinal_suffixes"] = ordinal_suffixes;
  return doc.dump(2);
}

}  // namespace weft
