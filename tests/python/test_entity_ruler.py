"""The entity ruler from Python, spaCy's idioms: nlp.add_pipe("entity_ruler"), ruler.add_patterns,
ruler.patterns / labels / ent_ids / len / in, remove, clear, match; doc.ents afterwards; config options;
saving with the pipeline and to/from a patterns.jsonl file; bad patterns; before a trained NER."""
import json
import pathlib

import pytest

import weft

ROOT = pathlib.Path(__file__).resolve().parents[2]
EWT = ROOT / "data" / "en_ewt"

PATTERNS = [
    {"label": "ORG", "pattern": "Apple"},
    {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}]},
    {"label": "PERSON", "pattern": "Tim Cook", "id": "cook"},
]


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


def test_add_patterns_and_doc_ents():
    nlp = weft.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    assert isinstance(ruler, weft.EntityRuler)
    assert ruler.name == "entity_ruler" and ruler.factory_name == "weft.EntityRuler.v1"
    assert len(ruler) == 0 and ruler.patterns == []
    ruler.add_patterns(PATTERNS)
    assert len(ruler) == 3
    assert ruler.patterns == PATTERNS
    assert ruler.labels == ("GPE", "ORG", "PERSON")
    assert ruler.ent_ids == ("cook",)
    assert "ORG" in ruler and "LOC" not in ruler
    doc = nlp("Tim Cook said Apple opens a store in San Francisco.")
    assert ents(doc) == [("Tim Cook", "PERSON"), ("Apple", "ORG"), ("San Francisco", "GPE")]
    assert [t.ent_iob_ for t in doc[:3]] == ["B", "I", ""]  # outside the entities: left as they were
    # get_pipe gives the same view; the component also runs on a Doc directly.
    again = nlp.get_pipe("entity_ruler")
    assert isinstance(again, weft.EntityRuler) and len(again) == 3
    d = nlp.make_doc("Apple")
    assert ents(again(d)) == [("Apple", "ORG")]
    # Generators are accepted as spaCy's lists.
    ruler.add_patterns({"label": "X", "pattern": w} for w in ["foo", "bar"])
    assert len(ruler) == 5 and ents(nlp("foo bar")) == [("foo", "X"), ("bar", "X")]


def test_config_lower_overwrite_and_inline_patterns():
    nlp = weft.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "patterns": PATTERNS[:1]})
    assert ruler.phrase_matcher_attr == "LOWER" and ruler.overwrite is False and ruler.ent_id_sep == "||"
    assert ruler.config == {"phrase_matcher_attr": "LOWER", "validate": False, "overwrite_ents": False, "ent_id_sep": "||"}
    assert ents(nlp("APPLE and apple")) == [("APPLE", "ORG"), ("apple", "ORG")]

    keep = weft.blank("en")
    keep.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": "Acme Corp"}])
    doc = keep.make_doc("Jo Acme Corp")
    doc.ents = [weft.Span(doc, 0, 2, label="PER")]  # stands in for a statistical NER
    assert ents(keep(doc)) == [("Jo Acme", "PER")]

    over = weft.blank("en")
    over.add_pipe("entity_ruler", config={"overwrite_ents": True}).add_patterns([{"label": "ORG", "pattern": "Acme Corp"}])
    doc = over.make_doc("Jo Acme Corp")
    doc.ents = [weft.Span(doc, 0, 2, label="PER")]
    assert ents(over(doc)) == [("Acme Corp", "ORG")]
    assert doc[0].ent_iob_ == "O"


def test_overlaps_ids_remove_clear_match():
    nlp = weft.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "CITY", "pattern": "New York"},
        {"label": "GPE", "pattern": "New York City", "id": "nyc"},
        {"label": "ORG", "pattern": "York City Council"},
    ])
    assert ents(nlp("New York City Council")) == [("New York City", "GPE")]
    matches = ruler.match(nlp.make_doc("New York City Council"))
    assert [(nlp.vocab.strings[m], s, e) for m, s, e in matches] == [
        ("GPE||nyc", 0, 3), ("ORG", 1, 4), ("CITY", 0, 2)]
    ruler.remove("nyc")
    assert ruler.ent_ids == () and len(ruler) == 2
    assert ents(nlp("New York City Council")) == [("York City Council", "ORG")]
    with pytest.raises(ValueError, match="no pattern has the id"):
        ruler.remove("nyc")
    ruler.clear()
    assert len(ruler) == 0 and ents(nlp("New York")) == []


