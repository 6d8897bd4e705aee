#!/usr/bin/env bash
# Makes the README's pictures, docs/images/displacy_dep.png and displacy_ent.png: `weft render` draws
# the README's example sentence with the shipped model, and the browser test photographs the pages in
# headless Chromium (tests/python/test_displacy_browser.py::test_readme_pictures, which checks them too).
# Needs the build (scripts/install.sh). Usage: scripts/render_readme_picture.sh
set -euo pipefail
cd "$(dirname "$0")/.."
WEFT_README_PICTURES="$PWD/docs/images" WEFT_BIN="$PWD/build/bin/weft" PYTHONPATH="$PWD/build/python" \
  .venv/bin/python -m pytest -q -p no:cacheprovider tests/python/test_displacy_browser.py -k readme_pictures
ls -l docs/images/displacy_dep.png docs/images/displacy_ent.png
