// displaCy-class rendering (render/displacy.hpp): numbers printed as Python prints them, escaping,
// options, Doc -> parse (collapse_punct / collapse_phrases, sentences, warnings), the markup of each
// style against spaCy 3.8's (written out here; tests/python/test_displacy.py compares with a live
// spaCy where one is installed), and the progress line (weft/progress.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <regex>

#include "weft/doc/span.hpp"
#include "weft/doc/token.hpp"
#include "weft/error.hpp"
#include "weft/progress.hpp"
#include "weft/render/displacy.hpp"

using namespace weft;
using namespace weft::render;

namespace {

std::shared_ptr<Vocab> vocab() { return std::make_shared<Vocab>("en"); }

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size())) ++n;
  return n;
}

// Ids ("<16 hex digits>-<n>") as "ID-<n>", as the expected markup writes spaCy's uuids.
std::string normalize_ids(const std::string& s) { return std::regex_replace(s, std::regex("[0-9a-f]{16}-"), "ID-"); }

// "John Smith flew from London to Paris , he said ." parsed, with entities.
Doc parsed_doc() {
  DocAnnotations a;
  a.pos = std::vector<std::string>{"PROPN", "PROPN", "VERB", "ADP", "PROPN", "ADP", "PROPN", "PUNCT", "PRON", "VERB", "PUNCT"};
  a.tags = std::vector<std::string>{"NNP", "NNP", "VBD", "IN", "NNP", "IN", "NNP", ",", "PRP", "VBD", "."};
  a.lemmas = std::vector<std::string>{"John", "Smith", "fly", "from", "London", "to", "Paris", ",", "he", "say", "."};
  a.heads = std::vector<std::int64_t>{2, 0, 9, 4, 2, 6, 2, 2, 9, 9, 9};
  a.deps = std::vector<std::string>{"nsubj", "flat", "ccomp", "case", "obl", "case", "obl", "punct", "nsubj", "root", "punct"};
  a.ents = std::vector<std::string>{"B-PER", "I-PER", "O", "O", "B-LOC", "O", "B-LOC", "O", "O", "O", "O"};
  return Doc::from_words(vocab(), {"John", "Smith", "flew", "from", "London", "to", "Paris", ",", "he", "said", "."},
                         {true, true, true, true, true, true, false, true, true, false, false}, a);
}

// spaCy 3.8: displacy.render(p, style="dep", manual=True, minify=True, options=...) of this parse,
// uuids written as ID (tests/cpp/test_render.cpp's header says how it was made).
const char* kManualDep =
    R"({"words": [{"text": "She", "tag": "PRON"}, {"text": "saw", "tag": "VERB"}, {"text": "it", "tag": "PRON"},
        {"text": "fall", "tag": "VERB"}],
        "arcs": [{"start": 0, "end": 1, "label": "nsubj", "dir": "left"}, {"start": 1, "end": 3, "label": "ccomp", "dir": "right"},
        {"start": 2, "end": 3, "label": "nsubj", "dir": "left"}]})";
