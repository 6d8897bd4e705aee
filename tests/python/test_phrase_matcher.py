"""weft.PhraseMatcher in spaCy's idiom: PhraseMatcher(nlp.vocab, attr=...), add(key, [nlp.make_doc(t)
...]), matcher(doc) -> [(match_id, start, end)], as_spans, on_match, remove, and the errors for bad
input. Expected lists were checked against spaCy 3.8's PhraseMatcher on the same texts."""
import warnings

import pytest

import weft


@pytest.fixture(scope="module")
def nlp():
    return weft.blank("en")


def named(nlp, matches):
    return [(nlp.vocab.strings[m], s, e) for m, s, e in matches]


def test_orth_matches_nested_and_overlapping(nlp):
    matcher = weft.PhraseMatcher(nlp.vocab)
    matcher.add("CITY", [nlp.make_doc(t) for t in ["New York", "New York City", "York"]])
    matcher.add("NY", [nlp.make_doc("New York")])
    doc = nlp.make_doc("I love New York City and New York .")
    matches = matcher(doc)
    assert named(nlp, matches) == [("CITY", 2, 4), ("NY", 2, 4), ("CITY", 2, 5), ("CITY", 3, 4),
                                   ("CITY", 6, 8), ("NY", 6, 8), ("CITY", 7, 8)]
    assert matches[0][0] == nlp.vocab.strings["CITY"] == weft.StringStore.hash("CITY")
    assert len(matcher) == 2 and matcher.n_phrases == 4
    assert "CITY" in matcher and "NY" in matcher and "LA" not in matcher
    assert nlp.vocab.strings["CITY"] in matcher  # a match id works too
    assert matcher.attr == weft.attrs.ORTH
    assert matcher(nlp.make_doc("new york")) == []


def test_lower_matches_any_case(nlp):
    terms = ["Barack Obama", "Angela Merkel", "Washington, D.C."]
    matcher = weft.PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("TERMS", [nlp.make_doc(t) for t in terms])
    doc = nlp.make_doc("German Chancellor ANGELA MERKEL and US President barack obama "
                       "converse in the Oval Office inside the White House in WASHINGTON, D.C.")
    spans = matcher(doc, as_spans=True)
    assert [s.text for s in spans] == ["ANGELA MERKEL", "barack obama", "WASHINGTON, D.C."]
    assert all(isinstance(s, weft.Span) and s.label_ == "TERMS" for s in spans)
    assert [s.label for s in spans] == [nlp.vocab.strings["TERMS"]] * 3
    assert weft.PhraseMatcher(nlp.vocab, attr="lower").attr == matcher.attr == weft.attrs.LOWER
    assert weft.PhraseMatcher(nlp.vocab, attr=weft.attrs.LOWER).attr == weft.attrs.LOWER


def test_same_phrase_under_several_keys_and_duplicates(nlp):
    matcher = weft.PhraseMatcher(nlp.vocab)
    for key in ["Z", "A", "M", "B"]:
        matcher.add(key, [nlp.make_doc("x y")])
    assert [nlp.vocab.strings[m] for m, _, _ in matcher(nlp.make_doc("x y"))] == ["Z", "A", "M", "B"]
    once = weft.PhraseMatcher(nlp.vocab)
    once.add("A", [nlp.make_doc("x"), nlp.make_doc("x")])
    once.add("A", [nlp.make_doc("x")])
    assert once.n_phrases == 1 and len(once(nlp.make_doc("x"))) == 1


def test_span_input_reports_doc_indices(nlp):
    matcher = weft.PhraseMatcher(nlp.vocab)
    matcher.add("CITY", [nlp.make_doc(t) for t in ["New York", "New York City", "York"]])
    doc = nlp.make_doc("I love New York City and New York .")
    assert named(nlp, matcher(doc[3:7])) == [("CITY", 3, 4)]
    spans = matcher(doc[4:], as_spans=True)
    assert [(s.start, s.end, s.text) for s in spans] == [(6, 8, "New York"), (7, 8, "York")]
    assert spans[0].doc is doc
    assert matcher(doc[2:2]) == []


def test_empty_docs_and_patterns(nlp):
    matcher = weft.PhraseMatcher(nlp.vocab)
    assert matcher(nlp.make_doc("nothing yet")) == []
    matcher.add("EMPTY", [])
    matcher.add("EMPTYDOC", [nlp.make_doc("")])
    assert len(matcher) == 2 and "EMPTY" in matcher and matcher.n_phrases == 0
    matcher.add("A", [nlp.make_doc("a")])
    assert matcher(nlp.make_doc("")) == []
    assert matcher(None) == []
    assert named(nlp, matcher(nlp.make_doc("a"))) == [("A", 0, 1)]


def test_remove(nlp):
    matcher = weft.PhraseMatcher(nlp.vocab)
    matcher.add("CITY", [nlp.make_doc(t) for t in ["New York", "York"]])
    matcher.add("NY", [nlp.make_doc("New York")], on_match=lambda *a: None)
    matcher.remove("NY")
    assert "NY" not in matcher and len(matcher) == 1
    assert named(nlp, matcher(nlp.make_doc("New York"))) == [("CITY", 0, 2), ("CITY", 1, 2)]
    with pytest.raises(KeyError, match="NY"):
        matcher.remove("NY")
    with pytest.raises(KeyError):
        matcher.remove(42)


