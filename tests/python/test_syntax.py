"""spaCy's dependency-syntax API: Token.head ... sent, Span.root / sent, Doc.noun_chunks, on
hand-parsed UD trees read with weft.read_conllu."""
import pytest

import weft


def row(i, form, upos, head, deprel):
    return f"{i}\t{form}\t{form}\t{upos}\t_\t_\t{head}\t{deprel}\t_\t_\n"


# Tokens 0-9: "The quick brown fox jumped over the lazy dog ."
# Tokens 10-19: "She is a doctor and likes cats and dogs ."
TWO_SENTENCES = (
    row(1, "The", "DET", 4, "det") + row(2, "quick", "ADJ", 4, "amod") + row(3, "brown", "ADJ", 4, "amod")
    + row(4, "fox", "NOUN", 5, "nsubj") + row(5, "jumped", "VERB", 0, "root") + row(6, "over", "ADP", 9, "case")
    + row(7, "the", "DET", 9, "det") + row(8, "lazy", "ADJ", 9, "amod") + row(9, "dog", "NOUN", 5, "obl")
    + row(10, ".", "PUNCT", 5, "punct") + "\n"
    + row(1, "She", "PRON", 4, "nsubj") + row(2, "is", "AUX", 4, "cop") + row(3, "a", "DET", 4, "det")
    + row(4, "doctor", "NOUN", 0, "root") + row(5, "and", "CCONJ", 6, "cc") + row(6, "likes", "VERB", 4, "conj")
    + row(7, "cats", "NOUN", 6, "obj") + row(8, "and", "CCONJ", 9, "cc") + row(9, "dogs", "NOUN", 7, "conj")
    + row(10, ".", "PUNCT", 4, "punct") + "\n"
)


@pytest.fixture()
def doc(tmp_path):
    path = tmp_path / "two.conllu"
    path.write_text(TWO_SENTENCES, encoding="utf-8")
    docs = weft.read_conllu(path)
    assert len(docs) == 1 and len(docs[0]) == 20
    return docs[0]


def ids(tokens):
    return [t.i for t in tokens]


def test_head_and_children(doc):
    assert isinstance(doc[3].head, weft.Token)
    assert doc[3].head.i == 4
    assert doc[4].head == doc[4]  # a root is its own head
    assert doc[4].dep_ == "root"
    assert ids(doc[4].children) == [3, 8, 9]
    assert ids(doc[4].lefts) == [3]
    assert ids(doc[4].rights) == [8, 9]
    assert (doc[4].n_lefts, doc[4].n_rights) == (1, 2)
    assert ids(doc[13].children) == [10, 11, 12, 15, 19]
    assert ids(doc[13].lefts) == [10, 11, 12]
    assert ids(doc[13].rights) == [15, 19]
    assert (doc[3].n_lefts, doc[3].n_rights) == (3, 0)
    assert list(doc[0].children) == []
    # Iterators, as spaCy's generators.
    children = doc[4].children
    assert iter(children) is children
    assert next(children).i == 3


def test_subtree_edges_ancestors(doc):
    assert [t.text for t in doc[8].subtree] == ["over", "the", "lazy", "dog"]
    assert ids(doc[4].subtree) == list(range(10))
    assert ids(doc[15].subtree) == [14, 15, 16, 17, 18]
    assert (doc[15].left_edge.i, doc[15].right_edge.i) == (14, 18)
    assert (doc[8].left_edge.i, doc[8].right_edge.i) == (5, 8)
    assert doc[6].left_edge == doc[6] == doc[6].right_edge
    assert ids(doc[6].ancestors) == [8, 4]
    assert ids(doc[18].ancestors) == [16, 15, 13]
    assert list(doc[4].ancestors) == []
    assert doc[4].is_ancestor(doc[6])
    assert doc[8].is_ancestor(doc[6])
    assert not doc[3].is_ancestor(doc[6])
    assert not doc[6].is_ancestor(doc[6])
    assert not doc[13].is_ancestor(doc[6])


def test_span_root_and_sent(doc):
    assert doc[0:10].root.i == 4
    assert doc[0:4].root.text == "fox"
    assert doc[6:9].root.text == "dog"
    assert doc[17:19].root.text == "dogs"  # not the span's first token
    assert doc[8:10].root.text == "dog"  # bare punctuation loses
    sents = list(doc.sents)
    assert [s.text for s in sents] == ["The quick brown fox jumped over the lazy dog .",
                                       "She is a doctor and likes cats and dogs ."]
    assert doc[3].sent == sents[0]
    assert doc[13].sent == sents[1]
    assert doc[6:9].sent == sents[0]
    assert isinstance(doc[13].sent, weft.Span)
    assert (doc[8:12].sent.start, doc[8:12].sent.end) == (0, 10)  # across the boundary: the sentence of its start
    assert doc[0].is_sent_start and doc[10].is_sent_start and doc[11].is_sent_start is False


def test_noun_chunks(doc):
    chunks = list(doc.noun_chunks)
    assert [c.text for c in chunks] == ["The quick brown fox", "the lazy dog", "She", "a doctor", "cats", "dogs"]
    assert all(c.label_ == "NP" for c in chunks)
    assert [c.root.text for c in chunks] == ["fox", "dog", "She", "doctor", "cats", "dogs"]


def test_noun_chunks_conj_flat_possessive(tmp_path):
    path = tmp_path / "one.conllu"
    path.write_text(
        row(1, "John", "PROPN", 3, "nsubj") + row(2, "Smith", "PROPN", 1, "flat") + row(3, "likes", "VERB", 0, "root")
        + row(4, "his", "PRON", 5, "nmod:poss") + row(5, "cats", "NOUN", 3, "obj") + row(6, "and", "CCONJ", 7, "cc")
        + row(7, "dogs", "NOUN", 5, "conj") + row(8, ".", "PUNCT", 3, "punct") + "\n", encoding="utf-8")
    doc = weft.read_conllu(path)[0]
    assert [c.text for c in doc.noun_chunks] == ["John Smith", "his cats", "dogs"]


def test_without_a_parse():
    doc = weft.Doc(weft.Vocab("en"), words=["cats", "and", "dogs"])
    assert doc[1].head == doc[1]
    assert list(doc[1].children) == []
    assert ids(doc[1].subtree) == [1]
    assert doc[0:3].root.i == 0
    with pytest.raises(ValueError, match="noun_chunks requires the dependency parse"):
        list(doc.noun_chunks)
    with pytest.raises(ValueError):
        doc[0].sent


def test_parsed_dev_docs_are_consistent():
    """Every token of the first EWT dev documents: children/ancestors/subtree agree with each other."""
    import pathlib
    path = pathlib.Path(__file__).resolve().parents[2] / "data" / "en_ewt" / "dev.conllu"
    if not path.exists():
        pytest.skip(f"{path} not found")
    for doc in weft.read_conllu(path)[:5]:
        for t in doc:
            sub = ids(t.subtree)
            assert sub == sorted(sub) and t.i in sub
            assert (sub[0], sub[-1]) == (t.left_edge.i, t.right_edge.i)
            for c in t.children:
                assert c.head == t
                assert t.is_ancestor(c)
            for a in t.ancestors:
                assert t.i in ids(a.subtree)
            assert t.sent.start <= t.head.i < t.sent.end
        for chunk in doc.noun_chunks:
            assert chunk.root.pos_ in ("NOUN", "PROPN", "PRON")
