"""Pipelines with Python components from the command line: `weft run --code FILE` (and match,
evaluate, train), the executable re-running itself through the Python module (`python -m weft`), the
"weft_factories" entry points found without --code, custom extension attributes in EntityRuler token
patterns, and the errors when a factory is missing or Python cannot be started."""
import json
import os
import subprocess
import sys
import textwrap

import pytest

COMPONENTS = '''
import weft
from weft import Token

Token.set_extension("is_fruit_cli", getter=lambda t: t.lower_ in ("apple", "pear"), force=True)


@weft.Language.factory("cli_suffix", default_config={"suffix": "!"})
def make_suffix(nlp, name, suffix):
    def component(doc):
        for t in doc:
            t.lemma_ = t.text.lower() + suffix
        return doc
    return component


@weft.Language.component("cli_shout")
def shout(doc):
    doc[0].lemma_ = doc[0].text.upper()
    return doc
'''

RULER = [{"label": "FRUIT", "pattern": [{"_": {"is_fruit_cli": True}, "OP": "+"}]},
         {"label": "ORG", "pattern": "Acme"}]
TEXT = b"Acme sells apple pie\nI like pear and apple\n"


def python_env(extra_path=None):
    env = os.environ.copy()
    paths = [p for p in [extra_path, env.get("PYTHONPATH")] if p]
    if paths:
        env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def run(args, input=TEXT, env=None, check=True):
    proc = subprocess.run([str(a) for a in args], input=input, capture_output=True, timeout=300, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} exited {proc.returncode}: {proc.stderr.decode()}")
    return proc


@pytest.fixture(scope="module")
def custom_model(tmp_path_factory):
    """A pipeline saved by Python: sentencizer, cli_suffix (suffix "_x"), an entity ruler with a "_"
    token pattern, cli_shout; and the file that registers them."""
    root = tmp_path_factory.mktemp("custom_model")
    code = root / "components.py"
    code.write_text(COMPONENTS, encoding="utf-8")
    script = textwrap.dedent(f"""
        import json, weft, weft.util
        weft.util.import_code({str(code)!r})
        nlp = weft.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.add_pipe("cli_suffix", config={{"suffix": "_x"}})
        nlp.add_pipe("entity_ruler").add_patterns(json.loads({json.dumps(json.dumps(RULER))}))
        nlp.add_pipe("cli_shout")
        nlp.to_disk({str(root / 'model')!r})
    """)
    run([sys.executable, "-c", script], input=None, env=python_env())
    return {"root": root, "code": code, "model": root / "model"}


def records(out):
    return [json.loads(line) for line in out.decode().splitlines()]


def check_annotations(recs):
    assert len(recs) == 2
    first = recs[0]
    assert [t["lemma"] for t in first["tokens"]] == ["ACME", "sells_x", "apple_x", "pie_x"]
    ents = [(e["label"], e["start"], e["end"]) for e in first["ents"]]  # character offsets
    assert ents == [("ORG", 0, 4), ("FRUIT", 11, 16)], first
    assert [(e["label"], e["start"], e["end"]) for e in recs[1]["ents"]] == [("FRUIT", 7, 11), ("FRUIT", 16, 21)]


def test_run_with_code(weft_bin, custom_model):
    out = run([weft_bin, "run", "--code", custom_model["code"], "-m", custom_model["model"], "--to", "jsonl"],
              env=python_env()).stdout
    check_annotations(records(out))
    # The same through the Python module: same options, same writers, same bytes.
    same = run([sys.executable, "-m", "weft", "run", "--code", custom_model["code"], "-m", custom_model["model"],
                "--to", "jsonl"], env=python_env()).stdout
    assert same == out
    # Threads, and the other output formats.
    threaded = run([weft_bin, "run", "--code", custom_model["code"], "-m", custom_model["model"], "--threads", "2",
                    "--batch-size", "1"], env=python_env()).stdout
    assert threaded == out
    table = run([weft_bin, "run", "--code", custom_model["code"], "-m", custom_model["model"], "--to", "table"],
                env=python_env()).stdout.decode()
    assert "apple_x" in table and "B-FRUIT" in table and "B-ORG" in table
    conllu = run([weft_bin, "run", "-m", custom_model["model"], "--code", custom_model["code"], "--to", "conllu"],
                 env=python_env()).stdout.decode()
    assert "\tpie_x\t" in conllu


