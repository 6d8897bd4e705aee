// The build's Python paths, compiled into this file alone: the interpreter the build was configured
// with (WEFT_PYTHON_EXECUTABLE) and, in the build tree, the package built next to the executable
// (WEFT_PYTHON_PACKAGE_DIR). Kept out of python.cpp so that every other object compiles alike in the
// build tree and in pip's (ccache then shares them; see docs/architecture.md, "Build and CI").
#include "cli/python_paths.hpp"

namespace weft::cli {

const char* configured_python_executable() noexcept {
#ifdef WEFT_PYTHON_EXECUTABLE
  return WEFT_PYTHON_EXECUTABLE;
#else
  return nullptr;
#endif
}

const char* build_tree_python_package_dir() noexcept {
#ifdef WEFT_PYTHON_PACKAGE_DIR
  return WEFT_PYTHON_PACKAGE_DIR;
#else
  return nullptr;
#endif
}

}  // namespace weft::cli
