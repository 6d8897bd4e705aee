"""Rendered pages in a real browser: headless Chromium (Debian's chromium and chromium-driver, which
scripts/install.sh installs) driven by Selenium. The DOM is checked (one arc per word but the root
after collapsing, the labels, entity marks), a <script> in the input must not run, and labels must
not overlap each other or a word in a long sentence and in a 200-sentence page (boxes measured with
getBoundingClientRect). Screenshots go to the test's tmp folder; with WEFT_README_PICTURES=DIR the
README's pictures are written there too (scripts/render_readme_picture.sh).

One browser for the module; the whole module takes a few seconds."""
import os
import pathlib
import shutil
import subprocess

import pytest

import weft
from weft import displacy

ROOT = pathlib.Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "en_ewt_sm"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
README_SENTENCE = "John Smith flew from London to Paris on Monday."


@pytest.fixture(scope="module")
def browser():
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        pytest.skip("chromium and chromium-driver are not installed (scripts/install.sh installs them)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (python/requirements.txt)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
                "--force-device-scale-factor=1", "--window-size=1700,1000", "--allow-file-access-from-files"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def nlp():
    return weft.load(MODEL)


def load(browser, tmp_path, name, markup):
    path = tmp_path / name
    path.write_text(markup, encoding="utf-8")
    browser.get(path.as_uri())
    return path


def screenshot(browser, tmp_path, name):
    path = tmp_path / name
    assert browser.save_screenshot(str(path))
    assert path.stat().st_size > 1000
    return path


# Per SVG: its box, the boxes of its labels, words and tags, and for each label whether its textPath
# points at the arc of its own arrow group.
MEASURE = """
return [...document.querySelectorAll('svg.displacy')].map(svg => {
  const box = r => { const b = r.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  const labels = [...svg.querySelectorAll('.displacy-label')];
  return {
    svg: box(svg),
    arcs: svg.querySelectorAll('path.displacy-arc').length,
    heads: svg.querySelectorAll('path.displacy-arrowhead').length,
    labels: labels.map(box),
    label_text: labels.map(l => l.textContent),
    linked: labels.map(l => {
      const target = document.getElementById(l.getAttribute('xlink:href').slice(1));
      return target !== null && target.closest('g') === l.closest('g') && target.classList.contains('displacy-arc');
    }),
    words: [...svg.querySelectorAll('.displacy-word')].map(box),
    word_text: [...svg.querySelectorAll('.displacy-word')].map(w => w.textContent),
    tags: [...svg.querySelectorAll('.displacy-tag')].map(box),
  };
});
"""


def overlap(a, b, slack=0.5):
    """Whether two boxes [left, top, right, bottom] overlap by more than `slack` pixels both ways."""
    return min(a[2], b[2]) - max(a[0], b[0]) > slack and min(a[3], b[3]) - max(a[1], b[1]) > slack


def check_no_hidden_labels(measured):
    problems = []
    for n, m in enumerate(measured):
        labels = m["labels"]
        for i, a in enumerate(labels):
            assert a[2] - a[0] > 1 and a[3] - a[1] > 1, f"svg {n}: label {m['label_text'][i]!r} has no size"
            s = m["svg"]
            assert a[0] >= s[0] - 0.5 and a[1] >= s[1] - 0.5 and a[2] <= s[2] + 0.5 and a[3] <= s[3] + 0.5, \
                f"svg {n}: label {m['label_text'][i]!r} is outside its picture"
            for j in range(i + 1, len(labels)):
                if overlap(a, labels[j]):
                    problems.append(f"svg {n}: labels {m['label_text'][i]!r} and {m['label_text'][j]!r} overlap")
            for k, w in enumerate(m["words"] + m["tags"]):
                if overlap(a, w):
                    problems.append(f"svg {n}: label {m['label_text'][i]!r} overlaps word/tag {k}")
    assert not problems, "\n".join(problems[:20])


def _merged(doc, i):
    """Whether token i disappears into a word before it under displaCy's collapse_punct: it is
    punctuation and its run of punctuation comes right after a word."""
    if not doc[i].is_punct:
        return False
    j = i
    while j > 0 and doc[j - 1].is_punct:
        j -= 1
    return j > 0


def expected_arcs(doc):
    """Words after collapse_punct less the roots, counted from the Doc on its own (a merged run's word
    is a root when the run held the root)."""
    words = sum(1 for i in range(len(doc)) if not _merged(doc, i))
    roots = sum(1 for t in doc if t.head.i == t.i)
    return words - roots


def test_dep_page_dom_and_screenshot(browser, nlp, tmp_path):
    docs = list(nlp.pipe(["John Smith flew from London to Paris on Monday.", "They did not move, did they?",
                          "The quick brown fox jumps over the lazy dog... twice!"]))
    load(browser, tmp_path, "dep.html", displacy.render(docs, style="dep", page=True))
    assert browser.title == "displaCy"
    measured = browser.execute_script(MEASURE)
    assert len(measured) == 3
    for doc, m in zip(docs, measured):
        parse = displacy.parse_deps(doc)
        assert m["word_text"] == [w["text"] for w in parse["words"]]
        assert m["arcs"] == m["heads"] == len(m["labels"]) == expected_arcs(doc)
        assert m["label_text"] == [a["label"] for a in parse["arcs"]]
        assert sorted(m["label_text"]) == sorted(t.dep_ for t in doc if t.head.i != t.i and not _merged(doc, t.i))
        assert all(m["linked"])
    check_no_hidden_labels(measured)
    screenshot(browser, tmp_path, "dep.png")


def test_ent_and_span_pages(browser, nlp, tmp_path):
    doc = nlp("John Smith flew from London to Paris on Monday with Apple's chief.")
    doc.spans["sc"] = [weft.Span(doc, 0, 2, label="PERSON"), weft.Span(doc, 4, 7, label="ROUTE"),
                       weft.Span(doc, 6, 7, label="GPE")]
    load(browser, tmp_path, "ent.html", displacy.render(doc, style="ent", page=True))
    marks = browser.execute_script("""
        return [...document.querySelectorAll('mark.entity')].map(m => ({
          text: m.firstChild.textContent.trim(), label: m.querySelector('span').textContent,
          bg: getComputedStyle(m).backgroundColor}));""")
    assert [(m["text"], m["label"]) for m in marks] == [(e.text, e.label_) for e in doc.ents]
    colors = {"PER": "rgb(170, 156, 252)", "LOC": "rgb(255, 149, 97)", "ORG": "rgb(122, 236, 236)"}
    assert all(m["bg"] == colors.get(m["label"], "rgb(221, 221, 221)") for m in marks)
    text = browser.execute_script("return document.querySelector('div.entities').textContent")
    assert " ".join(text.split()).startswith("John Smith PER flew from")
    screenshot(browser, tmp_path, "ent.png")
    load(browser, tmp_path, "span.html", displacy.render(doc, style="span", page=True))
    labels = browser.execute_script(
        "return [...document.querySelectorAll('div.spans span[style*=\"z-index: 10\"]')].map(s => s.textContent.trim())")
    assert labels == ["PERSON", "ROUTE", "GPE"]
    screenshot(browser, tmp_path, "span.png")


SCRIPT = '<script>document.title = "pwned"; window.__pwned = 1;</script> <img src=x onerror="window.__pwned = 2"> end'


def test_script_in_the_input_is_shown_not_run(browser, tmp_path):
    # The check itself can fail: the same markup unescaped does run in this browser.
    load(browser, tmp_path, "control.html", f"<!DOCTYPE html><html><head><title>x</title></head><body>{SCRIPT}</body></html>")
    assert browser.execute_script("return window.__pwned") in (1, 2) and browser.title == "pwned"
    nlp = weft.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp(SCRIPT)
    doc.ents = [weft.Span(doc, len(doc) - 1, len(doc), label="<script>window.__pwned=3</script>")]
    doc.spans["sc"] = [weft.Span(doc, 0, 2, label="<img src=x onerror=window.__pwned=4>")]
    for t in doc:
        t.tag_ = "<b onmouseover=x>"
        t.dep_ = "<script>window.__pwned=5</script>"
        if t.i:
            t.head = doc[0]
    for style in ("dep", "ent", "span"):
        options = {"collapse_punct": False, "fine_grained": True} if style == "dep" else {}
        load(browser, tmp_path, f"script_{style}.html", displacy.render(doc, style=style, page=True, options=options))
        assert browser.title == "displaCy"
        assert browser.execute_script("return window.__pwned === undefined && document.querySelectorAll('script, img').length === 0")
        shown = browser.execute_script("return document.body.textContent")
        if style == "ent":
            assert 'document.title = "pwned"' in shown and "<script>window.__pwned=3</script>" in shown
        elif style == "dep":
            assert shown.count("<script>window.__pwned=5</script>") == len(doc) - 1 and "<b onmouseover=x>" in shown
        else:
            assert "<img src=x onerror=window.__pwned=4>" in shown


def test_long_sentence_and_200_sentence_page_keep_labels_apart(browser, nlp, tmp_path):
    gold = weft.read_conllu(str(ROOT / "data" / "en_ewt" / "dev.conllu"))
    sents = [s.as_doc() for d in gold for s in d.sents]
    longest = max(sents, key=len)
    assert len(longest) >= 60
    # The longest gold sentence (gold parse) and the model's parse of its text, default and compact.
    parsed = nlp(longest.text)
    for name, docs, options in [("long_gold", [longest], {}), ("long_model", [parsed], {"per_sentence": True}),
                                ("long_compact", [longest], {"compact": True})]:
        load(browser, tmp_path, f"{name}.html", displacy.render(docs, style="dep", page=True, options=options))
        measured = browser.execute_script(MEASURE)
        assert sum(m["arcs"] for m in measured) == sum(expected_arcs(d) for d in docs) > 0
        check_no_hidden_labels(measured)
    screenshot(browser, tmp_path, "long.png")
    # The measurement can fail: squeezed words (distance 30) put labels over each other.
    load(browser, tmp_path, "squeezed.html", displacy.render(parsed, style="dep", page=True, options={"distance": 30}))
    with pytest.raises(AssertionError, match="overlap|outside its picture"):
        check_no_hidden_labels(browser.execute_script(MEASURE))
    page = sents[:200]
    load(browser, tmp_path, "page200.html", displacy.render(page, style="dep", page=True))
    measured = browser.execute_script(MEASURE)
    assert len(measured) == 200
    assert [m["arcs"] for m in measured] == [expected_arcs(d) for d in page]
    assert all(all(m["linked"]) for m in measured)
    check_no_hidden_labels(measured)
    # The pictures follow each other down the page without overlapping.
    tops = [m["svg"] for m in measured]
    assert all(b[1] >= a[3] for a, b in zip(tops, tops[1:]))


def test_readme_pictures(browser, weft_bin, tmp_path):
    """The README's pictures: `weft render` of the README's sentence, photographed. Written to
    WEFT_README_PICTURES (docs/images) when set (scripts/render_readme_picture.sh)."""
    pages = {}
    for style in ("dep", "ent"):
        proc = subprocess.run([weft_bin, "render", "-m", str(MODEL), "--style", style, "-o", str(tmp_path / f"{style}.html")],
                              input=(README_SENTENCE + "\n").encode(), capture_output=True, timeout=120)
        assert proc.returncode == 0, proc.stderr.decode()
        pages[style] = tmp_path / f"{style}.html"
    from selenium.webdriver.common.by import By

    out = {}
    browser.get(pages["dep"].as_uri())
    measured = browser.execute_script(MEASURE)
    assert len(measured) == 1 and measured[0]["word_text"][0] == "John" and measured[0]["arcs"] == 8
    check_no_hidden_labels(measured)
    out["displacy_dep.png"] = browser.find_element(By.CSS_SELECTOR, "svg.displacy").screenshot_as_png
    browser.set_window_size(900, 600)
    try:
        browser.get(pages["ent"].as_uri())
        assert len(browser.find_elements(By.CSS_SELECTOR, "mark.entity")) == 3
        out["displacy_ent.png"] = browser.find_element(By.CSS_SELECTOR, "div.entities").screenshot_as_png
    finally:
        browser.set_window_size(1700, 1000)
    target = os.environ.get("WEFT_README_PICTURES")
    for name, png in out.items():
        assert png.startswith(b"\x89PNG") and len(png) < 100_000
        (tmp_path / name).write_bytes(png)
        if target:
            pathlib.Path(target).mkdir(parents=True, exist_ok=True)
            (pathlib.Path(target) / name).write_bytes(png)
