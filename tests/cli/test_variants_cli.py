"""The NLTK variants from the command line (issue 22): listed by `weft info --registry`, the tokenizers
through --tokenizer (a name or a tokenizer.json), Punkt trained by `weft train` from its config in
models/configs/variants/ and scored by `weft evaluate --raw`."""
import json
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
EWT = ROOT / "data" / "en_ewt"


def run(weft_bin, *args, input=None, check=True):
    proc = subprocess.run([weft_bin, *args], input=input, capture_output=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"weft {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr.decode()}")
    return proc


def test_info_registry_lists_the_variants(weft_bin):
    info = json.loads(run(weft_bin, "info", "--registry", "--json").stdout)["registry"]
    found = {(cat, e["name"]): e["description"] for cat, entries in info.items() for e in entries}
    for key in [("tokenizers", "weft.TreebankTokenizer.v1"), ("tokenizers", "weft.RegexpTokenizer.v1"),
                ("components", "weft.PunktSentencizer.v1")]:
        assert "NLTK" in found[key], key
    text = run(weft_bin, "info", "--registry").stdout.decode()
    assert "weft.PunktSentencizer.v1  -  Punkt sentence boundaries" in text


def test_tokenize_with_the_variants(weft_bin, tmp_path):
    out = run(weft_bin, "tokenize", "--tokenizer", "weft.TreebankTokenizer.v1", input=b"They'll pay $3.88, won't they?\n")
    assert out.stdout.decode().split() == ["They", "'ll", "pay", "$", "3.88", ",", "wo", "n't", "they", "?"]
    conllu = run(weft_bin, "tokenize", "--tokenizer", "weft.TreebankTokenizer.v1", "--to", "conllu",
                 input=b"I can't.\n").stdout.decode()
    assert "2-3\tcan't" in conllu  # a contraction is a multi-word token
    config = tmp_path / "regexp.json"
    config.write_text(json.dumps({"@tokenizers": "weft.RegexpTokenizer.v1", "pattern": r"[A-Z]\w+"}))
    out = run(weft_bin, "tokenize", "--tokenizer", str(config), input=b"Good muffins in New York\n")
    assert out.stdout.decode().split() == ["Good", "New", "York"]
    out = run(weft_bin, "tokenize", "--tokenizer", "weft.RegexpTokenizer.v1", input=b"Can't stop!\n")
    assert out.stdout.decode().split() == ["Can", "'", "t", "stop", "!"]
    config.write_text(json.dumps({"@tokenizers": "weft.RegexpTokenizer.v1", "pattern": "(ab"}))
    bad = run(weft_bin, "tokenize", "--tokenizer", str(config), input=b"x\n", check=False)
    assert bad.returncode == 1 and 'RegexpTokenizer pattern "(ab" does not compile' in bad.stderr.decode()


def test_train_punkt_from_its_config_and_evaluate(weft_bin, tmp_path):
    out = run(weft_bin, "train", str(ROOT / "models" / "configs" / "variants" / "punkt_sentencizer.json"),
              "--output", str(tmp_path / "punkt"), "--set", "corpora.max_train_docs=60",
              "--set", "corpora.max_dev_docs=40",
              "--set", f"corpora.train={EWT / 'train.conllu'}", "--set", f"corpora.dev={EWT / 'dev.conllu'}")
    log = out.stdout.decode()
    assert "learning from raw text: 60 documents" in log and "dev (raw text): Sentences" in log
    model = tmp_path / "punkt" / "model-best"
    assert (model / "punkt" / "punkt.json").exists()
    params = json.loads((model / "punkt" / "punkt.json").read_text())
    assert "dr" in params["abbrev_types"]
    scores = json.loads(run(weft_bin, "evaluate", str(model), str(EWT / "dev.conllu"), "--raw", "--json").stdout)
    assert scores["Sentences"]["f1"] > 0.7
    conllu = run(weft_bin, "run", "-m", str(model), "--to", "conllu",
                 input=b"Dr. Smith went to Washington. He arrived on Tuesday.\n").stdout.decode()
    assert conllu.count("# sent_id") == 2 or conllu.count("\n\n") == 2
