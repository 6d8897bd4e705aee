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


@pytest.fixture
def unlimited():
    """A blank pipeline without nlp.max_length (1,000,000 characters by default, as spaCy's)."""
    nlp = weft.blank("en")
    nlp.max_length = 0
    return nlp


def test_huge_single_line(unlimited):
    text = ("word " * 2_000_000)[:10_000_000]
    with pytest.raises(ValueError, match="Text of length 10000000 exceeds maximum of 1000000"):
        weft.blank("en")(text)
    doc = unlimited(text)
    assert len(doc) == 2_000_000
    assert doc[-1].text == "word"


def test_huge_single_token(unlimited):
    text = "x" * 10_000_000
    doc = unlimited(text)
    assert len(doc) >= 1
    assert "".join(t.text for t in doc) == text
