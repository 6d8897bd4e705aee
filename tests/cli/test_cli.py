"""End-to-end tests of the `weft` command: tokenize, convert, info, errors and bad input."""
import json
import subprocess

import pytest


def run(weft_bin, *args, input=None, check=True):
    proc = subprocess.run([weft_bin, *args], input=input, capture_output=True, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"weft {' '.join(args)} exited {proc.returncode}: {proc.stderr.decode()}")
    return proc


def test_help_on_each_command(weft_bin):
    for cmd in ([], ["tokenize"], ["run"], ["match"], ["convert"], ["evaluate"], ["info"], ["export"]):
        out = run(weft_bin, *cmd, "--help").stdout.decode()
        assert "Usage" in out or "usage" in out.lower()


def test_usage_errors_exit_2_not_cli11_codes(weft_bin):
    # Regression: CLI11's own exit codes (106 for a missing required option, 109 for an extra
    # argument, ...) leaked out instead of the documented 2.
    for args in (["match"], ["tokenize", "--no-such-option"], ["run", "--to", "xml"], []):
        proc = run(weft_bin, *args, check=False)
        assert proc.returncode == 2, (args, proc.returncode, proc.stderr.decode())
    assert run(weft_bin, "--version").returncode == 0


def test_tokenize_tokens_from_stdin(weft_bin):
    out = run(weft_bin, "tokenize", input=b"I don't like it.\nSecond line\n").stdout.decode()
    assert out == "I\ndo\nn't\nlike\nit\n.\n\nSecond\nline\n\n"


def test_tokenize_sample_file(weft_bin, data_dir):
    out = run(weft_bin, "tokenize", str(data_dir / "sample.txt")).stdout.decode()
    assert "President\nBush\n" in out


def test_tokenize_jsonl_offsets(weft_bin):
    out = run(weft_bin, "tokenize", "--to", "jsonl", input="naïve café\n".encode()).stdout.decode()
    rec = json.loads(out.splitlines()[0])
    assert rec["text"] == "naïve café"
    assert [(t["start"], t["end"]) for t in rec["tokens"]] == [(0, 5), (6, 10)]


def test_tokenize_to_conllu_has_sentences_mwt_and_spaceafter(weft_bin):
    out = run(weft_bin, "tokenize", "--to", "conllu", input=b"I don't know. Who's there?\n").stdout.decode()
    lines = out.splitlines()
    assert "# text = I don't know." in lines
    assert any(l.startswith("2-3\tdon't\t") for l in lines)
    assert "2\tdo\t_" in "\n".join(lines)
    assert any(l.startswith("5\t.\t") or l.startswith("4\tknow\t") and "SpaceAfter=No" in l for l in lines)
    assert sum(1 for l in lines if l.startswith("# sent_id")) == 2


def test_tokenize_jsonl_input_keeps_meta(weft_bin):
    inp = b'{"text": "Hello there.", "meta": {"id": 7}}\n'
    out = run(weft_bin, "tokenize", "--from", "jsonl", "--to", "jsonl", input=inp).stdout.decode()
    rec = json.loads(out)
    assert rec["meta"] == {"id": 7}


def test_explain(weft_bin):
    out = run(weft_bin, "tokenize", "--explain", input=b"(Hello)\n").stdout.decode()
    assert out.splitlines()[:3] == ["PREFIX\t(", "TOKEN\tHello", "SUFFIX\t)"]


def test_info_registry(weft_bin):
    out = run(weft_bin, "info", "--registry").stdout.decode()
    assert "weft.Tokenizer.v1" in out and "weft.WhitespaceTokenizer.v1" in out and "sentencizer" in out
    info = json.loads(run(weft_bin, "info", "--registry", "--json").stdout)
    assert "tokenizers" in info["registry"]


def test_info_of_a_model_lists_its_weights(weft_bin, data_dir, tmp_path):
    model = data_dir.parent / "models" / "en_ewt_sm"
    out = run(weft_bin, "info", str(model)).stdout.decode()
    assert "pipeline: sentencizer tok2vec tagger morphologizer lemmatizer parser ner" in out
    assert "tok2vec/weights.safetensors (f16)" in out and "    parser.out.W [91, 64]" in out
    info = json.loads(run(weft_bin, "info", "--json", str(model)).stdout)["model"]
    assert info["name"] == "en_ewt_sm" and info["components"]["sentencizer"]["weights"] == []
    tagger = info["components"]["tagger"]["weights"][0]
    assert tagger["file"] == "tagger/weights.safetensors" and [t["name"] for t in tagger["tensors"]] == ["tagger.W", "tagger.b"]
    proc = run(weft_bin, "info", str(tmp_path / "nothing"), check=False)
    assert proc.returncode == 1 and "nothing" in proc.stderr.decode()


def word_lines(text):
    """The annotation lines of CoNLL-U: words with every column, without comments and MWT/empty lines."""
    return [l for l in text.splitlines() if l and not l.startswith("#") and l.split("\t")[0].isdigit()]


