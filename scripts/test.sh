#!/usr/bin/env bash
# Runs every test of weft: the C++ doctest suites (through ctest), a check that
# `pip install --no-build-isolation .` gives an importable module, and the Python and CLI suites
# (pytest, last, so its summary closes the output). Installs and builds first (scripts/install.sh),
# so it works on a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh

echo "== pip install --no-build-isolation ."
scripts/check_pip_install.sh

echo "== C++ tests (doctest, through ctest)"
(cd build && ctest --output-on-failure)

echo "== Python and CLI tests (pytest)"
# Tests that compare with spaCy run it from the peers' environment when one was made
# (benchmarks/setup_peers.sh); elsewhere they are skipped.
if [ -z "${SPACY_PYTHON:-}" ] && [ -x .venv-peers/bin/python ]; then export SPACY_PYTHON="$PWD/.venv-peers/bin/python"; fi
WEFT_BIN="$PWD/build/bin/weft" PYTHONPATH="$PWD/build/python" .venv/bin/python -m pytest -q tests/python tests/cli
