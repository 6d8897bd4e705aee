"""`weft render` (the C++ renderer behind weft.displacy too) and the progress line of weft run,
evaluate and convert (--progress / --no-progress, a terminal, stdout unchanged)."""
import json
import os
import pathlib
import pty
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "en_ewt_sm"
SVG = "{http://www.w3.org/2000/svg}"
TEXT = "John Smith flew from London to Paris on Monday. They did not move.\nThe cat sat on the mat.\n"


def weft(weft_bin, *args, input=None, env=None, check=True):
    proc = subprocess.run([weft_bin, *map(str, args)], input=input.encode() if isinstance(input, str) else input,
                          capture_output=True, timeout=300, env=env)
    if check and proc.returncode != 0:
        raise AssertionError(f"weft {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr.decode()}")
    return proc


def svgs(markup):
    return [ET.fromstring(m) for m in re.findall(r"<svg .*?</svg>", markup, re.S)]


def test_render_page_from_stdin(weft_bin):
    proc = weft(weft_bin, "render", "--model", MODEL, input=TEXT)
    page = proc.stdout.decode()
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">") and page.endswith("</html>\n")
    assert proc.stderr == b""
    pics = svgs(page)
    assert len(pics) == 3 and page.count("<figure") == 3  # one SVG per sentence by default
    for svg in pics:
        words = [t for t in svg.iter(SVG + "tspan") if t.get("class") == "displacy-word"]
        arcs = [g for g in svg.iter(SVG + "g") if g.get("class") == "displacy-arrow"]
        assert len(arcs) == len(words) - 1  # a tree over the collapsed words
    first = [t.text for t in pics[0].iter(SVG + "tspan") if t.get("class") == "displacy-word"]
    assert first == ["John", "Smith", "flew", "from", "London", "to", "Paris", "on", "Monday."]
    per_doc = weft(weft_bin, "render", "-m", MODEL, "--per", "doc", input=TEXT).stdout.decode()
    assert len(svgs(per_doc)) == 2


def test_render_is_the_python_renderer(weft_bin):
    """The command and weft.displacy run the same C++: equal markup for the same Doc and options."""
    import weft as weft_py
    from weft import displacy

    nlp = weft_py.load(MODEL)
    line = TEXT.splitlines()[0]
    for style, flags, options in [("dep", ["--per", "doc", "--compact"], {"compact": True}),
                                  ("ent", ["--ents", "PER,LOC"], {"ents": ["PER", "LOC"]})]:
        cli = weft(weft_bin, "render", "-m", MODEL, "--style", style, "--fragment", *flags, input=line + "\n").stdout.decode()
        assert cli == displacy.render(nlp(line), style=style, options=options) + "\n"


def test_render_to_file_and_options(weft_bin, tmp_path):
    out = tmp_path / "page.html"
    options = tmp_path / "options.json"
    options.write_text(json.dumps({"distance": 120, "color": "#333", "bg": "#fafafa"}), encoding="utf-8")
    weft(weft_bin, "render", "-m", MODEL, "-o", out, "--options", f"@{options}", "--add-lemma", "--fine-grained",
         "--no-collapse-punct", input=TEXT)
    page = out.read_text(encoding="utf-8")
    assert "color: #333; background: #fafafa" in page and 'class="displacy-lemma"' in page
    assert ">NNP</tspan>" in page and re.search(r'class="displacy-word" fill="currentColor" x="170">Smith<', page)
    assert ">.</tspan>" in page  # punctuation kept as words
    minified = weft(weft_bin, "render", "-m", MODEL, "--minify", input=TEXT).stdout.decode()
    assert minified.count("\n") == 1 and minified.endswith("</html>\n")


