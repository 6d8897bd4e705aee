// The parts of CoNLL-U that the reader and the writer must read the same way: the MISC items weft turns
// into Doc state (SpaceAfter=No, SpacesAfter=, SpacesBefore=, NER=), their whitespace escapes, and the
// comments that open a document or a paragraph. Sharing one definition is what lets the writer decide
// that a stored MISC column still says what the Doc says, and write it back byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace weft::conllu {

// What one MISC column says about spacing and entities. Views point into the column.
struct MiscInfo {
  enum class Space : std::uint8_t { Default, No, Explicit };
  Space after = Space::Default;    // Explicit: SpacesAfter= holds the (escaped) whitespace
  std::string_view spaces_after;   // escaped value of SpacesAfter=
  bool has_before = false;         // SpacesBefore= present
  std::string_view spaces_before;  // its escaped value
  bool has_ner = false;
  std::string_view ner;  // value of the first NER= item ("O", "B-PER")
};

// Parses the items of a MISC column ("_" has none). SpacesAfter= wins over SpaceAfter=No.
MiscInfo parse_misc(std::string_view misc) noexcept;

// Calls f(item) for each '|'-separated item of a MISC column ("_" has none).
template <class F>
void for_each_misc_item(std::string_view misc, F&& f) {
  if (misc == "_") return;
  for (;;) {
    const std::size_t bar = misc.find('|');
    f(misc.substr(0, bar));
    if (bar == std::string_view::npos) return;
    misc.remove_prefix(bar + 1);
  }
}

// Items the reader turns into whitespace (and the writer regenerates from it).
bool is_space_after_item(std::string_view item) noexcept;  // SpaceAfter=... or SpacesAfter=...
bool is_spaces_before_item(std::string_view item) noexcept;
bool is_ner_item(std::string_view item) noexcept;

// UD's escapes for whitespace in SpacesAfter/SpacesBefore: \s space, \t, \r, \n, \p '|', \\ backslash,
// \uXXXX any other character. Returns false (leaving `out` unspecified) on a malformed escape.
bool unescape_spaces(std::string_view in, std::string& out);
// Appends `text` escaped so that unescape_spaces gives it back and it is safe inside a MISC column.
void escape_spaces(std::string_view text, std::string& out);

// Splits an IOB2 tag ("O", "B-PER", "I-LOC"): iob is 'O', 'B' or 'I'; false when malformed.
bool split_ner(std::string_view tag, char& iob, std::string_view& type) noexcept;

// "# newdoc", "# newdoc id = ..." and the same for newpar.
bool is_newdoc_comment(std::string_view line) noexcept;
bool is_newpar_comment(std::string_view line) noexcept;

}  // namespace weft::conllu
