// weft info: version, build features (CUDA devices, or why there are none), languages, and with
// --registry every registered factory by category.
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
    return 0;
  };
}

}  // namespace weft::cli
