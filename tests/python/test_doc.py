"""The spaCy-style Python API of Doc, Token and Span."""
import numpy
import pytest

import weft
from weft import attrs


@pytest.fixture(scope="module")
def nlp():
    return weft.blank("en")


def test_blank_tokenizes(nlp):
    doc = nlp("Hello world!")
    assert isinstance(doc, weft.Doc)
    assert len(doc) == 3
    assert [t.text for t in doc] == ["Hello", "world", "!"]
    assert doc.text == "Hello world!"


def test_indexing_and_slicing(nlp):
    doc = nlp("New York is big.")
    assert doc[0].text == "New"
    assert doc[-1].text == "."
    span = doc[0:2]
    assert isinstance(span, weft.Span)
    assert span.text == "New York"
    assert (span.start, span.end, span.start_char, span.end_char) == (0, 2, 0, 8)
    assert [t.text for t in span] == ["New", "York"]
    assert doc[1:].text == "York is big."
    assert len(doc[3:1]) == 0
    with pytest.raises(IndexError):
        doc[10]
    with pytest.raises(IndexError):
        doc[-11]


def test_token_attributes(nlp):
    doc = nlp("Café costs $5, see https://example.com or mail a@b.org!")
    t = doc[0]
    assert (t.text, t.i, t.idx, t.whitespace_, t.text_with_ws) == ("Café", 0, 0, " ", "Café ")
    assert (t.lower_, t.norm_, t.shape_, t.prefix_, t.suffix_) == ("café", "café", "Xxxx", "C", "afé")
    assert t.is_alpha and t.is_title and not t.is_ascii and not t.is_lower
    assert t.lower == weft.StringStore.hash("café")
    by_text = {tok.text: tok for tok in doc}
    assert by_text["$"].is_currency
    assert by_text["5"].like_num and by_text["5"].is_digit
    assert by_text[","].is_punct
    assert by_text["https://example.com"].like_url
    assert by_text["a@b.org"].like_email
    assert by_text["see"].is_stop
    assert by_text["!"].whitespace_ == ""


def test_text_is_exact_with_whitespace(nlp):
    text = "  Two  spaces\tand\na newline  "
    doc = nlp(text)
    assert doc.text == text
    assert "".join(t.text_with_ws for t in doc) == text.lstrip()
    assert [t.text for t in doc] == ["Two", "spaces", "and", "a", "newline"]
    assert doc[0].whitespace_ == "  "


def test_idx_counts_code_points(nlp):
    text = "Ελλάδα και 東京 👍 ok"
    doc = nlp(text)
    for t in doc:
        assert text[t.idx:t.idx + len(t.text)] == t.text


def test_to_array_returns_numpy(nlp):
    doc = nlp("I like green eggs")
    arr = doc.to_array(["ORTH", "LOWER", attrs.IS_ALPHA, "IDX"])
    assert isinstance(arr, numpy.ndarray)
    assert arr.dtype == numpy.uint64 and arr.shape == (4, 4)
    assert arr[0, 0] == weft.StringStore.hash("I")
    assert arr[0, 1] == weft.StringStore.hash("i")
    assert list(arr[:, 2]) == [1, 1, 1, 1]
    assert list(arr[:, 3]) == [0, 2, 7, 13]
    single = doc.to_array("LENGTH")
    assert single.shape == (4,) and list(single) == [1, 4, 5, 4]
    with pytest.raises(ValueError):
        doc.to_array(["NOT_AN_ATTR"])


def test_to_json(nlp):
    doc = nlp("Hi there.")
    j = doc.to_json()
    assert j["text"] == "Hi there."
    assert [(t["start"], t["end"]) for t in j["tokens"]] == [(0, 2), (3, 8), (8, 9)]


def test_doc_from_words():
    vocab = weft.Vocab("en")
    doc = weft.Doc(vocab, words=["Hello", "world", "!"], spaces=[True, False, False])
    assert doc.text == "Hello world!"
    assert len(doc) == 3
    with pytest.raises(ValueError):
        weft.Doc(vocab, words=["a", "b"], spaces=[True])


def test_sents_need_a_sentencizer(nlp):
    doc = nlp("One. Two.")
    with pytest.raises(ValueError):
        list(doc.sents)
    nlp2 = weft.blank("en")
    nlp2.add_pipe("sentencizer")
    doc = nlp2("One sentence. Another one! And a third?")
    assert [s.text for s in doc.sents] == ["One sentence.", "Another one!", "And a third?"]
    assert doc[0].is_sent_start and doc[3].is_sent_start and doc[1].is_sent_start is False


def test_token_keeps_doc_alive(nlp):
    tok = nlp("temporary doc")[1]
    import gc
    gc.collect()
    assert tok.text == "doc"
    assert tok.doc.text == "temporary doc"


def test_empty_and_whitespace_only(nlp):
    assert len(nlp("")) == 0
    doc = nlp(" \n\t ")
    assert len(doc) == 0 and doc.text == " \n\t "


def test_vocab_and_strings(nlp):
    s = nlp.vocab.strings
    h = s.add("coffee")
    assert s["coffee"] == h == weft.StringStore.hash("coffee")
    assert s[h] == "coffee"
    assert "coffee" in s
    with pytest.raises(KeyError):
        s[12345]
    lex = nlp.vocab["Dogs"]
    assert (lex.lower_, lex.shape_, lex.is_title) == ("dogs", "Xxxx", True)


def test_char_span(nlp):
    doc = nlp("I live in New York City.")
    span = doc.char_span(10, 23, label="GPE")
    assert span.text == "New York City" and span.label_ == "GPE"
    assert doc.char_span(11, 23) is None
    assert doc.char_span(11, 23, alignment_mode="expand").text == "New York City"
    assert doc.char_span(11, 23, alignment_mode="contract").text == "York City"
    with pytest.raises(ValueError):
        doc.char_span(0, 1, alignment_mode="nope")
