#include "strings/lex_like.hpp"

#include <re2/re2.h>

#include <cstring>
#include <string>

#include "strings/tlds.hpp"
#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != prefix[i]) return false;
  }
  return true;
}

bool all_ascii_alpha(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

// Nd digits only (any script), at least one.
bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  std::size_t i = 0;
  while (i < s.size())
    if (!unicode::is_digit(utf8::next(s, i))) return false;
  return true;
}

}  // namespace

namespace detail {

bool like_num_lowered(std::string_view t, const LexAttrData& data) {
  if (!t.empty() && (t[0] == '+' || t[0] == '-' || t[0] == '~'))
    t.remove_prefix(1);
  else if (t.starts_with("\xC2\xB1"))  // ±
    t.remove_prefix(2);

  // Separators are dropped as in spaCy ("10,000", "3.14"); only build a copy when there are some.
  std::string stripped;
  if (t.find_first_of(",.") != std::string_view::npos) {
    stripped.reserve(t.size());
    for (const char c : t)
      if (c != ',' && c != '.') stripped += c;
    t = stripped;
  }
  if (all_digits(t)) return true;
  if (const auto slash = t.find('/'); slash != std::string_view::npos && t.find('/', slash + 1) == std::string_view::npos)
    if (all_digits(t.substr(0, slash)) && all_digits(t.substr(slash + 1))) return true;
  if (t.empty()) return false;
  // Number words start with a letter; skipping the lookup otherwise saves hashing most punctuation.
  const auto first = static_cast<unsigned char>(t[0]);
  if (!data.num_words.empty() && (first >= 0x80 || (first >= 'a' && first <= 'z')) &&
      data.num_words.count(std::string(t)))
    return true;
  for (const auto& suffix : data.ordinal_suffixes)
    if (t.size() > suffix.size() && t.ends_with(suffix) && all_digits(t.substr(0, t.size() - suffix.size())))
      return true;
  return false;
}

}  // namespace detail

namespace lex {

bool like_num(std::string_view s, const LexAttrData& data) { return detail::like_num_lowered(lower(s), data); }

bool like_url(std::string_view s) {
  if (s.empty()) return false;
  // Whatever follows a scheme functions as a URL in running text, valid or not.
  if (starts_with_ci(s, "http://") || starts_with_ci(s, "https://") || starts_with_ci(s, "ftp://")) return true;
  if (starts_with_ci(s, "www.") && s.size() >= 5) return true;
  if (s.front() == '.' || s.back() == '.') return false;
  // Addresses are LIKE_EMAIL; rejecting '@' here keeps the two flags apart.
  if (s.find('@') != std::string_view::npos) return false;
  const auto last_dot = s.rfind('.');
  if (last_dot == std::string_view::npos) return false;

  // spaCy's rule: the text after the last dot, up to a port, is a known domain or ends a path with '/'.
  std::string_view tail = s.substr(last_dot + 1);
  tail = tail.substr(0, tail.find(':'));
  if (tail.ends_with('/')) return true;
  if (all_ascii_alpha(tail) && detail::is_known_tld(tail)) return true;

  // Also a host with a path, query or fragment ("example.com/index.html"), whose last dot is in the path.
  const std::string_view host = s.substr(0, s.find_first_of("/?#"));
  if (host.size() == s.size()) return false;
  const auto host_dot = host.rfind('.');
  if (host_dot == std::string_view::npos) return false;
  std::string_view tld = host.substr(host_dot + 1);
  tld = tld.substr(0, tld.find(':'));
  return all_ascii_alpha(tld) && detail::is_known_tld(tld);
}

bool like_email(std::string_view s) {
  if (s.size() < 6 || std::memchr(s.data(), '@', s.size()) == nullptr) return false;
  // RFC 5322 "dot-atom" local part, dot-separated host labels, an alphabetic top-level domain.
  static const RE2 kEmail(
      R"([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
      R"(@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,})");
  return RE2::FullMatch(re2::StringPiece(s.data(), s.size()), kEmail);
}

}  // namespace lex

}  // namespace weft
