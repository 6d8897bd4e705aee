#!/usr/bin/env bash
# Checks the standard Python install path: `pip install --no-build-isolation .` into the project venv
# (offline: the build backend, scikit-build-core, and pybind11 are already there), then imports the
# installed package from outside the source tree and tokenizes a sentence; uninstalls afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="$PWD/.venv/bin/python"
"$PY" -m pip install -q --no-build-isolation --no-deps --no-index . 
trap '"$PY" -m pip uninstall -q -y weft' EXIT
(cd /tmp && "$PY" - <<'PYEOF'
import weft, os
assert "site-packages" in weft.__file__, weft.__file__
nlp = weft.blank("en")
doc = nlp("I don't like Dr. Smith's cats.")
words = [t.text for t in doc]
assert words == ["I", "do", "n't", "like", "Dr.", "Smith", "'s", "cats", "."], words
print(f"pip install ok: weft {weft.__version__} from {os.path.dirname(weft.__file__)}: {words}")
PYEOF
)
