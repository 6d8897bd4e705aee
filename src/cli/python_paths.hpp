// The Python paths this build was configured with (python_paths.cpp); nullptr when not known.
#pragma once

namespace weft::cli {

// The interpreter CMake was given (Python3_EXECUTABLE).
const char* configured_python_executable() noexcept;
// In the build tree, the directory holding the Python package built next to the executable.
const char* build_tree_python_package_dir() noexcept;

}  // namespace weft::cli
