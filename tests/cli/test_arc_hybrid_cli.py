"""weft.ArcHybrid.v1 from the command line (issue 22): listed by `weft info --registry`, the parser of
models/configs/variants/arc_hybrid.json trained by `weft train` (tiny: the sample, a few dozen steps),
saved with its transition system, evaluated and run; a bad transition system named in the error."""
import json
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
EWT = ROOT / "data" / "en_ewt"
CONFIG = ROOT / "models" / "configs" / "variants" / "arc_hybrid.json"


def run(weft_bin, *args, input=None, check=True):
    proc = subprocess.run([weft_bin, *args], input=input, capture_output=True, timeout=300, cwd=ROOT)
    if check and proc.returncode != 0:
        raise AssertionError(f"weft {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr.decode()}")
    return proc


def tiny(tmp_path):
    return ["--set", f"corpora.train={EWT / 'sample.conllu'}", "--set", f"corpora.dev={EWT / 'sample.conllu'}",
            "--set", "training.max_steps=40", "--set", "training.eval_frequency=20", "--set", "training.max_time_s=0",
            "--output", str(tmp_path / "out")]


def test_info_registry_lists_arc_hybrid(weft_bin):
    info = json.loads(run(weft_bin, "info", "--registry", "--json").stdout)["registry"]
    systems = {e["name"]: e["description"] for e in info["transition_systems"]}
    assert "arc-hybrid" in systems["weft.ArcHybrid.v1"] and "weft.ArcEager.v1" in systems


def test_train_arc_hybrid_config_through_the_cli(weft_bin, tmp_path):
    log = run(weft_bin, "train", str(CONFIG), *tiny(tmp_path)).stdout.decode()
    assert "pipeline: tok2vec tagger parser" in log
    model = tmp_path / "out" / "model-best"
    assert json.loads((model / "config.json").read_text())["components"]["parser"]["transitions"] == "weft.ArcHybrid.v1"
    scores = json.loads(run(weft_bin, "evaluate", str(model), str(EWT / "sample.conllu"), "--json").stdout)
    assert scores["UAS"]["f1"] > 0.3
    conllu = run(weft_bin, "run", "-m", str(model), "--to", "conllu", input=b"She saw him. We like it.\n").stdout.decode()
    heads = [line.split("\t")[6] for line in conllu.splitlines() if line and not line.startswith("#")]
    assert len(heads) == 8 and heads.count("0") >= 1


def test_bad_transition_system_is_named(weft_bin, tmp_path):
    bad = run(weft_bin, "train", str(CONFIG), *tiny(tmp_path), "--set", "components.parser.transitions=weft.ArcHybrid.v9",
              check=False)
    assert bad.returncode != 0 and "weft.ArcHybrid.v9" in bad.stderr.decode()
