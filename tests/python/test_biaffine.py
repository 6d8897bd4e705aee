"""The graph-based parser (biaffine_parser, weft.BiaffineParser.v1) and the statistical sentence
segmenter (senter, weft.SentenceRecognizer.v1) from Python: add_pipe, training through weft.train,
valid trees per sentence, nlp.evaluate's dep scores and a to_disk round trip."""
import pathlib

import pytest

import weft

ROOT = pathlib.Path(__file__).resolve().parents[2]
EWT = ROOT / "data" / "en_ewt"

CONFIG = {
    "nlp": {"lang": "en", "pipeline": ["tok2vec", "senter", "biaffine_parser"]},
    "components": {
        "tok2vec": {"factory": "tok2vec", "width": 32, "depth": 2},
        "senter": {"factory": "senter", "tok2vec": {"upstream": "tok2vec"}},
        "biaffine_parser": {"factory": "biaffine_parser", "tok2vec": {"upstream": "tok2vec"}, "arc_width": 32,
                            "label_width": 16},
    },
    "corpora": {"train": str(EWT / "train.conllu"), "dev": str(EWT / "sample.conllu"), "max_train_docs": 300,
                "max_dev_docs": 50, "sentences_per_doc": 3},
    "training": {"max_steps": 60, "eval_frequency": 30, "score_weights": {"Sentences": 0.2, "LAS": 0.8}},
}


@pytest.fixture(scope="module")
def parsed(tmp_path_factory):
    if not (EWT / "train.conllu").exists():
        pytest.skip(f"UD English EWT not found under {EWT}")
    out = tmp_path_factory.mktemp("biaffine_model")
    result = weft.train(CONFIG, output=out, log=False)
    return {"result": result, "nlp": weft.load(out / "model-best")}


def test_add_pipe_biaffine_parser_and_senter():
    nlp = weft.blank("en")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("senter", config={"tok2vec": {"upstream": "tok2vec"}})
    nlp.add_pipe("biaffine_parser", config={"tok2vec": {"upstream": "tok2vec"}, "arc_width": 64})
    assert nlp.pipe_names == ["tok2vec", "senter", "biaffine_parser"]
    assert nlp.get_pipe("biaffine_parser").factory_name == "weft.BiaffineParser.v1"
    assert nlp.get_pipe("senter").factory_name == "weft.SentenceRecognizer.v1"
    with pytest.raises(ValueError, match="arc_width"):
        weft.blank("en").add_pipe("biaffine_parser", config={"arc_width": -1})
    with pytest.raises(ValueError, match="arcs"):
        weft.blank("en").add_pipe("biaffine_parser", config={"arcs": 3})
    with pytest.raises(ValueError, match="overwrite"):
        weft.blank("en").add_pipe("senter", config={"overwrite": "yes"})


def test_biaffine_trains_and_parses(parsed):
    result = parsed["result"]
    history = result["history"]
    assert len(history) == 2
    assert history[-1]["losses"]["biaffine_parser"] < history[0]["losses"]["biaffine_parser"]
    assert {"UAS", "LAS", "Sentences"} <= set(result["best_scores"])
    nlp = parsed["nlp"]
    assert nlp.pipe_names == ["tok2vec", "senter", "biaffine_parser"]
    doc = nlp("The cats sat on the mat. They were happy to be home. We left early.")
    for sent in doc.sents:
        roots = [t for t in sent if t.head.i == t.i]
        assert len(roots) == 1
        for t in sent:
            assert sent.start <= t.head.i < sent.end
            assert t.dep_


def test_biaffine_evaluate_and_round_trip(parsed, tmp_path):
    nlp = parsed["nlp"]
    gold = weft.read_conllu(EWT / "dev.conllu", unit="sentence")[:40]
    scores = nlp.evaluate(gold)
    assert 0.0 < scores["dep_las"] <= scores["dep_uas"] <= 1.0
    nlp.to_disk(tmp_path / "again")
    again = weft.load(tmp_path / "again")
    text = "I saw the man with the telescope. Then I went home!"
    a, b = nlp(text), again(text)
    assert [(t.head.i, t.dep_) for t in a] == [(t.head.i, t.dep_) for t in b]
    assert [s.start for s in a.sents] == [s.start for s in b.sents]