const char* kSpacyDep = R"(<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" xml:lang="en" id="ID-0" class="displacy" width="750" height="312.0" direction="ltr" style="max-width: none; height: 312.0px; color: #000000; background: #ffffff; font-family: Arial; direction: ltr"><text class="displacy-token" fill="currentColor" text-anchor="middle" y="222.0"><tspan class="displacy-word" fill="currentColor" x="50">She</tspan><tspan class="displacy-tag" dy="2em" fill="currentColor" x="50">PRON</tspan></text><text class="displacy-token" fill="currentColor" text-anchor="middle" y="222.0"><tspan class="displacy-word" fill="currentColor" x="225">saw</tspan><tspan class="displacy-tag" dy="2em" fill="currentColor" x="225">VERB</tspan></text><text class="displacy-token" fill="currentColor" text-anchor="middle" y="222.0"><tspan class="displacy-word" fill="currentColor" x="400">it</tspan><tspan class="displacy-tag" dy="2em" fill="currentColor" x="400">PRON</tspan></text><text class="displacy-token" fill="currentColor" text-anchor="middle" y="222.0"><tspan class="displacy-word" fill="currentColor" x="575">fall</tspan><tspan class="displacy-tag" dy="2em" fill="currentColor" x="575">VERB</tspan></text><g class="displacy-arrow"><path class="displacy-arc" id="arrow-ID-0-0" stroke-width="2px" d="M70,177.0 C70,89.5 220.0,89.5 220.0,177.0" fill="none" stroke="currentColor"/><text dy="1.25em" style="font-size: 0.8em; letter-spacing: 1px"><textPath xlink:href="#arrow-ID-0-0" class="displacy-label" startOffset="50%" side="left" fill="currentColor" text-anchor="middle">nsubj</textPath></text><path class="displacy-arrowhead" d="M70,179.0 L62,167.0 78,167.0" fill="currentColor"/></g><g class="displacy-arrow"><path class="displacy-arc" id="arrow-ID-0-1" stroke-width="2px" d="M245,177.0 C245,2.0 575.0,2.0 575.0,177.0" fill="none" stroke="currentColor"/><text dy="1.25em" style="font-size: 0.8em; letter-spacing: 1px"><textPath xlink:href="#arrow-ID-0-1" class="displacy-label" startOffset="50%" side="left" fill="currentColor" text-anchor="middle">ccomp</textPath></text><path class="displacy-arrowhead" d="M575.0,179.0 L583.0,167.0 567.0,167.0" fill="currentColor"/></g><g class="displacy-arrow"><path class="displacy-arc" id="arrow-ID-0-2" stroke-width="2px" d="M420,177.0 C420,89.5 570.0,89.5 570.0,177.0" fill="none" stroke="currentColor"/><text dy="1.25em" style="font-size: 0.8em; letter-spacing: 1px"><textPath xlink:href="#arrow-ID-0-2" class="displacy-label" startOffset="50%" side="left" fill="currentColor" text-anchor="middle">nsubj</textPath></text><path class="displacy-arrowhead" d="M420,179.0 L412,167.0 428,167.0" fill="currentColor"/></g></svg>)";
const char* kSpacyDepCompact = R"(<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" xml:lang="en" id="ID-0" class="displacy" width="650" height="287.0" direction="ltr" style="max-width: none; height: 287.0px; color: #000000; background: #ffffff; font-family: Arial; direction: ltr"><text class="displacy-token" fill="currentColor" text-anchor="middle" y="197.0"><tspan class="displacy-word" fill="currentColor" x="50">She</tspan><tspan class="displacy-tag" dy="2em" fill="currentColor" x="50">PRON</tspan></text><text class="displacy-token" fill="currentColor" text-anchor="middle" y="197.0"><tspan class="displacy-word" fill="currentColor" x="200">saw</tspan><tspan class="displacy-tag" dy="2em" fill="currentColor" x="200">VERB</tspan></text><text class="displacy-token" fill="currentColor" text-anchor="middle" y="197.0"><tspan class="displacy-word" fill="currentColor" x="350">it</tspan><tspan class="displacy-tag" dy="2em" fill="currentColor" x="350">PRON</tspan></text><text class="displacy-token" fill="currentColor" text-anchor="middle" y="197.0"><tspan class="displacy-word" fill="currentColor" x="500">fall</tspan><tspan class="displacy-tag" dy="2em" fill="currentColor" x="500">VERB</tspan></text><g class="displacy-arrow"><path class="displacy-arc" id="arrow-ID-0-0" stroke-width="2px" d="M62,152.0 62,127.0 197.0,127.0 197.0,152.0" fill="none" stroke="currentColor"/><text dy="1.25em" style="font-size: 0.8em; letter-spacing: 1px"><textPath xlink:href="#arrow-ID-0-0" class="displacy-label" startOffset="50%" side="left" fill="currentColor" text-anchor="middle">nsubj</textPath></text><path class="displacy-arrowhead" d="M62,154.0 L58,146.0 66,146.0" fill="currentColor"/></g><g class="displacy-arrow"><path class="displacy-arc" id="arrow-ID-0-1" stroke-width="2px" d="M212,152.0 212,102.0 500.0,102.0 500.0,152.0" fill="none" stroke="currentColor"/><text dy="1.25em" style="font-size: 0.8em; letter-spacing: 1px"><textPath xlink:href="#arrow-ID-0-1" class="displacy-label" startOffset="50%" side="left" fill="currentColor" text-anchor="middle">ccomp</textPath></text><path class="displacy-arrowhead" d="M500.0,154.0 L504.0,146.0 496.0,146.0" fill="currentColor"/></g><g class="displacy-arrow"><path class="displacy-arc" id="arrow-ID-0-2" stroke-width="2px" d="M362,152.0 362,127.0 497.0,127.0 497.0,152.0" fill="none" stroke="currentColor"/><text dy="1.25em" style="font-size: 0.8em; letter-spacing: 1px"><textPath xlink:href="#arrow-ID-0-2" class="displacy-label" startOffset="50%" side="left" fill="currentColor" text-anchor="middle">nsubj</textPath></text><path class="displacy-arrowhead" d="M362,154.0 L358,146.0 366,146.0" fill="currentColor"/></g></svg>)";

}  // namespace

