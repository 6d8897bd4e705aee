// The weft subcommands. Each adds itself to the CLI11 app and returns the function that runs it;
// the functions throw weft::Error on failure and main() turns that into one line and exit code 1.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace weft::cli {

using Run = std::function<int()>;

Run add_tokenize(CLI::App& app);
Run add_convert(CLI::App& app);
Run add_info(CLI::App& app);
Run add_evaluate(CLI::App& app);
Run add_train(CLI::App& app);
Run add_run(CLI::App& app);
Run add_match(CLI::App& app);
Run add_render(CLI::App& app);
Run add_export(CLI::App& app);

// The whole command line (app.cpp): parses argv, runs the command, returns the exit code.
int run_main(int argc, char** argv);

}  // namespace weft::cli
