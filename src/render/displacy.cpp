// displaCy-class rendering (include/weft/render/displacy.hpp): options, Doc -> parse, parse -> markup.
// The geometry is displaCy's (spacy/displacy/render.py), computed with Python's int/float rules (Num)
// so that coordinates print as displaCy prints them.
#include "weft/render/displacy.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <memory>
#include <tuple>

#include "render/templates.hpp"
#include "weft/doc/retokenizer.hpp"
#include "weft/doc/span.hpp"
#include "weft/doc/token.hpp"
#include "weft/error.hpp"
#include "weft/strings/hash.hpp"

namespace weft::render {

// ---- small things --------------------------------------------------------------------------------

Style style_from_name(std::string_view name) {
  if (name == "dep") return Style::Dep;
  if (name == "ent") return Style::Ent;
  if (name == "span") return Style::Span;
  throw ValueError("unknown displaCy style \"" + std::string(name) + "\" (known: dep, ent, span)");
}

std::string_view style_name(Style style) noexcept {
  switch (style) {
    case Style::Dep: return "dep";
    case Style::Ent: return "ent";
    case Style::Span: return "span";
  }
  return "dep";
}

std::string format_num(Num n) {
  char buf[64];
  if (!n.is_float) {
    const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(n.v));
    return std::string(buf, r.ptr);
  }
  const double v = n.v;
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // Python's repr: the shortest digits that read back, fixed notation for 1e-4 <= |v| < 1e16 (with
  // ".0" when there is no fraction), scientific ("1e+16", "1.5e-05") otherwise.
  const double a = std::fabs(v);
  if (a == 0.0 || (a >= 1e-4 && a < 1e16)) {
    const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed);
    std::string s(buf, r.ptr);
    if (s.find('.') == std::string::npos) s += ".0";
    return s;
  }
  const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  return std::string(buf, r.ptr);
}

void append_escaped(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '&': out += "&amp;"; continue;
      case '<': out += "&lt;"; continue;
      case '>': out += "&gt;"; continue;
      case '"': out += "&quot;"; continue;
      default: break;
    }
    // Control characters are not allowed in HTML5 text (C0 but tab, newline, form feed and return;
    // DEL; C1, which UTF-8 writes as C2 80..C2 9F).
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f' && c != '\r') || c == 0x7f) {
      out += "\xEF\xBF\xBD";
      continue;
    }
    if (c == 0xC2 && i + 1 < text.size()) {
      const unsigned char d = static_cast<unsigned char>(text[i + 1]);
      if (d >= 0x80 && d <= 0x9F) {
        out += "\xEF\xBF\xBD";
        ++i;
        continue;
      }
    }
    out += static_cast<char>(c);
  }
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  append_escaped(out, text);
  return out;
}

namespace {

std::string upper_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return out;
}

// A URL component: everything but RFC 3986's unreserved characters percent-encoded.
std::string percent_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Python's template.format(kb_id) for a kb_url_template: "{}" or "{0}" takes the (encoded) id, {{ }}
// are braces.
std::string format_kb_url(const std::string& tpl, std::string_view kb_id) {
  if (tpl.empty()) return "#";
  const std::string id = percent_encode(kb_id);
  return tpl::fill(tpl, {{"", id}, {"0", id}}, "kb_url_template");
}

std::string_view strip(std::string_view s) {
  const std::string_view ws = " \t\n\r\f\v";
  const std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const std::size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

// The byte offset of code point `cp` in UTF-8 `text` (its size for cp past the end: ValueError).
std::size_t byte_of_char(std::string_view text, std::int64_t cp, const char* what) {
  if (cp < 0) throw ValueError(std::string(what) + " is negative");
  std::int64_t n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (n == cp) return i;
    ++n;
  }
  if (n == cp) return text.size();
  throw ValueError(std::string(what) + " " + std::to_string(cp) + " is past the end of the text (" +
                   std::to_string(n) + " characters)");
}

