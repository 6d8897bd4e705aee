"""`weft run --model` on a model whose tokenizer rules were customized from Python (a special case with a
norm, an infix rule removed, url_match removed): the CLI tokenizes with the saved rules."""
import json
import subprocess

import weft
from weft.util import compile_infix_regex

TEXT = "gimme the mother-in-law's example.com/a-b\n"


def test_run_uses_the_customized_tokenizer(weft_bin, tmp_path):
    nlp = weft.blank("en")
    nlp.tokenizer.add_special_case("gimme", [{"ORTH": "gim", "NORM": "give"}, {"ORTH": "me"}])
    nlp.tokenizer.infix_finditer = compile_infix_regex([p for p in nlp.Defaults.infixes if "(-)" not in p]).finditer
    nlp.tokenizer.url_match = None
    expected = [t.text for t in nlp(TEXT.strip())]
    assert expected == ["gim", "me", "the", "mother-in-law", "'s", "example.com", "/", "a-b"]
    nlp.to_disk(tmp_path / "model")
    proc = subprocess.run([weft_bin, "run", "--model", str(tmp_path / "model"), "--to", "jsonl"],
                          input=TEXT.encode(), capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    doc = json.loads(proc.stdout.decode().splitlines()[0])
    assert [doc["text"][t["start"]:t["end"]] for t in doc["tokens"]] == expected
    # The default blank pipeline tokenizes differently.
    proc = subprocess.run([weft_bin, "run", "--model", "en", "--to", "jsonl"], input=TEXT.encode(),
                          capture_output=True, timeout=120)
    doc = json.loads(proc.stdout.decode().splitlines()[0])
    assert [doc["text"][t["start"]:t["end"]] for t in doc["tokens"]][:2] == ["gimme", "the"]
