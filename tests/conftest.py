"""Shared pytest set-up: where the data and the built `weft` command are."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = ROOT / "data"


@pytest.fixture(scope="session")
def data_dir():
    return DATA


@pytest.fixture(scope="session")
def weft_bin():
    path = os.environ.get("WEFT_BIN", str(ROOT / "build" / "bin" / "weft"))
    if not os.path.exists(path):
        pytest.fail(f"weft binary not found at {path}; build first (scripts/install.sh) or set WEFT_BIN")
    return path