TEST_CASE("render: numbers print as Python prints ints and floats") {
  CHECK(format_num(Num(50)) == "50");
  CHECK(format_num(Num(-175)) == "-175");
  CHECK(format_num(Num::real(264.5)) == "264.5");
  CHECK(format_num(Num::real(352.0)) == "352.0");
  CHECK(format_num(Num::real(0.0)) == "0.0");
  CHECK(format_num(Num::real(-0.0)) == "-0.0");
  CHECK(format_num(Num::real(0.1 + 0.2)) == "0.30000000000000004");
  CHECK(format_num(Num::real(1e16)) == "1e+16");
  CHECK(format_num(Num::real(1.5e-5)) == "1.5e-05");
  CHECK(format_num(Num::real(0.0001)) == "0.0001");
  // Python's arithmetic: int op int stays an int, "/" makes a float.
  CHECK(format_num(Num(175) / Num(2) * Num(3) + Num(2)) == "264.5");
  CHECK(format_num(Num(50) + Num(4) * Num(175)) == "750");
  CHECK(format_num(Num(150) / Num(2) * Num(2) + Num(2)) == "152.0");
}

TEST_CASE("render: text is escaped, control characters become U+FFFD") {
  CHECK(escape_html("<script>alert(\"x\") & co</script>") == "&lt;script&gt;alert(&quot;x&quot;) &amp; co&lt;/script&gt;");
  CHECK(escape_html("a\x01" "b\x7f" "c\tc\nd") == "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\tc\nd");
  CHECK(escape_html("x\xC2\x85y \xC2\xA0z") == "x\xEF\xBF\xBDy \xC2\xA0z");  // NEL (C1) replaced, NBSP kept
  CHECK(escape_html("caf\xC3\xA9 \xE2\x80\x94") == "caf\xC3\xA9 \xE2\x80\x94");
}

