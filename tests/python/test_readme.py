"""The README's Python example of spaCy's Doc API runs as written (Doc construction with annotations,
retokenizing, an extension attribute, pickling, the DependencyMatcher)."""
import pathlib
import re

import weft

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_readme_doc_api_example_runs(monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = "spaCy's everyday Doc API, with spaCy's names and semantics:"
    assert head in readme
    block = re.search(r"```python\n(.*?)```", readme[readme.index(head):], re.S).group(1)
    monkeypatch.chdir(ROOT)
    scope = {"weft": weft}
    try:
        exec(compile(block, "README.md", "exec"), scope)
    finally:
        if weft.Token.has_extension("is_city"):
            weft.Token.remove_extension("is_city")
    doc = scope["doc"]
    assert [t.text for t in doc] == ["She", "saw", "New York", "."]
    assert doc[2].dep_ == "obj" and doc[2].head.text == "saw" and doc[2].lemma_ == "New York"
    assert [(e.text, e.label_) for e in doc.ents] == [("New York", "GPE")]
    assert doc[0].lemma_ == "she" and doc.user_data["source"] == "example"
    assert scope["matcher"](doc) == [(weft.StringStore.hash("SAW"), [1, 2])]
    assert scope["ner"].name == "ner" and "ner" not in scope["nlp"].pipe_names
