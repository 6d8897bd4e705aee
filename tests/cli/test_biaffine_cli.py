"""weft train and weft evaluate with the graph-based parser and the senter, through the command line."""
import json
import subprocess


def test_train_and_evaluate_biaffine_parser(weft_bin, data_dir, tmp_path):
    ewt = data_dir / "en_ewt"
    config = {
        "nlp": {"lang": "en", "pipeline": ["tok2vec", "senter", "biaffine_parser"]},
        "components": {
            "tok2vec": {"factory": "tok2vec", "width": 32, "depth": 2},
            "senter": {"factory": "senter", "tok2vec": {"upstream": "tok2vec"}},
            "biaffine_parser": {"factory": "weft.BiaffineParser.v1", "tok2vec": {"upstream": "tok2vec"},
                                "arc_width": 32, "label_width": 16},
        },
        "corpora": {"sentences_per_doc": 3},
        "training": {"score_weights": {"Sentences": 0.2, "LAS": 0.8}},
    }
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    args = [weft_bin, "train", str(path), "-o", str(tmp_path / "out"),
            "--set", f"corpora.train={ewt / 'train.conllu'}", "--set", f"corpora.dev={ewt / 'sample.conllu'}",
            "--set", "corpora.max_train_docs=300", "--set", "training.max_steps=40",
            "--set", "training.eval_frequency=20"]
    proc = subprocess.run(args, capture_output=True, timeout=600)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    model = tmp_path / "out" / "model-best"
    assert (model / "biaffine_parser" / "weights.safetensors").exists()
    out = subprocess.run([weft_bin, "evaluate", str(model), str(ewt / "sample.conllu"), "--json"], capture_output=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr.decode()
    scores = json.loads(out.stdout)
    assert 0.0 < scores["LAS"]["f1"] <= scores["UAS"]["f1"] <= 1.0
    raw = subprocess.run([weft_bin, "evaluate", str(model), str(ewt / "sample.conllu"), "--raw", "--json"],
                         capture_output=True, timeout=300)
    assert raw.returncode == 0, raw.stderr.decode()
    assert 0.0 < json.loads(raw.stdout)["Sentences"]["f1"] <= 1.0
    # A bad value names the key.
    bad = subprocess.run([weft_bin, "train", str(path), "-o", str(tmp_path / "bad"),
                          "--set", "components.biaffine_parser.arc_width=0"], capture_output=True, timeout=120)
    assert bad.returncode != 0
    assert "arc_width" in bad.stderr.decode()