def test_render_ent_and_span_from_annotated_input(weft_bin, tmp_path):
    """Without --model the input's own annotations are drawn (entities from JSONL, span groups from a
    DocBin); a JSONL record's meta title is shown."""
    import weft as weft_py

    nlp = weft_py.blank("en")
    doc = nlp("Ada Lovelace met Charles Babbage in London")
    doc.ents = [weft_py.Span(doc, 0, 2, label="PERSON"), weft_py.Span(doc, 6, 7, label="GPE")]
    doc.spans["sc"] = [weft_py.Span(doc, 0, 5, label="MEETING")]
    docbin = tmp_path / "docs.docbin"
    weft_py.DocBin(docs=[doc]).to_disk(docbin)
    rec = json.loads(weft(weft_bin, "convert", docbin, "--to", "jsonl").stdout)
    rec["meta"] = {"title": "Meeting <1843>"}
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    ent = weft(weft_bin, "render", "--style", "ent", "--fragment", jsonl).stdout.decode()
    assert ent.startswith('<h2 style="margin: 0">Meeting &lt;1843&gt;</h2>')
    assert ent.count('<mark class="entity"') == 2 and "background: #aa9cfc" in ent and "background: #feca74" in ent
    span = weft(weft_bin, "render", "--style", "span", "--fragment", docbin).stdout.decode()  # DocBin keeps doc.spans
    assert span.count("border-top-left-radius: 3px") == 1 and "MEETING" in span


def test_render_gold_conllu_without_model(weft_bin, data_dir, tmp_path):
    sample = tmp_path / "three.conllu"
    text = (data_dir / "en_ewt" / "dev.conllu").read_text(encoding="utf-8")
    sample.write_text("\n\n".join(text.split("\n\n")[:3]) + "\n\n", encoding="utf-8")
    page = weft(weft_bin, "render", sample, "--no-collapse-punct").stdout.decode()
    gold = [[line.split("\t") for line in block.splitlines() if line and line[0].isdigit() and "\t" in line
             and line.split("\t")[0].isdigit()] for block in sample.read_text(encoding="utf-8").split("\n\n") if block.strip()]
    pics = svgs(page)
    assert len(pics) == len(gold)
    for svg, sent in zip(pics, gold):
        labels = sorted(tp.text for tp in svg.iter(SVG + "textPath"))
        assert labels == sorted(cols[7] for cols in sent if cols[6] != "0")


def test_render_errors_and_warnings(weft_bin):
    bad = weft(weft_bin, "render", "--style", "tree", input="x\n", check=False)
    assert bad.returncode == 2 and b"--style" in bad.stderr and b"tree" in bad.stderr
    opt = weft(weft_bin, "render", "--options", '{"distance": "far"}', input="x\n", check=False)
    assert opt.returncode == 1
    assert opt.stderr.decode().strip() == 'weft: error: displaCy option "distance" (style dep) must be a number, not "far"'
    unknown = weft(weft_bin, "render", "--options", '{"compactt": true}', input="x\n", check=False)
    assert unknown.returncode == 1 and b'unknown key "compactt"' in unknown.stderr
    wrong_style = weft(weft_bin, "render", "--style", "ent", "--compact", input="x\n", check=False)
    assert wrong_style.returncode == 1 and b'unknown key "compact" in the displaCy options of the ent style' in wrong_style.stderr
    per = weft(weft_bin, "render", "--style", "ent", "--per", "doc", input="x\n", check=False)
    assert per.returncode == 1 and b"--per applies to the dep style only" in per.stderr
    json_bad = weft(weft_bin, "render", "--options", "{nope", input="x\n", check=False)
    assert json_bad.returncode == 1 and b"--options" in json_bad.stderr
    # displaCy's warnings, once each with the number of Docs.
    plain = weft(weft_bin, "render", "--style", "ent", input="one\ntwo\nthree\n")
    assert plain.stderr.decode().count("weft: warning: No entities") == 1 and b"(3 documents)" in plain.stderr
    # Empty input: an empty page.
    empty = weft(weft_bin, "render", input="").stdout.decode()
    assert empty.startswith("<!DOCTYPE html>") and "<figure" not in empty and empty.endswith("</html>\n")


# ---- progress ----------------------------------------------------------------------------------------

def lines_of(stderr):
    return [l for l in stderr.decode().replace("\r", "\n").split("\n") if l.strip()]


