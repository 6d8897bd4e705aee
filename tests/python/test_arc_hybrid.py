"""weft.ArcHybrid.v1 through the Python module (issue 22): weft.train of a tiny parser with the arc-hybrid
system, the system kept in the saved config, identical parses after to_disk/load, bad values refused."""
import json
import pathlib

import pytest

import weft

ROOT = pathlib.Path(__file__).resolve().parents[2]
EWT = ROOT / "data" / "en_ewt"


def test_weft_train_arc_hybrid_parser_and_reload(tmp_path):
    config = {
        "nlp": {"pipeline": ["tok2vec", "tagger", "parser"]},
        "corpora": {"train": str(EWT / "sample.conllu"), "dev": str(EWT / "sample.conllu")},
        "training": {"max_steps": 150, "eval_frequency": 50, "patience": 0, "score_weights": {"UPOS": 0.2, "LAS": 0.8}},
        "components": {
            "tok2vec": {"factory": "tok2vec", "width": 32, "depth": 2},
            "tagger": {"factory": "tagger", "tok2vec": {"upstream": "tok2vec"}},
            "parser": {"factory": "parser", "transitions": "weft.ArcHybrid.v1", "tok2vec": {"upstream": "tok2vec"},
                       "model": {"hidden_width": 32}},
        },
    }
    result = weft.train(config, output=tmp_path / "out")
    history = result["history"]
    assert history[-1]["scores"]["UAS"] > history[0]["scores"]["UAS"] + 20
    nlp = weft.load(tmp_path / "out" / "model-best")
    saved = json.loads((tmp_path / "out" / "model-best" / "config.json").read_text())
    assert saved["components"]["parser"]["transitions"] == "weft.ArcHybrid.v1"
    texts = ["The cats were sitting on the mat. They did not move at all!", "I saw the man with the telescope ."]
    docs = list(nlp.pipe(texts))
    nlp.to_disk(tmp_path / "again")
    again = list(weft.load(tmp_path / "again").pipe(texts))
    for a, b in zip(docs, again):
        assert [(t.head.i, t.dep_) for t in a] == [(t.head.i, t.dep_) for t in b]
        assert [s.text for s in a.sents] == [s.text for s in b.sents]


def test_bad_transition_system_is_refused():
    nlp = weft.blank("en")
    with pytest.raises(Exception, match="weft.ArcHybrid.v2"):
        nlp.add_pipe("parser", config={"transitions": "weft.ArcHybrid.v2"})
    with pytest.raises(Exception, match="transitions"):
        nlp.add_pipe("parser", name="p2", config={"transitions": 3})
