// Python components from the command line. The `weft` executable has no Python in it; a pipeline
// whose config names a Python factory (@weft.Language.component / .factory, weft.registry.components,
// a "weft_factories" entry point), or a command given --code FILE, runs through the Python module
// instead: `weft` replaces itself (exec) with `python -m weft <the same arguments>`, and the module
// (python/weft/cli.py) runs these very commands in-process (run_main, bound as _weft._cli_main), where
// the Python registry entries exist. Options, formats, readers and writers are the same code.
//
// The interpreter: $WEFT_PYTHON, else the one this build was configured with (when it still exists),
// else `python3` on PATH. In the build tree the package built next to the executable goes first on
// PYTHONPATH.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace weft::cli {

// Remembers the command line (run_main calls it first), for a re-run through Python; clears --code.
void set_argv(int argc, char** argv);
// Called by the Python module before run_main: commands run inside Python, and --code files are
// imported with `import_code` (which takes the GIL itself).
void set_in_python(std::function<void(const std::string&)> import_code);
bool in_python() noexcept;

// Adds --code FILE (repeatable) to a command that loads a pipeline.
void add_code_option(CLI::App& cmd);
// Each such command calls this first: inside Python it imports the --code files; in the plain
// executable, --code re-runs the command through Python (no return).
void prepare_code();
// Replaces the process with `python -m weft <argv>`; throws weft::Error naming `why` when no Python
// can be started.
[[noreturn]] void run_through_python(const std::string& why);

// The factories a model folder names (config.json components, tokenizer.json) that the registry
// lacks, as "component factory \"x\" (component \"name\")" / "tokenizer \"x\"".
std::vector<std::string> missing_factories(const std::string& model_dir);

}  // namespace weft::cli
