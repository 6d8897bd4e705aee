// weft train: trains the pipeline a JSON config describes (see weft/train/trainer.hpp) and writes
// model-best/ and model-last/ under --output, printing a progress table (and a bar on a terminal).
#include <fstream>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/python.hpp"
#include "weft/error.hpp"
#include "weft/train/trainer.hpp"

namespace weft::cli {

Run add_train(CLI::App& app) {
  struct Opts {
    std::string config;
    std::string output;
    std::vector<std::string> sets;
    int threads = 0;
    std::string device;
    bool print_config = false;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("train", "Train a pipeline from a JSON config (CoNLL-U corpora)");
  cmd->add_option("config", o->config, "Training config (JSON); a model folder's config.json retrains that model")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--output,-o", o->output, "Folder for model-best/ and model-last/");
  cmd->add_option("--set", o->sets, "Override a config value: --set training.max_steps=100 (repeatable)");
  cmd->add_option("--threads", o->threads, "CPU threads for the matrix products (default: training.threads)");
  cmd->add_option("--device", o->device,
                  "Where to train: cpu, or cuda:N for a GPU (default: training.device; an error naming CUDA when none is "
                  "available)");
  cmd->add_flag("--print-config", o->print_config, "Print the resolved config and exit");
  add_code_option(*cmd);

  return [o]() -> int {
    prepare_code();
    std::ifstream in(o->config);
    if (!in) throw IOError("cannot open " + o->config);
    Json config;
    try {
      config = Json::parse(in);
    } catch (const std::exception& e) {
      throw FormatError(o->config + ": invalid JSON: " + e.what());
    }
    std::map<std::string, std::string> overrides;
    for (const std::string& s : o->sets) {
      const auto eq = s.find('=');
      if (eq == std::string::npos || eq == 0) throw ValueError("--set expects KEY=VALUE, got \"" + s + "\"");
      overrides[s.substr(0, eq)] = s.substr(eq + 1);
    }
    if (o->threads > 0) overrides["training.threads"] = std::to_string(o->threads);
    if (!o->device.empty()) overrides["training.device"] = o->device;
    const Json resolved = resolve_training_config(config, overrides);
    if (o->print_config) {
      std::cout << resolved.dump(2) << '\n';
      return 0;
    }
    if (o->output.empty()) throw ValueError("weft train: --output is required");
    TrainOptions opts;
    opts.output = o->output;
    opts.log = &std::cout;
    opts.progress_bar = true;
    train(resolved, opts);
    return 0;
  };
}

}  // namespace weft::cli
