"""Issue 22 part B from Python: weft.PerceptronTagger.v1 and weft.CRFEntityRecognizer.v1 added by factory
name, learnt from gold Docs (learn, as NLTK's train(sentences, nr_iter)) and by weft.train, saved and
loaded with identical output, bad configs and corrupt model folders refused."""
import json
import pathlib

import pytest

import weft

ROOT = pathlib.Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "en_ewt" / "sample.conllu"
DEV_TEXT = ROOT / "data" / "en_ewt" / "dev.txt"


def dev_lines(n):
    return [line for line in DEV_TEXT.read_text(encoding="utf-8").splitlines() if line][:n]


def test_perceptron_tagger_learns_and_round_trips(tmp_path):
    nlp = weft.blank("en")
    tagger = nlp.add_pipe("weft.PerceptronTagger.v1", name="tagger", config={"features": "nltk"})
    assert isinstance(tagger, weft.PerceptronTagger)
    assert tagger.factory_name == "weft.PerceptronTagger.v1"
    with pytest.raises(weft.ModelError, match="has not been trained"):
        nlp("A text.")
    gold = weft.read_conllu(SAMPLE, vocab=nlp.vocab, unit="sentence")
    losses = tagger.learn(gold, n_iter=4, seed=3)
    assert len(losses) == 4 and losses[-1] < losses[0]
    assert "NOUN" in tagger.labels["pos"] and "NN" in tagger.labels["tag"]
    assert tagger.n_features > 1000 and "features" in tagger.summary
    scores = nlp.evaluate(gold)
    assert scores["pos_acc"] > 0.95 and scores["tag_acc"] > 0.95
    doc = nlp("The quick brown fox jumps over the lazy dog.")
    assert doc[0].pos_ == "DET" and doc[0].tag_ == "DT" and doc[-1].pos_ == "PUNCT"
    nlp.to_disk(tmp_path / "model")
    back = weft.load(tmp_path / "model")
    assert isinstance(back.get_pipe("tagger"), weft.PerceptronTagger)
    assert back.get_pipe("tagger").config["features"] == "nltk"
    for line in dev_lines(50):
        a, b = nlp(line), back(line)
        assert [(t.pos_, t.tag_) for t in a] == [(t.pos_, t.tag_) for t in b]
    (tmp_path / "model" / "tagger" / "weights.bin").write_bytes(b"WEFTLIN1" + b"\0" * 40)
    with pytest.raises(weft.ModelError, match="weights.bin"):
        weft.load(tmp_path / "model")


def test_crf_entity_recognizer_learns_and_round_trips(tmp_path):
    nlp = weft.blank("en")
    crf = nlp.add_pipe("weft.CRFEntityRecognizer.v1", name="ner", config={"scheme": "BIO"})
    assert isinstance(crf, weft.CRFEntityRecognizer)
    gold = weft.read_conllu(SAMPLE, vocab=nlp.vocab, unit="sentence")
    crf.learn(gold, n_iter=3)
    assert crf.labels == ["LOC", "ORG", "PER"]
    assert crf.tags[:3] == ["O", "B-LOC", "I-LOC"]
    assert nlp.evaluate(gold)["ents_f"] > 0.8
    nlp.to_disk(tmp_path / "model")
    back = weft.load(tmp_path / "model")
    for line in dev_lines(60):
        assert [(e.text, e.label_) for e in nlp(line).ents] == [(e.text, e.label_) for e in back(line).ents]
    (tmp_path / "model" / "ner" / "labels.json").write_text('{"labels": ["PER"], "transitions": []}')
    with pytest.raises(weft.ModelError, match="labels.json"):
        weft.load(tmp_path / "model")


@pytest.mark.parametrize("factory,config,message", [
    ("weft.PerceptronTagger.v1", {"nr_iter": 5}, 'unknown key "nr_iter"'),
    ("weft.PerceptronTagger.v1", {"heads": ["lemma"]}, 'unknown head "lemma"'),
    ("weft.PerceptronTagger.v1", {"tagdict_min_share": 0}, "tagdict_min_share"),
    ("weft.CRFEntityRecognizer.v1", {"c2": 1.0}, 'unknown key "c2"'),
    ("weft.CRFEntityRecognizer.v1", {"scheme": "IO"}, '"scheme" must be "BILUO" or "BIO"'),
    ("weft.CRFEntityRecognizer.v1", {"l2": "strong"}, '"l2" must be a number'),
])
def test_bad_configs_are_refused(factory, config, message):
    nlp = weft.blank("en")
    with pytest.raises(weft.ValueError, match=message.replace("(", r"\(")):
        nlp.add_pipe(factory, config=config)
    assert nlp.pipe_names == []


def test_weft_train_trains_the_perceptron_config(tmp_path):
    config = json.loads((ROOT / "models" / "configs" / "variants" / "perceptron_tagger.json").read_text())
    config["components"]["tagger"]["lexicon"] = str(ROOT / "data" / "lexicon" / "en_clusters.tsv")
    config["corpora"] = {"train": str(SAMPLE), "dev": str(SAMPLE), "max_dev_docs": 50}
    config["training"]["max_epochs"] = 2
    result = weft.train(config, output=tmp_path / "out")
    assert result["best_scores"]["UPOS"] > 90
    nlp = weft.load(tmp_path / "out" / "model-best")
    assert [t.pos_ for t in nlp("I saw her.")] == ["PRON", "VERB", "PRON", "PUNCT"]
