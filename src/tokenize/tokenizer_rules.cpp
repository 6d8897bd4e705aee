#include "weft/tokenize/tokenizer_rules.hpp"

#include "weft/error.hpp"

namespace weft {
namespace {

[[noreturn]] void bad(const std::string& key, const std::string& why) {
  throw FormatError("tokenizer config: \"" + key + "\" " + why);
}

std::string get_string(const Json& config, const char* key) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return "";
  if (!it->is_string()) bad(key, "must be a string");
  return it->get<std::string>();
}

// A rule is a pattern string, or {"pattern": "...", "mwt": true}.
std::vector<AffixRule> get_rules(const Json& config, const char* key) {
  std::vector<AffixRule> rules;
  auto it = config.find(key);
  if (it == config.end() || it->is_null()) return rules;
  if (!it->is_array()) bad(key, "must be an array of patterns");
  for (const Json& r : *it) {
    AffixRule rule;
    if (r.is_string()) {
      rule.pattern = r.get<std::string>();
    } else if (r.is_object() && r.contains("pattern") && r["pattern"].is_string()) {
      rule.pattern = r["pattern"].get<std::string>();
      if (r.contains("mwt")) {
        if (!r["mwt"].is_boolean()) bad(key, "rule \"mwt\" must be true or false");
        rule.mwt = r["mwt"].get<bool>();
      }
    } else {
      bad(key, "entries must be strings or {\"pattern\": string, \"mwt\": bool}");
    }
    if (rule.pattern.empty()) bad(key, "has an empty pattern");
    rules.push_back(std::move(rule));
  }
  return rules;
}

Json rules_json(const std::vector<AffixRule>& rules) {
  Json out = Json::array();
  for (const AffixRule& r : rules) {
    if (r.mwt) out.push_back(Json{{"pattern", r.pattern}, {"mwt", true}});
    else out.push_back(r.pattern);
  }
  return out;
}

// A special case maps its text to pieces; a piece is a string or {"orth": "...", "norm": "...", "mwt": true}.
std::vector<SpecialCase> get_specials(const Json& config) {
  std::vector<SpecialCase> specials;
  auto it = config.find("special_cases");
  if (it == config.end() || it->is_null()) return specials;
  if (!it->is_object()) bad("special_cases", "must be an object {text: [pieces]}");
  for (auto sc = it->begin(); sc != it->end(); ++sc) {
    SpecialCase s;
    s.text = sc.key();
    if (!sc.value().is_array() || sc.value().empty()) {
      bad("special_cases", "entry \"" + s.text + "\" needs a list of pieces");
    }
    for (const Json& p : sc.value()) {
      SpecialPiece piece;
      if (p.is_string()) {
        piece.orth = p.get<std::string>();
      } else if (p.is_object() && p.contains("orth") && p["orth"].is_string()) {
        piece.orth = p["orth"].get<std::string>();
        for (auto f = p.begin(); f != p.end(); ++f) {
          if (f.key() == "orth") continue;
          if (f.key() == "mwt") {
            if (!f->is_boolean()) bad("special_cases", "entry \"" + s.text + "\": \"mwt\" must be true or false");
            piece.mwt = f->get<bool>();
          } else if (f.key() == "norm") {
            if (!f->is_string()) bad("special_cases", "entry \"" + s.text + "\": \"norm\" must be a string");
            piece.norm = f->get<std::string>();
          } else {
            bad("special_cases", "entry \"" + s.text + "\": unknown piece key \"" + f.key() + "\"");
          }
        }
      } else {
        bad("special_cases",
            "entry \"" + s.text + "\": pieces must be strings or {\"orth\": string, \"norm\": string, \"mwt\": bool}");
      }
      if (piece.orth.empty()) bad("special_cases", "entry \"" + s.text + "\" has an empty piece");
      s.pieces.push_back(std::move(piece));
    }
    check_special_case(s);
    s.pieces.back().mwt = false;  // nothing follows the last piece inside the special case
    specials.push_back(std::move(s));
  }
  return specials;
}

}  // namespace

void check_special_case(const SpecialCase& sc) {
  if (sc.text.empty()) throw ValueError("tokenizer special case: the text is empty");
  if (sc.pieces.empty()) throw ValueError("tokenizer special case \"" + sc.text + "\" has no pieces");
  std::string spelled;
  for (const SpecialPiece& p : sc.pieces) {
    if (p.orth.empty()) throw ValueError("tokenizer special case \"" + sc.text + "\" has an empty piece");
    spelled += p.orth;
  }
  if (spelled != sc.text) {
    throw ValueError("tokenizer special case \"" + sc.text + "\" has pieces spelling \"" + spelled +
                     "\" (special cases may not change the text)");
  }
}

TokenizerRules TokenizerRules::from_json(const Json& config) {
  if (!config.is_object()) throw FormatError("tokenizer config must be a JSON object");
  TokenizerRules r;
  r.prefixes = get_rules(config, "prefixes");
  r.suffixes = get_rules(config, "suffixes");
  r.infixes = get_rules(config, "infixes");
  r.special_cases = get_specials(config);
  r.token_match = get_string(config, "token_match");
  r.url_match = get_string(config, "url_match");
  r.plain_chars = get_string(config, "plain_chars");
  return r;
}

Json TokenizerRules::to_json() const {
  Json out = Json::object();
  out["prefixes"] = rules_json(prefixes);
  out["suffixes"] = rules_json(suffixes);
  out["infixes"] = rules_json(infixes);
  out["token_match"] = token_match;
  out["url_match"] = url_match;
  out["plain_chars"] = plain_chars;
  Json specials = Json::object();
  for (const SpecialCase& s : special_cases) {
    Json pieces = Json::array();
    for (const SpecialPiece& p : s.pieces) {
      if (!p.mwt && p.norm.empty()) {
        pieces.push_back(p.orth);
        continue;
      }
      Json piece = Json{{"orth", p.orth}};
      if (!p.norm.empty()) piece["norm"] = p.norm;
      if (p.mwt) piece["mwt"] = true;
      pieces.push_back(std::move(piece));
    }
    specials[s.text] = std::move(pieces);
  }
  out["special_cases"] = std::move(specials);
  return out;
}

}  // namespace weft
