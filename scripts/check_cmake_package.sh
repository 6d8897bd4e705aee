#!/usr/bin/env bash
# Checks the installed C++ package: `cmake --install build` into build/install, then builds
# tests/package (find_package(weft CONFIG REQUIRED), weft::weft) against that prefix alone and runs it
# on the shipped model.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="$PWD/build/install"
rm -rf "$prefix" build/package
cmake --install build --prefix "$prefix" >/dev/null
cmake -S tests/package -B build/package -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build build/package >/dev/null
build/package/weft_consumer models/en_ewt_sm | tail -1
"$prefix/bin/weft" --version >/dev/null
