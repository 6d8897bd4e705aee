"""weft.displacy (the C++ renderer behind it: render/displacy.hpp): render's inputs and options, the
markup of each style, errors and warnings, Jupyter (Doc._repr_html_, jupyter=True), serve over a real
HTTP request, nlp.pipe(progress=True), and the markup compared with spaCy 3.8's displaCy for the same
parses where spaCy is installed."""
import html.parser
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import types
import urllib.request
import warnings
import xml.etree.ElementTree as ET

import pytest

import weft
from weft import displacy

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "en_ewt_sm"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def nlp():
    return weft.load(MODEL)


def parsed(nlp_blank=None):
    """'John Smith flew from London to Paris, he said.' with a hand-made parse and entities."""
    vocab = (nlp_blank or weft.blank("en")).vocab
    return weft.Doc(vocab, words=["John", "Smith", "flew", "from", "London", "to", "Paris", ",", "he", "said", "."],
                    spaces=[True, True, True, True, True, True, False, True, True, False, False],
                    pos=["PROPN", "PROPN", "VERB", "ADP", "PROPN", "ADP", "PROPN", "PUNCT", "PRON", "VERB", "PUNCT"],
                    tags=["NNP", "NNP", "VBD", "IN", "NNP", "IN", "NNP", ",", "PRP", "VBD", "."],
                    lemmas=["John", "Smith", "fly", "from", "London", "to", "Paris", ",", "he", "say", "."],
                    heads=[2, 0, 9, 4, 2, 6, 2, 2, 9, 9, 9],
                    deps=["nsubj", "flat", "ccomp", "case", "obl", "case", "obl", "punct", "nsubj", "ROOT", "punct"],
                    ents=["B-PERSON", "I-PERSON", "O", "O", "B-GPE", "O", "B-GPE", "O", "O", "O", "O"])


class _Balance(html.parser.HTMLParser):
    """Checks that every element opened is closed in order (void elements aside)."""

    VOID = {"br", "meta", "img", "input", "hr", "link"}

    def __init__(self):
        super().__init__()
        self.stack = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()


def balanced(markup):
    p = _Balance()
    p.feed(markup)
    p.close()
    assert p.stack == []


def test_dep_markup_is_displacys_structure():
    doc = parsed()
    svg = displacy.render(doc, style="dep")
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    root = ET.fromstring(svg)  # well-formed XML (SVG)
    assert root.tag == SVG + "svg" and root.get("class") == "displacy"
    words = [t.text for t in root.iter(SVG + "tspan") if t.get("class") == "displacy-word"]
    tags = [t.text for t in root.iter(SVG + "tspan") if t.get("class") == "displacy-tag"]
    # collapse_punct (on by default): "Paris," and "said." are single words.
    assert words == ["John", "Smith", "flew", "from", "London", "to", "Paris,", "he", "said."]
    assert tags == ["PROPN", "PROPN", "VERB", "ADP", "PROPN", "ADP", "PROPN", "PRON", "VERB"]
    arcs = [g for g in root.iter(SVG + "g") if g.get("class") == "displacy-arrow"]
    assert len(arcs) == len(words) - 1  # one arc per word but the root
    labels = sorted(tp.text for tp in root.iter(SVG + "textPath"))
    assert labels == sorted(["nsubj", "flat", "ccomp", "case", "obl", "case", "obl", "nsubj"])
    ids = {p.get("id") for p in root.iter(SVG + "path") if p.get("class") == "displacy-arc"}
    hrefs = {tp.get("{http://www.w3.org/1999/xlink}href") for tp in root.iter(SVG + "textPath")}
    assert hrefs == {"#" + i for i in ids} and len(ids) == len(arcs)
    heads = [p for p in root.iter(SVG + "path") if p.get("class") == "displacy-arrowhead"]
    assert len(heads) == len(arcs)