// The code-point offset of byte `b` in UTF-8 `text`.
std::size_t char_of_byte(std::string_view text, std::size_t b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < b && i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

const std::map<std::string, std::string>& default_colors() {
  static const std::map<std::string, std::string> colors = {
      {"ORG", "#7aecec"},      {"PRODUCT", "#bfeeb7"},  {"GPE", "#feca74"},         {"LOC", "#ff9561"},
      {"PERSON", "#aa9cfc"},   {"PER", "#aa9cfc"},      {"NORP", "#c887fb"},        {"FAC", "#9cc9cc"},
      {"EVENT", "#ffeb80"},    {"LAW", "#ff8197"},      {"LANGUAGE", "#ff8197"},    {"WORK_OF_ART", "#f0d0ff"},
      {"DATE", "#bfe1d9"},     {"TIME", "#bfe1d9"},     {"MONEY", "#e4e7d2"},       {"QUANTITY", "#e4e7d2"},
      {"ORDINAL", "#e4e7d2"},  {"CARDINAL", "#e4e7d2"}, {"PERCENT", "#e4e7d2"},
  };
  return colors;
}

// ---- options -------------------------------------------------------------------------------------

namespace {

struct OptionReader {
  const Json& j;
  std::string what;  // "displaCy option \"x\" of the dep style"

  std::string name(const std::string& key) const { return "displaCy option \"" + key + "\" (" + what + ")"; }
  bool has(const char* key) const { return j.contains(key) && !j.at(key).is_null(); }

  void read(const char* key, bool& out) const {
    if (!has(key)) return;
    if (!j.at(key).is_boolean()) throw ValueError(name(key) + " must be true or false, not " + j.at(key).dump());
    out = j.at(key).get<bool>();
  }
  void read(const char* key, std::string& out) const {
    if (!has(key)) return;
    if (!j.at(key).is_string()) throw ValueError(name(key) + " must be a string, not " + j.at(key).dump());
    out = j.at(key).get<std::string>();
  }
  // A number; `positive`: > 0, else >= 0.
  void read(const char* key, Num& out, bool positive) const {
    if (!has(key)) return;
    const Json& v = j.at(key);
    Num n;
    if (v.is_number_integer()) {
      if (v.is_number_unsigned() ? v.get<std::uint64_t>() > (1ull << 40)
                                 : std::llabs(v.get<std::int64_t>()) > (1ll << 40))
        throw ValueError(name(key) + " is too large: " + v.dump());
      n = Num(static_cast<double>(v.get<std::int64_t>()), false);
    } else if (v.is_number_float()) {
      n = Num::real(v.get<double>());
      if (!std::isfinite(n.v) || std::fabs(n.v) > 1e12) throw ValueError(name(key) + " must be a finite number: " + v.dump());
    } else {
      throw ValueError(name(key) + " must be a number, not " + v.dump());
    }
    if (positive ? !(n.v > 0) : n.v < 0)
      throw ValueError(name(key) + " must be " + (positive ? "greater than 0" : "0 or more") + ", not " + v.dump());
    out = n;
  }
  void read_colors(std::map<std::string, std::string>& out) const {
    out = default_colors();
    if (!has("colors")) return;
    const Json& c = j.at("colors");
    if (!c.is_object()) throw ValueError(name("colors") + " must be an object of label: colour, not " + c.dump());
    for (const auto& [label, color] : c.items()) {
      if (!color.is_string())
        throw ValueError(name("colors") + ": the colour of \"" + label + "\" must be a string, not " + color.dump());
      out[upper_ascii(label)] = color.get<std::string>();
    }
  }
};

void check_template(const std::string& tpl, std::initializer_list<std::string_view> names, const std::string& what) {
  tpl::Values v;
  for (std::string_view n : names) v[n] = "";
  tpl::fill(tpl, v, what);
}

// Braces that pair up, whatever the placeholders are called.
void check_braces(const std::string& tpl, const std::string& what) {
  for (std::size_t i = 0; i < tpl.size(); ++i) {
    if (tpl[i] == '{' && i + 1 < tpl.size() && tpl[i + 1] == '{') {
      ++i;
    } else if (tpl[i] == '}' && i + 1 < tpl.size() && tpl[i + 1] == '}') {
      ++i;
    } else if (tpl[i] == '{') {
      const std::size_t close = tpl.find_first_of("{}", i + 1);
      if (close == std::string::npos || tpl[close] != '}') throw ValueError(what + ": unmatched '{' in template");
      i = close;
    } else if (tpl[i] == '}') {
      throw ValueError(what + ": single '}' in template");
    }
  }
}

}  // namespace

Options Options::from_json(Style style, const Json& j) {
  Options o;
  o.style = style;
  if (j.is_null()) return o;
  const std::string what = "style " + std::string(style_name(style));
  if (!j.is_object()) throw ValueError("displaCy options must be an object of option: value, not " + j.dump());
  OptionReader r{j, what};
  switch (style) {
    case Style::Dep: {
      check_config_keys(j,
                        {"compact", "collapse_punct", "collapse_phrases", "fine_grained", "add_lemma", "per_sentence",
                         "word_spacing", "arrow_spacing", "arrow_width", "arrow_stroke", "distance", "offset_x",
                         "color", "bg", "font"},
                        "the displaCy options of the dep style");
      DepOptions& d = o.dep;
      r.read("compact", d.compact);
      if (d.compact) {
        d.arrow_spacing = 12;
        d.arrow_width = 6;
        d.distance = 150;
      }
      r.read("collapse_punct", d.collapse_punct);
      r.read("collapse_phrases", d.collapse_phrases);
      r.read("fine_grained", d.fine_grained);
      r.read("add_lemma", d.add_lemma);
      r.read("per_sentence", d.per_sentence);
      r.read("word_spacing", d.word_spacing, false);
      r.read("arrow_spacing", d.arrow_spacing, false);
      r.read("arrow_width", d.arrow_width, false);
      r.read("arrow_stroke", d.arrow_stroke, false);
      r.read("distance", d.distance, true);
      r.read("offset_x", d.offset_x, false);
      r.read("color", d.color);
      r.read("bg", d.bg);
      r.read("font", d.font);
      break;
    }
    case Style::Ent: {
      check_config_keys(j, {"ents", "colors", "kb_url_template", "template"}, "the displaCy options of the ent style");
      EntOptions& e = o.ent;
      if (r.has("ents")) {
        const Json& ents = j.at("ents");
        if (!ents.is_array()) throw ValueError(r.name("ents") + " must be a list of labels, not " + ents.dump());
        e.ents.emplace();
        for (const Json& l : ents) {
          if (!l.is_string()) throw ValueError(r.name("ents") + " must be a list of labels (strings), not " + ents.dump());
          e.ents->push_back(upper_ascii(l.get<std::string>()));
        }
      }
      r.read_colors(e.colors);
      r.read("kb_url_template", e.kb_url_template);
      r.read("template", e.template_);
      if (!e.template_.empty()) check_braces(e.template_, r.name("template"));
      if (!e.kb_url_template.empty()) check_template(e.kb_url_template, {"", "0"}, r.name("kb_url_template"));
      break;
    }
    case Style::Span: {
      check_config_keys(j,
                        {"spans_key", "colors", "kb_url_template", "top_offset", "span_label_offset",
                         "top_offset_step", "template"},
                        "the displaCy options of the span style");
      SpanOptions& s = o.span;
      r.read("spans_key", s.spans_key);
      r.read_colors(s.colors);
      r.read("kb_url_template", s.kb_url_template);
      r.read("top_offset", s.top_offset, false);
      r.read("span_label_offset", s.span_label_offset, false);
      r.read("top_offset_step", s.top_offset_step, false);
      if (!s.kb_url_template.empty()) check_template(s.kb_url_template, {"", "0"}, r.name("kb_url_template"));
      if (r.has("template")) {
        const Json& t = j.at("template");
        if (!t.is_object()) throw ValueError(r.name("template") + " must be an object with span, slice and start templates");
        check_config_keys(t, {"span", "slice", "start"}, "the span style's template");
        for (const char* k : {"span", "slice", "start"})
          if (!t.contains(k) || !t.at(k).is_string())
            throw ValueError(r.name("template") + ": \"" + k + "\" must be a template string");
        s.template_span = t.at("span").get<std::string>();
        s.template_slice = t.at("slice").get<std::string>();
        s.template_start = t.at("start").get<std::string>();
        check_template(s.template_span, {"text", "span_slices", "span_starts", "total_height"}, r.name("template") + " span");
        check_template(s.template_slice, {"bg", "top_offset"}, r.name("template") + " slice");
        check_template(s.template_start, {"bg", "top_offset", "label", "kb_link"}, r.name("template") + " start");
      }
      break;
    }
  }
  return o;
}

// ---- Doc -> parse --------------------------------------------------------------------------------

Settings settings_of(const Doc& doc) {
  Settings s;
  if (!doc.vocab().lang().empty()) s.lang = doc.vocab().lang();
  return s;
}

namespace {

constexpr const char* kNoParse =
    "Doc without a dependency parse: displaCy draws its words without arcs (process it with a pipeline that "
    "has a parser)";

DepParse parse_one(const Doc& source, const DepOptions& o) {
  Doc doc = source;
  if (o.collapse_phrases) {
    const std::vector<Span> chunks = doc.noun_chunks();
    Retokenizer r(doc);
    for (const Span& np : chunks) {
      const Token root = np.root();
      TokenAttrs a;
      a.tag = std::string(root.tag_());
      a.lemma = std::string(root.lemma_());
      r.merge(np.start(), np.end(), a);
    }
    r.apply();
  }
  if (o.collapse_punct && doc.size() > 1) {
    const std::size_t n = doc.size();
    std::vector<char> punct(n);
    for (std::size_t i = 0; i < n; ++i) punct[i] = doc[static_cast<std::ptrdiff_t>(i)].check_flag(FLAG_IS_PUNCT);
    Retokenizer r(doc);
    for (std::size_t i = 0; i + 1 < n; ++i) {
      if (punct[i] || !punct[i + 1]) continue;
      std::size_t end = i + 1;
      while (end < n && punct[end]) ++end;
      const Token word = doc[static_cast<std::ptrdiff_t>(i)];
      TokenAttrs a;
      a.tag = std::string(word.tag_());
      a.lemma = std::string(word.lemma_());
      r.merge(i, end, a);
    }
    r.apply();
  }
  DepParse p;
  p.settings = settings_of(source);
  p.words.reserve(doc.size());
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const Token t = doc.token(i);
    DepWord w;
    w.text = std::string(t.text());
    w.tag = std::string(o.fine_grained ? t.tag_() : t.pos_());
    if (o.add_lemma) w.lemma = std::string(t.lemma_());
    p.words.push_back(std::move(w));
  }
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const Token t = doc.token(i);
    const std::size_t h = t.head().i();
    if (i < h) p.arcs.push_back({static_cast<std::int64_t>(i), static_cast<std::int64_t>(h), std::string(t.dep_()), "left"});
    else if (i > h) p.arcs.push_back({static_cast<std::int64_t>(h), static_cast<std::int64_t>(i), std::string(t.dep_()), "right"});
  }
  return p;
}

}  // namespace

