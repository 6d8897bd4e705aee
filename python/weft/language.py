"""Language: the `nlp` object, as in spaCy. A thin wrapper over the native Pipeline that adds the
Python-side conveniences (a streaming `pipe` generator, `select_pipes`, meta/config dicts, saving,
loading and evaluating trained pipelines)."""
import contextlib
import copy
import itertools
import json
import os

from . import _weft


class Language:
    def __init__(self, pipeline, config=None, path=None):
        self._pipeline = pipeline
        # The config sections the native pipeline does not hold (training, corpora, extra nlp keys),
        # kept from the loaded config.json so that to_disk writes them back.
        self._config = copy.deepcopy(config) if config else {}
        self._meta = None
        self.path = path

    # --- processing -----------------------------------------------------------------------------
    def __call__(self, text):
        """Tokenizes and annotates one text; returns a Doc. Given a Doc (spaCy's nlp(doc)), annotates
        it in place and returns it."""
        return self._pipeline(text)

    def make_doc(self, text):
        """Tokenizes only."""
        return self._pipeline.make_doc(text)

    def pipe(self, texts, batch_size=256, n_process=1, n_threads=None, as_tuples=False):
        """Streams Docs for an iterable of texts, in order, never holding more than one chunk of
        batch_size * threads texts. The native side runs with the GIL released; `n_threads` (or
        spaCy's `n_process`, taken as a thread count) worker threads process batches in parallel.
        With as_tuples=True, the input is (text, context) pairs and the output (doc, context)."""
        threads = n_threads if n_threads is not None else max(1, n_process)
        if batch_size is None or batch_size < 1:
            raise ValueError("batch_size must be a positive integer")
        chunk = batch_size * threads
        it = iter(texts)
        while True:
            items = list(itertools.islice(it, chunk))
            if not items:
                return
            if as_tuples:
                contexts = [c for _, c in items]
                items = [t for t, _ in items]
            for t in items:
                if not isinstance(t, str):
                    raise TypeError(f"nlp.pipe expects str texts, got {type(t).__name__}")
            docs = self._pipeline.process_batch(items, threads, batch_size)
            if as_tuples:
                yield from zip(docs, contexts)
            else:
                yield from docs

    # --- parts ----------------------------------------------------------------------------------
    @property
    def lang(self):
        return self._pipeline.lang

    @property
    def vocab(self):
        return self._pipeline.vocab

    @property
    def tokenizer(self):
        return self._pipeline.tokenizer

    @property
    def Defaults(self):  # noqa: N802 (spaCy's name)
        """The language's built-in tokenizer rules (spaCy's nlp.Defaults): prefixes, suffixes, infixes,
        token_match, url_match, tokenizer_exceptions; see weft.util.LanguageDefaults."""
        from .util import language_defaults
        return language_defaults(self.lang)

    def set_tokenizer(self, config):
        """Replaces the tokenizer with a registered one: {"@tokenizers": name, ...}."""
        self._pipeline.set_tokenizer(config)

    def add_pipe(self, factory_name, name=None, config=None, before=None, after=None):
        return self._pipeline.add_pipe(factory_name, name, config, before, after)

    def get_pipe(self, name):
        return self._pipeline.get_pipe(name)

    def has_pipe(self, name):
        return self._pipeline.has_pipe(name)

    def remove_pipe(self, name):
        """Takes the component out; returns (name, component) as spaCy. The component stays a working
        object (it can still be called on Docs)."""
        return name, self._pipeline.remove_pipe(name)

    def replace_pipe(self, name, factory_name, config=None):
        """Replaces the component `name` with a new one made by `factory_name` (spaCy's
        replace_pipe); the name and position stay. Returns the new component."""
        return self._pipeline.replace_pipe(name, factory_name, config)

    def rename_pipe(self, old_name, new_name):
        """Renames a component (spaCy's rename_pipe)."""
        self._pipeline.rename_pipe(old_name, new_name)

    def disable_pipe(self, name):
        self._pipeline.disable_pipe(name)

    def enable_pipe(self, name):
        self._pipeline.enable_pipe(name)

    @property
    def pipe_names(self):
        return self._pipeline.pipe_names

    @property
    def component_names(self):
        return self._pipeline.component_names

    @property
    def disabled(self):
        return self._pipeline.disabled

    @property
    def pipeline(self):
        return [(name, self._pipeline.get_pipe(name)) for name in self._pipeline.pipe_names]

    @contextlib.contextmanager
    def select_pipes(self, disable=None, enable=None):
        """Temporarily disables components (by name, or all but `enable`), as spaCy's select_pipes."""
        if enable is not None:
            enable = [enable] if isinstance(enable, str) else list(enable)
            disable = [n for n in self.pipe_names if n not in enable]
        disable = [disable] if isinstance(disable, str) else list(disable or [])
        for n in disable:
            self.disable_pipe(n)
        try:
            yield self
        finally:
            for n in disable:
                self.enable_pipe(n)

    # --- trained pipelines ----------------------------------------------------------------------
    @property
    def meta(self):
        """The model's meta.json as a dict (name, version, lang, pipeline, scores, ...). Changes to the
        dict are kept and written by to_disk, as in spaCy."""
        if self._meta is None:
            self._meta = self._pipeline.meta
        return self._meta

    @meta.setter
    def meta(self, value):
        if not isinstance(value, dict):
            raise TypeError("nlp.meta must be a dict")
        self._meta = value

    @property
    def config(self):
        """The config that recreates this pipeline: {"nlp": ..., "components": ...} as the pipeline is
        now, plus the other sections (training, corpora) of the config it was loaded with."""
        nlp_section = dict(self._config.get("nlp") or {})
        nlp_section.update(self._pipeline.nlp_config)
        out = {"nlp": nlp_section, "components": self._pipeline.components_config}
        for key, value in self._config.items():
            if key not in out:
                out[key] = copy.deepcopy(value)
        return out

    def to_disk(self, path):
        """Writes the model folder (config.json, meta.json, tokenizer.json, one folder per component),
        which weft.load reads back."""
        path = os.fspath(path)
        self._pipeline.to_disk(path, self.config, self.meta)

    def from_disk(self, path):
        """Replaces this pipeline with the one saved at `path`; returns self."""
        other = load(path)
        self._pipeline, self._config, self._meta, self.path = other._pipeline, other._config, other._meta, other.path
        return self

    def evaluate(self, examples, batch_size=256):
        """Scores the pipeline on gold data, as spaCy's Language.evaluate. `examples` are gold Docs
        (weft.read_conllu), objects with a `.reference` Doc (spaCy's Example), or the path of a
        CoNLL-U file. The pipeline annotates copies of the gold words (segmenters left out: gold
        sentences are part of the input) with the GIL released. Returns spaCy's score names (token_acc,
        token_p/r/f, sents_p/r/f, pos_acc, tag_acc, morph_acc, lemma_acc, speed; 0..1 except speed in
        words/s) and the CoNLL 2018 shared-task metrics (UPOS, XPOS, UFeats, AllTags, Lemmas, Tokens,
        Words, Sentences: {"precision", "recall", "f1", "aligned_accuracy", ...}), only for the
        annotations the pipeline predicts."""
        if isinstance(examples, (str, os.PathLike)):
            docs = _weft.read_conllu(os.fspath(examples), self.vocab)
        else:
            docs = []
            for ex in examples:
                doc = getattr(ex, "reference", ex)
                if not isinstance(doc, _weft.Doc):
                    raise TypeError(f"nlp.evaluate expects gold Docs, got {type(ex).__name__}")
                docs.append(doc)
        if batch_size is None or batch_size < 1:
            raise ValueError("batch_size must be a positive integer")
        return self._pipeline.evaluate(docs, batch_size)

    def __reduce__(self):
        """Pickles by value: the files nlp.to_disk writes (spaCy pickles pipelines the same way, by
        their bytes); unpickling loads them into a new pipeline. Components made by Python factories
        need their factory registered (imported) where the pickle is loaded, as in spaCy."""
        from ._doc_api import reduce_language
        return reduce_language(self)

    def __repr__(self):
        return f"<weft.Language lang={self.lang!r} pipeline={self.pipe_names}>"


def blank(lang):
    """A pipeline with the language's tokenizer and no components (spacy.blank)."""
    return Language(_weft.Pipeline.blank(lang))


def load(path, disable=(), enable=None, exclude=()):
    """Loads a trained pipeline from its folder (spacy.load). A missing or corrupt model raises
    weft.ModelError (an OSError) naming the file. `disable` names components to load disabled,
    `enable` the only ones to keep enabled, `exclude` components to leave out."""
    path = os.fspath(path)
    nlp = Language(_weft.load(path), path=path)
    with open(os.path.join(path, "config.json"), encoding="utf8") as f:
        config = json.load(f)
    nlp._config = {k: v for k, v in config.items() if k != "components"}
    for name in [exclude] if isinstance(exclude, str) else exclude:
        nlp.remove_pipe(name)
    if enable is not None:
        enable = [enable] if isinstance(enable, str) else list(enable)
        disable = [n for n in nlp.pipe_names if n not in enable]
    for name in [disable] if isinstance(disable, str) else disable:
        nlp.disable_pipe(name)
    return nlp
