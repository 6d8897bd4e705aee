"""Custom Python components as spaCy's: @Language.component (a function doc -> doc), @Language.factory
(factory(nlp, name, **config) with a default config) and @weft.registry.components; their configs in
config.json; weft.load recreating them when the registering code is imported, passed as code=, or
provided by a "weft_factories" entry point; clear errors for unknown factories; and pipelines changed
with add_pipe / remove_pipe / rename_pipe / replace_pipe / disable_pipe (an EntityRuler with its
patterns, custom components, a custom tokenizer) saved and loaded back."""
import json
import os
import pathlib
import pickle
import subprocess
import sys
import textwrap
import uuid

import pytest

import weft
from weft import Language


def unique(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


# ---- components registered by this module ----------------------------------------------------------

@Language.component("test_cc_upper_lemma")
def upper_lemma(doc):
    """Sets each lemma to the upper-cased text."""
    for t in doc:
        t.lemma_ = t.text.upper()
    return doc


class Suffixer:
    """A stateful component: appends a suffix to lemmas; counts calls; saves a file of its own."""

    def __init__(self, nlp, name, suffix, only_alpha):
        self.nlp, self.name, self.suffix, self.only_alpha = nlp, name, suffix, only_alpha
        self.calls = 0
        self.state = None

    def __call__(self, doc):
        self.calls += 1
        for t in doc:
            if t.is_alpha or not self.only_alpha:
                t.lemma_ = (t.lemma_ or t.text) + self.suffix
        return doc

    def to_disk(self, path):
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "state.json"), "w") as f:
            json.dump({"state": self.state}, f)

    def from_disk(self, path):
        with open(os.path.join(path, "state.json")) as f:
            self.state = json.load(f)["state"]
        return self


made_with = []


@Language.factory("test_cc_suffixer", default_config={"suffix": "!", "only_alpha": True})
def make_suffixer(nlp, name, suffix, only_alpha):
    made_with.append((nlp, name, suffix, only_alpha))
    return Suffixer(nlp, name, suffix, only_alpha)


@weft.registry.components("test_cc_registry")
def make_registry_component(name, config, vocab):
    def component(doc):
        doc[0].lemma_ = config.get("first", "FIRST")
    return component


def lemmas(doc):
    return [t.lemma_ for t in doc]


# ---- the decorators --------------------------------------------------------------------------------

def test_component_function():
    nlp = weft.blank("en")
    comp = nlp.add_pipe("test_cc_upper_lemma")
    assert comp is upper_lemma  # spaCy's add_pipe returns the component itself
    assert nlp.get_pipe("test_cc_upper_lemma") is upper_lemma
    assert nlp.pipe_names == ["test_cc_upper_lemma"]
    assert lemmas(nlp("a b")) == ["A", "B"]
    assert nlp.config["components"]["test_cc_upper_lemma"] == {"factory": "test_cc_upper_lemma"}
    assert Language.has_factory("test_cc_upper_lemma")
    assert Language.get_factory_meta("test_cc_upper_lemma")["default_config"] == {}
    with pytest.raises(ValueError, match="takes no config"):
        nlp.add_pipe("test_cc_upper_lemma", name="again", config={"x": 1})


def test_factory_defaults_config_and_nlp():
    nlp = weft.blank("en")
    made_with.clear()
    comp = nlp.add_pipe("test_cc_suffixer", name="sfx", config={"suffix": "?"})
    assert isinstance(comp, Suffixer)
    assert made_with == [(nlp, "sfx", "?", True)]  # factory(nlp=the Language, name=..., **config)
    assert nlp.config["components"]["sfx"] == {"factory": "test_cc_suffixer", "suffix": "?", "only_alpha": True}
    assert lemmas(nlp("go , now")) == ["go?", "", "now?"]  # only_alpha: "," keeps its (empty) lemma
    assert comp.calls == 1
    # Threads: the native pipeline calls the component with the GIL from its workers.
    docs = list(nlp.pipe(["a b"] * 50, n_threads=3, batch_size=2))
    assert all(lemmas(d) == ["a?", "b?"] for d in docs)
    assert comp.calls == 51
    # Unknown config keys reach the factory, which refuses them (spaCy: a config validation error).
    with pytest.raises(TypeError):
        nlp.add_pipe("test_cc_suffixer", name="bad", config={"nope": 1})