def test_bad_patterns():
    nlp = weft.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(PATTERNS)
    with pytest.raises(weft.ValueError, match=r"pattern 1: has no \"label\""):
        ruler.add_patterns([{"label": "A", "pattern": "a"}, {"pattern": "b"}])
    with pytest.raises(ValueError, match=r"pattern 0 \(label \"A\"\).*must be a string"):
        ruler.add_patterns([{"label": "A", "pattern": 5}])
    with pytest.raises(ValueError, match=r"pattern 0 \(label \"B\"\).*token 1"):
        ruler.add_patterns([{"label": "B", "pattern": [{"LOWER": "a"}, {"NOT_AN_ATTR": 1}]}])
    assert len(ruler) == 3  # nothing of a failed call was added
    with pytest.raises(ValueError, match="unknown key"):
        weft.blank("en").add_pipe("entity_ruler", config={"overwrite": True})
    with pytest.raises(ValueError, match="only tokenizes"):
        weft.blank("en").add_pipe("entity_ruler", config={"phrase_matcher_attr": "POS"})


def test_saved_with_the_pipeline_and_to_from_jsonl(tmp_path):
    nlp = weft.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(PATTERNS)
    nlp.to_disk(tmp_path / "model")
    lines = (tmp_path / "model" / "entity_ruler" / "patterns.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(l) for l in lines] == PATTERNS
    back = weft.load(tmp_path / "model")
    r = back.get_pipe("entity_ruler")
    assert r.patterns == PATTERNS and r.overwrite is True and r.phrase_matcher_attr == "LOWER"
    text = "tim cook and APPLE in san francisco"
    assert ents(back(text)) == ents(nlp(text)) and len(ents(back(text))) == 3

    ruler.to_disk(tmp_path / "p.jsonl")
    other = weft.blank("en").add_pipe("entity_ruler")
    other.from_disk(tmp_path / "p.jsonl")
    assert other.patterns == PATTERNS
    (tmp_path / "bad.jsonl").write_text('{"label": "A", "pattern": "x"}\n{"label": "B"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.jsonl:line 2: .*no \"pattern\""):
        other.from_disk(tmp_path / "bad.jsonl")
    (tmp_path / "model" / "entity_ruler" / "patterns.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(weft.ModelError, match=r"patterns\.jsonl:line 1"):
        weft.load(tmp_path / "model")


def test_phrases_follow_the_pipeline_tokenizer():
    nlp = weft.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "Apple's shop"}])
    assert ents(nlp("Apple's shop")) == [("Apple's shop", "ORG")]
    nlp.set_tokenizer({"@tokenizers": "weft.WhitespaceTokenizer.v1"})
    doc = nlp("Apple's shop")
    assert len(doc) == 2 and ents(doc) == [("Apple's shop", "ORG")]


NER_CONFIG = {
    "nlp": {"lang": "en", "pipeline": ["tok2vec", "ner"]},
    "components": {
        "tok2vec": {"factory": "tok2vec", "width": 32, "depth": 2},
        "ner": {"factory": "ner", "tok2vec": {"upstream": "tok2vec"}, "model": {"hidden_width": 32}},
    },
    "corpora": {"train": str(EWT / "train.conllu"), "dev": str(EWT / "sample.conllu"), "max_train_docs": 200,
                "max_dev_docs": 20},
    "training": {"max_steps": 20, "eval_frequency": 20, "score_weights": {"ENTS_F": 1.0}},
}


def test_before_a_trained_ner(tmp_path):
    if not (EWT / "train.conllu").exists():
        pytest.skip(f"UD English EWT not found under {EWT}")
    weft.train(NER_CONFIG, output=tmp_path, log=False)
    nlp = weft.load(tmp_path / "model-best")
    ruler = nlp.add_pipe("entity_ruler", before="ner")
    ruler.add_patterns([{"label": "GADGET", "pattern": "iPhone"}])
    assert nlp.pipe_names == ["tok2vec", "entity_ruler", "ner"]
    doc = nlp("Ada bought an iPhone in London .")
    assert ("iPhone", "GADGET") in ents(doc)
    assert all(t.ent_iob_ in ("B", "I", "O") for t in doc)  # the NER ran over the rest
    nlp.to_disk(tmp_path / "with_ruler")
    assert ("iPhone", "GADGET") in ents(weft.load(tmp_path / "with_ruler")("Ada bought an iPhone in London ."))


# ---- pattern ids on the Doc, remove, overwrite_ents and phrase_matcher_attr as spaCy -------------------
def ent_ids(doc):
    return [(e.text, e.label_, e.id_, e.ent_id_) for e in doc.ents]


