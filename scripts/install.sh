#!/usr/bin/env bash
# Installs everything weft needs on Debian 12 (idempotent, non-interactive), then configures and builds.
#   apt: compiler toolchain (with ccache, which lets scripts/check_pip_install.sh reuse this build's
#        objects), the design's C++ libraries, chromium + chromium-driver with a font for the browser
#        tests of the rendered pictures (tests/python/test_displacy_browser.py), and Java 17
#        (openjdk-17-jre-headless) for Spark (tests/python/test_spark.py)
#   .venv: Python environment made from Debian's /usr/bin/python3 with numpy, pytest, pybind11,
#          scikit-build-core, selenium, and for the interop tests onnx, onnxruntime and safetensors,
#          from PyPI (python/requirements.txt), and the cluster engines behind weft.spark and weft.dask
#          with what their tests need (python/requirements-cluster.txt: PySpark, pyarrow, pandas, Dask,
#          distributed)
# Usage: scripts/install.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git ccache
  libicu-dev libre2-dev libsimdjson-dev libeigen3-dev libdnnl-dev
  libxxhash-dev libcli11-dev libfmt-dev doctest-dev nlohmann-json3-dev
  python3 python3-dev python3-venv
  chromium chromium-driver fonts-dejavu-core
  openjdk-17-jre-headless
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "weft: installing apt packages: ${missing[*]}"
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# One interpreter for everything: a venv over Debian's python3; CMake is always handed this one.
if [ ! -x .venv/bin/python ]; then
  /usr/bin/python3 -m venv .venv
fi
if ! .venv/bin/python -c "import numpy, pytest, pybind11, scikit_build_core, selenium, onnx, onnxruntime, safetensors" 2>/dev/null; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r python/requirements.txt
fi
if ! .venv/bin/python -c "import pyspark, pyarrow, pandas, dask.bag, distributed" 2>/dev/null; then
  .venv/bin/python -m pip install -q --disable-pip-version-check -r python/requirements-cluster.txt
fi

if [ "${1:-}" != "--no-build" ]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DWEFT_WERROR=ON -DWEFT_CCACHE=ON \
    -DPython3_EXECUTABLE="$PWD/.venv/bin/python" >/dev/null
  cmake --build build
fi
