"""The dependency parser from Python: trained through weft.train, its trees through the syntax API
(token.head, children, subtree, doc.sents, noun_chunks), nlp.evaluate's dep scores, and to_disk."""
import pathlib

import pytest

import weft

ROOT = pathlib.Path(__file__).resolve().parents[2]
EWT = ROOT / "data" / "en_ewt"

CONFIG = {
    "nlp": {"lang": "en", "pipeline": ["tok2vec", "tagger", "parser"]},
    "components": {
        "tok2vec": {"factory": "tok2vec", "width": 32, "depth": 2},
        "tagger": {"factory": "tagger", "tok2vec": {"upstream": "tok2vec"}},
        "parser": {"factory": "parser", "tok2vec": {"upstream": "tok2vec"}, "model": {"hidden_width": 32}},
    },
    "corpora": {"train": str(EWT / "train.conllu"), "dev": str(EWT / "dev.conllu"), "max_train_docs": 300,
                "max_dev_docs": 50, "sentences_per_doc": 3},
    "training": {"max_steps": 60, "eval_frequency": 30, "score_weights": {"UPOS": 0.2, "LAS": 0.8}},
}


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    if not (EWT / "train.conllu").exists():
        pytest.skip(f"UD English EWT not found under {EWT}")
    out = tmp_path_factory.mktemp("parser_model")
    result = weft.train(CONFIG, output=out, log=False)
    return {"result": result, "nlp": weft.load(out / "model-best"), "path": out / "model-best"}


def test_parser_trains(parsed):
    history = parsed["result"]["history"]
    assert len(history) == 2
    assert history[-1]["losses"]["parser"] < history[0]["losses"]["parser"]
    assert "LAS" in parsed["result"]["best_scores"] and "UAS" in parsed["result"]["best_scores"]
    assert parsed["nlp"].pipe_names == ["tok2vec", "tagger", "parser"]


def test_parse_is_a_tree_per_sentence(parsed):
    doc = parsed["nlp"]("The cats sat on the mat. They were happy to be home.")
    sents = list(doc.sents)
    assert sents and sents[0].start == 0 and sents[-1].end == len(doc)
    for sent in sents:
        roots = [t for t in sent if t.head.i == t.i]
        assert len(roots) == 1
        assert sent.root.i == roots[0].i
        for t in sent:
            assert sent.start <= t.head.i < sent.end
            assert t.dep_
            # ancestors end at the root; the token is in its head's subtree
            assert t.i == roots[0].i or list(t.ancestors)[-1].i == roots[0].i
            assert t.i in [w.i for w in t.head.subtree]
            assert t.left_edge.i <= t.i <= t.right_edge.i
        assert sorted(w.i for w in roots[0].subtree) == list(range(sent.start, sent.end))
    for t in doc:
        assert [c.i for c in t.children] == [c.i for c in t.lefts] + [c.i for c in t.rights]
        assert t.n_lefts == len(list(t.lefts)) and t.n_rights == len(list(t.rights))
    list(doc.noun_chunks)  # needs the parse; must not raise


def test_parser_evaluate_and_round_trip(parsed, tmp_path):
    nlp = parsed["nlp"]
    gold = weft.read_conllu(EWT / "dev.conllu", unit="sentence")[:40]
    scores = nlp.evaluate(gold)
    assert 0.0 < scores["dep_las"] <= scores["dep_uas"] <= 1.0
    assert scores["LAS"]["f1"] == pytest.approx(scores["dep_las"])
    nlp.to_disk(tmp_path / "again")
    again = weft.load(tmp_path / "again")
    text = "I saw the man with the telescope. Then I went home!"
    a, b = nlp(text), again(text)
    assert [(t.head.i, t.dep_) for t in a] == [(t.head.i, t.dep_) for t in b]
    assert [s.start for s in a.sents] == [s.start for s in b.sents]


def test_parser_bad_config():
    with pytest.raises(ValueError, match="features"):
        weft.blank("en").add_pipe("parser", config={"features": 5})
    with pytest.raises(KeyError, match="weft.NoSuch.v1"):
        weft.blank("en").add_pipe("parser", config={"transitions": "weft.NoSuch.v1"})
