"""`weft match`: entity-ruler patterns (JSONL) matched in documents, JSONL or table out, on the blank
pipeline and on a trained model; bad pattern files and bad records."""
import json
import subprocess

import pytest

PATTERNS = [
    {"label": "ORG", "pattern": "Apple"},
    {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}], "id": "sf"},
    {"label": "PERSON", "pattern": "Tim Cook"},
    {"label": "CITY", "pattern": "New York"},
    {"label": "GPE", "pattern": "New York City"},
]
TEXT = "Tim Cook said Apple will open in San Francisco.\nNothing here.\nNew York City, said the café in SAN FRANCISCO.\n"


def run(weft_bin, *args, input=None, check=True):
    proc = subprocess.run([weft_bin, *map(str, args)], input=input, capture_output=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"weft {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr.decode()}")
    return proc


@pytest.fixture
def patterns(tmp_path):
    path = tmp_path / "patterns.jsonl"
    path.write_text("".join(json.dumps(p) + "\n" for p in PATTERNS), encoding="utf-8")
    return path


def records(out):
    return [json.loads(l) for l in out.decode("utf-8").splitlines()]


def test_help(weft_bin):
    out = run(weft_bin, "match", "--help").stdout.decode()
    assert "--patterns" in out and "--attr" in out and "--all-matches" in out and "table" in out


def test_jsonl_per_document(weft_bin, patterns):
    recs = records(run(weft_bin, "match", "--patterns", patterns, input=TEXT.encode()).stdout)
    assert len(recs) == 3  # one record per document, also without matches
    assert recs[0]["text"] == "Tim Cook said Apple will open in San Francisco."
    assert recs[0]["matches"] == [
        {"label": "PERSON", "start": 0, "end": 2, "start_char": 0, "end_char": 8, "text": "Tim Cook"},
        {"label": "ORG", "start": 3, "end": 4, "start_char": 14, "end_char": 19, "text": "Apple"},
        {"label": "GPE", "start": 7, "end": 9, "start_char": 33, "end_char": 46, "text": "San Francisco", "id": "sf"},
    ]
    assert recs[1]["matches"] == []
    # Longest first: "New York City" over "New York"; character offsets are code points ("café").
    third = recs[2]
    assert [(m["label"], m["text"]) for m in third["matches"]] == [("GPE", "New York City"), ("GPE", "SAN FRANCISCO")]
    m = third["matches"][1]
    assert third["text"][m["start_char"]:m["end_char"]] == "SAN FRANCISCO"


def test_all_matches_attr_and_output_file(weft_bin, patterns, tmp_path):
    out = records(run(weft_bin, "match", "-p", patterns, "--all-matches", input=b"New York City\n").stdout)
    assert [(m["label"], m["start"], m["end"]) for m in out[0]["matches"]] == [("CITY", 0, 2), ("GPE", 0, 3)]
    # --attr LOWER: phrases match any case.
    assert records(run(weft_bin, "match", "-p", patterns, input=b"apple and TIM COOK\n").stdout)[0]["matches"] == []
    lower = records(run(weft_bin, "match", "-p", patterns, "--attr", "LOWER", input=b"apple and TIM COOK\n").stdout)
    assert [m["text"] for m in lower[0]["matches"]] == ["apple", "TIM COOK"]
    target = tmp_path / "out.jsonl"
    proc = run(weft_bin, "match", "-p", patterns, "-o", target, input=b"Apple\n")
    assert proc.stdout == b"" and records(target.read_bytes())[0]["matches"][0]["label"] == "ORG"


def test_table(weft_bin, patterns):
    out = run(weft_bin, "match", "-p", patterns, "--to", "table", input=TEXT.encode()).stdout.decode()
    rows = [l.split() for l in out.splitlines() if l.strip()]
    assert rows[0] == ["DOC", "START", "END", "LABEL", "ID", "TEXT"]
    body = [r for r in rows if r[0] != "DOC"]
    assert body == [
        ["1", "0", "2", "PERSON", "_", "Tim", "Cook"],
        ["1", "3", "4", "ORG", "_", "Apple"],
        ["1", "7", "9", "GPE", "sf", "San", "Francisco"],
        ["3", "0", "3", "GPE", "_", "New", "York", "City"],
        ["3", "8", "10", "GPE", "sf", "SAN", "FRANCISCO"],
    ]
    assert out == run(weft_bin, "match", "-p", patterns, "--format", "table", input=TEXT.encode()).stdout.decode()