std::vector<DepParse> parse_deps(const Doc& doc, const DepOptions& options, std::vector<std::string>* warnings) {
  if (!doc.has_annotation(Attr::DEP) && warnings) warnings->push_back(kNoParse);
  std::vector<DepParse> out;
  if (options.per_sentence && doc.has_sents()) {
    for (const Span& s : doc.sents()) out.push_back(parse_one(s.as_doc(), options));
    for (DepParse& p : out) p.settings = settings_of(doc);
  } else {
    out.push_back(parse_one(doc, options));
  }
  return out;
}

EntParse parse_ents(const Doc& doc, const EntOptions& options, std::string title, std::vector<std::string>* warnings) {
  EntParse p;
  p.text = doc.text();
  p.title = std::move(title);
  p.settings = settings_of(doc);
  for (const Span& e : doc.ents()) {
    EntMark m;
    m.start = doc.data(e.start()).idx;
    const TokenData& last = doc.data(e.end() - 1);
    m.end = static_cast<std::size_t>(last.idx) + last.len;
    m.label = std::string(e.label_());
    m.kb_id = std::string(e.kb_id_());
    m.kb_url = format_kb_url(options.kb_url_template, m.kb_id);
    p.ents.push_back(std::move(m));
  }
  if (p.ents.empty() && warnings)
    warnings->push_back(
        "No entities to visualize found in Doc object: displaCy shows its text unmarked (process it with a "
        "pipeline that recognizes entities, or check doc.ents)");
  return p;
}

