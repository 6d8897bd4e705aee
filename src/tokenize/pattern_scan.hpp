// pattern_scan: a conservative reading of an RE2 pattern for the tokenizer's plain-chunk shortcut.
// A chunk made only of plain_chars skips the affix rules, which is exact only while no affix rule can
// match inside such a chunk. When a rule is added at run time (set_prefixes, ...), scan_pattern tells
// which ASCII characters the rule could consume and whether it could match a non-empty string made only
// of plain characters; the tokenizer then drops those characters from plain_chars. Whatever the scan
// does not understand counts as "could consume anything", so the answer errs only towards a slower,
// never a different, tokenization.
#pragma once

#include <bitset>
#include <string_view>

namespace weft {

using AsciiSet = std::bitset<128>;

struct PatternScan {
  AsciiSet chars;                  // ASCII characters the pattern could consume somewhere
  bool nonempty_in_plain = true;   // it could match a non-empty string made only of `plain` characters
};

PatternScan scan_pattern(std::string_view pattern, const AsciiSet& plain);

}  // namespace weft