def test_jsonl_and_conllu_input(weft_bin, patterns, data_dir, tmp_path):
    inp = b'{"text": "Apple in San Francisco", "meta": {"id": 7}}\n'
    recs = records(run(weft_bin, "match", "-p", patterns, "--from", "jsonl", input=inp).stdout)
    assert recs[0]["meta"] == {"id": 7} and len(recs[0]["matches"]) == 2
    # Tokenized input keeps its words; several inputs are read in order.
    sample = data_dir / "en_ewt" / "sample.conllu"
    words = tmp_path / "words.jsonl"
    words.write_text(json.dumps({"label": "ORG", "pattern": "AP"}) + "\n", encoding="utf-8")
    text = tmp_path / "t.txt"
    text.write_text("the AP\n", encoding="utf-8")
    recs = records(run(weft_bin, "match", "-p", words, sample, text).stdout)
    assert recs[0]["matches"][0]["text"] == "AP"
    assert recs[-1]["text"] == "the AP" and recs[-1]["matches"][0]["start"] == 1


def test_with_a_trained_model(weft_bin, tiny_model, tmp_path):
    # Token patterns see what the model predicts: the POS `weft run` gives "cat" matches, another not.
    text = b"The cat sat on the mat.\n"
    tokens = json.loads(run(weft_bin, "run", "-m", tiny_model, input=text).stdout)["tokens"]
    pos = next(t["pos"] for t in tokens if text[t["start"]:t["end"]] == b"cat")
    other = "X" if pos != "X" else "SYM"
    path = tmp_path / "pos.jsonl"
    path.write_text(json.dumps({"label": "CAT", "pattern": [{"ORTH": "cat", "POS": pos}]}) + "\n" +
                    json.dumps({"label": "NOT", "pattern": [{"ORTH": "cat", "POS": other}]}) + "\n", encoding="utf-8")
    recs = records(run(weft_bin, "match", "-p", path, "--model", tiny_model, input=text).stdout)
    assert [(m["label"], m["text"]) for m in recs[0]["matches"]] == [("CAT", "cat")]
    # On the blank pipeline the Doc has no POS: the Matcher's error, exit 1.
    proc = run(weft_bin, "match", "-p", path, input=b"The cat\n", check=False)
    assert proc.returncode == 1 and "POS" in proc.stderr.decode()


def test_bad_pattern_files(weft_bin, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"label": "A", "pattern": "x"}\n\n{"label": "B", "pattern": 3}\n', encoding="utf-8")
    proc = run(weft_bin, "match", "-p", bad, input=b"x\n", check=False)
    err = proc.stderr.decode()
    assert proc.returncode == 1 and f"{bad}:line 3" in err and "label \"B\"" in err and len(err.strip().splitlines()) == 1
    assert proc.stdout == b""
    bad.write_text('{"label": "A", "pattern": [{"LOWER": "x"}, {"NOPE": 1}]}\n', encoding="utf-8")
    err = run(weft_bin, "match", "-p", bad, input=b"x\n", check=False).stderr.decode()
    assert f"{bad}:line 1" in err and "token 1" in err and "NOPE" in err
    bad.write_text('{"label": "A", "pattern": "x"\n', encoding="utf-8")
    proc = run(weft_bin, "match", "-p", bad, input=b"x\n", check=False)
    assert proc.returncode == 1 and f"{bad}:line 1" in proc.stderr.decode() and "invalid JSON" in proc.stderr.decode()
    missing = tmp_path / "missing.jsonl"
    proc = run(weft_bin, "match", "-p", missing, input=b"x\n", check=False)
    assert proc.returncode == 1 and str(missing) in proc.stderr.decode()
    # --patterns is required: a usage error (CLI11's exit codes, not weft's 1).
    proc = run(weft_bin, "match", input=b"x\n", check=False)
    assert proc.returncode == 2 and "--patterns is required" in proc.stderr.decode()
    proc = run(weft_bin, "match", "-p", bad, "--attr", "NOPE", input=b"x\n", check=False)
    assert proc.returncode == 1 and "NOPE" in proc.stderr.decode()


def test_bad_records(weft_bin, patterns):
    inp = b'{"text": "Apple"}\n{"text": \n{"text": "Tim Cook"}\n'
    proc = run(weft_bin, "match", "-p", patterns, "--from", "jsonl", input=inp, check=False)
    assert proc.returncode == 1 and "line 2" in proc.stderr.decode()
    for flag in ("--skip-bad", "--skip-bad-records"):
        proc = run(weft_bin, "match", "-p", patterns, "--from", "jsonl", flag, input=inp)
        assert [r["matches"][0]["text"] for r in records(proc.stdout)] == ["Apple", "Tim Cook"]
        assert "line 2" in proc.stderr.decode() and "skipped 1" in proc.stderr.decode()
