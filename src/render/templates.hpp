// The markup templates of displaCy (spaCy 3.8, spacy/displacy/templates.py, MIT licence), reproduced
// so that weft's markup has displaCy's elements, attributes and class names, and a filler for their
// {placeholder}s. Private to src/render/.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>

namespace weft::render::tpl {

inline constexpr std::string_view DEP_SVG =
    "\n<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" xml:lang=\"{lang}\" "
    "id=\"{id}\" class=\"displacy\" width=\"{width}\" height=\"{height}\" direction=\"{dir}\" style=\"max-width: "
    "none; height: {height}px; color: {color}; background: {bg}; font-family: {font}; direction: "
    "{dir}\">{content}</svg>\n";

inline constexpr std::string_view DEP_WORDS =
    "\n<text class=\"displacy-token\" fill=\"currentColor\" text-anchor=\"middle\" y=\"{y}\">\n"
    "    <tspan class=\"displacy-word\" fill=\"currentColor\" x=\"{x}\">{text}</tspan>\n"
    "    <tspan class=\"displacy-tag\" dy=\"2em\" fill=\"currentColor\" x=\"{x}\">{tag}</tspan>\n"
    "</text>\n";

inline constexpr std::string_view DEP_WORDS_LEMMA =
    "\n<text class=\"displacy-token\" fill=\"currentColor\" text-anchor=\"middle\" y=\"{y}\">\n"
    "    <tspan class=\"displacy-word\" fill=\"currentColor\" x=\"{x}\">{text}</tspan>\n"
    "    <tspan class=\"displacy-lemma\" dy=\"2em\" fill=\"currentColor\" x=\"{x}\">{lemma}</tspan>\n"
    "    <tspan class=\"displacy-tag\" dy=\"2em\" fill=\"currentColor\" x=\"{x}\">{tag}</tspan>\n"
    "</text>\n";

inline constexpr std::string_view DEP_ARCS =
    "\n<g class=\"displacy-arrow\">\n"
    "    <path class=\"displacy-arc\" id=\"arrow-{id}-{i}\" stroke-width=\"{stroke}px\" d=\"{arc}\" fill=\"none\" "
    "stroke=\"currentColor\"/>\n"
    "    <text dy=\"1.25em\" style=\"font-size: 0.8em; letter-spacing: 1px\">\n"
    "        <textPath xlink:href=\"#arrow-{id}-{i}\" class=\"displacy-label\" startOffset=\"50%\" "
    "side=\"{label_side}\" fill=\"currentColor\" text-anchor=\"middle\">{label}</textPath>\n"
    "    </text>\n"
    "    <path class=\"displacy-arrowhead\" d=\"{head}\" fill=\"currentColor\"/>\n"
    "</g>\n";

inline constexpr std::string_view FIGURE = "\n<figure style=\"margin-bottom: 6rem\">{content}</figure>\n";

inline constexpr std::string_view TITLE = "\n<h2 style=\"margin: 0\">{title}</h2>\n";

inline constexpr std::string_view ENTS = "\n<div class=\"entities\" style=\"line-height: 2.5; direction: {dir}\">{content}</div>\n";

inline constexpr std::string_view ENT =
    "\n<mark class=\"entity\" style=\"background: {bg}; padding: 0.45em 0.6em; margin: 0 0.25em; line-height: 1; "
    "border-radius: 0.35em;\">\n"
    "    {text}\n"
    "    <span style=\"font-size: 0.8em; font-weight: bold; line-height: 1; border-radius: 0.35em; vertical-align: "
    "middle; margin-left: 0.5rem\">{label}{kb_link}</span>\n"
    "</mark>\n";

inline constexpr std::string_view ENT_RTL =
    "\n<mark class=\"entity\" style=\"background: {bg}; padding: 0.45em 0.6em; margin: 0 0.25em; line-height: 1; "
    "border-radius: 0.35em\">\n"
    "    {text}\n"
    "    <span style=\"font-size: 0.8em; font-weight: bold; line-height: 1; border-radius: 0.35em; vertical-align: "
    "middle; margin-right: 0.5rem\">{label}{kb_link}</span>\n"
    "</mark>\n";

inline constexpr std::string_view SPANS = "\n<div class=\"spans\" style=\"line-height: 2.5; direction: {dir}\">{content}</div>\n";

inline constexpr std::string_view SPAN =
    "\n<span style=\"font-weight: bold; display: inline-block; position: relative; height: {total_height}px;\">\n"
    "    {text}\n"
    "    {span_slices}\n"
    "    {span_starts}\n"
    "</span>\n";

inline constexpr std::string_view SPAN_SLICE =
    "\n<span style=\"background: {bg}; top: {top_offset}px; height: 4px; left: -1px; width: calc(100% + 2px); "
    "position: absolute;\">\n"
    "</span>\n";

inline constexpr std::string_view SPAN_START =
    "\n<span style=\"background: {bg}; top: {top_offset}px; height: 4px; border-top-left-radius: 3px; "
    "border-bottom-left-radius: 3px; left: -1px; width: calc(100% + 2px); position: absolute;\">\n"
    "    <span style=\"background: {bg}; z-index: 10; color: #000; top: -0.5em; padding: 2px 3px; position: "
    "absolute; font-size: 0.6em; font-weight: bold; line-height: 1; border-radius: 3px\">\n"
    "        {label}{kb_link}\n"
    "    </span>\n"
    "</span>\n\n";

inline constexpr std::string_view SPAN_RTL =
    "\n<span style=\"font-weight: bold; display: inline-block; position: relative;\">\n"
    "    {text}\n"
    "    {span_slices}\n"
    "    {span_starts}\n"
    "</span>\n";

inline constexpr std::string_view SPAN_START_RTL =
    "\n<span style=\"background: {bg}; top: {top_offset}px; height: 4px; border-top-left-radius: 3px; "
    "border-bottom-left-radius: 3px; left: -1px; width: calc(100% + 2px); position: absolute;\">\n"
    "    <span style=\"background: {bg}; z-index: 10; color: #000; top: -0.5em; padding: 2px 3px; position: "
    "absolute; font-size: 0.6em; font-weight: bold; line-height: 1; border-radius: 3px\">\n"
    "        {label}{kb_link}\n"
    "    </span>\n"
    "</span>\n";

// Starts with a space, as displaCy's.
inline constexpr std::string_view KB_LINK =
    "\n <a style=\"text-decoration: none; color: inherit; font-weight: normal\" href=\"{kb_url}\">{kb_id}</a>\n";

// displaCy's page with a <meta charset> added (a file opened from disk is otherwise read in the
// browser's default encoding, and HTML5 requires the declaration).
inline constexpr std::string_view PAGE =
    "\n<!DOCTYPE html>\n<html lang=\"{lang}\">\n    <head>\n        <meta charset=\"utf-8\">\n        <title>displaCy</title>\n    "
    "</head>\n\n"
    "    <body style=\"font-size: 16px; font-family: -apple-system, BlinkMacSystemFont, 'Segoe UI', Helvetica, "
    "Arial, sans-serif, 'Apple Color Emoji', 'Segoe UI Emoji', 'Segoe UI Symbol'; padding: 4rem 2rem; direction: "
    "{dir}\">{content}</body>\n</html>\n";

// displaCy's minify rule (spacy.util.minify_html: every four spaces and every newline removed), applied
// to a template only, never to the text filled into it.
std::string minified(std::string_view tpl);

inline std::string maybe_minified(std::string_view tpl, bool minify) { return minify ? minified(tpl) : std::string(tpl); }

using Values = std::map<std::string_view, std::string_view>;
// Fills {name} placeholders from `values` ({{ and }} are literal braces, as in Python's str.format).
// ValueError naming the template's `what` for a placeholder without a value or a format spec.
void fill(std::string& out, std::string_view tpl, const Values& values, std::string_view what);
std::string fill(std::string_view tpl, const Values& values, std::string_view what);

}  // namespace weft::render::tpl
