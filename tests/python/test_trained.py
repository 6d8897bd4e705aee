"""Trained pipelines from Python: weft.train, weft.load, annotations (pos_, tag_, morph, lemma_),
to_disk round trips, nlp.evaluate, component switching, corrupt models, threads. The tiny model is
trained once per session (conftest.py)."""
import json
import os
import pathlib
import re
import shutil
import threading
import time

import pytest

import weft

EWT = pathlib.Path(__file__).resolve().parents[2] / "data" / "en_ewt"

UPOS = {"ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM", "PART", "PRON", "PROPN", "PUNCT",
        "SCONJ", "SYM", "VERB", "X"}
FEATS = re.compile(r"^([A-Z][A-Za-z0-9]*(\[[a-z0-9]+\])?=[A-Z0-9][A-Za-z0-9]*(,[A-Z0-9][A-Za-z0-9]*)*)"
                   r"(\|[A-Z][A-Za-z0-9]*(\[[a-z0-9]+\])?=[A-Z0-9][A-Za-z0-9]*(,[A-Z0-9][A-Za-z0-9]*)*)*$")
TEXTS = [
    "The quick brown fox jumped over the lazy dogs.",
    "She didn't want to go to the store yesterday, but her brothers were hungry.",
    "I have three cats and two houses in New York.",
    "Please send me the documents by Friday!",
    "He is running faster than ever before.",
]
COMPONENTS = ["tok2vec", "tagger", "morphologizer", "lemmatizer"]


@pytest.fixture(scope="module")
def nlp(tiny_model):
    return weft.load(tiny_model)


@pytest.fixture(scope="module")
def dev_docs():
    return weft.read_conllu(EWT / "dev.conllu", unit="sentence")[:120]


def annotations(doc):
    return [(t.text, t.pos_, t.tag_, str(t.morph), t.lemma_) for t in doc]


# --- weft.train ---------------------------------------------------------------------------------
def test_train_result(tiny_training):
    r = tiny_training["result"]
    assert set(r) == {"best_score", "best_scores", "best_step", "steps", "seconds", "words_per_second", "history"}
    assert r["steps"] == 60
    assert [h["step"] for h in r["history"]] == [20, 40, 60]
    assert r["best_step"] in (20, 40, 60)
    assert 0.0 < r["best_score"] <= 1.0
    assert set(r["best_scores"]) >= {"UPOS", "XPOS", "UFeats", "Lemmas"}
    assert all(0.0 <= v <= 100.0 for v in r["best_scores"].values())
    assert r["seconds"] > 0 and r["words_per_second"] > 0
    for h in r["history"]:
        assert set(h) >= {"step", "epoch", "losses", "scores", "score"}
        assert set(h["losses"]) == {"tagger", "morphologizer", "lemmatizer"}
    out = tiny_training["output"]
    assert (out / "model-best" / "config.json").exists() and (out / "model-last" / "meta.json").exists()
    # The CI-sized training run must stay fast.
    assert tiny_training["seconds"] < 60


def test_train_learns(tiny_training):
    history = tiny_training["result"]["history"]
    first, last = history[0], history[-1]
    for name, loss in first["losses"].items():
        assert last["losses"][name] < loss, f"{name} loss did not fall: {[h['losses'][name] for h in history]}"
    assert last["score"] > first["score"], [h["score"] for h in history]
    assert last["scores"]["UPOS"] > first["scores"]["UPOS"]


def test_train_log(tiny_training):
    log = tiny_training["log"]
    assert "LOSS tagger" in log and "UPOS" in log and "SCORE" in log
    rows = [line.split() for line in log.splitlines() if line.split() and line.split()[0].isdigit()]
    assert [int(r[1]) for r in rows] == [20, 40, 60]
    assert "best score" in log


def test_train_prints_to_sys_stdout_and_releases_gil(capsys, tiny_overrides):
    # A very small run in a thread: the main thread keeps running Python meanwhile, and log=True
    # writes the table to sys.stdout.
    overrides = dict(tiny_overrides, **{"corpora.max_train_docs": 40, "corpora.max_dev_docs": 10,
                                        "training.max_steps": 4, "training.eval_frequency": 2})
    done = []
    thread = threading.Thread(target=lambda: done.append(weft.train({}, overrides=overrides)))
    thread.start()
    ticks = 0
    while thread.is_alive():
        ticks += 1
        time.sleep(0.001)
    thread.join()
    assert done and done[0]["steps"] == 4
    assert ticks > 10
    out = capsys.readouterr().out
    assert "LOSS tagger" in out and "best score" in out


