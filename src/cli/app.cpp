// The `weft` command: a thin layer over the library (DESIGN.md, "apps"). Usage errors exit with 2
// (CLI11's convention), any weft::Error with 1 after one line "weft: error: <where>: <cause>".
// run_main is the whole command; main.cpp calls it, and so does the Python module (python -m weft),
// which runs the same commands in a process where Python components can be registered.
#include <CLI/CLI.hpp>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/python.hpp"
#include "weft/backend/cpu_int8.hpp"
#include "weft/error.hpp"

namespace weft::cli {

int run_main(int argc, char** argv) {
  set_argv(argc, argv);
  CLI::App app{"weft: fast natural-language processing (tokenize, annotate, convert, evaluate)", "weft"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("weft ") + WEFT_VERSION);
  bool no_int8 = false;
  app.add_flag("--no-int8", no_int8,
               "Run inference's matrix products in f32, as trained, instead of int8 (the default where weft is built "
               "with oneDNN; also WEFT_CPU_INT8=0). Before or after the command");
  app.fallthrough();  // --no-int8 also after the subcommand: weft run --no-int8 ...
  std::map<CLI::App*, weft::cli::Run> runs;
  // Each add_* adds one subcommand (the newest in the app) and returns the function that runs it.
  for (auto* add : {weft::cli::add_tokenize, weft::cli::add_run, weft::cli::add_match, weft::cli::add_render, weft::cli::add_convert, weft::cli::add_evaluate, weft::cli::add_train, weft::cli::add_export, weft::cli::add_info}) {
    weft::cli::Run run = add(app);
    runs[app.get_subcommands({}).back()] = std::move(run);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // app.exit prints the help, the version or the usage error; every usage error exits 2, as
    // documented, instead of CLI11's own codes (106 for a missing required option, ...).
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (no_int8) weft::backend::set_cpu_int8(false);
  try {
    for (CLI::App* sub : app.get_subcommands())
      if (auto it = runs.find(sub); it != runs.end()) return it->second();
    return 2;
  } catch (const weft::Error& e) {
    std::cout.flush();
    std::cerr << "weft: error: " << e.what() << '\n';
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << "weft: error: out of memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "weft: error: " << e.what() << '\n';
    return 1;
  }
}

}  // namespace weft::cli