SpanParse parse_spans(const Doc& doc, const SpanOptions& options, std::string title, std::vector<std::string>* warnings) {
  SpanParse p;
  p.text = doc.text();
  p.title = std::move(title);
  p.settings = settings_of(doc);
  p.tokens.reserve(doc.size());
  p.whitespace.reserve(doc.size());
  for (std::size_t i = 0; i < doc.size(); ++i) {
    p.tokens.emplace_back(doc.token_text(i));
    p.whitespace.emplace_back(doc.whitespace(i));
  }
  if (const SpanGroup* g = doc.spans().find(options.spans_key)) {
    for (const SpanRecord& r : g->spans) {
      SpanMark m;
      m.start_token = r.start;
      m.end_token = r.end;
      if (r.start < r.end && r.end <= doc.size()) {
        m.start_char = doc.char_offset(doc.data(r.start).idx);
        const TokenData& last = doc.data(r.end - 1);
        m.end_char = doc.char_offset(static_cast<std::size_t>(last.idx) + last.len);
      }
      m.label = std::string(doc.str(r.label));
      m.kb_id = std::string(doc.str(r.kb_id));
      m.kb_url = format_kb_url(options.kb_url_template, m.kb_id);
      p.spans.push_back(std::move(m));
    }
  }
  if (p.spans.empty() && warnings) {
    std::string keys;
    for (const auto& [k, g] : doc.spans()) keys += (keys.empty() ? "" : ", ") + ("\"" + k + "\"");
    warnings->push_back("No spans to visualize found in Doc object with spans_key \"" + options.spans_key +
                        "\" (keys there: " + (keys.empty() ? std::string("none") : keys) +
                        "): set the span style's spans_key option");
  }
  return p;
}

// ---- manual parses -------------------------------------------------------------------------------

namespace {

const Json& field(const Json& j, const char* key, const char* what) {
  if (!j.is_object()) throw ValueError(std::string(what) + " must be an object, not " + j.dump());
  if (!j.contains(key)) throw ValueError(std::string(what) + " has no \"" + key + "\"");
  return j.at(key);
}
std::string str_field(const Json& j, const char* key, const char* what, bool required = true) {
  if (!j.contains(key) || j.at(key).is_null()) {
    if (required) throw ValueError(std::string(what) + " has no \"" + key + "\"");
    return {};
  }
  const Json& v = j.at(key);
  if (!v.is_string()) throw ValueError(std::string(what) + ": \"" + key + "\" must be a string, not " + v.dump());
  return v.get<std::string>();
}
std::int64_t int_field(const Json& j, const char* key, const char* what) {
  const Json& v = field(j, key, what);
  if (!v.is_number_integer()) throw ValueError(std::string(what) + ": \"" + key + "\" must be an integer, not " + v.dump());
  return v.get<std::int64_t>();
}
Settings settings_field(const Json& j) {
  Settings s;
  if (!j.contains("settings") || j.at("settings").is_null()) return s;
  const Json& v = j.at("settings");
  if (!v.is_object()) throw ValueError("displaCy parse: \"settings\" must be an object");
  if (v.contains("lang") && v.at("lang").is_string()) s.lang = v.at("lang").get<std::string>();
  if (v.contains("direction") && v.at("direction").is_string()) s.direction = v.at("direction").get<std::string>();
  if (s.direction != "ltr" && s.direction != "rtl")
    throw ValueError("displaCy parse: settings.direction must be \"ltr\" or \"rtl\", not \"" + s.direction + "\"");
  return s;
}

}  // namespace

DepParse dep_parse_from_json(const Json& j) {
  DepParse p;
  const Json& words = field(j, "words", "a dep parse");
  const Json& arcs = field(j, "arcs", "a dep parse");
  if (!words.is_array() || !arcs.is_array()) throw ValueError("a dep parse: \"words\" and \"arcs\" must be lists");
  for (const Json& w : words) {
    DepWord dw;
    dw.text = str_field(w, "text", "a dep parse's word");
    dw.tag = str_field(w, "tag", "a dep parse's word", false);
    if (w.contains("lemma") && !w.at("lemma").is_null()) dw.lemma = str_field(w, "lemma", "a dep parse's word");
    p.words.push_back(std::move(dw));
  }
  const auto n = static_cast<std::int64_t>(p.words.size());
  for (const Json& a : arcs) {
    DepArc da;
    da.start = int_field(a, "start", "a dep parse's arc");
    da.end = int_field(a, "end", "a dep parse's arc");
    da.label = str_field(a, "label", "a dep parse's arc", false);
    da.dir = str_field(a, "dir", "a dep parse's arc");
    if (da.start < 0 || da.end < 0)
      throw ValueError("a dep parse's arc has a negative start or end (start " + std::to_string(da.start) + ", end " +
                       std::to_string(da.end) + ")");
    if (da.start >= da.end || da.end >= n)
      throw ValueError("a dep parse's arc must have start < end < number of words (" + std::to_string(n) + "), not start " +
                       std::to_string(da.start) + ", end " + std::to_string(da.end));
    if (da.dir != "left" && da.dir != "right")
      throw ValueError("a dep parse's arc: \"dir\" must be \"left\" or \"right\", not \"" + da.dir + "\"");
    p.arcs.push_back(std::move(da));
  }
  p.title = str_field(j, "title", "a dep parse", false);
  p.settings = settings_field(j);
  return p;
}

