"""nlp.max_length (spaCy's): texts longer than it raise ValueError naming the length, the limit and how
to raise it; a text just at the limit works; 0 lifts it; and long texts are annotated in bounded
memory, so lifting it is safe (issue 17)."""
import pathlib
import pickle

import pytest

import weft

MODEL = pathlib.Path(__file__).resolve().parents[2] / "models" / "en_ewt_sm"


def test_default_is_spacys_and_the_error_says_how_to_raise_it():
    nlp = weft.blank("en")
    assert nlp.max_length == 1_000_000
    nlp.max_length = 12
    assert len(nlp("aaaaa bbbbbb")) == 2                 # exactly 12 characters
    assert len(nlp("ééééé ééééé.")) == 3                 # 12 characters in 22 bytes: characters count
    with pytest.raises(ValueError) as info:
        nlp("aaaaa bbbbbbb")
    message = str(info.value)
    assert "Text of length 13 exceeds maximum of 12" in message
    assert "nlp.max_length" in message and "0 means no limit" in message
    assert isinstance(info.value, weft.ValueError)


def test_make_doc_and_pipe_check_it_the_tokenizer_does_not():
    nlp = weft.blank("en")
    nlp.max_length = 5
    with pytest.raises(ValueError, match="Text of length 6 exceeds maximum of 5"):
        nlp.make_doc("abcdef")
    with pytest.raises(ValueError, match="Text of length 6 exceeds maximum of 5"):
        list(nlp.pipe(["abc", "abcdef"]))
    assert len(nlp.tokenizer("abcdef gh")) == 2      # spaCy's tokenizer has no limit either
    doc = nlp.tokenizer("abcdef gh")
    assert nlp(doc) is doc                          # a Doc is not a text: not checked
    assert [len(d) for d in nlp.pipe(["abc", "abcde"])] == [1, 1]


def test_zero_lifts_it_and_bad_values_are_refused():
    nlp = weft.blank("en")
    nlp.max_length = 0
    assert len(nlp("a " * 600_000)) == 600_000
    for bad in (-1, 1.5, "10", True, None):
        with pytest.raises(ValueError, match="non-negative integer"):
            nlp.max_length = bad
    assert nlp.max_length == 0


def test_a_long_text_through_the_shipped_model():
    # 20,000 words in one text: annotated in chunks (bounded memory), the same as sentence by sentence
    # where sentences do not interact (tags and lemmas of a sentence do not depend on its neighbours).
    nlp = weft.load(MODEL)
    sentence = "The quick brown fox jumps over the lazy dog near the river bank. "
    doc = nlp(sentence * 1500)
    assert len(doc) == 14 * 1500
    one = nlp(sentence.strip())
    first = [(t.tag_, t.lemma_, t.dep_) for t in one]
    assert [(t.tag_, t.lemma_, t.dep_) for t in doc[:14]] == first
    assert [(t.tag_, t.lemma_, t.dep_) for t in doc[-14:]] == first
    assert len(list(doc.sents)) == 1500


def test_max_length_is_per_pipeline_and_not_pickled():
    a, b = weft.blank("en"), weft.blank("en")
    a.max_length = 3
    assert b.max_length == 1_000_000
    assert pickle.loads(pickle.dumps(a)).max_length == 1_000_000  # a setting of the object, not of the saved files
