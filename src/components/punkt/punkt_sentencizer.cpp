// The Punkt component: configuration, parameters on disk, marking sentence starts on a Doc's tokens.
#include <algorithm>
#include <cstdio>

#include "pipeline/builtins.hpp"
#include "weft/components/punkt/punkt.hpp"
#include "weft/error.hpp"

namespace weft {

namespace punkt {

Json Parameters::to_json() const {
  Json colloc = Json::array();
  for (const auto& [a, b] : collocations) colloc.push_back(Json::array({a, b}));
  std::map<std::string, std::uint32_t> ortho(ortho_context.begin(), ortho_context.end());
  Json oc = Json::object();
  for (const auto& [k, v] : ortho)
    if (v != 0) oc[k] = v;
  return Json{{"abbrev_types", abbrev_types}, {"collocations", colloc}, {"sent_starters", sent_starters}, {"ortho_context", oc}};
}

Parameters Parameters::from_json(const Json& j, const std::string& where) {
  const auto bad = [&](const std::string& what) { return FormatError(where + ": " + what); };
  if (!j.is_object()) throw bad("Punkt parameters must be a JSON object");
  check_config_keys(j, {"abbrev_types", "collocations", "sent_starters", "ortho_context"}, "Punkt parameters", where);
  Parameters p;
  const auto strings = [&](const char* key, std::set<std::string>& out) {
    if (!j.contains(key)) return;
    if (!j[key].is_array()) throw bad(std::string("\"") + key + "\" must be a list of strings");
    for (const Json& v : j[key]) {
      if (!v.is_string()) throw bad(std::string("\"") + key + "\" must be a list of strings, found " + v.dump());
      out.insert(v.get<std::string>());
    }
  };
  strings("abbrev_types", p.abbrev_types);
  strings("sent_starters", p.sent_starters);
  if (j.contains("collocations")) {
    if (!j["collocations"].is_array()) throw bad("\"collocations\" must be a list of [type, type] pairs");
    for (const Json& v : j["collocations"]) {
      if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_string())
        throw bad("\"collocations\" must be a list of [type, type] pairs, found " + v.dump());
      p.collocations.emplace(v[0].get<std::string>(), v[1].get<std::string>());
    }
  }
  if (j.contains("ortho_context")) {
    if (!j["ortho_context"].is_object()) throw bad("\"ortho_context\" must be an object (type -> flags)");
    for (const auto& [k, v] : j["ortho_context"].items()) {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() > 127)
        throw bad("\"ortho_context\": the flags of \"" + k + "\" must be an integer from 0 to 127, found " + v.dump());
      p.ortho_context[k] = static_cast<std::uint32_t>(v.get<std::uint64_t>());
    }
  }
  return p;
}

Json TrainerSettings::to_json() const {
  return Json{{"abbrev_threshold", abbrev},
              {"ignore_abbrev_penalty", ignore_abbrev_penalty},
              {"abbrev_backoff", abbrev_backoff},
              {"collocation_threshold", collocation},
              {"sent_starter_threshold", sent_starter},
              {"include_all_collocs", include_all_collocs},
              {"include_abbrev_collocs", include_abbrev_collocs},
              {"min_colloc_freq", min_colloc_freq}};
}

void TrainerSettings::read(const Json& c) {
  const auto number = [&](const char* key, double& out) {
    if (!c.contains(key)) return;
    if (!c[key].is_number()) throw ConfigError(std::string("weft.PunktSentencizer.v1 config: \"") + key + "\" must be a number");
    out = c[key].get<double>();
  };
  const auto integer = [&](const char* key, std::int64_t& out) {
    if (!c.contains(key)) return;
    if (!c[key].is_number_integer())
      throw ConfigError(std::string("weft.PunktSentencizer.v1 config: \"") + key + "\" must be an integer");
    out = c[key].get<std::int64_t>();
  };
  const auto boolean = [&](const char* key, bool& out) {
    if (!c.contains(key)) return;
    if (!c[key].is_boolean()) throw ConfigError(std::string("weft.PunktSentencizer.v1 config: \"") + key + "\" must be true or false");
    out = c[key].get<bool>();
  };
  number("abbrev_threshold", abbrev);
  boolean("ignore_abbrev_penalty", ignore_abbrev_penalty);
  integer("abbrev_backoff", abbrev_backoff);
  number("collocation_threshold", collocation);
  number("sent_starter_threshold", sent_starter);
  boolean("include_all_collocs", include_all_collocs);
  boolean("include_abbrev_collocs", include_abbrev_collocs);
  integer("min_colloc_freq", min_colloc_freq);
}

}  // namespace punkt

