// displaCy-class rendering: dependency parses as SVG, entities and span groups as HTML, with spaCy's
// displaCy markup (its templates, element structure, class names, geometry and colour scheme), so that
// CSS and habits written for displaCy carry over. The one implementation behind `weft render` and
// weft.displacy (Python).
//
// Two stages, as in spaCy: a Doc becomes a parse (parse_deps / parse_ents / parse_spans: words and
// arcs, text and entity offsets, tokens and spans; displaCy's "manual" dicts are the same parses as
// JSON), and a Renderer turns parses into markup items (one <svg> per parse for "dep", one <div> for
// "ent" and "span"), which `render` joins or, for a page, wraps in <figure>s inside an HTML5 page.
//
// Every piece of text that reaches the markup (words, tags, lemmas, labels, titles, option values put
// into attributes) is HTML-escaped: & < > " become entities and control characters, which HTML5 does
// not allow in text, become U+FFFD. kb_id values are percent-encoded into kb_url_template.
//
// Departures from spaCy 3.8 (docs/architecture.md, "Rendering"): options are checked (an unknown key
// is a ConfigError naming the known ones, a bad value a ValueError) where displaCy ignores them; ids
// are a hash of the rendered content instead of a random uuid, so output is reproducible; arc levels
// are ordered (length, start, end, label) where displaCy's order among arcs of equal length is the
// iteration order of a Python set; "minify" removes only the templates' indentation, never whitespace
// inside the text; "per_sentence" (weft's) draws one SVG per sentence; the span style keeps each
// token's own whitespace (displaCy puts one space after every token); PER has PERSON's colour.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/doc/doc.hpp"
#include "weft/json.hpp"

namespace weft::render {

enum class Style { Dep, Ent, Span };
// "dep", "ent" or "span"; ValueError naming the known ones otherwise.
Style style_from_name(std::string_view name);
std::string_view style_name(Style style) noexcept;

// A number as Python computes it, an int or a float, so that coordinates print as displaCy prints
// them ("50", "264.5", "175.0"). Arithmetic follows Python: int op int is an int, except "/".
struct Num {
  double v = 0.0;
  bool is_float = false;
  constexpr Num() = default;
  constexpr Num(int i) : v(i) {}  // NOLINT: ints convert, as in Python
  constexpr Num(double d, bool f) : v(d), is_float(f) {}
  static constexpr Num real(double d) { return {d, true}; }
  friend constexpr Num operator+(Num a, Num b) { return {a.v + b.v, a.is_float || b.is_float}; }
  friend constexpr Num operator-(Num a, Num b) { return {a.v - b.v, a.is_float || b.is_float}; }
  friend constexpr Num operator*(Num a, Num b) { return {a.v * b.v, a.is_float || b.is_float}; }
  friend constexpr Num operator/(Num a, Num b) { return {a.v / b.v, true}; }
  friend constexpr Num operator-(Num a) { return {-a.v, a.is_float}; }
};
// str() of the number in Python: an int's digits, a float's repr ("264.5", "352.0", "1e+16").
std::string format_num(Num n);

// The options of the dependency style (displaCy's names and defaults; arrow_spacing, arrow_width and
// distance default smaller when compact).
struct DepOptions {
  bool compact = false;
  bool collapse_punct = true;     // merge punctuation into the word before it
  bool collapse_phrases = false;  // merge noun chunks into one word
  bool fine_grained = false;      // tag_ under each word instead of pos_
  bool add_lemma = false;         // the lemma between word and tag
  bool per_sentence = false;      // weft: one SVG per sentence instead of one per Doc
  Num word_spacing = 45;
  Num arrow_spacing = 20;
  Num arrow_width = 10;
  Num arrow_stroke = 2;
  Num distance = 175;
  Num offset_x = 50;
  std::string color = "#000000";
  std::string bg = "#ffffff";
  std::string font = "Arial";
};

// Entity style: which labels to mark (upper case; all when unset), colours per label (upper case,
// displaCy's scheme with the options' colours over it), links for kb ids, a replacement template.
struct EntOptions {
  std::optional<std::vector<std::string>> ents;
  std::map<std::string, std::string> colors;
  std::string kb_url_template;  // "{}" is replaced by the percent-encoded kb_id; "" = "#"
  std::string template_;        // placeholders {text} {label} {bg} {kb_link} and params; "" = displaCy's
};

// Span style: the span group to draw (doc.spans[spans_key]) and the geometry of the stacked lines.
struct SpanOptions {
  std::string spans_key = "sc";
  std::map<std::string, std::string> colors;
  std::string kb_url_template;
  Num top_offset = 40;
  Num span_label_offset = 20;
  Num top_offset_step = 17;
  // Replacement templates (all three or none): span {text} {span_slices} {span_starts}
  // {total_height}, slice {bg} {top_offset}, start {bg} {top_offset} {label} {kb_link}.
  std::string template_span, template_slice, template_start;
};

struct Options {
  Style style = Style::Dep;
  DepOptions dep;
  EntOptions ent;
  SpanOptions span;
  bool page = false;    // a whole HTML5 page, each item in a <figure>
  bool minify = false;  // the templates without their newlines and indentation

