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


# ---- the cluster engines (test_spark.py, test_dask.py, test_batch.py) ------------------------------

SHIPPED_MODEL = ROOT / "models" / "en_ewt_sm"


@pytest.fixture(scope="session")
def ewt_texts():
    """300 sentences of real text: the first `# text =` lines of EWT dev."""
    path = EWT / "dev.conllu"
    if not path.exists():
        pytest.skip(f"UD English EWT dev not found at {path}")
    texts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("# text = "):
                texts.append(line[len("# text = "):].rstrip("\n"))
                if len(texts) == 300:
                    break
    return texts


@pytest.fixture(scope="session")
def weft_run_jsonl(weft_bin, tmp_path_factory):
    """Runs `weft run --to jsonl` (the shipped model unless -m is given) on a file of the given records
    (str or bytes, one per line). Returns (the output lines as str, stderr as str). Lines are split at
    b"\\n" only: a JSON line may hold U+2028, which str.splitlines would split."""
    import subprocess

    folder = tmp_path_factory.mktemp("weft_run")
    count = [0]

    def run(records, *args):
        count[0] += 1
        path = folder / f"in{count[0]}.txt"
        path.write_bytes(b"".join((r if isinstance(r, bytes) else r.encode("utf-8")) + b"\n" for r in records))
        model = [] if "-m" in args else ["-m", str(SHIPPED_MODEL)]
        proc = subprocess.run([weft_bin, "run", *model, "--to", "jsonl", *args, str(path)], capture_output=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")
        return [line.decode("utf-8") for line in proc.stdout.split(b"\n")[:-1]], proc.stderr.decode()

    return run
