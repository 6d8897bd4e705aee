#include "render/templates.hpp"

#include "weft/error.hpp"

namespace weft::render::tpl {

std::string minified(std::string_view tpl) {
  std::string s(tpl), out;
  for (std::size_t i = 0; i < s.size();) {
    if (s.compare(i, 4, "    ") == 0) {
      i += 4;
    } else {
      out += s[i++];
    }
  }
  std::string no_newlines;
  for (char c : out)
    if (c != '\n') no_newlines += c;
  return no_newlines;
}

void fill(std::string& out, std::string_view tpl, const Values& values, std::string_view what) {
  std::size_t i = 0;
  while (i < tpl.size()) {
    const char c = tpl[i];
    if (c == '{') {
      if (i + 1 < tpl.size() && tpl[i + 1] == '{') {
        out += '{';
        i += 2;
        continue;
      }
      const std::size_t close = tpl.find('}', i + 1);
      if (close == std::string_view::npos)
        throw ValueError(std::string(what) + ": unmatched '{' in template");
      const std::string_view name = tpl.substr(i + 1, close - i - 1);
      const auto it = values.find(name);
      if (it == values.end()) {
        std::string known;
        for (const auto& [k, v] : values) known += (known.empty() ? "" : ", ") + std::string(k);
        throw ValueError(std::string(what) + ": unknown placeholder {" + std::string(name) + "} in template (known: " +
                         known + ")");
      }
      out += it->second;
      i = close + 1;
    } else if (c == '}') {
      if (i + 1 < tpl.size() && tpl[i + 1] == '}') {
        out += '}';
        i += 2;
        continue;
      }
      throw ValueError(std::string(what) + ": single '}' in template");
    } else {
      const std::size_t next = tpl.find_first_of("{}", i);
      const std::size_t stop = next == std::string_view::npos ? tpl.size() : next;
      out.append(tpl.substr(i, stop - i));
      i = stop;
    }
  }
}

std::string fill(std::string_view tpl, const Values& values, std::string_view what) {
  std::string out;
  out.reserve(tpl.size() + 64);
  fill(out, tpl, values, what);
  return out;
}

}  // namespace weft::render::tpl
