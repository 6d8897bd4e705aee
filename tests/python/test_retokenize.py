"""doc.retokenize(): spaCy's merge / split context manager, with the examples of spaCy's documentation."""
import pytest

import weft


def row(i, form, upos, head, deprel, misc="_"):
    return f"{i}\t{form}\t{form}\t{upos}\t_\t_\t{head}\t{deprel}\t_\t{misc}\n"


def read(tmp_path, text):
    path = tmp_path / "doc.conllu"
    path.write_text(text, encoding="utf-8")
    docs = weft.read_conllu(path)
    assert len(docs) == 1
    return docs[0]


@pytest.fixture(scope="module")
def nlp():
    return weft.blank("en")


def heads(doc):
    return [t.head.i for t in doc]


def ents(doc):
    return [(e.text, e.label_, e.start, e.end) for e in doc.ents]


def test_merge_docs_example(nlp):
    doc = nlp("I live in New York")
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[3:5], attrs={"LEMMA": "new york"})
    assert [t.text for t in doc] == ["I", "live", "in", "New York"]
    assert doc[3].lemma_ == "new york"
    assert doc.text == "I live in New York"
    assert doc[3].idx == 10


def test_split_docs_example(nlp):
    doc = nlp("I live in NewYork")
    assert [t.text for t in doc] == ["I", "live", "in", "NewYork"]
    with doc.retokenize() as retokenizer:
        heads_ = [(doc[3], 1), doc[2]]
        attrs = {"POS": ["PROPN", "PROPN"], "DEP": ["pobj", "compound"]}
        retokenizer.split(doc[3], ["New", "York"], heads=heads_, attrs=attrs)
    assert [t.text for t in doc] == ["I", "live", "in", "New", "York"]
    assert doc.text == "I live in NewYork"
    assert [t.whitespace_ for t in doc] == [" ", " ", " ", "", ""]
    assert (doc[3].head.i, doc[4].head.i) == (4, 2)
    assert [t.pos_ for t in doc[3:]] == ["PROPN", "PROPN"]
    assert [t.dep_ for t in doc[3:]] == ["pobj", "compound"]
    assert [t.idx for t in doc] == [0, 2, 7, 10, 13]


# "Dr. Jane Smith visited New York City on Monday ."
VISITED = (
    row(1, "Dr.", "PROPN", 3, "compound") + row(2, "Jane", "PROPN", 3, "compound")
    + row(3, "Smith", "PROPN", 4, "nsubj") + row(4, "visited", "VERB", 0, "root")
    + row(5, "New", "PROPN", 7, "compound")
    + row(6, "York", "PROPN", 7, "compound") + row(7, "City", "PROPN", 4, "obj") + row(8, "on", "ADP", 9, "case")
    + row(9, "Monday", "PROPN", 4, "obl") + row(10, ".", "PUNCT", 4, "punct") + "\n"
)


def visited(tmp_path):
    doc = read(tmp_path, VISITED)
    doc.ents = [("PERSON", 1, 3), ("GPE", 4, 7), ("DATE", 8, 9)]
    return doc


def test_merge_keeps_parse_and_entities(tmp_path):
    doc = visited(tmp_path)
    with doc.retokenize() as r:
        r.merge(doc[4:7])
        r.merge(doc[0:3], attrs={"tag": "NNP", "pos": "PROPN", "lemma": "Smith"})  # lower-case keys, as spaCy
    assert [t.text for t in doc] == ["Dr. Jane Smith", "visited", "New York City", "on", "Monday", "."]
    assert heads(doc) == [1, 1, 1, 4, 1, 1]
    assert [t.dep_ for t in doc] == ["nsubj", "root", "obj", "case", "obl", "punct"]
    assert (doc[0].tag_, doc[0].pos_, doc[0].lemma_) == ("NNP", "PROPN", "Smith")
    assert doc[2].lemma_ == "New York City"
    assert ents(doc) == [("Dr. Jane Smith", "PERSON", 0, 1), ("New York City", "GPE", 2, 3), ("Monday", "DATE", 4, 5)]
    assert [t.ent_iob_ for t in doc] == ["B", "O", "B", "O", "B", "O"]
    assert [c.i for c in doc[1].children] == [0, 2, 4, 5]


def test_merge_entity_attrs(tmp_path):
    doc = visited(tmp_path)
    with doc.retokenize() as r:
        r.merge(doc[7:9], attrs={"ENT_TYPE": "DATE", "ENT_IOB": "B"})
        r.merge(doc[3:4], attrs={"ENT_TYPE": "EVENT"})  # outside an entity: begins one
    assert ents(doc) == [("Jane Smith", "PERSON", 1, 3), ("visited", "EVENT", 3, 4), ("New York City", "GPE", 4, 7),
                         ("on Monday", "DATE", 7, 8)]


def test_split_keeps_parse_entities_and_sentences(tmp_path):
    doc = read(tmp_path, row(1, "I", "PRON", 2, "nsubj") + row(2, "live", "VERB", 0, "root")
               + row(3, "in", "ADP", 4, "case") + row(4, "NewYork", "PROPN", 2, "obl") + "\n"
               + row(1, "Bye", "INTJ", 0, "root", "SpaceAfter=No") + "\n")
    doc.ents = [("GPE", 3, 4)]
    with doc.retokenize() as r:
        r.split(doc[3], ["New", "York"], heads=[(doc[3], 1), doc[1]], attrs={"dep": ["compound", "obl"]})
    assert [t.text for t in doc] == ["I", "live", "in", "New", "York", "Bye"]
    assert heads(doc) == [1, 1, 3, 4, 1, 5]  # "in" pointed to NewYork: now to its first piece, as spaCy
    assert [t.dep_ for t in doc] == ["nsubj", "root", "case", "compound", "obl", "root"]
    assert [t.lemma_ for t in doc[3:5]] == ["New", "York"]
    assert ents(doc) == [("NewYork", "GPE", 3, 5)]
    assert [t.ent_iob_ for t in doc[3:5]] == ["B", "I"]
    assert [s.text for s in doc.sents] == ["I live in NewYork", "Bye"]
    assert [t.is_sent_start for t in doc] == [True, False, False, False, False, True]


