#include "strings/tlds.hpp"

#include <unicode/locid.h>

#include <string>
#include <unordered_set>

namespace weft::detail {

namespace {

// Generic domains seen in running text. New generic domains that are everyday words ("live", "today",
// "world") are left out on purpose: "end.today" with a missing space is far more common than a URL.
constexpr std::string_view kGeneric[] = {
    "com", "org", "net", "edu", "gov", "mil", "int", "arpa", "aero", "asia", "biz", "cat", "coop",
    "info", "jobs", "mobi", "museum", "name", "post", "pro", "tel", "travel", "xxx", "app", "dev",
    "blog", "shop", "store", "online", "site", "xyz", "tech", "cloud", "onion",
};

// Country-code domains that are not (or no longer) ISO 3166 region codes.
constexpr std::string_view kExtraCountry[] = {"uk", "eu", "ac", "su", "tp", "yu", "an"};

std::unordered_set<std::string> build() {
  std::unordered_set<std::string> set;
  for (auto t : kGeneric) set.emplace(t);
  for (auto t : kExtraCountry) set.emplace(t);
  // Country-code domains are the ISO 3166-1 alpha-2 codes; ICU ships the current list.
  for (const char* const* c = icu::Locale::getISOCountries(); *c != nullptr; ++c) {
    std::string code(*c);
    for (char& ch : code)
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch + 32);
    set.insert(std::move(code));
  }
  return set;
}

}  // namespace

bool is_known_tld(std::string_view tld) {
  static const std::unordered_set<std::string> kTlds = build();
  if (tld.size() < 2 || tld.size() > 16) return false;
  return kTlds.count(std::string(tld)) != 0;
}

}  // namespace weft::detail
