// weft info: version, build features (CUDA devices), languages, and with --registry every registered
// factory by category.
#include <iostream>

#include "cli/commands.hpp"
#include "weft/backend/cpu_int8.hpp"
#include "weft/backend/device_info.hpp"
#include "weft/json.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft::cli {

Run add_info(CLI::App& app) {
  struct Opts {
    bool registry = false;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("info", "Show version, build features and the registry");
  cmd->add_flag("--registry", o->registry, "List every registered factory by category");
  cmd->add_flag("--json", o->json, "Print as one JSON object");

  return [o]() -> int {
    const Registry& r = Registry::global();
    Json info = Json::object();
    info["version"] = WEFT_VERSION;
    info["cuda_compiled"] = backend::cuda_compiled();
    info["cuda_devices"] = backend::cuda_device_count();
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
    if (o->json) {
      std::cout << info.dump(2) << '\n';
      return 0;
    }
    std::cout << "weft " << WEFT_VERSION << '\n'
              << "CUDA backend: " << (backend::cuda_compiled() ? "compiled" : "not compiled") << ", "
              << backend::cuda_device_count() << " device(s)\n"
              << "CPU inference products: " << (backend::int8_available() ? "int8" : "f32")
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
    return 0;
  };
}

}  // namespace weft::cli