def test_merge_and_split_together(nlp):
    doc = nlp("a b cd e")
    with doc.retokenize() as r:
        r.split(doc[2], ["c", "d"], heads=[(doc[2], 1), doc[1]])  # doc[1] is merged: the merged token
        r.merge(doc[0:2])
    assert [t.text for t in doc] == ["a b", "c", "d", "e"]
    assert heads(doc) == [0, 2, 0, 3]


def test_sentences_across_a_merge(tmp_path):
    doc = read(tmp_path, row(1, "Hi", "INTJ", 0, "root") + row(2, "there", "ADV", 1, "advmod") + "\n"
               + row(1, "Go", "VERB", 0, "root") + row(2, "now", "ADV", 1, "advmod") + "\n")
    with doc.retokenize() as r:
        r.merge(doc[2:4])
        r.merge(doc[0:2], attrs={"SENT_START": True})
    assert [s.text for s in doc.sents] == ["Hi there", "Go now"]
    assert [t.dep_ for t in doc] == ["root", "root"]
    assert heads(doc) == [0, 1]


def test_non_ascii_offsets(nlp):
    doc = weft.Doc(nlp.vocab, words=["São", "Paulo", "Straßenbahn", "café"])
    with doc.retokenize() as r:
        r.merge(doc[0:2])
        r.split(doc[2], ["Straßen", "bahn"], heads=[(doc[2], 1), (doc[2], 1)])
    assert [t.text for t in doc] == ["São Paulo", "Straßen", "bahn", "café"]
    assert [t.idx for t in doc] == [0, 10, 17, 22]
    assert doc.text == "São Paulo Straßenbahn café "


def test_errors_leave_the_doc_unchanged(nlp):
    doc = nlp("I live in New York City")
    other = nlp("New York")
    before = [t.text for t in doc]
    with pytest.raises(ValueError, match="overlapping"):
        with doc.retokenize() as r:
            r.merge(doc[3:5])
            r.merge(doc[4:6])  # spaCy E102; spaCy would still merge doc[3:5] on the way out, weft does not
    assert [t.text for t in doc] == before
    with pytest.raises(ValueError, match="must match"):  # spaCy E117
        with doc.retokenize() as r:
            r.split(doc[3], ["Ne", "x"], heads=[doc[3], doc[3]])
    with pytest.raises(ValueError):  # as many heads as orths (spaCy E115)
        with doc.retokenize() as r:
            r.split(doc[3], ["Ne", "w"], heads=[doc[3]])
    with pytest.raises(ValueError):  # an empty span (spaCy E199)
        with doc.retokenize() as r:
            r.merge(doc[2:2])
    with pytest.raises(ValueError):
        with doc.retokenize() as r:
            r.merge(other[0:2])
    with pytest.raises(ValueError):
        with doc.retokenize() as r:
            r.merge(doc[3:5], attrs={"NOT_AN_ATTR": "x"})
    with pytest.raises(ValueError):
        with doc.retokenize() as r:
            r.merge(doc[3:5], attrs={"HEAD": 1})
    with pytest.raises(ValueError):
        with doc.retokenize() as r:
            r.merge(doc[3:5], attrs={"_": {"foo": 1}})
    with pytest.raises(ValueError):
        with doc.retokenize() as r:
            r.merge(doc[3:5], attrs={"POS": "NOT_A_POS"})
    with pytest.raises(ValueError):
        with doc.retokenize() as r:
            r.split(doc[3], ["Ne", "w"], heads=[doc[3], doc[3]], attrs={"TAG": ["NN"]})
    with pytest.raises(ValueError):  # merged and split
        with doc.retokenize() as r:
            r.merge(doc[3:5])
            r.split(doc[3], ["Ne", "w"], heads=[doc[3], doc[3]])
    with pytest.raises(IndexError):  # subtoken 2 of a token split in two, found on the way out
        with doc.retokenize() as r:
            r.split(doc[3], ["Ne", "w"], heads=[(doc[3], 2), doc[3]])
    with pytest.raises(RuntimeError):
        with doc.retokenize() as r:
            r.merge(doc[0:2])
            raise RuntimeError("the block failed: nothing is applied")
    assert [t.text for t in doc] == before


def test_old_views_past_the_end_raise(nlp):
    doc = nlp("one two three")
    last = doc[2]
    span = doc[1:3]
    with doc.retokenize() as r:
        r.merge(doc[0:3])
    assert len(doc) == 1
    with pytest.raises(IndexError):
        last.text
    with pytest.raises(IndexError):
        span.text


def test_attr_value_types(nlp):
    doc = nlp("New York rocks")
    with doc.retokenize() as r:
        r.merge(doc[0:2], attrs={"ENT_TYPE": "GPE", "ENT_IOB": 3, "TAG": "NNP", "SENT_START": None})
    assert ents(doc) == [("New York", "GPE", 0, 1)]
    assert doc[0].tag_ == "NNP"
    with pytest.raises(ValueError):
        with doc.retokenize() as r:
            r.merge(doc[0:1], attrs={"ENT_IOB": "X"})
