"""The issue-21 experiment configs in models/configs/encoders/ stay trainable: each one trains for a few
steps on the sample through `weft train`, saves a model whose pipeline is the config's, and that model
annotates raw text through `weft run`. (Their real trainings and scores are in docs/experiments.md.)"""
import json
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
EWT = ROOT / "data" / "en_ewt"
CONFIGS = sorted((ROOT / "models" / "configs" / "encoders").glob("*.json"))


def run(weft_bin, *args, input=None):
    proc = subprocess.run([weft_bin, *args], input=input, capture_output=True, timeout=300, cwd=ROOT)
    if proc.returncode != 0:
        raise AssertionError(f"weft {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr.decode()}")
    return proc


def test_there_are_encoder_configs():
    assert {c.name for c in CONFIGS} >= {"md_bilstm_biaffine.json", "md_bilstm_transition.json", "tagger_parser_cnn.json"}


@pytest.mark.parametrize("config", CONFIGS, ids=[c.stem for c in CONFIGS])
def test_encoder_config_trains_saves_and_runs(weft_bin, tmp_path, config):
    out = tmp_path / "out"
    run(weft_bin, "train", str(config), "--output", str(out),
        "--set", f"corpora.train={EWT / 'sample.conllu'}", "--set", f"corpora.dev={EWT / 'sample.conllu'}",
        "--set", "training.max_steps=3", "--set", "training.eval_frequency=3", "--set", "training.max_time_s=0",
        "--set", "training.optimizer.warmup_steps=0")
    model = out / "model-best"
    want = json.loads(config.read_text())["nlp"]["pipeline"]
    assert json.loads((model / "config.json").read_text())["nlp"]["pipeline"] == want
    conllu = run(weft_bin, "run", "-m", str(model), "--to", "conllu", input=b"She saw him. We like it.\n").stdout.decode()
    rows = [line.split("\t") for line in conllu.splitlines() if line and not line.startswith("#")]
    assert [r[1] for r in rows] == ["She", "saw", "him", ".", "We", "like", "it", "."]
    if "parser" in want or "biaffine_parser" in want:
        assert all(r[6].isdigit() for r in rows) and "0" in [r[6] for r in rows]
