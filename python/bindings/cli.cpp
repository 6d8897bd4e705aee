// The weft command inside Python: _weft._cli_main(argv, import_code) runs src/cli's commands in this
// process (python -m weft, python/weft/cli.py), with the GIL released; Python components and
// extension attributes registered here are visible to them. --code files are imported through
// `import_code` (a Python callable) before the command loads anything.
#include <pybind11/stl.h>

#include <iostream>

#include "bindings.hpp"

#ifdef WEFT_PY_CLI
#include "cli/commands.hpp"
#include "cli/python.hpp"
#endif

namespace weft::py {

void register_cli(pyb::module_& m) {
#ifdef WEFT_PY_CLI
  m.def(
      "_cli_main",
      [](std::vector<std::string> argv, const pyb::object& import_code) {
        if (argv.empty()) argv.emplace_back("weft");
        // The import hook lives as long as the process (the CLI's state is static), so it holds no
        // Python object: it looks the callable up by name each time.
        pyb::module_::import("weft.cli").attr("_import_code_hook") = import_code;
        weft::cli::set_in_python([](const std::string& file) {
          pyb::gil_scoped_acquire gil;
          pyb::module_::import("weft.cli").attr("_import_code_hook")(file);
        });
        std::vector<char*> args;
        for (std::string& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        int rc = 0;
        {
          pyb::gil_scoped_release release;
          rc = weft::cli::run_main(static_cast<int>(argv.size()), args.data());
          std::cout.flush();
          std::cerr.flush();
        }
        return rc;
      },
      pyb::arg("argv"), pyb::arg("import_code"),
      "Runs the weft command line (argv[0] is the program name) in this process; returns the exit code");
  m.attr("_has_cli") = true;
#else
  m.attr("_has_cli") = false;
#endif
}

}  // namespace weft::py
