#!/usr/bin/env bash
# Checks the standard Python install path: `pip install --no-build-isolation .` into the project venv
# (offline: the build backend, scikit-build-core, and pybind11 are already there), then imports the
# installed package from outside the source tree and tokenizes a sentence, checks that weft.spark and
# weft.dask import and the extras weft[spark] and weft[dask] are declared, and in a CUDA build checks that
# the package loads its CUDA module (libweft_cuda.so beside _weft); uninstalls afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$PWD/.venv/bin/python"
# WEFT_CCACHE and WEFT_WERROR as scripts/install.sh sets them: the wheel's build tree (build-pip/) then
# compiles with the same command lines as build/, so ccache hands back build/'s objects and only the
# links run again (the CI compiles the library once).
# The same compiler too: pip hands CMake Python's own (x86_64-linux-gnu-g++), and ccache keys on its name.
CXX_USED=$(sed -n 's/^CMAKE_CXX_COMPILER:FILEPATH=//p' build/CMakeCache.txt 2>/dev/null || true)
"$PY" -m pip install -q --no-build-isolation --no-deps --no-index \
  --config-settings=cmake.define.WEFT_CCACHE=ON --config-settings=cmake.define.WEFT_WERROR=ON \
  ${CXX_USED:+--config-settings=cmake.define.CMAKE_CXX_COMPILER="$CXX_USED"} .
trap '"$PY" -m pip uninstall -q -y weft' EXIT
(cd /tmp && "$PY" - <<'PYEOF'
import weft, os
assert "site-packages" in weft.__file__, weft.__file__
nlp = weft.blank("en")
doc = nlp("I don't like Dr. Smith's cats.")
words = [t.text for t in doc]
assert words == ["I", "do", "n't", "like", "Dr.", "Smith", "'s", "cats", "."], words
# A CUDA build installs its CUDA module beside _weft, and the installed package loads it from there.
module = os.path.join(os.path.dirname(weft.__file__), "libweft_cuda.so")
if os.path.exists(module):
    import json, subprocess, sys
    out = subprocess.run([sys.executable, "-m", "weft", "info", "--json"], check=True, capture_output=True).stdout
    info = json.loads(out)
    assert info["cuda_module"] == module, info
# The cluster engines' modules and the batch annotator under them are in every build (the CLI's may be
# missing from a wheel; they are not), and the extras are declared.
import importlib.metadata
import weft.dask, weft.spark  # noqa: F401  (their engines are imported only when used)
assert hasattr(weft._weft, "_annotate_batch")
extras = importlib.metadata.metadata("weft").get_all("Provides-Extra") or []
assert {"spark", "dask"} <= set(extras), extras
print(f"pip install ok: weft {weft.__version__} from {os.path.dirname(weft.__file__)}: {words}"
      f"{' (CUDA module found)' if os.path.exists(module) else ''}")
PYEOF
)