def test_missing_factory_is_a_clear_error(weft_bin, custom_model):
    proc = run([weft_bin, "run", "-m", custom_model["model"]], env=python_env(), check=False)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "cli_suffix" in err and "--code" in err and "weft_factories" in err
    assert proc.stdout == b""


def test_entry_points_need_no_code(weft_bin, custom_model, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "cli_components_ep.py").write_text(COMPONENTS, encoding="utf-8")
    info = site / "cli_components_ep-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cli-components-ep\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[weft_factories]\ncli_suffix = cli_components_ep:make_suffix\ncli_shout = cli_components_ep:shout\n")
    out = run([weft_bin, "run", "-m", custom_model["model"]], env=python_env(str(site))).stdout
    check_annotations(records(out))


def test_match_with_extension_patterns(weft_bin, custom_model, tmp_path):
    patterns = tmp_path / "patterns.jsonl"
    patterns.write_text("\n".join(json.dumps(p) for p in RULER) + "\n", encoding="utf-8")
    proc = run([weft_bin, "match", "-p", patterns], env=python_env(), check=False)
    assert proc.returncode == 1
    assert "is_fruit_cli" in proc.stderr.decode() and "--code" in proc.stderr.decode()
    out = run([weft_bin, "match", "--code", custom_model["code"], "-p", patterns], env=python_env()).stdout
    recs = records(out)
    assert [[(m["label"], m["text"]) for m in r["matches"]] for r in recs] == [
        [("ORG", "Acme"), ("FRUIT", "apple")], [("FRUIT", "pear"), ("FRUIT", "apple")]]


def test_evaluate_with_code(weft_bin, custom_model, data_dir):
    dev = data_dir / "en_ewt" / "dev.conllu"
    if not dev.exists():
        pytest.skip("UD English EWT dev not found")
    proc = run([weft_bin, "evaluate", custom_model["model"], dev, "--code", custom_model["code"], "--json"],
               input=None, env=python_env())
    assert "Lemmas" in json.loads(proc.stdout.decode())


def test_code_errors(weft_bin, custom_model, tmp_path):
    # A file that does not exist is a usage error (exit 2), before anything runs.
    proc = run([weft_bin, "run", "--code", tmp_path / "nope.py", "-m", "en"], check=False)
    assert proc.returncode == 2
    # A file that fails to import.
    bad = tmp_path / "bad.py"
    bad.write_text("raise RuntimeError('broken components file')\n")
    proc = run([weft_bin, "run", "--code", bad, "-m", "en"], env=python_env(), check=False)
    assert proc.returncode == 1
    assert "broken components file" in proc.stderr.decode()
    # No Python to run it with.
    env = python_env()
    env["WEFT_PYTHON"] = str(tmp_path / "no-python-here")
    proc = run([weft_bin, "run", "--code", custom_model["code"], "-m", custom_model["model"]], env=env, check=False)
    assert proc.returncode == 1
    err = proc.stderr.decode()
    assert "WEFT_PYTHON" in err and "--code" in err
    # Plain models never need Python: --code is only for what needs it.
    plain = run([weft_bin, "run", "-m", "en", "--to", "jsonl"], env=env).stdout
    via_python = run([weft_bin, "run", "--code", custom_model["code"], "-m", "en", "--to", "jsonl"],
                     env=python_env()).stdout
    assert plain == via_python


def test_help_mentions_code(weft_bin):
    for command in ("run", "match", "evaluate", "train"):
        assert "--code" in run([weft_bin, command, "--help"], input=None).stdout.decode()
