#include "doc/conllu_misc.hpp"

#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft::conllu {

namespace {
bool starts_with_key(std::string_view item, std::string_view key) noexcept {
  return item.size() >= key.size() && item.compare(0, key.size(), key) == 0;
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_u_escape(std::string& out, char32_t c) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(c >> shift) & 0xFu];
}

// "# newdoc" followed by the end, a space or " id = ...": UD allows the bare marker.
bool is_marker_comment(std::string_view line, std::string_view marker) noexcept {
  if (line.empty() || line[0] != '#') return false;
  line.remove_prefix(1);
  while (!line.empty() && line[0] == ' ') line.remove_prefix(1);
  if (!starts_with_key(line, marker)) return false;
  return line.size() == marker.size() || line[marker.size()] == ' ' || line[marker.size()] == '\t' ||
         line[marker.size()] == '=';
}
}  // namespace

bool is_space_after_item(std::string_view item) noexcept {
  return starts_with_key(item, "SpaceAfter=") || starts_with_key(item, "SpacesAfter=");
}
bool is_spaces_before_item(std::string_view item) noexcept { return starts_with_key(item, "SpacesBefore="); }
bool is_ner_item(std::string_view item) noexcept { return starts_with_key(item, "NER="); }

MiscInfo parse_misc(std::string_view misc) noexcept {
  MiscInfo info;
  bool explicit_after = false;
  for_each_misc_item(misc, [&](std::string_view item) {
    if (starts_with_key(item, "SpacesAfter=")) {
      if (!explicit_after) {
        explicit_after = true;
        info.after = MiscInfo::Space::Explicit;
        info.spaces_after = item.substr(12);
      }
    } else if (item == "SpaceAfter=No") {
      if (!explicit_after) info.after = MiscInfo::Space::No;
    } else if (starts_with_key(item, "SpacesBefore=")) {
      if (!info.has_before) {
        info.has_before = true;
        info.spaces_before = item.substr(13);
      }
    } else if (starts_with_key(item, "NER=")) {
      if (!info.has_ner) {
        info.has_ner = true;
        info.ner = item.substr(4);
      }
    }
  });
  return info;
}

bool unescape_spaces(std::string_view in, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '\\') {
      out += in[i];
      continue;
    }
    if (++i == in.size()) return false;
    switch (in[i]) {
      case 's': out += ' '; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 'p': out += '|'; break;
      case '\\': out += '\\'; break;
      case 'u': {
        if (in.size() - i < 5) return false;  // 'u' and four hex digits
        char32_t c = 0;
        for (std::size_t k = 1; k <= 4; ++k) {
          const int v = hex_value(in[i + k]);
          if (v < 0) return false;
          c = (c << 4) | static_cast<char32_t>(v);
        }
        if (c >= 0xD800 && c <= 0xDFFF) return false;  // a surrogate is not a character
        utf8::append(out, c);
        i += 4;
        break;
      }
      default: return false;
    }
  }
  return true;
}

void escape_spaces(std::string_view text, std::string& out) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      switch (b) {
        case ' ': out += "\\s"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        case '\n': out += "\\n"; break;
        case '|': out += "\\p"; break;
        case '\\': out += "\\\\"; break;
        default:
          if (b < 0x20 || b == 0x7F) append_u_escape(out, b);
          else out += static_cast<char>(b);
      }
      ++i;
      continue;
    }
    const std::size_t start = i;
    const char32_t c = utf8::next(text, i);
    // Non-ASCII whitespace (no-break space, ideographic space) would be invisible in the file.
    if (c <= 0xFFFF && unicode::is_space(c)) append_u_escape(out, c);
    else out.append(text.substr(start, i - start));
  }
}

bool split_ner(std::string_view tag, char& iob, std::string_view& type) noexcept {
  if (tag == "O") {
    iob = 'O';
    type = {};
    return true;
  }
  if (tag.size() < 3 || (tag[0] != 'B' && tag[0] != 'I') || tag[1] != '-') return false;
  iob = tag[0];
  type = tag.substr(2);
  return true;
}

bool is_newdoc_comment(std::string_view line) noexcept { return is_marker_comment(line, "newdoc"); }
bool is_newpar_comment(std::string_view line) noexcept { return is_marker_comment(line, "newpar"); }

}  // namespace weft::conllu
