#include "weft/pipeline/model_io.hpp"

#include <fstream>

#include "weft/error.hpp"
#include "weft/pipeline/language.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft {

void write_model_json(const std::filesystem::path& path, const Json& j, int indent) {
  std::ofstream out(path, std::ios::binary);
  out << j.dump(indent) << '\n';
  if (!out) throw IOError("cannot write " + path.string());
}

Json read_model_json(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelError("cannot open " + path.string() + ": no such file");
  try {
    return Json::parse(in);
  } catch (const std::exception& e) {
    throw ModelError(path.string() + ": invalid JSON: " + e.what());
  }
}

void save_pipeline(const Pipeline& nlp, const std::filesystem::path& dir, const Json& config, const Json& meta) {
  std::filesystem::create_directories(dir);
  Json c = config.is_object() ? config : Json::object();
  Json nlp_section = nlp.nlp_config();
  if (c.contains("nlp") && c["nlp"].is_object())
    for (const auto& [k, v] : c["nlp"].items())
      if (!nlp_section.contains(k)) nlp_section[k] = v;
  c["nlp"] = nlp_section;
  c["components"] = nlp.components_config();
  write_model_json(dir / "config.json", c);
  Json m = meta.is_object() ? meta : Json::object();
  m["lang"] = nlp.lang();
  m["pipeline"] = nlp.component_names();
  m["weft_version"] = WEFT_VERSION;
  write_model_json(dir / "meta.json", m);
  Json tok = nlp.tokenizer().to_json();
  tok["@tokenizers"] = nlp.tokenizer().registry_name();
  write_model_json(dir / "tokenizer.json", tok);
  for (const std::string& name : nlp.component_names()) nlp.get_pipe(name).to_disk(dir / name);
}

Pipeline load(const std::filesystem::path& dir) {
  if (!std::filesystem::is_directory(dir))
    throw ModelError("cannot load model " + dir.string() + ": not a directory");
  const Json config = read_model_json(dir / "config.json");
  const auto cfg_path = (dir / "config.json").string();
  if (!config.is_object() || !config.contains("nlp") || !config["nlp"].is_object() ||
      !config["nlp"].contains("lang") || !config["nlp"]["lang"].is_string() || !config["nlp"].contains("pipeline") ||
      !config["nlp"]["pipeline"].is_array())
    throw ModelError(cfg_path + ": needs \"nlp\": {\"lang\": ..., \"pipeline\": [...]}");
  const std::string lang = config["nlp"]["lang"].get<std::string>();
  Json meta = read_model_json(dir / "meta.json");
  if (!meta.is_object()) throw ModelError((dir / "meta.json").string() + ": must be a JSON object");
  const LanguageData data = language_data(lang);
  auto vocab = make_vocab(data);
  std::unique_ptr<TokenizerBase> tokenizer;
  const auto tok_path = dir / "tokenizer.json";
  try {
    tokenizer = make_tokenizer(read_model_json(tok_path), vocab);
  } catch (const ModelError&) {
    throw;
  } catch (const Error& e) {
    throw ModelError(tok_path.string() + ": " + e.what());
  }
  Pipeline nlp(vocab, std::move(tokenizer), lang);
  const Json components = config.value("components", Json::object());
  // "nlp.pipeline" and "nlp.disabled" list component names.
  auto names = [&](const char* key) {
    std::vector<std::string> out;
    const Json& list = config["nlp"][key];
    if (!list.is_array()) throw ModelError(cfg_path + ": \"nlp\": \"" + key + "\" must be a list of component names");
    for (const Json& n : list) {
      if (!n.is_string())
        throw ModelError(cfg_path + ": \"nlp\": \"" + key + "\" must list component names (strings), found " + n.dump());
      out.push_back(n.get<std::string>());
    }
    return out;
  };
  for (const std::string& name : names("pipeline")) {
    if (!components.is_object() || !components.contains(name) || !components[name].is_object() ||
        !components[name].contains("factory"))
      throw ModelError(cfg_path + ": component \"" + name + "\" has no \"factory\" in \"components\"");
    Json c = components[name];
    if (!c["factory"].is_string())
      throw ModelError(cfg_path + ": component \"" + name + "\": \"factory\" must be a string, found " + c["factory"].dump());
    const std::string factory = c["factory"].get<std::string>();
    c.erase("factory");
    if (!Registry::global().resolve("components", factory))
      throw ModelError(cfg_path + ": component \"" + name + "\" needs the factory \"" + factory +
                       "\", which is not registered. If it is a Python component, register it before loading: import "
                       "the module that defines it (@weft.Language.component(\"" + factory +
                       "\"), @weft.Language.factory or @weft.registry.components), pass code=\"file.py\" to "
                       "weft.load or --code FILE to the weft command, or install a package that provides it through "
                       "the \"weft_factories\" entry point");
    try {
      Component& comp = nlp.add_pipe(factory, name, c);
      comp.from_disk(dir / name);
    } catch (const ModelError&) {
      throw;
    } catch (const Error& e) {
      throw ModelError(cfg_path + ": component \"" + name + "\": " + e.what());
    }
  }
  if (config["nlp"].contains("disabled")) {
    for (const std::string& name : names("disabled")) {
      try {
        nlp.disable_pipe(name);
      } catch (const Error& e) {
        throw ModelError(cfg_path + ": \"nlp\": \"disabled\": " + e.cause());
      }
    }
  }
  nlp.set_meta(std::move(meta));
  return nlp;
}

Pipeline load_or_blank(const std::string& name_or_path) {
  if (std::filesystem::exists(name_or_path) || name_or_path.find('/') != std::string::npos) return load(name_or_path);
  return Pipeline::blank(name_or_path);
}

}  // namespace weft