def test_training_config_and_overrides(tmp_path):
    cfg = weft.training_config({}, {"training.max_steps": 7, "corpora.train": "some/file.conllu",
                                    "training.optimizer.learn_rate": 0.01, "training.threads": "2"})
    assert cfg["training"]["max_steps"] == 7
    assert cfg["corpora"]["train"] == "some/file.conllu"
    assert cfg["training"]["optimizer"]["learn_rate"] == pytest.approx(0.01)
    assert cfg["training"]["threads"] == 2  # strings are parsed as the command line does
    assert set(weft.default_config()) == {"nlp", "components", "corpora", "training"}
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"training": {"max_steps": 3}}))
    assert weft.training_config(path)["training"]["max_steps"] == 3
    with pytest.raises(weft.ValueError, match="no config key"):
        weft.training_config({}, {"training.no_such_key": 1})
    with pytest.raises(ValueError, match="unknown config section"):
        weft.training_config({"bogus": {}})
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(weft.FormatError, match="bad.json"):
        weft.train(bad)
    with pytest.raises(OSError, match="no_such.conllu"):
        weft.train({}, overrides={"corpora.train": str(tmp_path / "no_such.conllu")}, log=False)


# --- weft.load and annotations ------------------------------------------------------------------
def test_load_annotates(nlp):
    assert nlp.pipe_names == COMPONENTS
    assert nlp.component_names == COMPONENTS
    seen_morph = False
    for doc in nlp.pipe(TEXTS):
        assert doc.has_annotation("POS") and doc.has_annotation("TAG") and doc.has_annotation("LEMMA")
        for t in doc:
            assert t.pos_ in UPOS, (t.text, t.pos_)
            assert t.tag_ and t.tag_ != "_"
            assert t.lemma_
            m = t.morph
            assert isinstance(m, weft.MorphAnalysis)
            assert str(m) == "" or FEATS.match(str(m)), (t.text, str(m))
            seen_morph = seen_morph or bool(str(m))
    assert seen_morph


def test_token_morph_api(nlp):
    doc = nlp("The dogs were barking at the cats.")
    for t in doc:
        m = t.morph
        feats = str(m)
        assert m.to_json() == feats
        assert len(m) == len(list(m))
        for fv in m:
            assert fv in m
            field, value = fv.split("=")
            assert value in m.get(field)
            assert field in m.to_dict()
        assert m.get("NoSuchFeature") == []
        assert "NoSuchFeature=Yes" not in m
        assert m.key == t.morph_key
        assert m == feats and m == weft.MorphAnalysis(feats)


def test_morph_analysis():
    m = weft.MorphAnalysis("Number=Sing|PronType=Int,Rel")
    assert str(m) == "Number=Sing|PronType=Int,Rel"
    assert list(m) == ["Number=Sing", "PronType=Int", "PronType=Rel"]
    assert len(m) == 3
    assert m.get("PronType") == ["Int", "Rel"]
    assert m.get("Person") == [] and m.get("Person", ["3"]) == ["3"]
    assert m.to_dict() == {"Number": "Sing", "PronType": "Int,Rel"}
    assert "Number=Sing" in m and "PronType=Rel" in m and "PronType=Int,Rel" in m
    assert "Number=Plur" not in m and "Number" not in m and 3 not in m
    assert weft.MorphAnalysis({"PronType": "Int,Rel", "Number": "Sing"}) == m
    empty = weft.MorphAnalysis("")
    assert str(empty) == "" and len(empty) == 0 and not empty and empty.to_dict() == {}
    assert empty.key == 0
    assert weft.MorphAnalysis("Number=Sing").key == weft.StringStore.hash("Number=Sing")


def test_blank_tokens_have_empty_morph():
    doc = weft.blank("en")("Hello world")
    assert [str(t.morph) for t in doc] == ["", ""]
    assert [t.morph_ for t in doc] == ["", ""]


def test_meta_and_config(nlp, tiny_model):
    meta = nlp.meta
    assert meta["lang"] == "en"
    assert meta["pipeline"] == COMPONENTS
    assert "weft_version" in meta and "scores" in meta
    cfg = nlp.config
    assert cfg["nlp"]["lang"] == "en" and cfg["nlp"]["pipeline"] == COMPONENTS
    assert cfg["components"]["tagger"]["factory"] == "tagger"
    assert cfg["training"]["max_steps"] == 60  # the sections from config.json are kept
    on_disk = json.loads((tiny_model / "config.json").read_text())
    assert cfg["components"] == on_disk["components"]