def test_pattern_ids_are_written_to_tokens_and_spans():
    nlp = weft.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(PATTERNS + [
        {"label": "ORG", "pattern": [{"LOWER": "apple"}, {"LOWER": "inc"}], "id": "apple"}])
    doc = nlp("Tim Cook runs Apple Inc in San Francisco.")
    assert ent_ids(doc) == [("Tim Cook", "PERSON", "cook", "cook"), ("Apple Inc", "ORG", "apple", "apple"),
                            ("San Francisco", "GPE", "", "")]
    assert [t.ent_id_ for t in doc] == ["cook", "cook", "", "apple", "apple", "", "", "", ""]
    assert doc[0].ent_id == doc.vocab.strings["cook"]
    assert all(t.ent_kb_id == 0 for t in doc)
    # The ids travel with the Doc.
    back = weft.Doc(doc.vocab).from_bytes(doc.to_bytes())
    assert ent_ids(back) == ent_ids(doc)


def test_remove_by_id_as_spacy():
    nlp = weft.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "ORG", "pattern": "Apple", "id": "apple"},
        {"label": "FRUIT", "pattern": [{"LOWER": "apples"}], "id": "apple"},
        {"label": "ORG", "pattern": "Google", "id": "google"},
        {"label": "ORG", "pattern": "Acme"},
    ])
    text = "Apple sells apples to Google and Acme"
    assert ent_ids(nlp(text)) == [("Apple", "ORG", "apple", "apple"), ("apples", "FRUIT", "apple", "apple"),
                                  ("Google", "ORG", "google", "google"), ("Acme", "ORG", "", "")]
    ruler.remove("apple")  # every pattern with the id, whatever its label
    assert len(ruler) == 2 and ruler.ent_ids == ("google",) and ruler.labels == ("ORG",)
    assert ent_ids(nlp(text)) == [("Google", "ORG", "google", "google"), ("Acme", "ORG", "", "")]
    assert [p.get("id") for p in ruler.patterns] == ["google", None]
    with pytest.raises(ValueError):
        ruler.remove("apple")
    with pytest.raises(ValueError):
        ruler.remove("Acme")  # a label is not an id


def test_overwrite_ents_as_spacy():
    patterns = [{"label": "ORG", "pattern": "Acme Corp", "id": "acme"}]
    keep = weft.blank("en")
    keep.add_pipe("entity_ruler").add_patterns(patterns)
    doc = keep.make_doc("Jo Acme Corp sells Acme Corp")
    doc.ents = [weft.Span(doc, 0, 2, label="PER", span_id="jo")]
    # Not overwriting: the earlier entity (and its id) stays, the free match is added.
    assert ent_ids(keep(doc)) == [("Jo Acme", "PER", "jo", "jo"), ("Acme Corp", "ORG", "acme", "acme")]
    over = weft.blank("en")
    over.add_pipe("entity_ruler", config={"overwrite_ents": True}).add_patterns(patterns)
    doc = over.make_doc("Jo Acme Corp sells Acme Corp")
    doc.ents = [weft.Span(doc, 0, 2, label="PER", span_id="jo"), weft.Span(doc, 3, 4, label="V")]
    assert ent_ids(over(doc)) == [("Acme Corp", "ORG", "acme", "acme"), ("sells", "V", "", ""),
                                  ("Acme Corp", "ORG", "acme", "acme")]
    assert doc[0].ent_iob_ == "O"


def test_phrase_matcher_attr_as_spacy():
    def ruler_ents(attr, pattern, text):
        nlp = weft.blank("en")
        config = {} if attr is None else {"phrase_matcher_attr": attr}
        ruler = nlp.add_pipe("entity_ruler", config=config)
        ruler.add_patterns([{"label": "X", "pattern": pattern, "id": "x"}])
        return ruler, [(e.text, e.id_) for e in nlp(text).ents]

    ruler, found = ruler_ents(None, "Apple pie", "apple pie and Apple pie")
    assert ruler.phrase_matcher_attr is None and found == [("Apple pie", "x")]  # ORTH: case-sensitive
    ruler, found = ruler_ents("TEXT", "Apple pie", "apple pie and Apple pie")
    assert ruler.phrase_matcher_attr == "ORTH" and found == [("Apple pie", "x")]
    ruler, found = ruler_ents("lower", "Apple pie", "apple pie and APPLE PIE")
    assert ruler.phrase_matcher_attr == "LOWER" and found == [("apple pie", "x"), ("APPLE PIE", "x")]
    ruler, found = ruler_ents("SHAPE", "123", "call 567 or 12345")
    assert ruler.phrase_matcher_attr == "SHAPE" and found == [("567", "x")]
    ruler, found = ruler_ents("NORM", "colour", "the Colour and colour")
    assert found == [("Colour", "x"), ("colour", "x")]
    with pytest.raises(ValueError):
        ruler_ents("NOT_AN_ATTR", "x", "x")