  // The options of `style` from a displaCy options object (spaCy's keys, plus weft's per_sentence).
  // ConfigError for a key the style does not know (naming the known ones), ValueError for a value of
  // the wrong type or out of range.
  static Options from_json(Style style, const Json& options);
};

// displaCy's entity colours (label -> CSS colour), plus PER with PERSON's.
const std::map<std::string, std::string>& default_colors();
inline constexpr std::string_view kDefaultEntityColor = "#ddd";

// The language and writing direction the markup is declared with (the first parse's, as displaCy).
struct Settings {
  std::string lang = "en";
  std::string direction = "ltr";  // or "rtl"
};

struct DepWord {
  std::string text, tag;
  std::optional<std::string> lemma;
};
struct DepArc {
  std::int64_t start = 0, end = 0;  // word indices, start < end
  std::string label;
  std::string dir;  // "left": the arrow points at start (the dependent is start); "right": at end
};
struct DepParse {
  std::vector<DepWord> words;
  std::vector<DepArc> arcs;
  std::string title;  // shown above the SVG when not empty
  Settings settings;
};

struct EntMark {
  std::size_t start = 0, end = 0;  // byte offsets into the text
  std::string label, kb_id, kb_url;
  std::map<std::string, std::string> params;  // extra values for a custom template
};
struct EntParse {
  std::string text;
  std::vector<EntMark> ents;  // sorted, not overlapping
  std::string title;
  Settings settings;
};

struct SpanMark {
  std::size_t start_token = 0, end_token = 0;
  std::size_t start_char = 0, end_char = 0;  // code points (parse_spans fills them; drawing does not use them)
  std::string label, kb_id, kb_url;
};
struct SpanParse {
  std::string text;
  std::vector<std::string> tokens;
  std::vector<std::string> whitespace;  // after each token (empty for a parse without it: one space)
  std::vector<SpanMark> spans;
  std::string title;
  Settings settings;
};

Settings settings_of(const Doc& doc);

// spaCy's parse_deps on a copy of the Doc: collapse_phrases merges noun chunks (ValueError without a
// parse, as spaCy's noun_chunks), collapse_punct merges each run of punctuation into the word before
// it (tag and lemma of that word, the head of the run's root), then one word per token (text, pos_ or
// tag_, lemma) and one arc per token whose head is another token. One parse, or one per sentence with
// per_sentence. A Doc without a parse gets displaCy's warning in `warnings` and its words, no arcs.
std::vector<DepParse> parse_deps(const Doc& doc, const DepOptions& options, std::vector<std::string>* warnings = nullptr);
// spaCy's parse_ents: the text and doc.ents (a warning when there are none).
EntParse parse_ents(const Doc& doc, const EntOptions& options, std::string title = {},
                    std::vector<std::string>* warnings = nullptr);
// spaCy's parse_spans: the tokens and the spans of doc.spans[spans_key] (a warning naming the keys
// there are when that group is missing or empty).
SpanParse parse_spans(const Doc& doc, const SpanOptions& options, std::string title = {},
                      std::vector<std::string>* warnings = nullptr);

// displaCy's manual dicts: {"words": [{"text", "tag", "lemma"?}], "arcs": [{"start", "end", "label",
// "dir"}], "title"?, "settings"?}, {"text", "ents": [{"start", "end", "label", "kb_id"?, "kb_url"?,
// "params"?}], "title"?, "settings"?} (character offsets, as in Python) and {"text"?, "tokens",
// "spans": [{"start_token", "end_token", "label", "kb_id"?, "kb_url"?}], "title"?, "settings"?}.
// ValueError naming the field for anything missing, of the wrong type or out of range.
DepParse dep_parse_from_json(const Json& j);
EntParse ent_parse_from_json(const Json& j);
SpanParse span_parse_from_json(const Json& j);
// The parses as those dicts (spaCy's parse_deps / parse_ents / parse_spans results; "title" null when
// empty, "lemma" null without add_lemma).
Json to_json(const DepParse& p);
Json to_json(const EntParse& p);
Json to_json(const SpanParse& p);

struct RendererTemplates;

// Turns parses into markup items. Item ids (the dep style's svg and arrow ids, which labels refer to
// through xlink:href) are "<hash of the item>-<index of the item in this Renderer>": unique within a
// page, and distinct between pages unless everything in them is identical.
class Renderer {
 public:
  explicit Renderer(Options options);
  const Options& options() const noexcept { return options_; }

  // The items of one Doc: its SVG(s) (dep) or its div (ent, span). `title` (ent, span) is shown above.
  std::vector<std::string> add(const Doc& doc, std::string_view title = {});
  // The item of one manual parse (a dict of the style, as above).
  std::string add_manual(const Json& parse);
  std::string add(const DepParse& p);
  std::string add(const EntParse& p);
  std::string add(const SpanParse& p);

  // Page pieces: what comes before the first figure (declaring the first item's settings, or the
  // defaults), a figure around one item, what comes after the last.
  std::string page_head() const;
  std::string figure(std::string_view item) const;
  std::string page_tail() const;

  // displaCy's warnings, in order, for the Docs added so far.
  const std::vector<std::string>& warnings() const noexcept { return warnings_; }

 private:
  void note_settings(const Settings& s);
  Options options_;
  std::shared_ptr<const RendererTemplates> templates_;
  std::optional<Settings> settings_;
  std::size_t next_id_ = 0;
  std::vector<std::string> warnings_;
};

struct Rendered {
  std::string markup;
  std::vector<std::string> warnings;
};
struct DocInput {
  const Doc* doc = nullptr;
  std::string title;
};
// displacy.render: the items of every input joined (or, with options.page, an HTML5 page of figures),
// without leading or trailing whitespace.
Rendered render(const std::vector<DocInput>& docs, const Options& options);
// The same for manual parses: a JSON array of dicts of the style (ent parses are sorted by offsets).
Rendered render_manual(const Json& parses, const Options& options);

// & < > " as entities and control characters (but tab, newline, form feed, return) as U+FFFD.
std::string escape_html(std::string_view text);
void append_escaped(std::string& out, std::string_view text);

}  // namespace weft::render
