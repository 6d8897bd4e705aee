// weft export onnx MODEL DIR: every network of a pipeline as an ONNX file (opset 17) with manifest.json
// naming its inputs and outputs and how weft feeds them (components/interop/onnx_export.hpp). The
// files are written by weft itself (the ONNX protobuf encoded in C++), so exporting needs no Python;
// weft.onnx.compare checks them in ONNX Runtime.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/python.hpp"
#include "weft/components/interop/onnx_export.hpp"

namespace weft::cli {

Run add_export(CLI::App& app) {
  struct Opts {
    std::string format, model, dir;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("export", "Write a pipeline's networks in another format (onnx: ONNX files and a manifest)");
  cmd->add_option("format", o->format, "The format: onnx")->required()->check(CLI::IsMember({"onnx"}));
  cmd->add_option("model", o->model, "The pipeline: a model folder")->required();
  cmd->add_option("dir", o->dir, "The folder to write (created when missing; files of the same names are replaced)")->required();
  add_code_option(*cmd);

  return [o]() -> int {
    prepare_code();
    const Pipeline nlp = load_model(o->model);
    const Json manifest = interop::export_onnx(nlp, o->dir);
    const auto& networks = manifest.at("networks");
    std::cout << "wrote " << networks.size() << " network" << (networks.size() == 1 ? "" : "s") << " to " << o->dir << ':';
    for (const auto& n : networks) std::cout << ' ' << n.at("file").get<std::string>();
    std::cout << " (and manifest.json)\n";
    return 0;
  };
}

}  // namespace weft::cli