TEST_CASE("render: options are checked") {
  CHECK(style_from_name("ent") == Style::Ent);
  CHECK_THROWS_WITH_AS(style_from_name("tree"), "unknown displaCy style \"tree\" (known: dep, ent, span)", ValueError);
  const Options d = Options::from_json(Style::Dep, Json::parse(R"({"compact": true, "distance": 120.5, "color": "red"})"));
  CHECK(d.dep.compact);
  CHECK(d.dep.arrow_spacing.v == 12);
  CHECK(d.dep.arrow_width.v == 6);
  CHECK(d.dep.distance.v == 120.5);
  CHECK(d.dep.distance.is_float);
  CHECK(d.dep.color == "red");
  CHECK(d.dep.collapse_punct);  // default on, as displaCy
  CHECK(Options::from_json(Style::Dep, Json::object()).dep.distance.v == 175);
  CHECK_THROWS_AS(Options::from_json(Style::Dep, Json::parse(R"({"compat": true})")), ConfigError);
  CHECK_THROWS_WITH(Options::from_json(Style::Dep, Json::parse(R"({"ents": ["PER"]})")),
                    doctest::Contains("unknown key \"ents\" in the displaCy options of the dep style"));
  CHECK_THROWS_WITH_AS(Options::from_json(Style::Dep, Json::parse(R"({"distance": 0})")),
                       "displaCy option \"distance\" (style dep) must be greater than 0, not 0", ValueError);
  CHECK_THROWS_AS(Options::from_json(Style::Dep, Json::parse(R"({"compact": "yes"})")), ValueError);
  CHECK_THROWS_AS(Options::from_json(Style::Dep, Json::parse(R"({"word_spacing": -1})")), ValueError);
  CHECK_THROWS_AS(Options::from_json(Style::Dep, Json::parse(R"({"font": 3})")), ValueError);
  CHECK_THROWS_AS(Options::from_json(Style::Dep, Json::parse(R"([1])")), ValueError);
  const Options e = Options::from_json(Style::Ent, Json::parse(R"({"ents": ["per", "Loc"], "colors": {"per": "#123"}})"));
  REQUIRE(e.ent.ents);
  CHECK(*e.ent.ents == std::vector<std::string>{"PER", "LOC"});
  CHECK(e.ent.colors.at("PER") == "#123");
  CHECK(e.ent.colors.at("ORG") == "#7aecec");  // displaCy's scheme under the options'
  CHECK_THROWS_AS(Options::from_json(Style::Ent, Json::parse(R"({"ents": "PER"})")), ValueError);
  CHECK_THROWS_AS(Options::from_json(Style::Ent, Json::parse(R"({"colors": {"PER": 1}})")), ValueError);
  // An ent template may name a manual parse's params, so its placeholders are checked when it is used.
  CHECK_THROWS_AS(Options::from_json(Style::Ent, Json::parse(R"({"template": "<b>{text</b>"})")), ValueError);
  const Doc doc = parsed_doc();
  CHECK_THROWS_WITH(render::render({{&doc, ""}}, Options::from_json(Style::Ent, Json::parse(R"({"template": "<b>{txt}</b>"})"))),
                    doctest::Contains("unknown placeholder {txt}"));
  CHECK_THROWS_AS(Options::from_json(Style::Span, Json::parse(R"({"template": {"span": "{text}"}})")), ValueError);
  CHECK_THROWS_WITH(Options::from_json(Style::Span, Json::parse(R"({"template": {"span": "{x}", "slice": "", "start": ""}})")),
                    doctest::Contains("unknown placeholder {x}"));
  CHECK(Options::from_json(Style::Span, Json::parse(R"({"spans_key": "ents"})")).span.spans_key == "ents");
}

TEST_CASE("render: the dep style's markup and geometry are displaCy's") {
  Options o;
  o.minify = true;
  CHECK(normalize_ids(render_manual(Json::parse(kManualDep), o).markup) == kSpacyDep);
  Options c = Options::from_json(Style::Dep, Json::parse(R"({"compact": true})"));
  c.minify = true;
  CHECK(normalize_ids(render_manual(Json::parse(kManualDep), c).markup) == kSpacyDepCompact);
}

TEST_CASE("render: collapse_punct merges punctuation into the word before it; one arc per other word") {
  const Doc doc = parsed_doc();
  std::vector<std::string> warnings;
  const std::vector<DepParse> p = parse_deps(doc, DepOptions{}, &warnings);
  REQUIRE(p.size() == 1);
  CHECK(warnings.empty());
  std::vector<std::string> words;
  for (const DepWord& w : p[0].words) words.push_back(w.text);
  CHECK(words == std::vector<std::string>{"John", "Smith", "flew", "from", "London", "to", "Paris,", "he", "said."});
  // The merged token keeps the word's tag (XPOS) and lemma; UPOS is the span root's.
  CHECK(p[0].words[6].tag == "PROPN");
  CHECK(p[0].arcs.size() == 8);  // 9 words, one root
  bool found = false;
  for (const DepArc& a : p[0].arcs) {
    CHECK(a.start < a.end);
    if (a.label == "ccomp") {
      CHECK(a.start == 2);
      CHECK(a.end == 8);
      CHECK(a.dir == "left");
      found = true;
    }
  }
  CHECK(found);
  DepOptions keep;
  keep.collapse_punct = false;
  keep.fine_grained = true;
  keep.add_lemma = true;
  const DepParse all = parse_deps(doc, keep)[0];
  CHECK(all.words.size() == 11);
  CHECK(all.arcs.size() == 10);
  CHECK(all.words[2].tag == "VBD");
  CHECK(all.words[2].lemma == std::optional<std::string>("fly"));
  // The source Doc is not changed.
  CHECK(doc.size() == 11);
}

TEST_CASE("render: collapse_phrases merges noun chunks") {
  DepOptions o;
  o.collapse_phrases = true;
  const DepParse p = parse_deps(parsed_doc(), o)[0];
  std::vector<std::string> words;
  for (const DepWord& w : p.words) words.push_back(w.text);
  CHECK(std::find(words.begin(), words.end(), "John Smith") != words.end());
  CHECK(p.arcs.size() + 1 == p.words.size());
  // Without a parse there are no noun chunks: spaCy's error.
  const Doc plain = Doc::from_words(vocab(), {"a", "b"});
  CHECK_THROWS_AS(parse_deps(plain, o), ValueError);
}

TEST_CASE("render: per_sentence draws one SVG per sentence; an unparsed Doc draws words and warns") {
  DepOptions o;
  o.per_sentence = true;
  DocAnnotations a;
  a.heads = std::vector<std::int64_t>{1, 1, 1, 4, 4, 4};
  a.deps = std::vector<std::string>{"nsubj", "root", "punct", "nsubj", "root", "punct"};
  const Doc two = Doc::from_words(vocab(), {"I", "came", ".", "I", "saw", "."}, {true, false, true, true, false, false}, a);
  const std::vector<DepParse> p = parse_deps(two, o);
  REQUIRE(p.size() == 2);
  CHECK(p[0].words.size() == 2);
  CHECK(p[1].words[1].text == "saw.");
  CHECK(p[1].arcs.size() == 1);
  Options ro;
  ro.dep.per_sentence = true;
  const Rendered r = render::render({{&two, ""}}, ro);
  CHECK(count(r.markup, "<svg ") == 2);
  CHECK(count(r.markup, "class=\"displacy-arc\"") == 2);

  const Doc plain = Doc::from_words(vocab(), {"no", "parse", "<here>"});
  const Rendered u = render::render({{&plain, ""}}, Options{});
  REQUIRE(u.warnings.size() == 1);
  CHECK(u.warnings[0].find("without a dependency parse") != std::string::npos);
  CHECK(count(u.markup, "class=\"displacy-word\"") == 3);
  CHECK(count(u.markup, "class=\"displacy-arc\"") == 0);
  CHECK(u.markup.find("&lt;here&gt;") != std::string::npos);
  CHECK(u.markup.find("<here>") == std::string::npos);

  // An empty Doc: an empty SVG (displaCy's), no warning (an empty Doc counts as parsed, as in spaCy).
  const Doc empty = Doc::from_words(vocab(), {});
  const Rendered e = render::render({{&empty, ""}}, Options{});
  CHECK(e.warnings.empty());
  CHECK(count(e.markup, "<svg ") == 1);
  CHECK(e.markup.find("width=\"50\"") != std::string::npos);
}

TEST_CASE("render: ids are unique within a page and the same on every run") {
  const Doc doc = parsed_doc();
  Options o;
  o.page = true;
  const Rendered a = render::render({{&doc, ""}, {&doc, ""}}, o);
  const Rendered b = render::render({{&doc, ""}, {&doc, ""}}, o);
  CHECK(a.markup == b.markup);
  std::smatch m;
  std::vector<std::string> ids;
  const std::regex id_re("<svg[^>]* id=\"([^\"]+)\"");
  for (auto it = std::sregex_iterator(a.markup.begin(), a.markup.end(), id_re); it != std::sregex_iterator(); ++it)
    ids.push_back((*it)[1]);
  REQUIRE(ids.size() == 2);
  CHECK(ids[0] != ids[1]);
  // Every label names the arc of its own SVG.
  CHECK(count(a.markup, "xlink:href=\"#arrow-" + ids[0] + "-") == 8);
  CHECK(count(a.markup, "xlink:href=\"#arrow-" + ids[1] + "-") == 8);
  CHECK(a.markup.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(a.markup.find("<meta charset=\"utf-8\">") != std::string::npos);
  CHECK(count(a.markup, "<figure") == 2);
  CHECK(a.markup.substr(a.markup.size() - 7) == "</html>");
}

TEST_CASE("render: minify leaves the text alone") {
  const Doc doc = Doc::from_words(vocab(), {"a    b"}, {false});  // one token with four spaces
  Options o = Options::from_json(Style::Ent, Json::object());
  o.minify = true;
  const Rendered r = render::render({{&doc, ""}}, o);
  CHECK(r.markup == "<div class=\"entities\" style=\"line-height: 2.5; direction: ltr\">a    b</div>");
}

TEST_CASE("render: the ent style marks doc.ents with displaCy's colours") {
  const Doc doc = parsed_doc();
  Options o = Options::from_json(Style::Ent, Json::object());
  const Rendered r = render::render({{&doc, "My <title>"}}, o);
  CHECK(r.warnings.empty());
  CHECK(count(r.markup, "<mark class=\"entity\"") == 3);
  CHECK(r.markup.find("background: #aa9cfc") != std::string::npos);  // PER as PERSON
  CHECK(r.markup.find("background: #ff9561") != std::string::npos);  // LOC
  CHECK(r.markup.find("<h2 style=\"margin: 0\">My &lt;title&gt;</h2>") == 0);
  CHECK(r.markup.find(" flew from \n<mark") != std::string::npos);

  Options only = Options::from_json(Style::Ent, Json::parse(R"({"ents": ["loc"], "colors": {"LOC": "green"}})"));
  const Rendered l = render::render({{&doc, ""}}, only);
  CHECK(count(l.markup, "<mark class=\"entity\"") == 2);
  CHECK(l.markup.find("background: green") != std::string::npos);
  CHECK(l.markup.find("John Smith flew") != std::string::npos);

  // No entities: the text, escaped, newlines as <br>, and displaCy's warning.
  Doc plain(vocab(), "one\ntwo <b>");
  const Rendered p = render::render({{&plain, ""}}, o);
  CHECK(p.markup == "<div class=\"entities\" style=\"line-height: 2.5; direction: ltr\">one<br>two &lt;b&gt;</div>");
  REQUIRE(p.warnings.size() == 1);
  CHECK(p.warnings[0].find("No entities") != std::string::npos);
}

TEST_CASE("render: kb ids are links, percent-encoded into kb_url_template") {
  EntParse p;
  p.text = "Ada wrote";
  p.ents.push_back({0, 3, "PER", "Q7259", "#", {}});
  Options o = Options::from_json(Style::Ent, Json::object());
  Renderer r(o);
  CHECK(r.add(p).find("href=\"#\">Q7259</a>") != std::string::npos);

  Doc doc = Doc::from_words(vocab(), {"Ada", "wrote"});
  DocAnnotations a;
  a.ents = std::vector<std::string>{"B-PER", "O"};
  doc.annotate(a);
  doc.set_ent_kb_id(0, doc.intern("javascript:alert(1)"));
  const EntParse e = parse_ents(doc, Options::from_json(Style::Ent, Json::parse(R"({"kb_url_template": "https://www.wikidata.org/wiki/{}"})")).ent);
  REQUIRE(e.ents.size() == 1);
  CHECK(e.ents[0].kb_url == "https://www.wikidata.org/wiki/javascript%3Aalert%281%29");
  CHECK(parse_ents(doc, EntOptions{}).ents[0].kb_url == "#");
}

TEST_CASE("render: manual parses are checked") {
  Options o;
  CHECK_THROWS_WITH_AS(render_manual(Json::parse(R"({"words": [{"text": "a"}], "arcs": [{"start": -1, "end": 0, "label": "x", "dir": "left"}]})"), o),
                       doctest::Contains("negative start or end"), ValueError);
  CHECK_THROWS_AS(render_manual(Json::parse(R"({"words": [{"text": "a"}, {"text": "b"}], "arcs": [{"start": 0, "end": 2, "label": "x", "dir": "left"}]})"), o),
                  ValueError);
  CHECK_THROWS_AS(render_manual(Json::parse(R"({"words": [{"text": "a"}, {"text": "b"}], "arcs": [{"start": 0, "end": 1, "label": "x", "dir": "up"}]})"), o),
                  ValueError);
  CHECK_THROWS_AS(render_manual(Json::parse(R"({"arcs": []})"), o), ValueError);
  CHECK_THROWS_AS(render_manual(Json::parse(R"(3)"), o), ValueError);
  Options e = Options::from_json(Style::Ent, Json::object());
  // Character offsets (as Python counts them) into a text with a two-byte character.
  const Rendered r = render_manual(Json::parse(R"({"text": "Zoë met Bo", "ents": [{"start": 8, "end": 10, "label": "PER"}, {"start": 0, "end": 3, "label": "PER"}]})"), e);
  CHECK(r.markup.find("\n    Zoë\n") != std::string::npos);
  CHECK(r.markup.find("\n    Bo\n") != std::string::npos);
  CHECK(r.markup.find("</mark>\n met \n<mark") != std::string::npos);
  CHECK_THROWS_AS(render_manual(Json::parse(R"({"text": "Zoë", "ents": [{"start": 0, "end": 9, "label": "PER"}]})"), e), ValueError);
}

TEST_CASE("render: the span style stacks overlapping spans as displaCy does") {
  Doc doc = Doc::from_words(vocab(), {"Welcome", "to", "the", "Bank", "of", "China", "."}, {true, true, true, true, true, false, false});
  SpanGroup& g = doc.spans()["sc"];
  g.spans.push_back({2, 6, doc.intern("ORG"), 0, 0});
  g.spans.push_back({5, 6, doc.intern("GPE"), 0, 0});
  Options o = Options::from_json(Style::Span, Json::object());
  const Rendered r = render::render({{&doc, ""}}, o);
  CHECK(r.warnings.empty());
  // Every token in a span is a box with one slice per span over it; the start of a span has its label.
  CHECK(count(r.markup, "height: 4px; left: -1px; width: calc(100% + 2px); position: absolute;\">\n</span>") == 5);
  CHECK(count(r.markup, "border-top-left-radius: 3px") == 2);
  CHECK(r.markup.find("top: 40px;") != std::string::npos);
  CHECK(r.markup.find("top: 57px;") != std::string::npos);   // the second slot: 40 + 17
  CHECK(r.markup.find("height: 77px;") != std::string::npos);  // "China": 40 + 20 + 17
  CHECK(r.markup.find("Welcome to \n<span") != std::string::npos);  // the tokens' own whitespace

  Doc none = Doc::from_words(vocab(), {"x"});
  none.spans()["other"];
  const Rendered n = render::render({{&none, ""}}, o);
  REQUIRE(n.warnings.size() == 1);
  CHECK(n.warnings[0].find("spans_key \"sc\" (keys there: \"other\")") != std::string::npos);
}

TEST_CASE("render: custom ent template and span templates") {
  const Doc doc = parsed_doc();
  Options o = Options::from_json(Style::Ent, Json::parse(R"({"template": "<b class=\"{label}\" style=\"color: {bg}\">{text}{kb_link}</b>"})"));
  const Rendered r = render::render({{&doc, ""}}, o);
  CHECK(r.markup.find("<b class=\"PER\" style=\"color: #aa9cfc\">John Smith</b>") != std::string::npos);
}

TEST_CASE("progress: the line, its throttle and the final totals") {
  double t = 100.0;
  std::vector<std::string> out;
  Progress::Options po;
  po.label = "weft run";
  po.total = 1000;
  po.interval = 0.1;
  po.sink = [&](std::string_view s) { out.emplace_back(s); };
  po.clock = [&] { return t; };
  {
    Progress p(po);
    for (int i = 0; i < 10; ++i) {
      t += 0.01;  // ten updates in 0.1 s: one redraw
      p.set_position(static_cast<std::uint64_t>(50 * (i + 1)));
      p.add(1, 20);
    }
    REQUIRE(out.size() == 1);
    CHECK(out[0] == "\rweft run  50.0% [############............]  10 docs  200 words  2000 words/s  ETA 0:00");
    t += 10.0;
    p.set_position(500);
    p.add(1, 20);
    REQUIRE(out.size() == 2);
    CHECK(out[1].find("  11 docs  220 words  22 words/s  ETA 0:10") != std::string::npos);
    p.finish();
    p.finish();  // once
    REQUIRE(out.size() == 3);
    CHECK(out[2].rfind("\rweft run: 11 docs, 220 words in 0:10 (22 words/s)", 0) == 0);
    CHECK(out[2].back() == '\n');
  }
  // Unknown size: elapsed time instead of bar and ETA; an unfinished line is ended by the destructor.
  out.clear();
  po.total = 0;
  {
    Progress p(po);
    t += 75.0;
    p.add(3, 30000);
    REQUIRE(out.size() == 1);
    CHECK(out[0] == "\rweft run  3 docs  30,000 words  400 words/s  1:15");
  }
  REQUIRE(out.size() == 2);
  CHECK(out[1] == "\n");
  // A job that ends before the first redraw prints the totals only.
  out.clear();
  {
    Progress p(po);
    p.add(1, 1);
    p.finish();
  }
  REQUIRE(out.size() == 1);
  CHECK(out[0].rfind("weft run: 1 doc, 1 word in 0:00", 0) == 0);
  CHECK(Progress::wanted(true));
  CHECK_FALSE(Progress::wanted(false));
}
