#!/usr/bin/env bash
# Runs every test of weft: the C++ doctest suites (through ctest), a check that
# `pip install --no-build-isolation .` gives an importable module, a check that the installed CMake
# package builds an outside project, and the Python and CLI suites (pytest). Installs and builds
# first (scripts/install.sh), so it works on a fresh clone.
# The C++ suites and pytest are single-threaded, so they run side by side on two cores; the C++
# output is printed once both are done, and the script fails when either failed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh

echo "== pip install --no-build-isolation ."
scripts/check_pip_install.sh

echo "== installed C++ package (cmake --install, find_package(weft) from an outside project)"
scripts/check_cmake_package.sh

# Tests that compare with spaCy run it from the peers' environment when one was made
# (benchmarks/setup_peers.sh); elsewhere they are skipped.
if [ -z "${SPACY_PYTHON:-}" ] && [ -x .venv-peers/bin/python ]; then export SPACY_PYTHON="$PWD/.venv-peers/bin/python"; fi

ctest_log=$(mktemp)
trap 'rm -f "$ctest_log"' EXIT
(cd build && ctest -V) >"$ctest_log" 2>&1 &
ctest_pid=$!

echo "== Python and CLI tests (pytest), with the C++ tests beside them"
pytest_rc=0
WEFT_BIN="$PWD/build/bin/weft" PYTHONPATH="$PWD/build/python" .venv/bin/python -m pytest -q tests/python tests/cli || pytest_rc=$?

ctest_rc=0
wait "$ctest_pid" || ctest_rc=$?
echo "== C++ tests (doctest, through ctest)"
# Each suite's doctest summary (passed, failed and skipped cases: CUDA cases are skipped without a
# GPU) and ctest's; the whole output when something failed.
if [ $ctest_rc -eq 0 ]; then
  grep -E "Test +#|test cases:|assertions:|tests passed|Total Test time" "$ctest_log" || true
else
  cat "$ctest_log"
fi
echo "== summary: C++ tests $([ $ctest_rc -eq 0 ] && echo passed || echo FAILED), Python and CLI tests $([ $pytest_rc -eq 0 ] && echo passed || echo FAILED)"
[ $ctest_rc -eq 0 ] && [ $pytest_rc -eq 0 ]