def test_to_disk_round_trip(nlp, tmp_path):
    nlp.meta["name"] = "tiny_en"
    try:
        nlp.to_disk(tmp_path / "copy")
    finally:
        del nlp.meta["name"]
    again = weft.load(tmp_path / "copy")
    assert again.pipe_names == nlp.pipe_names
    assert again.meta["name"] == "tiny_en"
    assert again.meta["scores"] == nlp.meta["scores"]
    assert again.config["components"] == nlp.config["components"]
    assert again.config["training"] == nlp.config["training"]
    for a, b in zip(nlp.pipe(TEXTS), again.pipe(TEXTS)):
        assert annotations(a) == annotations(b)
    # from_disk replaces a pipeline in place.
    blank = weft.blank("en").from_disk(tmp_path / "copy")
    assert annotations(blank(TEXTS[1])) == annotations(nlp(TEXTS[1]))


def test_blank_pipeline_round_trip(tmp_path):
    nlp = weft.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "blank")
    again = weft.load(tmp_path / "blank")
    assert again.pipe_names == ["sentencizer"]
    text = "One sentence. And another one!"
    assert [s.text for s in again(text).sents] == [s.text for s in nlp(text).sents]


# --- nlp.evaluate -------------------------------------------------------------------------------
def test_evaluate(nlp, dev_docs):
    scores = nlp.evaluate(dev_docs)
    for key in ("pos_acc", "tag_acc", "morph_acc", "lemma_acc", "token_acc", "token_f", "sents_f"):
        assert 0.0 <= scores[key] <= 1.0, key
    for key in ("UPOS", "XPOS", "UFeats", "Lemmas", "AllTags"):
        s = scores[key]
        assert set(s) >= {"precision", "recall", "f1", "aligned_accuracy"}
        assert 0.0 <= s["aligned_accuracy"] <= 1.0 and 0.0 <= s["f1"] <= 1.0
    for key in ("Tokens", "Words", "Sentences"):
        assert scores[key]["f1"] == 1.0  # gold words and sentences are the input
        assert scores[key]["aligned_accuracy"] is None
    assert scores["pos_acc"] == scores["UPOS"]["aligned_accuracy"]
    assert scores["lemma_acc"] == scores["Lemmas"]["aligned_accuracy"]
    assert scores["pos_acc"] > 0.3  # better than chance after 60 steps
    assert "UAS" not in scores and "dep_las" not in scores  # nothing predicts dependencies
    assert scores["speed"] > 0
    # The gold Docs are left as they were.
    assert dev_docs[0].has_annotation("POS")


def test_evaluate_inputs(nlp, dev_docs, tmp_path):
    class Example:
        def __init__(self, doc):
            self.reference = doc

    a = nlp.evaluate(dev_docs[:30])
    b = nlp.evaluate([Example(d) for d in dev_docs[:30]], batch_size=7)
    assert a["UPOS"] == b["UPOS"] and a["Lemmas"] == b["Lemmas"]
    with pytest.raises(TypeError):
        nlp.evaluate(["not a doc"])
    # A CoNLL-U path, read in the pipeline's vocab.
    sample = EWT / "sample.conllu"
    if sample.exists():
        s = nlp.evaluate(sample)
        assert 0.0 <= s["pos_acc"] <= 1.0


def test_evaluate_reports_only_predicted(nlp, dev_docs):
    with nlp.select_pipes(disable=["lemmatizer"]):
        scores = nlp.evaluate(dev_docs[:20])
    assert "Lemmas" not in scores and "lemma_acc" not in scores
    assert "UPOS" in scores
    blank = weft.blank("en")
    blank.add_pipe("sentencizer")
    scores = blank.evaluate(dev_docs[:20])
    assert set(k for k in scores if k[0].isupper()) == {"Tokens", "Sentences", "Words"}
    assert scores["sents_f"] == 1.0  # the sentencizer is left out: gold sentences stay


def test_read_conllu(nlp):
    docs = weft.read_conllu(EWT / "dev.conllu")
    sents = weft.read_conllu(EWT / "dev.conllu", vocab=nlp.vocab, unit="sentence")
    assert 1 < len(docs) < len(sents)
    assert sum(len(d) for d in docs) == sum(len(d) for d in sents)
    assert sents[0].has_annotation("POS") and sents[0][0].pos_ in UPOS
    with pytest.raises(OSError):
        weft.read_conllu(EWT / "no_such_file.conllu")
    with pytest.raises(ValueError):
        weft.read_conllu(EWT / "dev.conllu", unit="paragraph")


# --- components on a loaded model ---------------------------------------------------------------
def test_disable_pipe(nlp):
    text = TEXTS[0]
    full = nlp(text)
    nlp.disable_pipe("lemmatizer")
    try:
        assert nlp.pipe_names == ["tok2vec", "tagger", "morphologizer"]
        assert nlp.component_names == COMPONENTS
        doc = nlp(text)
        assert all(t.lemma_ == "" for t in doc)
        assert [t.pos_ for t in doc] == [t.pos_ for t in full]
    finally:
        nlp.enable_pipe("lemmatizer")
    assert annotations(nlp(text)) == annotations(full)
    with nlp.select_pipes(enable=["tok2vec", "tagger"]):
        doc = nlp(text)
        assert all(t.lemma_ == "" and str(t.morph) == "" for t in doc)
        assert all(t.pos_ in UPOS for t in doc)
    assert nlp.pipe_names == COMPONENTS