EntParse ent_parse_from_json(const Json& j) {
  EntParse p;
  p.text = str_field(j, "text", "an ent parse");
  const Json& ents = field(j, "ents", "an ent parse");
  if (!ents.is_array()) throw ValueError("an ent parse: \"ents\" must be a list");
  std::vector<std::tuple<std::int64_t, std::int64_t, EntMark>> marks;
  for (const Json& e : ents) {
    EntMark m;
    const std::int64_t s = int_field(e, "start", "an ent parse's entity");
    const std::int64_t t = int_field(e, "end", "an ent parse's entity");
    m.start = byte_of_char(p.text, s, "an entity's start");
    m.end = byte_of_char(p.text, t, "an entity's end");
    if (m.end < m.start) throw ValueError("an ent parse's entity ends before it starts");
    m.label = str_field(e, "label", "an ent parse's entity");
    m.kb_id = str_field(e, "kb_id", "an ent parse's entity", false);
    m.kb_url = e.contains("kb_url") && e.at("kb_url").is_string() ? e.at("kb_url").get<std::string>() : "#";
    if (e.contains("params") && !e.at("params").is_null()) {
      if (!e.at("params").is_object()) throw ValueError("an ent parse's entity: \"params\" must be an object");
      for (const auto& [k, v] : e.at("params").items()) m.params[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
    marks.emplace_back(s, t, std::move(m));
  }
  // displacy.render sorts manual entities by (start, end).
  std::stable_sort(marks.begin(), marks.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
  });
  for (auto& m : marks) p.ents.push_back(std::move(std::get<2>(m)));
  p.title = str_field(j, "title", "an ent parse", false);
  p.settings = settings_field(j);
  return p;
}

SpanParse span_parse_from_json(const Json& j) {
  SpanParse p;
  const Json& tokens = field(j, "tokens", "a span parse");
  const Json& spans = field(j, "spans", "a span parse");
  if (!tokens.is_array() || !spans.is_array()) throw ValueError("a span parse: \"tokens\" and \"spans\" must be lists");
  for (const Json& t : tokens) {
    if (!t.is_string()) throw ValueError("a span parse's tokens must be strings, not " + t.dump());
    p.tokens.push_back(t.get<std::string>());
  }
  p.text = str_field(j, "text", "a span parse", false);
  const auto n = static_cast<std::int64_t>(p.tokens.size());
  for (const Json& s : spans) {
    SpanMark m;
    const std::int64_t a = int_field(s, "start_token", "a span parse's span");
    const std::int64_t b = int_field(s, "end_token", "a span parse's span");
    if (a < 0 || b < a || b > n)
      throw ValueError("a span parse's span must have 0 <= start_token <= end_token <= number of tokens (" +
                       std::to_string(n) + "), not " + std::to_string(a) + ", " + std::to_string(b));
    m.start_token = static_cast<std::size_t>(a);
    m.end_token = static_cast<std::size_t>(b);
    m.label = str_field(s, "label", "a span parse's span");
    m.kb_id = str_field(s, "kb_id", "a span parse's span", false);
    m.kb_url = s.contains("kb_url") && s.at("kb_url").is_string() ? s.at("kb_url").get<std::string>() : "#";
    p.spans.push_back(std::move(m));
  }
  p.title = str_field(j, "title", "a span parse", false);
  p.settings = settings_field(j);
  return p;
}

namespace {

Json settings_json(const Settings& s) { return Json{{"lang", s.lang}, {"direction", s.direction}}; }
Json title_json(const std::string& t) { return t.empty() ? Json() : Json(t); }

}  // namespace

Json to_json(const DepParse& p) {
  Json words = Json::array(), arcs = Json::array();
  for (const DepWord& w : p.words)
    words.push_back(Json{{"text", w.text}, {"tag", w.tag}, {"lemma", w.lemma ? Json(*w.lemma) : Json()}});
  for (const DepArc& a : p.arcs) arcs.push_back(Json{{"start", a.start}, {"end", a.end}, {"label", a.label}, {"dir", a.dir}});
  Json j{{"words", words}, {"arcs", arcs}, {"settings", settings_json(p.settings)}};
  if (!p.title.empty()) j["title"] = p.title;
  return j;
}

Json to_json(const EntParse& p) {
  Json ents = Json::array();
  // Offsets in characters, counted forward from the last one (entities are in text order).
  std::size_t at_byte = 0, at_char = 0;
  auto chars = [&](std::size_t b) {
    if (b < at_byte) at_byte = at_char = 0;
    at_char += char_of_byte(std::string_view(p.text).substr(std::min(at_byte, p.text.size())), b - at_byte);
    at_byte = b;
    return at_char;
  };
  for (const EntMark& e : p.ents) {
    const std::size_t start = chars(e.start), end = chars(e.end);
    Json m{{"start", start}, {"end", end}, {"label", e.label},
           {"kb_id", e.kb_id}, {"kb_url", e.kb_url}};
    if (!e.params.empty()) m["params"] = e.params;
    ents.push_back(std::move(m));
  }
  return Json{{"text", p.text}, {"ents", ents}, {"title", title_json(p.title)}, {"settings", settings_json(p.settings)}};
}

Json to_json(const SpanParse& p) {
  Json spans = Json::array();
  for (const SpanMark& m : p.spans)
    spans.push_back(Json{{"start", m.start_char}, {"end", m.end_char}, {"start_token", m.start_token},
                         {"end_token", m.end_token}, {"label", m.label}, {"kb_id", m.kb_id}, {"kb_url", m.kb_url}});
  return Json{{"text", p.text}, {"spans", spans}, {"title", title_json(p.title)}, {"settings", settings_json(p.settings)},
              {"tokens", p.tokens}};
}

// ---- parse -> markup -----------------------------------------------------------------------------

// The templates one Renderer uses, minified or not.
struct RendererTemplates {
  std::string dep_svg, dep_words, dep_words_lemma, dep_arcs, figure, title, ents, ent, ent_rtl, spans, span, span_rtl,
      span_slice, span_start, span_start_rtl, kb_link, page;
};

namespace {

// The item's id placeholder: escaped text never holds a control character, so this byte marks only
// the places where the id goes.
constexpr char kIdMark = '\x01';

std::string hex16(std::uint64_t h) {
  static const char* hex = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) s[static_cast<std::size_t>(i)] = hex[h & 15];
  return s;
}

void title_prefix(std::string& out, const std::string& tpl, const std::string& title) {
  if (title.empty()) return;
  const std::string t = escape_html(title);
  tpl::fill(out, tpl, {{"title", t}}, "title template");
}

// displaCy's get_levels: arcs (deduplicated) by length, each one level above the highest arc it spans.
// Ties in length are taken by (start, end, label) (displaCy: a Python set's order).
std::map<std::tuple<std::int64_t, std::int64_t, std::string>, int> arc_levels(const std::vector<DepArc>& arcs) {
  std::vector<const DepArc*> order;
  for (const DepArc& a : arcs) order.push_back(&a);
  std::sort(order.begin(), order.end(), [](const DepArc* a, const DepArc* b) {
    const std::int64_t la = a->end - a->start, lb = b->end - b->start;
    return std::tie(la, a->start, a->end, a->label, a->dir) < std::tie(lb, b->start, b->end, b->label, b->dir);
  });
  std::int64_t length = 0;
  for (const DepArc& a : arcs) length = std::max(length, a.end);
  std::vector<int> max_level(static_cast<std::size_t>(length), 0);
  std::map<std::tuple<std::int64_t, std::int64_t, std::string>, int> levels;
  const DepArc* prev = nullptr;
  for (const DepArc* a : order) {
    if (prev && prev->start == a->start && prev->end == a->end && prev->label == a->label && prev->dir == a->dir) continue;
    prev = a;
    int level = 0;
    for (std::int64_t i = a->start; i < a->end; ++i) level = std::max(level, max_level[static_cast<std::size_t>(i)]);
    ++level;
    for (std::int64_t i = a->start; i < a->end; ++i) max_level[static_cast<std::size_t>(i)] = level;
    levels[{a->start, a->end, a->label}] = level;
  }
  return levels;
}

}  // namespace