def test_on_match_is_called_as_in_spacy(nlp):
    calls = []

    def on_match(matcher_arg, doc, i, matches):
        assert matcher_arg is matcher
        calls.append((i, len(matches)))
        if i == 0:
            matches.append(matches[0])  # the loop and the result see the change

    matcher = weft.PhraseMatcher(nlp.vocab)
    matcher.add("A", [nlp.make_doc("a")], on_match=on_match)
    matcher.add("B", [nlp.make_doc("b")])
    doc = nlp.make_doc("a b a")
    seen_docs = []
    matcher.add("B", [], on_match=lambda m, d, i, ms: seen_docs.append(d))  # replaces B's callback
    result = matcher(doc)
    assert calls == [(0, 3), (2, 4), (3, 4)]
    assert named(nlp, result) == [("A", 0, 1), ("B", 1, 2), ("A", 2, 3), ("A", 0, 1)]
    assert seen_docs == [doc] and seen_docs[0] is doc
    # Called on a Span, callbacks get the Span's Doc.
    seen_docs.clear()
    matcher(doc[1:2])
    assert seen_docs[0] is doc
    # spaCy 2's argument order add(key, on_match, *docs) still works.
    old = weft.PhraseMatcher(nlp.vocab)
    old.add("OLD", None, nlp.make_doc("b"))
    assert named(nlp, old(doc)) == [("OLD", 1, 2)]


def test_tagged_attribute_needs_annotated_patterns(nlp, tmp_path):
    matcher = weft.PhraseMatcher(nlp.vocab, attr="TAG")
    with pytest.raises(ValueError, match=r'PhraseMatcher.add\("ADJ_NOUN"\): pattern 0 .*no TAG annotation'):
        matcher.add("ADJ_NOUN", [nlp.make_doc("big dog")])
    assert "ADJ_NOUN" not in matcher and len(matcher) == 0
    # Annotated Docs (read from CoNLL-U) work as patterns and text.
    rows = ["1\tbig\tbig\tADJ\tJJ\t_\t2\tamod\t_\t_", "2\tdog\tdog\tNOUN\tNN\t_\t0\troot\t_\t_", "",
            "1\ta\ta\tDET\tDT\t_\t3\tdet\t_\t_", "2\tred\tred\tADJ\tJJ\t_\t3\tamod\t_\t_",
            "3\tcar\tcar\tNOUN\tNN\t_\t0\troot\t_\t_", "4\tand\tand\tCCONJ\tCC\t_\t6\tcc\t_\t_",
            "5\tblue\tblue\tADJ\tJJ\t_\t6\tamod\t_\t_", "6\tsky\tsky\tNOUN\tNN\t_\t3\tconj\t_\t_", "", ""]
    path = tmp_path / "tagged.conllu"
    path.write_text("\n".join(rows), encoding="utf-8")
    pattern, text = weft.read_conllu(path, nlp.vocab, unit="sentence")
    matcher.add("ADJ_NOUN", [pattern])
    assert named(nlp, matcher(text)) == [("ADJ_NOUN", 1, 3), ("ADJ_NOUN", 4, 6)]
    pos = weft.PhraseMatcher(nlp.vocab, attr="POS")
    pos.add("ADJ_NOUN", [pattern])
    assert named(nlp, pos(text)) == [("ADJ_NOUN", 1, 3), ("ADJ_NOUN", 4, 6)]
    # validate=True warns when annotated patterns are used for a lexical attribute (spaCy's W012).
    checked = weft.PhraseMatcher(nlp.vocab, attr="LOWER", validate=True)
    with pytest.warns(UserWarning, match="does not need that annotation"):
        checked.add("X", [pattern])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checked.add("Y", [nlp.make_doc("big dog")])


def test_bad_input(nlp):
    with pytest.raises(ValueError, match='unknown attribute "FOO"'):
        weft.PhraseMatcher(nlp.vocab, attr="FOO")
    with pytest.raises(ValueError, match="HEAD"):
        weft.PhraseMatcher(nlp.vocab, attr="HEAD")
    with pytest.raises(TypeError):
        weft.PhraseMatcher(nlp.vocab, attr=1.5)
    with pytest.raises(TypeError):
        weft.PhraseMatcher("not a vocab")
    matcher = weft.PhraseMatcher(nlp.vocab)
    with pytest.raises(TypeError, match=r'PhraseMatcher.add\("K"\): pattern 1 is a str, not a Doc'):
        matcher.add("K", [nlp.make_doc("a"), "b c"])
    with pytest.raises(ValueError, match="single Doc"):
        matcher.add("K", nlp.make_doc("a"))
    with pytest.raises(TypeError, match="expected a list of Docs, got str"):
        matcher.add("K", "a b")
    with pytest.raises(TypeError, match="key must be a str"):
        matcher.add(7, [nlp.make_doc("a")])
    with pytest.raises(ValueError, match="on_match must be callable"):
        matcher.add("K", [nlp.make_doc("a")], on_match=3)
    with pytest.raises(ValueError, match="must not be empty"):
        matcher.add("", [nlp.make_doc("a")])
    assert len(matcher) == 0  # nothing was added by the failed calls
    with pytest.raises(ValueError, match="Doc or Span only, got list"):
        matcher(["a"])
    assert isinstance(weft.ValueError("x"), ValueError)
    assert "PhraseMatcher" in weft.__all__


def test_frozen_vocab_keeps_its_strings_and_labels_still_resolve():
    vocab = weft.Vocab("en")
    vocab.freeze()  # as a loaded model's
    matcher = weft.PhraseMatcher(vocab)
    matcher.add("FROZEN_LABEL", [weft.Doc(vocab, words=["x", "y"])])
    assert "FROZEN_LABEL" not in vocab.strings
    doc = weft.Doc(vocab, words=["a", "x", "y"])
    spans = matcher(doc, as_spans=True)
    assert [(s.start, s.end, s.label_) for s in spans] == [(1, 3, "FROZEN_LABEL")]
