// The `weft` executable: the commands of app.cpp.
#include <iostream>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return weft::cli::run_main(argc, argv);
}