Renderer::Renderer(Options options) : options_(std::move(options)) {
  const bool m = options_.minify;
  auto t = std::make_shared<RendererTemplates>();
  t->dep_svg = tpl::maybe_minified(tpl::DEP_SVG, m);
  t->dep_words = tpl::maybe_minified(tpl::DEP_WORDS, m);
  t->dep_words_lemma = tpl::maybe_minified(tpl::DEP_WORDS_LEMMA, m);
  t->dep_arcs = tpl::maybe_minified(tpl::DEP_ARCS, m);
  t->figure = tpl::maybe_minified(tpl::FIGURE, m);
  t->title = tpl::maybe_minified(tpl::TITLE, m);
  t->ents = tpl::maybe_minified(tpl::ENTS, m);
  t->spans = tpl::maybe_minified(tpl::SPANS, m);
  t->kb_link = tpl::maybe_minified(tpl::KB_LINK, m);
  t->page = tpl::maybe_minified(tpl::PAGE, m);
  // Custom templates are the user's markup: used as given (minify applies to displaCy's own).
  const EntOptions& e = options_.ent;
  t->ent = e.template_.empty() ? tpl::maybe_minified(tpl::ENT, m) : e.template_;
  t->ent_rtl = e.template_.empty() ? tpl::maybe_minified(tpl::ENT_RTL, m) : e.template_;
  const SpanOptions& s = options_.span;
  const bool custom = !s.template_span.empty();
  t->span = custom ? s.template_span : tpl::maybe_minified(tpl::SPAN, m);
  t->span_rtl = custom ? s.template_span : tpl::maybe_minified(tpl::SPAN_RTL, m);
  t->span_slice = custom ? s.template_slice : tpl::maybe_minified(tpl::SPAN_SLICE, m);
  t->span_start = custom ? s.template_start : tpl::maybe_minified(tpl::SPAN_START, m);
  t->span_start_rtl = custom ? s.template_start : tpl::maybe_minified(tpl::SPAN_START_RTL, m);
  templates_ = std::move(t);
}

void Renderer::note_settings(const Settings& s) {
  if (!settings_) settings_ = s;
}

std::vector<std::string> Renderer::add(const Doc& doc, std::string_view title) {
  std::vector<std::string> items;
  switch (options_.style) {
    case Style::Dep:
      for (const DepParse& p : parse_deps(doc, options_.dep, &warnings_)) items.push_back(add(p));
      break;
    case Style::Ent:
      items.push_back(add(parse_ents(doc, options_.ent, std::string(title), &warnings_)));
      break;
    case Style::Span:
      items.push_back(add(parse_spans(doc, options_.span, std::string(title), &warnings_)));
      break;
  }
  return items;
}

std::string Renderer::add_manual(const Json& parse) {
  switch (options_.style) {
    case Style::Dep: return add(dep_parse_from_json(parse));
    case Style::Ent: return add(ent_parse_from_json(parse));
    case Style::Span: return add(span_parse_from_json(parse));
  }
  return {};
}

