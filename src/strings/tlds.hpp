// The top-level domains that make a dotted word look like a URL ("example.com", "spacy.io"): LIKE_URL
// needs them because most dotted words ("e.g", "U.S", "3.14") are not addresses.
#pragma once

#include <string_view>

namespace weft::detail {

// True for a known top-level domain written in lowercase ASCII ("com", "de", "io"); matching is
// case-sensitive as in spaCy, so "end.It" (a missing space) is not read as an Italian domain.
bool is_known_tld(std::string_view tld);

}  // namespace weft::detail