def test_load_options(tiny_model):
    nlp = weft.load(tiny_model, disable=["lemmatizer"])
    assert nlp.pipe_names == ["tok2vec", "tagger", "morphologizer"] and nlp.disabled == ["lemmatizer"]
    assert all(t.lemma_ == "" for t in nlp(TEXTS[0]))
    nlp = weft.load(tiny_model, exclude=["lemmatizer"])
    assert nlp.component_names == ["tok2vec", "tagger", "morphologizer"]
    nlp = weft.load(str(tiny_model), enable=["tok2vec", "tagger"])
    assert nlp.pipe_names == ["tok2vec", "tagger"]


def test_add_pipe_to_loaded_model(tiny_model):
    nlp = weft.load(tiny_model)
    nlp.add_pipe("sentencizer")
    assert nlp.pipe_names == COMPONENTS + ["sentencizer"]
    doc = nlp("This is one. This is two.")
    assert len(list(doc.sents)) == 2
    assert all(t.pos_ in UPOS for t in doc)


def test_pipe_threads_match(nlp):
    texts = [f"{TEXTS[i % len(TEXTS)]} Item number {i} is here." for i in range(200)]
    one = [annotations(d) for d in nlp.pipe(texts, batch_size=16, n_threads=1)]
    two = [annotations(d) for d in nlp.pipe(texts, batch_size=16, n_threads=2)]
    assert one == two
    assert one[3] == annotations(nlp(texts[3]))


# --- broken models ------------------------------------------------------------------------------
def test_load_missing(tmp_path):
    missing = tmp_path / "no_model_here"
    with pytest.raises(weft.ModelError, match="no_model_here") as info:
        weft.load(missing)
    assert isinstance(info.value, OSError)


def _copy(model, tmp_path, name):
    dst = tmp_path / name
    shutil.copytree(model, dst)
    return dst


def test_load_truncated_weights(tiny_model, tmp_path):
    dst = _copy(tiny_model, tmp_path, "truncated")
    weights = sorted(dst.rglob("weights.safetensors"))
    assert weights, "the model has no weights.safetensors"
    for w in weights:
        broken = _copy(tiny_model, tmp_path, f"trunc_{w.parent.name}")
        target = broken / w.relative_to(dst)
        size = target.stat().st_size
        with open(target, "r+b") as f:
            f.truncate(size // 2)
        with pytest.raises(OSError, match="weights.safetensors") as info:
            weft.load(broken)
        assert isinstance(info.value, weft.Error)
        assert str(target) in str(info.value)


def test_load_invalid_config(tiny_model, tmp_path):
    dst = _copy(tiny_model, tmp_path, "badconfig")
    (dst / "config.json").write_text('{"nlp": {"lang": "en", "pipeline": [')
    with pytest.raises(weft.ModelError, match="config.json"):
        weft.load(dst)
    (dst / "config.json").write_text(json.dumps({"nlp": {"lang": "en"}}))
    with pytest.raises(weft.ModelError, match="config.json"):
        weft.load(dst)


def test_load_missing_files(tiny_model, tmp_path):
    for name in ("meta.json", "tokenizer.json", "config.json"):
        dst = _copy(tiny_model, tmp_path, f"no_{name}")
        os.remove(dst / name)
        with pytest.raises(weft.ModelError, match=re.escape(name)):
            weft.load(dst)


def test_cpu_int8_switch_keeps_the_parse_of_an_easy_sentence():
    """weft.set_cpu_int8 switches CPU inference between int8 products (the default where weft is built
    with oneDNN) and the f32 ones it was trained with, process-wide; the shipped model annotates an
    easy sentence the same either way."""
    model = pathlib.Path(__file__).resolve().parents[2] / "models" / "en_ewt_sm"
    nlp = weft.load(model)
    before = weft.cpu_int8()
    try:
        got = {}
        for on in (False, True):
            weft.set_cpu_int8(on)
            assert on or weft.cpu_int8() is False
            doc = nlp("The cats were sitting on the mats in London.")
            got[on] = [(t.pos_, t.tag_, str(t.morph), t.lemma_, t.head.i, t.dep_, t.ent_type_) for t in doc]
        assert got[False] == got[True]
        assert [p[0] for p in got[True]] == ["DET", "NOUN", "AUX", "VERB", "ADP", "DET", "NOUN", "ADP", "PROPN", "PUNCT"]
    finally:
        weft.set_cpu_int8(before)
    assert weft.cpu_int8() is before
