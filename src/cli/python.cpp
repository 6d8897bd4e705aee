#include "cli/python.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/python_paths.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft::cli {

namespace {

struct State {
  std::vector<std::string> argv;
  std::vector<std::string> code;  // --code files of this command line
  bool in_python = false;
  std::function<void(const std::string&)> import_code;
};

State& state() {
  static State s;
  return s;
}

std::string python_executable() {
  if (const char* env = std::getenv("WEFT_PYTHON"); env && *env) return env;
  if (const char* configured = configured_python_executable()) {
    if (std::error_code ec; std::filesystem::exists(configured, ec)) return configured;
  }
  return "python3";
}

}  // namespace

void set_argv(int argc, char** argv) {
  State& s = state();
  s.argv.assign(argv, argv + argc);
  s.code.clear();
}

void set_in_python(std::function<void(const std::string&)> import_code) {
  State& s = state();
  s.in_python = true;
  s.import_code = std::move(import_code);
}

bool in_python() noexcept { return state().in_python; }

void add_code_option(CLI::App& cmd) {
  cmd.add_option("--code", state().code,
                 "Python file to import first (repeatable): it registers custom components (@weft.Language.component, "
                 "@weft.Language.factory, @weft.registry.components), tokenizers or extension attributes; the command "
                 "then runs through the Python module (python -m weft)")
      ->check(CLI::ExistingFile);
}

void prepare_code() {
  State& s = state();
  if (s.code.empty()) return;
  if (!s.in_python) run_through_python("--code");
  for (const std::string& file : s.code) s.import_code(file);
}

void run_through_python(const std::string& why) {
  State& s = state();
  const std::string python = python_executable();
  // The module built with this executable, before any installed one.
  std::error_code ec;
  if (const char* dir = build_tree_python_package_dir();
      dir != nullptr && std::filesystem::exists(std::filesystem::path(dir) / "weft" / "__init__.py", ec)) {
    const char* old = std::getenv("PYTHONPATH");
    std::string path = dir;
    if (old && *old) path += std::string(":") + old;
    ::setenv("PYTHONPATH", path.c_str(), 1);
  }
  std::vector<std::string> args{python, "-m", "weft"};
  for (std::size_t i = 1; i < s.argv.size(); ++i) args.push_back(s.argv[i]);
  std::vector<char*> cargs;
  for (std::string& a : args) cargs.push_back(a.data());
  cargs.push_back(nullptr);
  std::cout.flush();
  std::cerr.flush();
  ::execvp(python.c_str(), cargs.data());
  const int err = errno;
  throw Error("this needs Python (" + why + "), but starting \"" + python + " -m weft\" failed: " + std::strerror(err) +
              "; set WEFT_PYTHON to a Python interpreter that can import weft");
}

std::vector<std::string> missing_factories(const std::string& model_dir) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  std::error_code ec;
  const fs::path dir(model_dir);
  if (!fs::is_directory(dir, ec)) return out;
  const Registry& r = Registry::global();
  if (fs::exists(dir / "config.json", ec)) {
    Json config;
    try {
      config = read_model_json(dir / "config.json");
    } catch (const Error&) {
      return out;  // weft::load reports it
    }
    if (config.is_object() && config.contains("components") && config["components"].is_object()) {
      for (const auto& [name, c] : config["components"].items()) {
        if (!c.is_object() || !c.contains("factory") || !c["factory"].is_string()) continue;
        const std::string factory = c["factory"].get<std::string>();
        if (!r.has("components", factory))
          out.push_back("component factory \"" + factory + "\" (component \"" + name + "\")");
      }
    }
  }
  if (fs::exists(dir / "tokenizer.json", ec)) {
    try {
      const Json tok = read_model_json(dir / "tokenizer.json");
      if (tok.is_object() && tok.contains("@tokenizers") && tok["@tokenizers"].is_string() &&
          !r.has("tokenizers", tok["@tokenizers"].get<std::string>()))
        out.push_back("tokenizer \"" + tok["@tokenizers"].get<std::string>() + "\"");
    } catch (const Error&) {
    }
  }
  return out;
}

}  // namespace weft::cli
