// weft info: version, build features (CUDA devices, or why there are none), languages, with --registry
// every registered factory by category, and given a model folder its pipeline and the weights each
// component's weights.safetensors holds (names and shapes, as the loaded model has them).
#include <algorithm>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "weft/pipeline/encoder.hpp"
#include "weft/pipeline/trainable.hpp"
#include "weft/backend/cpu_int8.hpp"
#include "weft/backend/device_info.hpp"
#include "weft/json.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft::cli {

namespace {

Json shape_json(const backend::Shape& s) {
  Json j = Json::array();
  for (const std::int64_t d : s.dims()) j.push_back(d);
  return j;
}

// The weights of one model as its weights file holds them: full names and shapes, in file order.
Json weights_json(nn::Layer& model, const std::string& file, const std::string& storage) {
  Json tensors = Json::array();
  for (const nn::NamedParam& p : nn::named_params(model)) {
    Json t = Json::object();
    t["name"] = p.name;
    t["shape"] = shape_json(p.param->value.shape());
    tensors.push_back(t);
  }
  Json j = Json::object();
  j["file"] = file;
  j["storage"] = storage;
  j["tensors"] = tensors;
  return j;
}

std::string storage_of(const Json& config) {
  return config.is_object() && config.contains("storage") && config["storage"].is_string() ? config["storage"].get<std::string>()
                                                                                          : "f16";
}

Json model_info(const std::string& path) {
  if (!std::filesystem::is_directory(path)) throw ModelError("cannot read model " + path + ": no such folder");
  Pipeline nlp = load_model(path);
  Json j = Json::object();
  j["path"] = path;
  if (nlp.meta().contains("name")) j["name"] = nlp.meta()["name"];
  if (nlp.meta().contains("version")) j["version"] = nlp.meta()["version"];
  j["lang"] = nlp.lang();
  j["pipeline"] = nlp.pipe_names();
  const Json configs = nlp.components_config();
  Json comps = Json::object();
  for (const std::string& name : nlp.component_names()) {
    Component& c = nlp.get_pipe(name);
    const Json config = configs.contains(name) ? configs[name] : Json::object();
    Json cj = Json::object();
    cj["factory"] = c.factory_name();
    Json weights = Json::array();
    if (TokenEncoder* e = c.as_encoder()) weights.push_back(weights_json(e->model(), name + "/weights.safetensors", storage_of(config)));
    if (TrainablePipe* p = c.as_trainable(); p != nullptr && p->initialized()) {
      weights.push_back(weights_json(p->model(), name + "/weights.safetensors", storage_of(config)));
      if (TokenEncoder* own = p->own_encoder())
        weights.push_back(weights_json(own->model(), name + "/tok2vec/weights.safetensors", storage_of(own->config())));
    }
    cj["weights"] = weights;
    comps[name] = cj;
  }
  j["components"] = comps;
  return j;
}

void print_model_info(const Json& m) {
  std::cout << "\nmodel: " << m["path"].get<std::string>();
  if (m.contains("name")) std::cout << " (" << m["name"].get<std::string>() << ' ' << m.value("version", std::string()) << ')';
  std::cout << "\npipeline:";
  for (const auto& n : m["pipeline"]) std::cout << ' ' << n.get<std::string>();
  std::cout << "\nweights (safetensors; name [shape]):\n";
  // In pipeline order (the JSON object's keys are sorted), disabled components after.
  std::vector<std::string> order;
  for (const auto& n : m["pipeline"]) order.push_back(n.get<std::string>());
  for (const auto& [name, c] : m["components"].items())
    if (std::find(order.begin(), order.end(), name) == order.end()) order.push_back(name);
  for (const std::string& name : order) {
    for (const auto& w : m["components"][name]["weights"]) {
      std::cout << "  " << w["file"].get<std::string>() << " (" << w["storage"].get<std::string>() << ")\n";
      for (const auto& t : w["tensors"]) {
        std::cout << "    " << t["name"].get<std::string>() << " [";
        bool first = true;
        for (const auto& d : t["shape"]) std::cout << (first ? "" : ", ") << d.get<std::int64_t>(), first = false;
        std::cout << "]\n";
      }
    }
  }
}

}  // namespace

Run add_info(CLI::App& app) {
  struct Opts {
    bool registry = false;
    bool json = false;
    std::string model;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("info", "Show version, build features and the registry");
  cmd->add_flag("--registry", o->registry, "List every registered factory by category");
  cmd->add_flag("--json", o->json, "Print as one JSON object");
  cmd->add_option("model", o->model,
                  "A model folder: also show its pipeline and, per component, the weights in its weights.safetensors "
                  "(names and shapes)");

  return [o]() -> int {
    const Registry& r = Registry::global();
    Json info = Json::object();
    info["version"] = WEFT_VERSION;
    // Asking loads the CUDA module (libweft_cuda.so and cuBLAS) when there is one: only this command does.
    const backend::CudaInfo& cuda = backend::cuda_info();
    info["cuda_compiled"] = cuda.compiled;
    info["cuda_devices"] = cuda.devices;
    info["cuda_module"] = cuda.module.empty() ? Json() : Json(cuda.module);
    info["cuda_error"] = cuda.error.empty() ? Json() : Json(cuda.error);
    info["cpu_int8"] = backend::int8_available();
    Json langs = Json::array();
    for (const auto& e : r.entries("languages")) langs.push_back(e.name);
    info["languages"] = langs;
    if (o->registry) {
      Json reg = Json::object();
      for (const auto& e : r.entries()) {
        Json item = Json::object();
        item["name"] = e.name;
        item["description"] = e.description;
        item["source"] = e.source;
        reg[e.category].push_back(item);
      }
      info["registry"] = reg;
    }
    if (!o->model.empty()) info["model"] = model_info(o->model);
    if (o->json) {
      std::cout << info.dump(2) << '\n';
      return 0;
    }
    std::cout << "weft " << WEFT_VERSION << '\n' << "CUDA: ";
    if (cuda.devices > 0) std::cout << cuda.devices << " device(s) (" << cuda.module << ")\n";
    else std::cout << "not available (" << cuda.error << ")\n";
    std::cout << "CPU inference products: " << (backend::int8_available() ? "int8" : "f32")
              << (backend::onednn_compiled() ? "" : " (built without oneDNN)") << '\n'
              << "languages:";
    for (const auto& l : langs) std::cout << ' ' << l.get<std::string>();
    std::cout << '\n';
    if (o->registry) {
      for (const std::string& cat : r.categories()) {
        std::cout << '\n' << cat << ":\n";
        for (const auto& e : r.entries(cat)) {
          std::cout << "  " << e.name;
          if (!e.description.empty()) std::cout << "  -  " << e.description;
          std::cout << '\n';
        }
      }
    }
    if (info.contains("model")) print_model_info(info["model"]);
    return 0;
  };
}

}  // namespace weft::cli
