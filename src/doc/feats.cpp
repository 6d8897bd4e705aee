#include "feats.hpp"
#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

namespace weft::doc_detail {

bool less_nocase(std::string_view a, std::string_view b) {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](unsigned char x, unsigned char y) {
    return std::tolower(x) < std::tolower(y);
  });
}

std::optional<std::string> canonical_feats(std::string_view feats, bool case_insensitive) {
  if (feats.empty() || feats == "_") return std::string();
  const auto less = [case_insensitive](const std::string& a, const std::string& b) {
    return case_insensitive ? less_nocase(a, b) : a < b;
  };
  std::vector<std::pair<std::string, std::string>> items;  // (name, sorted values joined)
  std::size_t pos = 0;
  while (pos <= feats.size()) {
    std::size_t bar = feats.find('|', pos);
    if (bar == std::string_view::npos) bar = feats.size();
    const std::string_view item = feats.substr(pos, bar - pos);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0 || eq + 1 == item.size()) return std::nullopt;
    std::string name(item.substr(0, eq));
    for (const auto& [n, _] : items)
      if (n == name) return std::nullopt;  // a feature given twice
    std::vector<std::string> values;
    std::string_view rest = item.substr(eq + 1);
    std::size_t vpos = 0;
    while (vpos <= rest.size()) {
      std::size_t comma = rest.find(',', vpos);
      if (comma == std::string_view::npos) comma = rest.size();
      if (comma == vpos) return std::nullopt;  // an empty value
      values.emplace_back(rest.substr(vpos, comma - vpos));
      vpos = comma + 1;
    }
    std::sort(values.begin(), values.end(), less);
    std::string joined;
    for (const auto& v : values) joined += (joined.empty() ? "" : ",") + v;
    items.emplace_back(std::move(name), std::move(joined));
    pos = bar + 1;
  }
  // UD sorts by feature name ignoring case; spaCy sorts the "Name=Values" strings by bytes.
  std::sort(items.begin(), items.end(), [&](const auto& a, const auto& b) {
    return case_insensitive ? less_nocase(a.first, b.first) : a.first + "=" + a.second < b.first + "=" + b.second;
  });
  std::string out;
  for (const auto& [n, v] : items) out += (out.empty() ? "" : "|") + n + "=" + v;
  return out;
}

}  // namespace weft::doc_detail
