// nlp.tokenizer (weft.Tokenizer): tokenizing, explain, and the native half of spaCy's tokenizer
// customization. The spaCy-facing API (add_special_case, rules, prefix_search, ...) is Python
// (python/weft/_tokenizer_api.py, python/weft/util.py): it turns spaCy's special-case dicts and Python
// regular expressions into weft rules and calls the underscored methods here, which change the rules of
// the pipeline's rule-based Tokenizer in place (weft/tokenize/tokenizer.hpp). weft._RulePattern is one
// rule class compiled on its own, what the getters (prefix_search, ...) match with.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/strings/utf8.hpp"
#include "weft/tokenize/rule_pattern.hpp"
#include "weft/tokenize/tokenizer.hpp"

namespace weft::py {

namespace {

std::shared_ptr<Doc> share(Doc&& d) { return std::make_shared<Doc>(std::move(d)); }

// The pipeline's rule-based tokenizer, or ValueError for another kind (a whitespace or Python one).
Tokenizer& rule_tokenizer(const PyTokenizerView& t) {
  auto* tok = dynamic_cast<Tokenizer*>(t.nlp->tokenizer_ptr().get());
  if (!tok) {
    throw weft::ValueError("the pipeline's tokenizer (" + t.nlp->tokenizer().registry_name() +
                           ") has no rules to change; only weft.Tokenizer.v1 has");
  }
  return *tok;
}

// (orth, norm, mwt) triples from Python, and back.
using PyPiece = std::tuple<std::string, std::string, bool>;

SpecialCase special_from_py(const std::string& text, const std::vector<PyPiece>& pieces) {
  SpecialCase sc;
  sc.text = text;
  for (const auto& [orth, norm, mwt] : pieces) sc.pieces.push_back({orth, mwt, norm});
  return sc;
}

std::vector<AffixRule> rules_from_py(const std::vector<std::pair<std::string, bool>>& rules) {
  std::vector<AffixRule> out;
  for (const auto& [pattern, mwt] : rules) out.push_back({pattern, mwt});
  return out;
}

std::vector<std::pair<std::string, bool>> rules_to_py(const std::vector<AffixRule>& rules) {
  std::vector<std::pair<std::string, bool>> out;
  for (const AffixRule& r : rules) out.emplace_back(r.pattern, r.mwt);
  return out;
}

const std::vector<AffixRule>& affix_rules(const Tokenizer& tok, const std::string& kind) {
  if (kind == "prefix") return tok.rules().prefixes;
  if (kind == "suffix") return tok.rules().suffixes;
  if (kind == "infix") return tok.rules().infixes;
  throw weft::ValueError("unknown affix kind \"" + kind + "\"");
}

RulePattern::Kind pattern_kind(const std::string& kind) {
  if (kind == "prefix") return RulePattern::Kind::Prefix;
  if (kind == "suffix") return RulePattern::Kind::Suffix;
  if (kind == "infix") return RulePattern::Kind::Infix;
  if (kind == "whole") return RulePattern::Kind::Whole;
  throw weft::ValueError("unknown rule kind \"" + kind + "\"");
}

// Byte offsets of a UTF-8 string -> code-point offsets (what Python's str indexes by).
std::size_t chars_before(std::string_view s, std::size_t byte) { return utf8::length(s.substr(0, byte)); }

struct PyRulePattern {
  RulePattern pattern;
};

}  // namespace

void register_tokenizer(pyb::module_& m) {
  pyb::class_<PyTokenizerView>(m, "Tokenizer")
      .def("__call__",
           [](const PyTokenizerView& t, const pyb::object& obj) {
             std::string text = utf8_from_py(obj);
             std::optional<Doc> doc;
             {
               pyb::gil_scoped_release release;
               doc.emplace(t.nlp->tokenizer()(std::move(text)));  // no max_length check (spaCy's tokenizer has none)
             }
             return share(std::move(*doc));
           })
      .def("explain",
           [](const PyTokenizerView& t, const pyb::object& obj) {
             const std::string text = utf8_from_py(obj);
             std::vector<std::pair<std::string, std::string>> out;
             for (auto& e : t.nlp->tokenizer().explain(text)) out.emplace_back(e.rule, e.text);
             return out;
           })
      .def_property_readonly("registry_name", [](const PyTokenizerView& t) { return t.nlp->tokenizer().registry_name(); })
      .def("to_json",
           [](const PyTokenizerView& t) {
             return pyb::module_::import("json").attr("loads")(t.nlp->tokenizer().to_json().dump());
           })
      .def("_special_cases",
           [](const PyTokenizerView& t) {
             std::vector<std::pair<std::string, std::vector<PyPiece>>> out;
             for (const SpecialCase& sc : rule_tokenizer(t).rules().special_cases) {
               std::vector<PyPiece> pieces;
               for (const SpecialPiece& p : sc.pieces) pieces.emplace_back(p.orth, p.norm, p.mwt);
               out.emplace_back(sc.text, std::move(pieces));
             }
             return out;
           })
      .def("_add_special_case",
           [](const PyTokenizerView& t, const std::string& text, const std::vector<PyPiece>& pieces) {
             rule_tokenizer(t).add_special_case(special_from_py(text, pieces));
           })
      .def("_set_special_cases",
           [](const PyTokenizerView& t, const std::vector<std::pair<std::string, std::vector<PyPiece>>>& cases) {
             std::vector<SpecialCase> out;
             out.reserve(cases.size());
             for (const auto& [text, pieces] : cases) out.push_back(special_from_py(text, pieces));
             rule_tokenizer(t).set_special_cases(std::move(out));
           })
      .def("_affix_rules",
           [](const PyTokenizerView& t, const std::string& kind) {
             return rules_to_py(affix_rules(rule_tokenizer(t), kind));
           })
      .def("_set_affix_rules",
           [](const PyTokenizerView& t, const std::string& kind, const std::vector<std::pair<std::string, bool>>& rules) {
             Tokenizer& tok = rule_tokenizer(t);
             (void)affix_rules(tok, kind);  // checks the kind
             if (kind == "prefix") tok.set_prefixes(rules_from_py(rules));
             else if (kind == "suffix") tok.set_suffixes(rules_from_py(rules));
             else tok.set_infixes(rules_from_py(rules));
           })
      .def("_match_rule",
           [](const PyTokenizerView& t, const std::string& which) {
             const Tokenizer& tok = rule_tokenizer(t);
             if (which == "token_match") return tok.rules().token_match;
             if (which == "url_match") return tok.rules().url_match;
             throw weft::ValueError("unknown rule \"" + which + "\"");
           })
      .def("_set_match_rule",
           [](const PyTokenizerView& t, const std::string& which, const std::string& pattern) {
             Tokenizer& tok = rule_tokenizer(t);
             if (which == "token_match") tok.set_token_match(pattern);
             else if (which == "url_match") tok.set_url_match(pattern);
             else throw weft::ValueError("unknown rule \"" + which + "\"");
           })
      .def_property_readonly("_plain_chars",
                             [](const PyTokenizerView& t) { return rule_tokenizer(t).rules().plain_chars; });

  // One rule class compiled on its own: find(text, pos) gives the (start, end) code-point range the
  // tokenizer would take (a prefix, a suffix, the first infix at or after pos, or the whole text),
  // or None; find_all(text) every infix in order.
  pyb::class_<PyRulePattern>(m, "_RulePattern")
      .def(pyb::init([](const std::string& kind, const std::vector<std::pair<std::string, bool>>& rules) {
             return PyRulePattern{RulePattern(pattern_kind(kind), rules_from_py(rules))};
           }),
           pyb::arg("kind"), pyb::arg("rules"))
      .def(
          "find",
          [](const PyRulePattern& p, const pyb::object& obj, std::size_t pos) -> std::optional<std::pair<std::size_t, std::size_t>> {
            const std::string s = utf8_from_py(obj);
            // pos is a code-point offset; its byte offset is where that many code points end.
            std::size_t byte = 0;
            for (std::size_t n = 0; n < pos && byte < s.size(); ++n) {
              ++byte;
              while (byte < s.size() && (static_cast<unsigned char>(s[byte]) & 0xC0) == 0x80) ++byte;
            }
            if (pos > 0 && byte >= s.size() && p.pattern.kind() == RulePattern::Kind::Infix) return std::nullopt;
            auto r = p.pattern.find(s, byte);
            if (!r) return std::nullopt;
            return std::pair{chars_before(s, r->first), chars_before(s, r->second)};
          },
          pyb::arg("text"), pyb::arg("pos") = 0)
      .def("find_all", [](const PyRulePattern& p, const pyb::object& obj) {
        const std::string s = utf8_from_py(obj);
        std::vector<std::pair<std::size_t, std::size_t>> out;
        std::size_t pos = 0, bytes_seen = 0, chars_seen = 0;
        auto to_chars = [&](std::size_t byte) {  // offsets only grow: count incrementally
          chars_seen += utf8::length(std::string_view(s).substr(bytes_seen, byte - bytes_seen));
          bytes_seen = byte;
          return chars_seen;
        };
        while (pos < s.size()) {
          auto r = p.pattern.find(s, pos);
          if (!r) break;
          const std::size_t a = to_chars(r->first), b = to_chars(r->second);
          out.emplace_back(a, b);
          if (p.pattern.kind() != RulePattern::Kind::Infix || r->second <= pos) break;
          pos = r->second;
        }
        return out;
      });
}

}  // namespace weft::py