@pytest.fixture(scope="module")
def dev_head(data_dir, tmp_path_factory):
    """The first 120 lines of EWT dev text, as a file (a known size)."""
    path = tmp_path_factory.mktemp("progress") / "dev120.txt"
    lines = (data_dir / "en_ewt" / "dev.txt").read_text(encoding="utf-8").splitlines()[:120]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_run_progress_on_stderr_stdout_unchanged(weft_bin, dev_head):
    env = dict(os.environ, WEFT_PROGRESS_INTERVAL="0")  # every update drawn
    plain = weft(weft_bin, "run", "-m", MODEL, "--to", "conllu", dev_head)
    shown = weft(weft_bin, "run", "-m", MODEL, "--to", "conllu", "--progress", dev_head, env=env)
    assert shown.stdout == plain.stdout and plain.stderr == b""
    lines = lines_of(shown.stderr)
    docs = sum(1 for l in dev_head.read_text(encoding="utf-8").splitlines())
    words = sum(1 for l in plain.stdout.decode().splitlines() if l and l.split("\t")[0].isdigit())
    assert re.fullmatch(rf"weft run: {docs} docs, {words:,} words in \d+:\d\d \([\d.kM]+ words/s\)", lines[-1].strip())
    steps = lines[:-1]
    assert len(steps) == docs  # interval 0: a redraw per document
    percents = [float(re.match(r"weft run +([\d.]+)% \[[#.]{24}\]", l).group(1)) for l in steps]
    assert percents == sorted(percents) and percents[-1] == 100.0
    assert all(re.search(r"\d+ docs?  [\d,]+ words?  [\d.kM]+ words/s  ETA (\?|\d+:\d\d)$", l.strip()) for l in steps)
    # From a pipe the size is unknown: no bar, the time elapsed instead.
    piped = weft(weft_bin, "run", "-m", MODEL, "--progress", input=dev_head.read_bytes(), env=env)
    assert "%" not in piped.stderr.decode() and re.search(r"  \d+:\d\d$", lines_of(piped.stderr)[-2])
    # Forced off, and the last flag wins.
    assert weft(weft_bin, "run", "-m", MODEL, "--no-progress", dev_head).stderr == b""
    assert weft(weft_bin, "run", "-m", MODEL, "--progress", "--no-progress", dev_head).stderr == b""
    assert weft(weft_bin, "run", "-m", MODEL, "--no-progress", "--progress", dev_head).stderr != b""


def test_progress_on_a_terminal_by_default(weft_bin, dev_head):
    """stderr a terminal (a pty): the line is drawn without --progress; --no-progress hides it."""
    for flags, expect in [([], True), (["--no-progress"], False)]:
        master, slave = pty.openpty()
        try:
            proc = subprocess.run([weft_bin, "run", "-m", str(MODEL), *flags, str(dev_head)], stdout=subprocess.PIPE,
                                  stderr=slave, timeout=300)
            os.close(slave)
            slave = None
            got = b""
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                got += chunk
        finally:
            if slave is not None:
                os.close(slave)
            os.close(master)
        assert proc.returncode == 0
        assert (b"weft run: 120 docs" in got) == expect, got


def test_convert_and_evaluate_progress(weft_bin, data_dir, tmp_path):
    conllu = tmp_path / "dev50.conllu"
    text = (data_dir / "en_ewt" / "dev.conllu").read_text(encoding="utf-8")
    conllu.write_text("\n\n".join(text.split("\n\n")[:50]) + "\n\n", encoding="utf-8")
    env = dict(os.environ, WEFT_PROGRESS_INTERVAL="0")
    plain = weft(weft_bin, "convert", conllu, "--to", "jsonl")
    shown = weft(weft_bin, "convert", conllu, "--to", "jsonl", "--progress", env=env)
    assert shown.stdout == plain.stdout
    lines = lines_of(shown.stderr)
    assert lines[-1].startswith("weft convert: ") and "100.0%" in lines[-2]
    ev_plain = weft(weft_bin, "evaluate", MODEL, conllu)
    ev = weft(weft_bin, "evaluate", MODEL, conllu, "--progress", env=env)
    assert ev.stdout == ev_plain.stdout and ev_plain.stderr == b""
    words = sum(1 for l in conllu.read_text(encoding="utf-8").splitlines() if l and l.split("\t")[0].isdigit())
    docs = conllu.read_text(encoding="utf-8").count("# newdoc")
    assert re.match(rf"weft evaluate: {max(docs, 1)} docs?, {words:,} words in", lines_of(ev.stderr)[-1])
    assert "100.0%" in lines_of(ev.stderr)[-2]
    raw = weft(weft_bin, "evaluate", MODEL, conllu, "--raw", "--progress", env=env)
    assert lines_of(raw.stderr)[-1].startswith("weft evaluate: ")