std::string Renderer::add(const DepParse& p) {
  note_settings(p.settings);
  const RendererTemplates& T = *templates_;
  const DepOptions& o = options_.dep;
  const bool rtl = settings_->direction == "rtl";
  const auto levels = arc_levels(p.arcs);
  int highest = 0;
  for (const auto& [k, l] : levels) highest = std::max(highest, l);
  const Num offset_y = o.distance / Num(2) * Num(highest) + o.arrow_stroke;
  const Num width = o.offset_x + Num(static_cast<int>(p.words.size())) * o.distance;
  const Num height = offset_y + Num(3) * o.word_spacing;
  const std::string id = std::string(1, kIdMark) + "-" + std::to_string(next_id_++);

  std::string content;
  content.reserve(p.words.size() * 420 + p.arcs.size() * 620);
  const std::string y_words = format_num(offset_y + o.word_spacing);
  for (std::size_t i = 0; i < p.words.size(); ++i) {
    const DepWord& w = p.words[i];
    Num x = o.offset_x + Num(static_cast<int>(i)) * o.distance;
    if (rtl) x = width - x;
    const std::string xs = format_num(x), text = escape_html(w.text), tag = escape_html(w.tag);
    if (w.lemma) {
      const std::string lemma = escape_html(*w.lemma);
      tpl::fill(content, T.dep_words_lemma, {{"text", text}, {"tag", tag}, {"lemma", lemma}, {"x", xs}, {"y", y_words}},
                "dep word template");
    } else {
      tpl::fill(content, T.dep_words, {{"text", text}, {"tag", tag}, {"x", xs}, {"y", y_words}}, "dep word template");
    }
  }
  const std::string stroke = format_num(o.arrow_stroke);
  const std::string label_side = rtl ? "right" : "left";
  for (std::size_t i = 0; i < p.arcs.size(); ++i) {
    const DepArc& a = p.arcs[i];
    const int level = levels.at({a.start, a.end, a.label});
    const Num start(static_cast<double>(a.start), false), end(static_cast<double>(a.end), false);
    Num x_start = o.offset_x + start * o.distance + o.arrow_spacing;
    if (rtl) x_start = width - x_start;
    const Num y = offset_y;
    Num x_end = o.offset_x + (end - start) * o.distance + start * o.distance -
                o.arrow_spacing * Num(highest - level) / Num(4);
    if (rtl) x_end = width - x_end;
    Num y_curve = o.compact ? offset_y - Num(level) * o.distance / Num(6) : offset_y - Num(level) * o.distance / Num(2);
    if (y_curve.v == 0 && highest > 5) y_curve = -o.distance;
    // The arrowhead (displaCy's get_arrowhead) and the arc (get_arc).
    Num p1, p2, p3;
    if (a.dir == "left") {
      p1 = x_start;
      p2 = x_start - o.arrow_width + Num(2);
      p3 = x_start + o.arrow_width - Num(2);
    } else {
      p1 = x_end;
      p2 = x_end + o.arrow_width - Num(2);
      p3 = x_end - o.arrow_width + Num(2);
    }
    const std::string ys = format_num(y), xs = format_num(x_start), es = format_num(x_end), cs = format_num(y_curve);
    const std::string head = "M" + format_num(p1) + "," + format_num(y + Num(2)) + " L" + format_num(p2) + "," +
                             format_num(y - o.arrow_width) + " " + format_num(p3) + "," + format_num(y - o.arrow_width);
    const std::string arc = o.compact ? "M" + xs + "," + ys + " " + xs + "," + cs + " " + es + "," + cs + " " + es + "," + ys
                                      : "M" + xs + "," + ys + " C" + xs + "," + cs + " " + es + "," + cs + " " + es + "," + ys;
    const std::string label = escape_html(a.label), index = std::to_string(i);
    tpl::fill(content, T.dep_arcs,
              {{"id", id}, {"i", index}, {"stroke", stroke}, {"head", head}, {"label", label}, {"label_side", label_side},
               {"arc", arc}},
              "dep arc template");
  }
  std::string out;
  title_prefix(out, T.title, p.title);
  const std::string lang = escape_html(settings_->lang), dir = escape_html(settings_->direction);
  const std::string color = escape_html(o.color), bg = escape_html(o.bg), font = escape_html(o.font);
  tpl::fill(out, T.dep_svg,
            {{"id", id}, {"width", format_num(width)}, {"height", format_num(height)}, {"color", color}, {"bg", bg},
             {"font", font}, {"content", content}, {"dir", dir}, {"lang", lang}},
            "dep svg template");
  // The id: a hash of the item with its id left out, then its index.
  const std::string h = hex16(hash_string(out));
  std::string final_out;
  final_out.reserve(out.size() + 32 * (p.arcs.size() + 1));
  for (char c : out) {
    if (c == kIdMark) final_out += h;
    else final_out += c;
  }
  return final_out;
}

std::string Renderer::add(const EntParse& p) {
  note_settings(p.settings);
  const RendererTemplates& T = *templates_;
  const EntOptions& o = options_.ent;
  const bool rtl = settings_->direction == "rtl";
  const std::string& use_tpl = rtl ? T.ent_rtl : T.ent;
  const std::string_view text = p.text;
  // The text between entities: escaped, newlines as <br>.
  auto plain = [&](std::string& out, std::size_t from, std::size_t to) {
    if (to <= from) return;
    std::string_view s = text.substr(from, to - from);
    for (;;) {
      const std::size_t nl = s.find('\n');
      append_escaped(out, s.substr(0, nl));
      if (nl == std::string_view::npos) break;
      out += "<br>";
      s.remove_prefix(nl + 1);
    }
  };
  std::string markup;
  std::size_t offset = 0;
  for (const EntMark& e : p.ents) {
    const std::size_t start = std::min(e.start, text.size()), end = std::min(e.end, text.size());
    const std::string entity = escape_html(text.substr(start, end - std::min(start, end)));
    plain(markup, offset, start);
    const std::string upper = upper_ascii(e.label);
    if (!o.ents || std::find(o.ents->begin(), o.ents->end(), upper) != o.ents->end()) {
      const auto c = o.colors.find(upper);
      const std::string bg = escape_html(c != o.colors.end() ? c->second : std::string(kDefaultEntityColor));
      std::string kb_link;
      if (!e.kb_id.empty())
        kb_link = tpl::fill(T.kb_link, {{"kb_url", escape_html(e.kb_url)}, {"kb_id", escape_html(e.kb_id)}}, "kb link template");
      const std::string label = escape_html(e.label);
      tpl::Values v{{"label", label}, {"text", entity}, {"bg", bg}, {"kb_link", kb_link}};
      std::vector<std::string> params;
      params.reserve(e.params.size());
      for (const auto& [k, val] : e.params) {
        params.push_back(escape_html(val));
        v[k] = params.back();
      }
      tpl::fill(markup, use_tpl, v, "the ent style's template");
    } else {
      markup += entity;
    }
    offset = std::max(offset, end);
  }
  plain(markup, offset, text.size());
  std::string out;
  title_prefix(out, T.title, p.title);
  tpl::fill(out, T.ents, {{"content", markup}, {"dir", escape_html(settings_->direction)}}, "ents template");
  return out;
}