def test_registry_components_decorator():
    nlp = weft.blank("en")
    nlp.add_pipe("test_cc_registry", config={"first": "ONE"})
    assert lemmas(nlp("a b"))[0] == "ONE"
    assert nlp.config["components"]["test_cc_registry"] == {"factory": "test_cc_registry", "first": "ONE"}


def test_decorator_errors():
    with pytest.raises(ValueError, match="E964"):
        Language.factory(unique("no_nlp"), func=lambda name: None)
    with pytest.raises(ValueError, match="'.'"):
        Language.component("has.dot", func=upper_lemma)
    with pytest.raises(ValueError, match="E965"):
        Language.component(unique("klass"), func=Suffixer)
    with pytest.raises(ValueError, match="built-in"):
        Language.component("sentencizer", func=upper_lemma)
    with pytest.raises(ValueError, match="default_config"):
        Language.factory(unique("cfg"), default_config=[1])
    # A name stays with its function; the same function defined again (a reloaded module) is fine.
    with pytest.raises(ValueError, match="E004"):
        Language.component("test_cc_upper_lemma", func=lambda doc: doc)
    Language.component("test_cc_upper_lemma", func=upper_lemma)


def test_component_errors_propagate():
    name = unique("boom")

    @Language.component(name)
    def boom(doc):
        raise RuntimeError("boom in a component")

    nlp = weft.blank("en")
    nlp.add_pipe(name)
    with pytest.raises(RuntimeError, match="boom in a component"):
        nlp("a")


# ---- saving and loading ---------------------------------------------------------------------------

def test_custom_components_round_trip(tmp_path):
    nlp = weft.blank("en")
    nlp.add_pipe("test_cc_upper_lemma")
    sfx = nlp.add_pipe("test_cc_suffixer", config={"suffix": "~", "only_alpha": False})
    sfx.state = {"learned": [1, 2]}
    nlp.add_pipe("test_cc_registry", config={"first": "F"})
    before = lemmas(nlp("x , y"))
    nlp.to_disk(tmp_path / "m")
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    assert config["components"]["test_cc_suffixer"] == {"factory": "test_cc_suffixer", "suffix": "~",
                                                        "only_alpha": False}
    assert json.loads((tmp_path / "m" / "test_cc_suffixer" / "state.json").read_text()) == {"state": {"learned": [1, 2]}}
    made_with.clear()
    loaded = weft.load(tmp_path / "m")
    assert loaded.pipe_names == ["test_cc_upper_lemma", "test_cc_suffixer", "test_cc_registry"]
    assert lemmas(loaded("x , y")) == before == ["F", ",~", "Y~"]
    sfx2 = loaded.get_pipe("test_cc_suffixer")
    assert sfx2 is not sfx and sfx2.state == {"learned": [1, 2]}  # from_disk ran
    # The factory got the Language being loaded (with its vocab) and the saved config.
    (nlp_arg, name, suffix, only_alpha), = made_with
    assert nlp_arg is loaded and name == "test_cc_suffixer" and (suffix, only_alpha) == ("~", False)
    assert loaded.config["components"] == nlp.config["components"]
    # from_disk into another pipeline, and pickling (by its files).
    other = weft.blank("en").from_disk(tmp_path / "m")
    assert lemmas(other("x , y")) == before
    assert lemmas(pickle.loads(pickle.dumps(nlp))("x , y")) == before