def test_dep_options():
    doc = parsed()
    full = ET.fromstring(displacy.render(doc, options={"collapse_punct": False, "fine_grained": True, "add_lemma": True}))
    tspans = [(t.get("class"), t.text) for t in full.iter(SVG + "tspan")]
    assert ("displacy-tag", "VBD") in tspans and ("displacy-lemma", "fly") in tspans
    assert sum(1 for c, _ in tspans if c == "displacy-word") == len(doc)
    compact = displacy.render(doc, options={"compact": True, "color": "#123456", "bg": "#fed", "font": "Courier",
                                            "distance": 100, "arrow_stroke": 3, "word_spacing": 30})
    assert 'stroke-width="3px"' in compact and "color: #123456; background: #fed; font-family: Courier" in compact
    assert re.search(r'class="displacy-word" fill="currentColor" x="150"', compact)  # offset_x 50 + 1 * 100
    assert not re.search(r'd="M[^"]* C', compact)  # compact arrows are straight segments, no curves
    phrases = ET.fromstring(displacy.render(doc, options={"collapse_phrases": True}))
    words = [t.text for t in phrases.iter(SVG + "tspan") if t.get("class") == "displacy-word"]
    assert "John Smith" in words
    # Spans render as their own Doc; lists give one SVG each; per_sentence one per sentence.
    assert displacy.render(doc[0:3]).count("<svg") == 1
    assert displacy.render([doc, doc]).count("<svg") == 2
    two = weft.Doc(weft.blank("en").vocab, words=["I", "came", ".", "I", "saw", "."], heads=[1, 1, 1, 4, 4, 4],
                   deps=["nsubj", "ROOT", "punct", "nsubj", "ROOT", "punct"])
    assert displacy.render(two, options={"per_sentence": True}).count("<svg") == 2
    assert displacy.render(list(two.sents)).count("<svg") == 2


def test_parse_functions_match_spacys_shape():
    doc = parsed()
    deps = displacy.parse_deps(doc)
    assert set(deps) >= {"words", "arcs", "settings"}
    assert deps["words"][6] == {"text": "Paris,", "tag": "PROPN", "lemma": None}
    assert {"start": 2, "end": 8, "label": "ccomp", "dir": "left"} in deps["arcs"]
    ents = displacy.parse_ents(doc)
    assert [(e["start"], e["end"], e["label"]) for e in ents["ents"]] == [(0, 10, "PERSON"), (21, 27, "GPE"), (31, 36, "GPE")]
    assert ents["title"] is None and ents["settings"] == {"lang": "en", "direction": "ltr"}
    doc.spans["sc"] = [weft.Span(doc, 0, 2, label="PERSON")]
    spans = displacy.parse_spans(doc)
    assert spans["tokens"][:3] == ["John", "Smith", "flew"]
    assert spans["spans"][0] == {"start": 0, "end": 10, "start_token": 0, "end_token": 2, "label": "PERSON",
                                 "kb_id": "", "kb_url": "#"}
    # A parse renders back (manual=True) to the same markup.
    assert displacy.render(deps, manual=True) == displacy.render(doc)