std::string Renderer::add(const SpanParse& p) {
  note_settings(p.settings);
  const RendererTemplates& T = *templates_;
  const SpanOptions& o = options_.span;
  const bool rtl = settings_->direction == "rtl";
  const std::string& span_tpl = rtl ? T.span_rtl : T.span;
  const std::string& slice_tpl = T.span_slice;
  const std::string& start_tpl = rtl ? T.span_start_rtl : T.span_start;

  // displaCy's _assemble_per_token_info: spans by (start, longer first, label); a span takes the
  // render slot one above the last span covering its first token.
  struct S {
    const SpanMark* m;
    int slot = 0;
  };
  std::vector<S> spans;
  for (const SpanMark& m : p.spans) spans.push_back({&m, 0});
  std::stable_sort(spans.begin(), spans.end(), [](const S& a, const S& b) {
    const auto la = static_cast<std::int64_t>(a.m->start_token) - static_cast<std::int64_t>(a.m->end_token);
    const auto lb = static_cast<std::int64_t>(b.m->start_token) - static_cast<std::int64_t>(b.m->end_token);
    return std::tie(a.m->start_token, la, a.m->label) < std::tie(b.m->start_token, lb, b.m->label);  // longer first
  });
  struct Ent {
    const SpanMark* m;
    bool is_start;
    int slot;
  };
  std::string markup;
  for (std::size_t idx = 0; idx < p.tokens.size(); ++idx) {
    std::vector<Ent> ents;
    int last_slot = 0;
    bool any = false;
    for (S& s : spans) {
      if (s.m->start_token <= idx && idx < s.m->end_token) {
        const bool is_start = idx == s.m->start_token;
        if (is_start) s.slot = (any ? last_slot : 0) + 1;
        any = true;
        last_slot = s.slot;
        ents.push_back({s.m, is_start, s.slot});
      } else {
        s.slot = 0;
      }
    }
    const std::string& token = p.tokens[idx];
    if (!ents.empty() && !strip(token).empty()) {
      std::string slices, starts;
      for (const Ent& e : ents) {
        const std::string upper = upper_ascii(e.m->label);
        const auto c = o.colors.find(upper);
        const std::string bg = escape_html(c != o.colors.end() ? c->second : std::string(kDefaultEntityColor));
        const std::string top = format_num(o.top_offset + o.top_offset_step * (Num(e.slot) - Num(1)));
        tpl::fill(slices, slice_tpl, {{"bg", bg}, {"top_offset", top}}, "the span style's slice template");
        if (e.is_start) {
          std::string kb_link;
          if (!e.m->kb_id.empty())
            kb_link = tpl::fill(T.kb_link, {{"kb_url", escape_html(e.m->kb_url)}, {"kb_id", escape_html(e.m->kb_id)}},
                                "kb link template");
          const std::string label = escape_html(e.m->label);
          tpl::fill(starts, start_tpl, {{"bg", bg}, {"top_offset", top}, {"label", label}, {"kb_link", kb_link}},
                    "the span style's start template");
        }
      }
      const Num total = o.top_offset + o.span_label_offset + o.top_offset_step * Num(static_cast<int>(ents.size()) - 1);
      tpl::fill(markup, span_tpl,
                {{"text", escape_html(token)}, {"span_slices", slices}, {"span_starts", starts},
                 {"total_height", format_num(total)}},
                "the span style's span template");
    } else {
      append_escaped(markup, token);
      append_escaped(markup, idx < p.whitespace.size() ? std::string_view(p.whitespace[idx]) : std::string_view(" "));
    }
  }
  std::string out;
  title_prefix(out, T.title, p.title);
  tpl::fill(out, T.spans, {{"content", markup}, {"dir", escape_html(settings_->direction)}}, "spans template");
  return out;
}

std::string Renderer::page_head() const {
  const Settings s = settings_.value_or(Settings{});
  const std::string& page = templates_->page;
  const std::size_t at = page.find("{content}");
  return tpl::fill(std::string_view(page).substr(0, at), {{"lang", escape_html(s.lang)}, {"dir", escape_html(s.direction)}},
                   "page template");
}

std::string Renderer::figure(std::string_view item) const {
  return tpl::fill(templates_->figure, {{"content", item}}, "figure template");
}

std::string Renderer::page_tail() const {
  const std::string& page = templates_->page;
  return page.substr(page.find("{content}") + 9);
}

namespace {

Rendered finish(Renderer& r, const std::vector<std::string>& items) {
  std::string markup;
  std::size_t size = 0;
  for (const std::string& i : items) size += i.size() + 64;
  markup.reserve(size + 1024);
  if (r.options().page) {
    markup += r.page_head();
    for (const std::string& i : items) markup += r.figure(i);
    markup += r.page_tail();
  } else {
    for (const std::string& i : items) markup += i;
  }
  return {std::string(strip(markup)), r.warnings()};
}

}  // namespace

Rendered render(const std::vector<DocInput>& docs, const Options& options) {
  Renderer r(options);
  std::vector<std::string> items;
  for (const DocInput& d : docs) {
    if (!d.doc) throw ValueError("render: a null Doc");
    for (std::string& i : r.add(*d.doc, d.title)) items.push_back(std::move(i));
  }
  return finish(r, items);
}

Rendered render_manual(const Json& parses, const Options& options) {
  Renderer r(options);
  std::vector<std::string> items;
  if (parses.is_object()) {
    items.push_back(r.add_manual(parses));
  } else if (parses.is_array()) {
    for (const Json& p : parses) items.push_back(r.add_manual(p));
  } else {
    throw ValueError("displaCy manual input must be a parse (an object) or a list of them, not " + parses.dump());
  }
  return finish(r, items);
}

}  // namespace weft::render