PunktSentencizerConfig PunktSentencizerConfig::from_json(const Json& j) {
  PunktSentencizerConfig c;
  if (j.is_null()) return c;
  if (!j.is_object()) throw ConfigError("weft.PunktSentencizer.v1 config must be a JSON object");
  check_config_keys(j,
                    {"split_on_newlines", "realign_boundaries", "overwrite", "abbrev_threshold", "ignore_abbrev_penalty",
                     "abbrev_backoff", "collocation_threshold", "sent_starter_threshold", "include_all_collocs",
                     "include_abbrev_collocs", "min_colloc_freq"},
                    "the weft.PunktSentencizer.v1 config");
  for (const char* key : {"split_on_newlines", "realign_boundaries", "overwrite"}) {
    if (!j.contains(key)) continue;
    if (!j[key].is_boolean()) throw ConfigError(std::string("weft.PunktSentencizer.v1 config: \"") + key + "\" must be true or false");
    const std::string k = key;
    (k == "split_on_newlines" ? c.split_on_newlines : k == "realign_boundaries" ? c.realign_boundaries : c.overwrite) =
        j[key].get<bool>();
  }
  c.training.read(j);
  return c;
}

Json PunktSentencizerConfig::to_json() const {
  Json j{{"split_on_newlines", split_on_newlines}, {"realign_boundaries", realign_boundaries}, {"overwrite", overwrite}};
  const Json t = training.to_json();
  for (const auto& [k, v] : t.items()) j[k] = v;
  return j;
}

PunktSentencizer::PunktSentencizer(std::string name, PunktSentencizerConfig config)
    : Component(std::move(name)), config_(std::move(config)) {}

std::vector<std::pair<std::size_t, std::size_t>> PunktSentencizer::sentence_spans(std::string_view text) const {
  return punkt::sentence_spans(text, params_, config_.realign_boundaries);
}

namespace {

bool has_newline(std::string_view ws) {
  return ws.find('\n') != std::string_view::npos || ws.find('\r') != std::string_view::npos ||
         ws.find("\xE2\x80\xA8") != std::string_view::npos || ws.find("\xE2\x80\xA9") != std::string_view::npos;
}

}  // namespace

void PunktSentencizer::operator()(Doc& doc) const {
  auto& toks = doc.tokens();
  if (toks.empty()) return;
  std::vector<std::int8_t> starts(toks.size(), -1);
  starts[0] = 1;
  // Each sentence's first token: the first that starts at or after the sentence's start.
  std::size_t k = 0;
  for (const auto& [begin, end] : sentence_spans(doc.text())) {
    while (k < toks.size() && toks[k].idx < begin) ++k;
    if (k < toks.size() && toks[k].idx < end) starts[k] = 1;
  }
  if (config_.split_on_newlines)
    for (std::size_t i = 1; i < toks.size(); ++i)
      if (has_newline(doc.whitespace(i - 1))) starts[i] = 1;
  for (std::size_t i = 0; i < toks.size(); ++i)
    if (config_.overwrite || toks[i].sent_start == 0) toks[i].sent_start = starts[i];
}

void PunktSentencizer::to_disk(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  write_file((dir / "punkt.json").string(), params_.to_json().dump(1) + "\n");
}

void PunktSentencizer::from_disk(const std::filesystem::path& dir) {
  const std::string path = (dir / "punkt.json").string();
  if (!std::filesystem::exists(path))
    throw ModelError("cannot load the Punkt parameters of component \"" + name() + "\": " + path + " is missing");
  try {
    params_ = punkt::Parameters::from_json(read_json_file(path), path);
  } catch (const ModelError&) {
    throw;
  } catch (const Error& e) {
    throw ModelError(e.what());
  }
}

void PunktSentencizer::learn_from_text(std::string_view text) {
  params_ = punkt::train(text, config_.training, &stats_);
}

std::string PunktSentencizer::learnt_summary() const {
  char line[256];
  std::snprintf(line, sizeof line,
                "%zu abbreviation types, %zu collocations, %zu sentence starters, %zu word types (from %lld words, "
                "%lld breaks in the first pass)",
                params_.abbrev_types.size(), params_.collocations.size(), params_.sent_starters.size(),
                params_.ortho_context.size(), static_cast<long long>(stats_.tokens),
                static_cast<long long>(stats_.sentence_breaks));
  return line;
}

void register_punkt(Registry& r) {
  ComponentFactory make = [](const std::string& name, const Json& config, std::shared_ptr<Vocab>) {
    return std::unique_ptr<Component>(std::make_unique<PunktSentencizer>(name, PunktSentencizerConfig::from_json(config)));
  };
  r.add("components", "weft.PunktSentencizer.v1", make,
        "Punkt sentence boundaries (Kiss & Strunk, as NLTK's PunktSentenceTokenizer): abbreviations, collocations "
        "and sentence starters learnt from raw text by weft train",
        "builtin");
}

}  // namespace weft
