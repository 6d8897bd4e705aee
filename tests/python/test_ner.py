"""Entities from Python: doc.ents (read and set, spaCy's idiom), Span(doc, start, end, label=...),
token.ent_iob_ / ent_type_, and the entity recognizer trained through weft.train, with nlp.evaluate's
ents_* scores and entities kept across to_disk / load."""
import pathlib

import pytest

import weft

ROOT = pathlib.Path(__file__).resolve().parents[2]
EWT = ROOT / "data" / "en_ewt"

CONFIG = {
    "nlp": {"lang": "en", "pipeline": ["tok2vec", "ner"]},
    "components": {
        "tok2vec": {"factory": "tok2vec", "width": 32, "depth": 2},
        "ner": {"factory": "ner", "tok2vec": {"upstream": "tok2vec"}, "model": {"hidden_width": 32}},
    },
    "corpora": {"train": str(EWT / "train.conllu"), "dev": str(EWT / "dev.conllu"), "max_train_docs": 400,
                "max_dev_docs": 100},
    "training": {"max_steps": 60, "eval_frequency": 30, "score_weights": {"ENTS_F": 1.0}},
}


def test_doc_ents_set_and_read():
    nlp = weft.blank("en")
    doc = nlp("Ada Lovelace met Charles Babbage in London")
    assert doc.ents == ()
    doc.ents = [weft.Span(doc, 0, 2, label="PER"), ("LOC", 6, 7)]
    assert [(e.text, e.label_) for e in doc.ents] == [("Ada Lovelace", "PER"), ("London", "LOC")]
    assert [t.ent_iob_ for t in doc] == ["B", "I", "O", "O", "O", "O", "B"]
    assert doc[1].ent_type_ == "PER"
    doc.set_ents([weft.Span(doc, 3, 5, label="PER")], default="unmodified")
    assert [e.text for e in doc.ents] == ["Ada Lovelace", "Charles Babbage", "London"]
    with pytest.raises(ValueError, match="overlap"):
        doc.ents = [("PER", 0, 2), ("LOC", 1, 3)]
    with pytest.raises(ValueError, match="no label"):
        doc.ents = [weft.Span(doc, 0, 2)]
    with pytest.raises(ValueError, match="expected Spans"):
        doc.ents = ["London"]
    other = nlp("x")
    with pytest.raises(ValueError, match="another Doc"):
        doc.ents = [weft.Span(other, 0, 1, label="PER")]
    with pytest.raises(IndexError):
        weft.Span(doc, 5, 9, label="PER")
    doc.ents = []
    assert doc.ents == () and all(t.ent_iob_ == "O" for t in doc)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    if not (EWT / "train.conllu").exists():
        pytest.skip(f"UD English EWT not found under {EWT}")
    out = tmp_path_factory.mktemp("ner_model")
    result = weft.train(CONFIG, output=out, log=False)
    return {"result": result, "nlp": weft.load(out / "model-best"), "path": out / "model-best"}


def test_ner_trains_and_evaluates(trained):
    history = trained["result"]["history"]
    assert len(history) == 2
    assert history[-1]["losses"]["ner"] < history[0]["losses"]["ner"]
    assert "ENTS_F" in trained["result"]["best_scores"]
    nlp = trained["nlp"]
    assert nlp.pipe_names == ["tok2vec", "ner"]
    scores = nlp.evaluate(weft.read_conllu(EWT / "dev.conllu")[:50])
    assert 0.0 <= scores["ents_f"] <= 1.0
    assert set(scores["ents_per_type"]) <= {"LOC", "ORG", "PER"}
    assert all(set(v) == {"p", "r", "f"} for v in scores["ents_per_type"].values())


def test_ner_predictions_survive_to_disk(trained, tmp_path):
    nlp = trained["nlp"]
    texts = ["Barack Obama visited Paris .", "I work at Google in London .", ""]
    docs = list(nlp.pipe(texts))
    for doc in docs:
        assert all(t.ent_iob_ in ("B", "I", "O") for t in doc)
        for e in doc.ents:
            assert e.label_ in ("LOC", "ORG", "PER")
            assert doc[e.start].ent_iob_ == "B"
    nlp.to_disk(tmp_path / "copy")
    again = weft.load(tmp_path / "copy")
    assert [[(e.start, e.end, e.label_) for e in d.ents] for d in again.pipe(texts)] == \
           [[(e.start, e.end, e.label_) for e in d.ents] for d in docs]


def test_ner_keeps_entities_set_before_it(trained):
    nlp = trained["nlp"]
    doc = nlp.make_doc("The zebra Stripes met Ada Lovelace in London .")
    doc.ents = [("ANIMAL", 1, 3)]
    assert nlp(doc) is doc
    assert ("ANIMAL", 1, 3) in [(e.label_, e.start, e.end) for e in doc.ents]