def test_unknown_factory_error_names_it_and_how_to_register(tmp_path):
    name = unique("never_registered")
    nlp = weft.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "m")
    config_path = tmp_path / "m" / "config.json"
    config = json.loads(config_path.read_text())
    config["nlp"]["pipeline"].append("mine")
    config["components"]["mine"] = {"factory": name}
    config_path.write_text(json.dumps(config))
    with pytest.raises(weft.ModelError) as err:
        weft.load(tmp_path / "m")
    message = str(err.value)
    for part in (name, '"mine"', "@weft.Language.component", "code=", "--code", "weft_factories"):
        assert part in message
    with pytest.raises(KeyError, match="Language.factory"):
        nlp.add_pipe(name)
    with pytest.raises(FileNotFoundError):
        weft.load(tmp_path / "m", code=tmp_path / "missing.py")


CODE = '''
import weft

@weft.Language.factory("{name}", default_config={{"tag": "CODE"}})
def make(nlp, name, tag):
    def component(doc):
        for t in doc:
            t.lemma_ = tag
        return doc
    return component
'''


def test_load_with_code(tmp_path):
    name = unique("from_code")
    code = tmp_path / "my_components.py"
    code.write_text(CODE.format(name=name))
    # Build the model in a separate process, so this one has not registered the factory yet.
    subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
        import weft, weft.util
        weft.util.import_code({str(code)!r})
        nlp = weft.blank("en")
        nlp.add_pipe({name!r}, config={{"tag": "T"}})
        nlp.to_disk({str(tmp_path / 'm')!r})
    """)], check=True, env=os.environ.copy())
    assert not weft.registry.has("components", name)
    with pytest.raises(weft.ModelError, match=name):
        weft.load(tmp_path / "m")
    nlp = weft.load(tmp_path / "m", code=code)
    assert lemmas(nlp("a b")) == ["T", "T"]
    assert weft.registry.has("components", name)
    assert weft.load(tmp_path / "m", code=[str(code)]).pipe_names == [name]  # importing again is fine


def make_entry_point_package(root, dist, module, names):
    """A distribution on sys.path with "weft_factories" entry points (no install needed)."""
    info = root / f"{dist}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = "\n".join(f"{n} = {module}:{func}" for n, func in names.items())
    (info / "entry_points.txt").write_text(f"[weft_factories]\n{lines}\n")


def test_entry_points(tmp_path):
    name, plain = unique("ep_factory"), unique("ep_plain")
    pkg = tmp_path / "site"
    pkg.mkdir()
    module = unique("weft_ep_module")
    (pkg / f"{module}.py").write_text(textwrap.dedent(f"""
        import weft

        @weft.Language.factory({name!r}, default_config={{"tag": "EP"}})
        def make(nlp, name, tag):
            def component(doc):
                for t in doc:
                    t.lemma_ = tag
                return doc
            return component

        def plain(doc):   # not decorated: registered under its entry point name as a component
            doc[0].lemma_ = "PLAIN"
            return doc
    """))
    make_entry_point_package(pkg, unique("weft_ep_dist"), module, {name: "make", plain: "plain"})
    env = os.environ.copy()
    env["PYTHONPATH"] = os.pathsep.join([str(pkg), env.get("PYTHONPATH", "")])
    script = textwrap.dedent(f"""
        import sys, weft
        assert {module!r} not in sys.modules
        nlp = weft.blank("en")
        nlp.add_pipe({name!r}, config={{"tag": "X"}})    # found through the entry point
        nlp.add_pipe({plain!r})
        nlp.to_disk(sys.argv[1])
        print([t.lemma_ for t in nlp("a b")])
    """)
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "m")], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['PLAIN', 'X']"
    load = textwrap.dedent(f"""
        import sys, weft
        nlp = weft.load(sys.argv[1])                      # no import, no code=: the entry point
        print([t.lemma_ for t in nlp("a b")])
    """)
    out = subprocess.run([sys.executable, "-c", load, str(tmp_path / "m")], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['PLAIN', 'X']"


# ---- modified pipelines ---------------------------------------------------------------------------

RULER_PATTERNS = [
    {"label": "ORG", "pattern": "Acme Corp", "id": "acme"},
    {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}], "id": "sf"},
    {"label": "FRUIT", "pattern": [{"LOWER": {"FUZZY": "banana"}}]},
]
TEXT = "Acme Corp opened in San Francisco selling bananna bread"


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


def assert_same_pipeline(a, b, text=TEXT):
    assert b.pipe_names == a.pipe_names
    assert b.component_names == a.component_names
    assert b.disabled == a.disabled
    assert b.config["components"] == a.config["components"]
    assert b.config["nlp"]["pipeline"] == a.config["nlp"]["pipeline"]
    da, db = a(text), b(text)
    assert [t.text for t in db] == [t.text for t in da]
    assert ents(db) == ents(da)
    assert lemmas(db) == lemmas(da)
    assert sents(db) == sents(da)


def sents(doc):
    try:
        return [s.text for s in doc.sents]
    except ValueError:  # no sentence boundaries (the segmenter is disabled): the same for both
        return None


def test_add_pipe_positions_and_entity_ruler_round_trip(tmp_path):
    nlp = weft.blank("en")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True, "ent_id_sep": "#"})
    ruler.add_patterns(RULER_PATTERNS)
    nlp.add_pipe("sentencizer", before="entity_ruler")
    nlp.add_pipe("test_cc_upper_lemma", after="sentencizer")
    nlp.to_disk(tmp_path / "m")
    loaded = weft.load(tmp_path / "m")
    assert loaded.pipe_names == ["sentencizer", "test_cc_upper_lemma", "entity_ruler"]
    r2 = loaded.get_pipe("entity_ruler")
    assert r2.patterns == ruler.patterns and len(r2) == 3
    assert r2.overwrite and r2.ent_id_sep == "#"
    assert ents(loaded(TEXT)) == [("Acme Corp", "ORG"), ("San Francisco", "GPE"), ("bananna", "FRUIT")]
    assert_same_pipeline(nlp, loaded)
    # Patterns added after loading are saved again.
    r2.add_patterns([{"label": "FOOD", "pattern": "bread"}])
    loaded.to_disk(tmp_path / "m2")
    assert ("bread", "FOOD") in ents(weft.load(tmp_path / "m2")(TEXT))


def test_remove_rename_replace_disable_round_trip(tmp_path):
    nlp = weft.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("test_cc_suffixer", name="first_suffix", config={"suffix": "1"})
    nlp.add_pipe("test_cc_suffixer", name="second_suffix", config={"suffix": "2"})
    nlp.add_pipe("entity_ruler").add_patterns(RULER_PATTERNS[:2])
    nlp.add_pipe("test_cc_upper_lemma", name="upper")

    name, removed = nlp.remove_pipe("first_suffix")
    assert name == "first_suffix" and isinstance(removed, Suffixer)
    nlp.rename_pipe("second_suffix", "suffix")
    nlp.rename_pipe("entity_ruler", "rules")
    nlp.replace_pipe("upper", "test_cc_suffixer", config={"suffix": "R", "only_alpha": False})
    nlp.disable_pipe("sentencizer")
    assert nlp.component_names == ["sentencizer", "suffix", "rules", "upper"]
    assert nlp.pipe_names == ["suffix", "rules", "upper"]
    assert lemmas(nlp("a ."))[:2] == ["a2R", ".R"]

    nlp.to_disk(tmp_path / "m")
    on_disk = sorted(p.name for p in (tmp_path / "m").iterdir() if p.is_dir())
    assert "rules" in on_disk and "first_suffix" not in on_disk and "entity_ruler" not in on_disk
    loaded = weft.load(tmp_path / "m")
    assert loaded.config["components"]["upper"] == {"factory": "test_cc_suffixer", "suffix": "R",
                                                    "only_alpha": False}
    assert loaded.config["components"]["suffix"]["suffix"] == "2"
    assert "first_suffix" not in loaded.config["components"]
    assert loaded.get_pipe("rules").patterns == RULER_PATTERNS[:2]
    assert_same_pipeline(nlp, loaded)
    # Loading with the segmenter enabled again, and excluding a component.
    assert weft.load(tmp_path / "m", enable=["sentencizer", "rules"]).pipe_names == ["sentencizer", "rules"]
    assert weft.load(tmp_path / "m", exclude=["upper"]).component_names == ["sentencizer", "suffix", "rules"]


def test_tokenizer_round_trip(tmp_path):
    nlp = weft.blank("en")
    nlp.set_tokenizer({"@tokenizers": "weft.WhitespaceTokenizer.v1"})
    nlp.add_pipe("test_cc_upper_lemma")
    nlp.to_disk(tmp_path / "ws")
    loaded = weft.load(tmp_path / "ws")
    assert [t.text for t in loaded("don't stop, U.S.")] == ["don't", "stop,", "U.S."]
    assert loaded.tokenizer.registry_name == "weft.WhitespaceTokenizer.v1"

    # The rule tokenizer's special cases (tokenizer.json) round trip with the pipeline.
    nlp = weft.blank("en")
    assert [t.text for t in nlp("gonna weftify")] == ["gon", "na", "weftify"]
    rules = nlp.tokenizer.to_json()
    rules["@tokenizers"] = nlp.tokenizer.registry_name
    rules["special_cases"]["weftify"] = ["weft", "ify"]
    nlp.set_tokenizer(rules)
    nlp.add_pipe("sentencizer")
    assert [t.text for t in nlp("gonna weftify")] == ["gon", "na", "weft", "ify"]
    nlp.to_disk(tmp_path / "rules")
    loaded = weft.load(tmp_path / "rules")
    assert [t.text for t in loaded("gonna weftify")] == ["gon", "na", "weft", "ify"]
    assert loaded.tokenizer.to_json()["special_cases"]["weftify"] == ["weft", "ify"]


def test_python_tokenizer_round_trip_with_code(tmp_path):
    name = unique("test.CommaTok") + ".v1"
    code = tmp_path / "tok.py"
    code.write_text(textwrap.dedent(f"""
        import weft

        @weft.registry.tokenizers({name!r})
        def make(config, vocab):
            sep = config.get("sep", ",")
            return lambda text: [w for w in text.replace(sep, " " + sep + " ").split()]
    """))
    weft.util.import_code(code)
    nlp = weft.blank("en")
    nlp.set_tokenizer({"@tokenizers": name, "sep": ";"})
    nlp.add_pipe("test_cc_upper_lemma")
    nlp.to_disk(tmp_path / "m")
    loaded = weft.load(tmp_path / "m", code=code)
    assert [t.text for t in loaded("a;b c")] == ["a", ";", "b", "c"]
    assert lemmas(loaded("a;b")) == ["A", ";", "B"]


def test_unknown_config_keys_raise_config_error():
    nlp = weft.blank("en")
    with pytest.raises(weft.ConfigError, match='unknown key "punct_char" in the sentencizer config') as e:
        nlp.add_pipe("sentencizer", config={"punct_char": ["|"]})
    assert isinstance(e.value, weft.ValueError) and isinstance(e.value, ValueError)
    with pytest.raises(weft.ConfigError, match='unknown key "heds"'):
        nlp.add_pipe("tagger", config={"heds": ["tag"]})


@Language.component("test_cc_semicolon_splits", assigns=["token.is_sent_start"])
def _custom_senter(doc):
    for t in doc:
        t.is_sent_start = t.i == 0 or doc[t.i - 1].text == ";"
    return doc


def test_a_python_component_that_assigns_sentence_starts_is_a_segmenter():
    # It is left out where gold sentences are given (nlp.evaluate), as the built-in sentencizer is.
    nlp = weft.blank("en")
    nlp.add_pipe("test_cc_semicolon_splits")
    doc = nlp("a ; b ; c")
    assert [s.text for s in doc.sents] == ["a ;", "b ;", "c"]
    gold = weft.read_conllu(str(pathlib.Path(__file__).resolve().parents[2] / "data" / "en_ewt" / "sample.conllu"),
                            nlp.vocab)
    scores = nlp.evaluate(gold[:20])
    assert scores["sents_f"] == 1.0