def test_convert_round_trips(weft_bin, data_dir, tmp_path):
    src = data_dir / "en_ewt" / "sample.conllu"
    docbin = tmp_path / "s.docbin"
    back = tmp_path / "back.conllu"
    # DocBin keeps everything, CoNLL-U comments and MISC included: byte-identical.
    run(weft_bin, "convert", str(src), "-o", str(docbin))
    run(weft_bin, "convert", str(docbin), "-o", str(back))
    assert back.read_bytes() == src.read_bytes()
    # JSONL (spaCy's Doc.to_json layout) keeps text, words, tags, lemmas, features, heads, labels,
    # entities, sentences and multi-word tokens.
    jsonl = tmp_path / "s.jsonl"
    back2 = tmp_path / "back2.conllu"
    run(weft_bin, "convert", str(src), "-o", str(jsonl))
    run(weft_bin, "convert", str(jsonl), "-o", str(back2))
    src_lines = word_lines(src.read_text(encoding="utf-8"))
    back_lines = word_lines(back2.read_text(encoding="utf-8"))
    assert len(back_lines) == len(src_lines)
    basic = lambda l: l.split("\t")[:8]  # ID .. DEPREL (enhanced DEPS are CoNLL-U only)
    assert [basic(l) for l in back_lines] == [basic(l) for l in src_lines]
    misc = lambda l: [m for m in l.split("\t")[9].split("|") if m.startswith(("NER=", "SpaceAfter="))]
    assert [misc(l) for l in back_lines] == [misc(l) for l in src_lines]
    first = json.loads(jsonl.read_text(encoding="utf-8").splitlines()[0])
    assert {"text", "tokens", "ents", "sents"} <= set(first)


def test_invalid_utf8_names_the_line(weft_bin):
    proc = run(weft_bin, "tokenize", input=b"good\nalso good\nbad \xff here\n", check=False)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "<stdin>" in err and "line 3" in err and "UTF-8" in err
    assert len(err.strip().splitlines()) == 1


def test_invalid_utf8_replace_and_skip(weft_bin):
    out = run(weft_bin, "tokenize", "--invalid-utf8", "replace", input=b"bad \xff here\n").stdout.decode()
    assert "\ufffd" in out
    proc = run(weft_bin, "tokenize", "--skip-bad", input=b"one\nbad \xff\nthree\n")
    assert proc.stdout.decode() == "one\n\nthree\n\n"
    assert "line 2" in proc.stderr.decode()


def test_malformed_jsonl_line(weft_bin):
    inp = b'{"text": "a"}\n{"text": \n{"text": "c"}\n'
    proc = run(weft_bin, "tokenize", "--from", "jsonl", input=inp, check=False)
    assert proc.returncode == 1 and "line 2" in proc.stderr.decode()
    proc = run(weft_bin, "tokenize", "--from", "jsonl", "--skip-bad", input=inp)
    assert proc.stdout.decode() == "a\n\nc\n\n"
    assert "line 2" in proc.stderr.decode() and "skipped 1" in proc.stderr.decode()


def test_truncated_conllu(weft_bin, data_dir, tmp_path):
    text = (data_dir / "en_ewt" / "sample.conllu").read_text(encoding="utf-8")
    cut = tmp_path / "cut.conllu"
    cut.write_text(text[: len(text) // 2 - 7], encoding="utf-8")
    proc = run(weft_bin, "convert", str(cut), "--to", "jsonl", check=False)
    assert proc.returncode in (0, 1)
    if proc.returncode == 1:
        assert "cut.conllu" in proc.stderr.decode()


def test_corrupt_docbin(weft_bin, tmp_path):
    bad = tmp_path / "bad.docbin"
    bad.write_bytes(b"WEFT garbage that is not a docbin")
    proc = run(weft_bin, "convert", str(bad), "--to", "jsonl", check=False)
    assert proc.returncode == 1 and "bad.docbin" in proc.stderr.decode()


def test_missing_file(weft_bin):
    proc = run(weft_bin, "tokenize", "/no/such/file.txt", check=False)
    assert proc.returncode == 1 and "/no/such/file.txt" in proc.stderr.decode()


def test_empty_input(weft_bin):
    assert run(weft_bin, "tokenize", input=b"").stdout == b""
    assert run(weft_bin, "tokenize", "--to", "conllu", input=b"\n   \n").stdout == b""


def test_huge_line(weft_bin):
    line = ("token " * 1_700_000).encode() + b"\n"
    assert len(line) > 10_000_000
    out = run(weft_bin, "tokenize", "--to", "jsonl", input=line).stdout
    assert len(json.loads(out)["tokens"]) == 1_700_000


def test_threads_keep_order(weft_bin):
    inp = "".join(f"line {i} here.\n" for i in range(5000)).encode()
    one = run(weft_bin, "tokenize", "--threads", "1", input=inp).stdout
    two = run(weft_bin, "tokenize", "--threads", "2", "--batch-size", "16", input=inp).stdout
    assert one == two


def test_evaluate_tokenizer_on_dev(weft_bin, data_dir):
    dev = str(data_dir / "en_ewt" / "dev.conllu")
    scores = json.loads(run(weft_bin, "evaluate", "en", dev, "--raw", "--unit", "sentence", "--json").stdout)
    assert scores["Tokens"]["f1"] >= 0.99 and scores["Words"]["f1"] >= 0.99
    assert "UPOS" not in scores  # a blank pipeline predicts no tags: no tag metrics
    table = run(weft_bin, "evaluate", "en", dev, "--raw").stdout.decode()
    assert table.splitlines()[2].startswith("Tokens")
    gold = json.loads(run(weft_bin, "evaluate", "en", dev, "--json").stdout)
    assert gold["Words"]["f1"] == 1.0