def test_ent_and_span_styles():
    doc = parsed()
    doc.user_data["title"] = "Travel <notes>"
    ent = displacy.render(doc, style="ent", options={"colors": {"gpe": "lightgreen"}})
    balanced(ent)
    assert ent.startswith('<h2 style="margin: 0">Travel &lt;notes&gt;</h2>')
    assert ent.count('<mark class="entity"') == 3 and ent.count("background: lightgreen") == 2
    assert "background: #aa9cfc" in ent  # displaCy's PERSON colour
    only = displacy.render(doc, style="ent", options={"ents": ["PERSON"]})
    assert only.count('<mark class="entity"') == 1 and "London to Paris" in only
    doc.spans["sc"] = [weft.Span(doc, 0, 2, label="PERSON"), weft.Span(doc, 4, 7, label="ROUTE"),
                       weft.Span(doc, 6, 7, label="GPE")]
    span = displacy.render(doc, style="span")
    balanced(span)
    assert span.startswith('<h2 style="margin: 0">Travel &lt;notes&gt;</h2>\n\n<div class="spans"')
    assert span.count("border-top-left-radius: 3px") == 3
    doc.spans["other"] = [weft.Span(doc, 2, 3, label="EVENT")]
    assert displacy.render(doc, style="span", options={"spans_key": "other"}).count("border-top-left-radius") == 1
    page = displacy.render([doc, doc], style="ent", page=True, minify=True)
    assert page.startswith("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
    assert page.count("<figure") == 2 and "\n" not in page
    balanced(page)


def test_kb_links():
    nlp = weft.blank("en")
    doc = nlp("Ada Lovelace wrote")
    doc.ents = [weft.Span(doc, 0, 2, label="PERSON", kb_id="Q7259")]
    out = displacy.render(doc, style="ent", options={"kb_url_template": "https://www.wikidata.org/wiki/{}"})
    assert 'href="https://www.wikidata.org/wiki/Q7259">Q7259</a>' in out


def test_escaping_everywhere():
    nlp = weft.blank("en")
    bad = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    doc = nlp(bad)
    doc.ents = [weft.Span(doc, len(doc) - 1, len(doc), label="<b>LBL</b>")]
    for t in doc:
        t.tag_ = "<i>"
        t.dep_ = "<u>dep</u>"
        if t.i:
            t.head = doc[0]
    doc.spans["sc"] = [weft.Span(doc, len(doc) - 1, len(doc), label="<s>")]
    for style in ("dep", "ent", "span"):
        out = displacy.render(doc, style=style, options={"fine_grained": True} if style == "dep" else {})
        assert "<script" not in out and "<img" not in out and "<b>" not in out and "<i>" not in out and "<u>" not in out
        assert "<s>" not in out
        if style == "dep":
            assert out.count("&lt;u&gt;dep&lt;/u&gt;</textPath>") == len(ET.fromstring(out).findall(f"{SVG}g")) > 0
            assert "&lt;i&gt;" in out
        else:
            assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img" in out


def test_bad_input_is_a_clear_error():
    doc = parsed()
    with pytest.raises(ValueError, match='unknown displaCy style "tree"'):
        displacy.render(doc, style="tree")
    with pytest.raises(weft.ConfigError, match='unknown key "compactt"'):
        displacy.render(doc, options={"compactt": True})
    with pytest.raises(ValueError, match='"distance" .* must be a number'):
        displacy.render(doc, options={"distance": "far"})
    with pytest.raises(ValueError, match="must be a dict"):
        displacy.render(doc, options=["compact"])
    with pytest.raises(ValueError, match="dicts need manual=True"):
        displacy.render([{"words": [], "arcs": []}])
    with pytest.raises(ValueError, match="negative start or end"):
        displacy.render({"words": [{"text": "a", "tag": "X"}], "arcs": [{"start": -1, "end": 0, "label": "x", "dir": "left"}]},
                        manual=True)
    with pytest.raises(ValueError, match="noun_chunks"):
        displacy.render(weft.blank("en")("no parse here"), options={"collapse_phrases": True})


def test_warnings_follow_displacy():
    blank = weft.blank("en")("Nothing parsed here")
    with pytest.warns(UserWarning, match="without a dependency parse"):
        svg = displacy.render(blank, style="dep")
    assert svg.count("displacy-word") == 3 and "displacy-arc" not in svg
    with pytest.warns(UserWarning, match="No entities"):
        assert "Nothing parsed here" in displacy.render(blank, style="ent")
    with pytest.warns(UserWarning, match='spans_key "sc"'):
        displacy.render(blank, style="span")
    empty = weft.blank("en")("")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert displacy.render(empty, style="dep").count("<svg") == 1  # an empty Doc counts as parsed


def test_repr_html_and_jupyter(nlp, monkeypatch):
    doc = nlp("John Smith flew from London to Paris.")
    shown = doc._repr_html_()
    assert shown.startswith('<span class="tex2jax_ignore"><svg') and "<mark class=\"entity\"" in shown
    plain = weft.blank("en")("<b>bold</b> text")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no displaCy warnings from what a notebook shows
        out = plain._repr_html_()
    assert "&lt;b&gt;bold&lt;/b&gt; text" in out and "<svg" not in out
    # jupyter=True hands IPython's HTML to display(), as spaCy; IPython is not a dependency, so a stand-in.
    calls = []
    fake = types.ModuleType("IPython.display")
    fake.HTML = lambda markup: ("HTML", markup)
    fake.display = lambda obj: calls.append(obj)
    monkeypatch.setitem(sys.modules, "IPython", types.ModuleType("IPython"))
    monkeypatch.setitem(sys.modules, "IPython.display", fake)
    assert displacy.render(doc, style="ent", jupyter=True) is None
    assert calls and calls[0][0] == "HTML" and calls[0][1].startswith('<span class="tex2jax_ignore"><div class="entities"')


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_a_real_request(tmp_path):
    port = _free_port()
    script = tmp_path / "serve.py"
    script.write_text(textwrap.dedent(f"""
        import weft
        from weft import displacy
        doc = weft.blank("en")("Serve me <now>")
        doc.ents = [weft.Span(doc, 0, 1, label="ORG")]
        displacy.serve(doc, style="ent", port={port}, host="127.0.0.1")
    """), encoding="utf-8")
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    try:
        body = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
                    body = r.read().decode("utf-8")
            except OSError:
                if proc.poll() is not None:
                    raise AssertionError(proc.stderr.read().decode())
                time.sleep(0.1)
        assert body is not None, "displacy.serve did not answer"
        assert body.startswith("<!DOCTYPE html>") and '<mark class="entity"' in body and "&lt;now&gt;" in body
        # A port in use: spaCy's error, or another port with auto_select_port.
        with pytest.raises(ValueError, match=f"Port {port} is already in use"):
            displacy.serve(weft.blank("en")("x"), port=port, host="127.0.0.1")
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    text = out.decode()
    assert f"Serving on http://127.0.0.1:{port}" in text and f"Shutting down server on port {port}." in text


def _spacy_render(spacy_python, cases):
    code = textwrap.dedent("""
        import json, sys
        import spacy
        from spacy import displacy
        from spacy.tokens import Doc, Span
        nlp = spacy.blank("en")
        out = []
        for case in json.load(sys.stdin):
            d = case["doc"]
            doc = Doc(nlp.vocab, words=d["words"], spaces=d.get("spaces"), pos=d.get("pos"), tags=d.get("tags"),
                      heads=d.get("heads"), deps=d.get("deps"), lemmas=d.get("lemmas"), ents=d.get("ents"))
            if "spans" in d:
                doc.spans["sc"] = [Span(doc, s, e, l) for s, e, l in d["spans"]]
            out.append(displacy.render(doc, style=case["style"], options=case.get("options", {}),
                                       page=case.get("page", False), minify=case.get("minify", False), jupyter=False))
        json.dump(out, sys.stdout)
    """)
    proc = subprocess.run([spacy_python, "-c", code], input=json.dumps(cases), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_markup_equals_spacys(spacy_python):
    """The same parses rendered by spaCy 3.8's displaCy and by weft: byte for byte equal once the ids
    (spaCy's random uuid, weft's content hash) are written alike, except what weft does differently on
    purpose: the page's <meta charset> and, in the span style, each token's own whitespace (displaCy
    puts one space after every token, the last one too). collapse_phrases is left out: it merges
    noun_chunks, which are weft's on UD labels (docs/architecture.md), not spaCy's English ones."""
    words = ["John", "Smith", "flew", "from", "London", "to", "Paris", ",", "he", "said", "."]
    spaces = [True, True, True, True, True, True, False, True, True, False, False]
    base = {"words": words, "spaces": spaces,
            "pos": ["PROPN", "PROPN", "VERB", "ADP", "PROPN", "ADP", "PROPN", "PUNCT", "PRON", "VERB", "PUNCT"],
            "tags": ["NNP", "NNP", "VBD", "IN", "NNP", "IN", "NNP", ",", "PRP", "VBD", "."],
            "lemmas": ["John", "Smith", "fly", "from", "London", "to", "Paris", ",", "he", "say", "."],
            "heads": [2, 0, 9, 4, 2, 6, 2, 2, 9, 9, 9],
            "deps": ["nsubj", "flat", "ccomp", "case", "obl", "case", "obl", "punct", "nsubj", "ROOT", "punct"],
            "ents": ["B-PERSON", "I-PERSON", "O", "O", "B-GPE", "O", "B-LOC", "O", "O", "O", "O"]}
    hi = {"words": ["Hi", ",", "there", "!", "!"], "pos": ["INTJ", "PUNCT", "ADV", "PUNCT", "PUNCT"],
          "heads": [0, 0, 0, 0, 0], "deps": ["ROOT", "punct", "advmod", "punct", "punct"]}
    cases = [
        {"style": "dep", "doc": base},
        {"style": "dep", "doc": base, "options": {"compact": True, "fine_grained": True, "add_lemma": True}},
        {"style": "dep", "doc": base, "page": True, "options": {"collapse_punct": False, "distance": 120, "color": "red",
                                                               "arrow_stroke": 3, "word_spacing": 30.5, "offset_x": 20}},
        {"style": "dep", "doc": hi},
        {"style": "dep", "doc": hi, "minify": True, "options": {"collapse_punct": False}},
        {"style": "ent", "doc": base},
        {"style": "ent", "doc": base, "page": True, "minify": True, "options": {"ents": ["gpe"], "colors": {"GPE": "green"}}},
        # Every token followed by a space, the last one too: what displaCy's span style writes for any Doc.
        {"style": "span", "doc": dict(base, spaces=[True] * len(words),
                                      spans=[[0, 2, "PERSON"], [4, 5, "GPE"], [4, 7, "ROUTE"], [6, 7, "GPE"]])},
    ]
    theirs = _spacy_render(spacy_python, cases)
    vocab = weft.blank("en").vocab
    for case, spacy_markup in zip(cases, theirs):
        d = case["doc"]
        doc = weft.Doc(vocab, words=d["words"], spaces=d.get("spaces"), pos=d.get("pos"), tags=d.get("tags"),
                       heads=d.get("heads"), deps=d.get("deps"), lemmas=d.get("lemmas"), ents=d.get("ents"))
        if "spans" in d:
            doc.spans["sc"] = [weft.Span(doc, s, e, label=l) for s, e, l in d["spans"]]
        ours = displacy.render(doc, style=case["style"], options=case.get("options", {}), page=case.get("page", False),
                               minify=case.get("minify", False))
        ours = re.sub(r'<meta charset="utf-8">\s*', "", ours)
        ours = re.sub(r"\b[0-9a-f]{16}-(\d)", r"ID-\1", ours)
        spacy_markup = re.sub(r"\b[0-9a-f]{32}-(\d)", r"ID-\1", spacy_markup)
        assert ours == spacy_markup, case


def test_api_is_spacys(spacy_python, monkeypatch):
    """weft.displacy has spaCy's public functions with spaCy's parameter names (and defaults, but for
    options, None here where spaCy has a shared {})."""
    import inspect

    code = ("import inspect, json; from spacy import displacy; print(json.dumps({n: [[p.name, repr(p.default)] for p in "
            "inspect.signature(getattr(displacy, n)).parameters.values()] for n in ['render', 'serve', 'parse_deps', "
            "'parse_ents', 'parse_spans', 'set_render_wrapper', 'get_doc_settings']}))")
    theirs = json.loads(subprocess.run([spacy_python, "-c", code], capture_output=True, text=True, check=True).stdout)
    for name, params in theirs.items():
        ours = [[p.name, repr(p.default)] for p in inspect.signature(getattr(displacy, name)).parameters.values()]
        assert [p[0] for p in ours] == [p[0] for p in params], name
        for (n, mine), (_, spacys) in zip(ours, params):
            assert mine == spacys or (n == "options" and mine == "None" and spacys == "{}"), (name, n)
    # The wrapper, as spaCy's: applied to what render returns.
    monkeypatch.setattr(displacy, "RENDER_WRAPPER", None)
    displacy.set_render_wrapper(lambda markup: f"<div id=mine>{markup}</div>")
    assert displacy.render(parsed(), style="ent").startswith("<div id=mine><div class=\"entities\"")
    with pytest.raises(ValueError, match="Expected callable"):
        displacy.set_render_wrapper("nope")
    assert displacy.get_doc_settings(parsed()) == {"lang": "en", "direction": "ltr"}


def test_pipe_progress(nlp, capsys):
    texts = ["John Smith flew from London to Paris.", "They did not move.", "Hello world."] * 20
    plain = [[(t.text, t.pos_, t.dep_) for t in d] for d in nlp.pipe(texts)]
    assert capsys.readouterr().err == ""
    with_bar = [[(t.text, t.pos_, t.dep_) for t in d] for d in nlp.pipe(texts, progress=True)]
    err = capsys.readouterr().err
    assert with_bar == plain
    words = sum(len(d) for d in plain)
    assert re.search(rf"nlp\.pipe: 60 docs, {words} words in \d+:\d\d \([\d.k]+ words/s\)\n$", err)
    # An iterator has no len(): the line has no percentage; as_tuples counts the Docs.
    list(nlp.pipe(((t, i) for i, t in enumerate(texts[:5])), as_tuples=True, progress=True))
    err = capsys.readouterr().err
    assert "nlp.pipe: 5 docs" in err and "%" not in err
    # "auto": only on a terminal (capsys's stderr is not one).
    list(nlp.pipe(texts[:3], progress="auto"))
    assert capsys.readouterr().err == ""
    with pytest.raises(ValueError, match="progress must be"):
        nlp.pipe(texts, progress="yes")


def test_progress_line_from_python():
    """weft._weft.Progress is the CLI's progress line (C++), writing through a Python callable."""
    clock = [0.0]
    lines = []
    bar = weft._weft.Progress("job", total=10, interval=0.25, write=lines.append, clock=lambda: clock[0])
    for i in range(10):
        clock[0] += 0.125  # a redraw every second update
        bar.set_position(i + 1)
        bar.add(1, 3)
    bar.finish()
    assert len(lines) == 6 and all(l.startswith("\r") for l in lines)
    assert lines[0] == "\rjob  20.0% [####....................]  2 docs  6 words  24 words/s  ETA 0:01"
    assert lines[4].startswith("\rjob 100.0% [########################]  10 docs  30 words")
    assert lines[-1].rstrip(" \n") == "\rjob: 10 docs, 30 words in 0:01 (24 words/s)" and lines[-1].endswith("\n")
