"""Fixtures for the CLI tests: a tiny trained model, built once per test session."""
import subprocess

import pytest


@pytest.fixture(scope="session")
def tiny_model(weft_bin, data_dir, tmp_path_factory):
    """A tagger + morphologizer + lemmatizer model trained for 30 steps on 300 EWT documents (~10-20 s)."""
    root = tmp_path_factory.mktemp("tiny_model")
    config = root / "empty.json"
    config.write_text("{}", encoding="utf-8")
    ewt = data_dir / "en_ewt"
    args = [weft_bin, "train", str(config), "-o", str(root / "out"),
            "--set", f"corpora.train={ewt / 'train.conllu'}", "--set", f"corpora.dev={ewt / 'dev.conllu'}",
            "--set", "corpora.max_train_docs=300", "--set", "corpora.max_dev_docs=50",
            "--set", "training.max_steps=30", "--set", "training.eval_frequency=30"]
    proc = subprocess.run(args, capture_output=True, timeout=600)
    if proc.returncode != 0:
        pytest.fail(f"training the tiny model failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    model = root / "out" / "model-best"
    assert (model / "meta.json").exists()
    return model
