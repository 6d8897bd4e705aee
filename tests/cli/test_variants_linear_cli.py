"""Issue 22 part B from the command line: weft.PerceptronTagger.v1 and weft.CRFEntityRecognizer.v1 in
`weft info --registry`, trained by `weft train` from their configs in models/configs/variants/ (on the
small sample, a few epochs), scored by `weft evaluate`, run by `weft run`, a corrupt model refused."""
import json
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
EWT = ROOT / "data" / "en_ewt"
CONFIGS = ROOT / "models" / "configs" / "variants"
LEXICON = ROOT / "data" / "lexicon" / "en_clusters.tsv"


def run(weft_bin, *args, input=None, check=True):
    proc = subprocess.run([weft_bin, *map(str, args)], input=input, capture_output=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"weft {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr.decode()}")
    return proc


def train(weft_bin, config, out, component):
    return run(weft_bin, "train", CONFIGS / config, "--output", out, "--set", "training.max_epochs=2",
               "--set", f"corpora.train={EWT / 'sample.conllu'}", "--set", f"corpora.dev={EWT / 'sample.conllu'}",
               "--set", "corpora.max_dev_docs=60", "--set", f"components.{component}.lexicon={LEXICON}")


def test_info_registry_describes_them(weft_bin):
    info = json.loads(run(weft_bin, "info", "--registry", "--json").stdout)["registry"]
    found = {e["name"]: e["description"] for e in info["components"]}
    assert "averaged perceptron" in found["weft.PerceptronTagger.v1"]
    assert "CRF" in found["weft.CRFEntityRecognizer.v1"]


def test_train_evaluate_run_the_perceptron_tagger(weft_bin, tmp_path):
    log = train(weft_bin, "perceptron_tagger.json", tmp_path / "pt", "tagger").stdout.decode()
    assert "LOSS tagger" in log and "tag-dictionary words" in log
    model = tmp_path / "pt" / "model-best"
    scores = json.loads(run(weft_bin, "evaluate", model, EWT / "sample.conllu", "--json").stdout)
    assert scores["UPOS"]["f1"] > 0.9 and scores["XPOS"]["f1"] > 0.9
    table = run(weft_bin, "run", "-m", model, "--to", "conllu", input=b"They saw the dogs.\n").stdout.decode()
    rows = [line.split("\t") for line in table.splitlines() if line and not line.startswith("#")]
    assert [r[3] for r in rows] == ["PRON", "VERB", "DET", "NOUN", "PUNCT"]
    (model / "tagger" / "weights.bin").write_bytes(b"broken")
    bad = run(weft_bin, "evaluate", model, EWT / "sample.conllu", check=False)
    assert bad.returncode == 1 and "weights.bin" in bad.stderr.decode()


def test_train_evaluate_run_the_crf_entity_recognizer(weft_bin, tmp_path):
    log = train(weft_bin, "crf_entity_recognizer.json", tmp_path / "crf", "ner").stdout.decode()
    assert "ENTS_F" in log
    model = tmp_path / "crf" / "model-best"
    scores = json.loads(run(weft_bin, "evaluate", model, EWT / "sample.conllu", "--json").stdout)
    assert scores["ENTS_F"] > 0.7
    out = run(weft_bin, "run", "-m", model, "--to", "jsonl", input=b"George Bush visited Iraq in 2003.\n").stdout
    doc = json.loads(out)
    assert "ents" in doc
    bad = run(weft_bin, "train", CONFIGS / "crf_entity_recognizer.json", "--output", tmp_path / "x",
              "--set", "components.ner.scheme=\"IOB\"", check=False)
    assert bad.returncode == 1 and '"scheme" must be "BILUO" or "BIO"' in bad.stderr.decode()
