"""Fixtures for the Python tests: a tiny pipeline trained once per session through weft.train."""
import io
import pathlib
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EWT = ROOT / "data" / "en_ewt"

# The CI-sized run: a few hundred sentences, three evaluations; well under a minute on one core.
TINY_OVERRIDES = {
    "corpora.train": str(EWT / "train.conllu"),
    "corpora.dev": str(EWT / "dev.conllu"),
    "corpora.max_train_docs": 300,
    "corpora.max_dev_docs": 50,
    "training.max_steps": 60,
    "training.eval_frequency": 20,
}


@pytest.fixture(scope="session")
def tiny_overrides():
    return dict(TINY_OVERRIDES)


@pytest.fixture(scope="session")
def tiny_training(tmp_path_factory):
    """{"result": weft.train's dict, "log": the progress table, "output": the output folder,
    "model": output/model-best, "seconds": wall time}."""
    import weft

    if not (EWT / "train.conllu").exists() or not (EWT / "dev.conllu").exists():
        pytest.skip(f"UD English EWT not found under {EWT}")
    out = tmp_path_factory.mktemp("tiny_model")
    log = io.StringIO()
    t0 = time.perf_counter()
    result = weft.train({}, overrides=TINY_OVERRIDES, output=out, log=log)
    return {"result": result, "log": log.getvalue(), "output": out, "model": out / "model-best",
            "seconds": time.perf_counter() - t0}


@pytest.fixture(scope="session")
def tiny_model(tiny_training):
    """The path of the tiny trained pipeline (model-best)."""
    return tiny_training["model"]


@pytest.fixture(scope="session")
def spacy_python():
    """The interpreter that runs spaCy for the tests that compare with it: this one when spacy imports,
    else $SPACY_PYTHON (scripts/test.sh sets it to .venv-peers/bin/python when that exists); the test
    is skipped when neither can."""
    import os
    import sys

    try:
        import spacy  # noqa: F401
        return sys.executable
    except ImportError:
        path = os.environ.get("SPACY_PYTHON")
    if not path or not os.path.exists(path):
        pytest.skip("spaCy is not importable and SPACY_PYTHON is not set")
    return path
