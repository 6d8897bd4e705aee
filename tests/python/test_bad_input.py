"""Bad input through the Python API: nothing crashes, errors are clear and typed."""
import pytest

import weft


@pytest.fixture(scope="module")
def nlp():
    return weft.blank("en")


def test_lone_surrogate_is_rejected(nlp):
    with pytest.raises(weft.EncodingError, match="character 4"):
        nlp("bad \ud800 text")
    with pytest.raises(ValueError):
        list(nlp.pipe(["fine", "bad \udfff"]))


def test_huge_single_line(nlp):
    text = ("word " * 2_000_000)[:10_000_000]
    doc = nlp(text)
    assert len(doc) == 2_000_000
    assert doc[-1].text == "word"


def test_huge_single_token(nlp):
    text = "x" * 10_000_000
    doc = nlp(text)
    assert len(doc) >= 1
    assert "".join(t.text for t in doc) == text
