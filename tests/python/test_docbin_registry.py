"""DocBin round trips, the registry from Python, and error mapping."""
import pytest

import weft


@pytest.fixture(scope="module")
def nlp():
    nlp = weft.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def test_docbin_bytes_and_disk(nlp, tmp_path):
    docs = list(nlp.pipe(["First doc. Two sentences.", "Second: naïve café 👍", ""]))
    db = weft.DocBin(docs=docs)
    assert len(db) == 3
    data = db.to_bytes()
    back = list(weft.DocBin().from_bytes(data).get_docs(nlp.vocab))
    assert [d.text for d in back] == [d.text for d in docs]
    assert [[t.text for t in d] for d in back] == [[t.text for t in d] for d in docs]
    assert [s.text for s in back[0].sents] == ["First doc.", "Two sentences."]
    path = tmp_path / "docs.docbin"
    db.to_disk(path)
    again = list(weft.DocBin().from_disk(path).get_docs(weft.Vocab("en")))
    assert [d.text for d in again] == [d.text for d in docs]


def test_doc_to_from_bytes(nlp):
    doc = nlp("A doc. With sentences.")
    back = doc.from_bytes(doc.to_bytes())
    assert back.text == doc.text and len(back) == len(doc)


def test_corrupt_docbin_is_a_format_error(nlp):
    data = bytearray(weft.DocBin(docs=[nlp("some text")]).to_bytes())
    data[len(data) // 2] ^= 0xFF
    with pytest.raises(weft.FormatError):
        weft.DocBin().from_bytes(bytes(data))
    with pytest.raises(ValueError):  # FormatError is also a ValueError
        weft.DocBin().from_bytes(b"not a docbin")


def test_registry_lists_builtins():
    assert "tokenizers" in weft.registry.categories()
    names = weft.registry.names("tokenizers")
    assert "weft.Tokenizer.v1" in names and "weft.WhitespaceTokenizer.v1" in names
    assert "en" in weft.registry.names("languages")
    assert any(e["name"] == "sentencizer" for e in weft.registry.entries("components"))


def test_registry_python_tokenizer_and_component():
    @weft.registry.tokenizers("test.CommaTokenizer.v1")
    def make(config, vocab):
        return lambda text: [w for w in text.replace(",", " , ").split()]

    @weft.registry.components("test.upper_tag")
    def make_component(name, config, vocab):
        seen = []

        def component(doc):
            seen.append(doc.text)
        component.seen = seen
        return component

    nlp = weft.blank("en")
    nlp.set_tokenizer({"@tokenizers": "test.CommaTokenizer.v1"})
    assert [t.text for t in nlp("a,b c")] == ["a", ",", "b", "c"]
    nlp.add_pipe("test.upper_tag")
    assert nlp.pipe_names == ["test.upper_tag"]
    docs = list(nlp.pipe(["x,y", "z"], n_threads=2, batch_size=1))
    assert [d.text for d in docs] == ["x,y", "z"]
    assert weft.registry.has("tokenizers", "test.CommaTokenizer.v1")


def test_whitespace_tokenizer():
    nlp = weft.blank("en")
    nlp.set_tokenizer({"@tokenizers": "weft.WhitespaceTokenizer.v1"})
    assert [t.text for t in nlp("don't  stop, U.S.")] == ["don't", "stop,", "U.S."]


def test_unknown_names_raise_key_error():
    with pytest.raises(KeyError):
        weft.blank("xx")
    nlp = weft.blank("en")
    with pytest.raises(KeyError):
        nlp.add_pipe("no_such_component")
    with pytest.raises(weft.Error):
        nlp.set_tokenizer({"@tokenizers": "no.such.v1"})


def test_explain(nlp):
    rows = nlp.tokenizer.explain("(Don't!)")
    assert [text for _, text in rows] == [t.text for t in nlp.make_doc("(Don't!)")]
    assert rows[0] == ("PREFIX", "(")
    assert [text for _, text in rows] == ["(", "Do", "n't", "!", ")"]
    assert all(rule in ("TOKEN", "PREFIX", "SUFFIX", "INFIX", "URL_MATCH", "TOKEN_MATCH") or rule.startswith("SPECIAL-")
               for rule, _ in rows)
    assert nlp.tokenizer.explain("gonna")[0][0] == "SPECIAL-1"


def test_component_management(nlp):
    nlp2 = weft.blank("en")
    nlp2.add_pipe("sentencizer", name="sents")
    assert nlp2.component_names == ["sents"]
    with nlp2.select_pipes(disable="sents"):
        assert nlp2.pipe_names == []
    assert nlp2.pipe_names == ["sents"]
    name, comp = nlp2.remove_pipe("sents")
    assert name == "sents" and nlp2.pipe_names == []
