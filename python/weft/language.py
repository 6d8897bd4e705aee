"""Language: the `nlp` object, as in spaCy. A thin wrapper over the native Pipeline that adds the
Python-side conveniences (a streaming `pipe` generator, `select_pipes`, meta/config dicts, saving,
loading and evaluating trained pipelines) and spaCy's custom-component decorators:

    @Language.component("add_flag")          # a stateless function: doc -> doc
    def add_flag(doc):
        ...
        return doc

    @Language.factory("tagger_of_words", default_config={"words": []})
    def make(nlp, name, words):              # factory(nlp, name, **config), as spaCy
        return WordTagger(words)

    nlp.add_pipe("tagger_of_words", config={"words": ["a"]})
    nlp.to_disk("out")                       # config.json keeps {"factory": ..., "words": ["a"]}
    weft.load("out", code="my_components.py")

Both register in the native registry (weft.registry, category "components"), so the native pipeline
calls them like any component, taking the GIL for each Doc.
"""
import collections
import contextlib
import contextvars
import copy
import inspect
import itertools
import json
import os
import sys

from . import _weft
from .util import import_code

# The Language a factory is building for: nlp.add_pipe / replace_pipe / weft.load set it, so that
# @Language.factory functions get it as `nlp` (spaCy passes the Language).
_building = contextvars.ContextVar("weft_building_language", default=None)
# Python factories registered through the decorators: name -> the user's function (spaCy's E004
# check: a name is not silently taken over by another function).
_python_factories = {}
# spaCy's FactoryMeta, as far as weft keeps it: name -> dict(default_config, assigns, requires, ...).
_factory_meta = {}


def _same_func(a, b):
    """spaCy's util.is_same_func: the same function, or the same one defined again (a reloaded module)."""
    if a is b:
        return True
    if getattr(a, "__qualname__", None) != getattr(b, "__qualname__", None):
        return False
    if getattr(a, "__module__", None) != getattr(b, "__module__", None):
        return False
    try:
        return inspect.getsourcefile(a) == inspect.getsourcefile(b)
    except TypeError:
        return False


def _check_name(decorator, name):
    if not isinstance(name, str) or not name:
        raise ValueError(f"Language.{decorator}: the name must be a non-empty str, got {name!r} (use "
                         f"@Language.{decorator}(\"name\"))")
    if "." in name:
        raise ValueError(f"Language.{decorator}: the name {name!r} contains a '.', which spaCy does not allow in "
                         "component factory names")


def _claim(name, func):
    """Refuses a name taken by a built-in factory or by another Python function."""
    source = _weft.registry.source("components", name)
    if source is not None and source != "python":
        raise ValueError(f"the component factory name {name!r} is taken by a built-in weft component ({source})")
    existing = _python_factories.get(name)
    if existing is not None and not _same_func(existing, func):
        raise ValueError(f"[E004] Can't set up pipeline component: a factory for {name!r} already exists. "
                         f"Existing factory: {existing}. New factory: {func}")
    _python_factories[name] = func


def _nlp_for(vocab):
    """The `nlp` a factory gets: the Language being built, else a blank one sharing the vocab."""
    nlp = _building.get()
    if nlp is None:
        return _VocabOnly(vocab)
    if nlp._pipeline is None:
        nlp._vocab_while_loading = vocab
    return nlp


class _VocabOnly:
    """What a factory gets as `nlp` when no Language is building it (a component made through the
    native registry directly): the vocab and the language code."""

    def __init__(self, vocab):
        self.vocab = vocab


class Language:
    def __init__(self, pipeline, config=None, path=None):
        self._pipeline = pipeline
        self._vocab_while_loading = None
        # The config sections the native pipeline does not hold (training, corpora, extra nlp keys),
        # kept from the loaded config.json so that to_disk writes them back.
        self._config = copy.deepcopy(config) if config else {}
        self._meta = None
        self.path = path
        self._workers = {}  # nlp.pipe's worker threads: n_threads -> (pipeline, _weft.PipeWorkers)

    # --- processing -----------------------------------------------------------------------------
    def __call__(self, text):
        """Tokenizes and annotates one text; returns a Doc. Given a Doc (spaCy's nlp(doc)), annotates
        it in place and returns it."""
        return self._pipeline(text)

    def make_doc(self, text):
        """Tokenizes only."""
        return self._pipeline.make_doc(text)

    def pipe(self, texts, batch_size=None, n_process=1, n_threads=None, as_tuples=False, progress=False):
        """Streams Docs for an iterable of texts, in order. The native side runs with the GIL
        released; `n_threads` (or spaCy's `n_process`, taken as a thread count) worker threads
        process batches of batch_size texts in parallel, at most two batches per thread in flight.
        batch_size defaults to 256 texts, 4096 on a GPU (nlp.to("cuda:0")), where large batches keep
        the device busy.
        The worker threads, with their warm caches, are kept for the next call (one set per thread
        count). With as_tuples=True, the input is (text, context) pairs and the output (doc, context).
        progress=True draws weft's progress line (the CLI's: documents, words, words/s, and the
        percentage and ETA when `texts` has a len()) on sys.stderr, with a line of totals at the end;
        "auto" draws it when sys.stderr is a terminal."""
        if progress == "auto":
            progress = bool(getattr(sys.stderr, "isatty", lambda: False)())
        elif not isinstance(progress, bool):
            raise ValueError(f"progress must be True, False or 'auto', not {progress!r}")
        if progress:
            return self._pipe_with_progress(texts, batch_size, n_process, n_threads, as_tuples)
        return self._pipe(texts, batch_size, n_process, n_threads, as_tuples)

    def _pipe_with_progress(self, texts, batch_size, n_process, n_threads, as_tuples):
        try:
            total = len(texts)
        except TypeError:
            total = 0

        def write(s):
            sys.stderr.write(s)
            sys.stderr.flush()

        bar = _weft.Progress("nlp.pipe", total=total, unit="docs", write=write)
        try:
            for item in self._pipe(texts, batch_size, n_process, n_threads, as_tuples):
                doc = item[0] if as_tuples else item
                bar.add(1, len(doc))
                bar.set_position(bar.docs)
                yield item
        finally:
            bar.finish()

    def _pipe(self, texts, batch_size, n_process, n_threads, as_tuples):
        threads = n_threads if n_threads is not None else max(1, n_process)
        if batch_size is None:
            batch_size = 256 if self._pipeline.device == "cpu" else 4096
        if batch_size < 1:
            raise ValueError("batch_size must be a positive integer")
        if threads < 1:
            raise ValueError("n_threads must be a positive integer")
        it = iter(texts)

        def batches():
            while True:
                items = list(itertools.islice(it, batch_size))
                if not items:
                    return
                contexts = None
                if as_tuples:
                    contexts = [c for _, c in items]
                    items = [t for t, _ in items]
                for t in items:
                    if not isinstance(t, str):
                        raise TypeError(f"nlp.pipe expects str texts, got {type(t).__name__}")
                yield items, contexts

        def out(docs, contexts):
            return zip(docs, contexts) if as_tuples else docs

        if threads == 1:
            for items, contexts in batches():
                yield from out(self._pipeline.process_batch(items, 1, batch_size), contexts)
            return
        stream = self._pipe_workers(threads).stream()
        pending = collections.deque()  # the contexts of the batches in flight
        try:
            for items, contexts in batches():
                stream.submit(items)
                pending.append(contexts)
                while stream.in_flight >= 2 * threads:
                    yield from out(stream.next(), pending.popleft())
                while (docs := stream.try_next()) is not None:
                    yield from out(docs, pending.popleft())
            while stream.in_flight:
                yield from out(stream.next(), pending.popleft())
        finally:
            stream.close()

    def _pipe_workers(self, threads):
        """The worker threads nlp.pipe uses for `threads`, made on first use and kept (for this
        pipeline object) until the Language goes."""
        entry = self._workers.get(threads)
        if entry is None or entry[0] is not self._pipeline:
            entry = (self._pipeline, _weft.PipeWorkers(self._pipeline, threads))
            self._workers[threads] = entry
        return entry[1]

    # --- parts ----------------------------------------------------------------------------------
    @property
    def lang(self):
        return self._pipeline.lang

    def to(self, device):
        """Moves the pipeline's networks to a device, "cuda:N" (or "gpu") or "cpu", and returns the
        Language (as torch's module.to). Components added later follow. Raises ValueError naming
        CUDA, and why it is unavailable, when there is no such GPU; the pipeline then stays where it
        was."""
        if not isinstance(device, str):
            raise TypeError(f"nlp.to expects a device name such as 'cuda:0' or 'cpu', not {type(device).__name__}")
        self._pipeline.to(device)
        return self

    @property
    def device(self):
        """Where the networks run: "cpu" or "cuda:N"."""
        return self._pipeline.device

    @property
    def keep_tensors(self):
        """Whether the tok2vec leaves its output on each Doc as doc.tensor (spaCy's; off by default, so a
        Doc costs nothing more: turn it on to read doc.tensor). A setting of this object, not saved."""
        return self._pipeline.keep_tensors

    @keep_tensors.setter
    def keep_tensors(self, value):
        self._pipeline.keep_tensors = bool(value)

    @property
    def max_length(self):
        """spaCy's nlp.max_length: the longest text, in characters (len(text)), that nlp(text),
        nlp.pipe and nlp.make_doc take; a longer one raises ValueError. 1,000,000 by default, as in
        spaCy; weft annotates long texts in bounded memory, so it can be raised safely. 0: no limit."""
        return self._pipeline.max_length

    @max_length.setter
    def max_length(self, value):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"nlp.max_length must be a non-negative integer (0: no limit), not {value!r}")
        self._pipeline.max_length = value

    @property
    def vocab(self):
        if self._pipeline is None:  # weft.load is still making the components
            return self._vocab_while_loading
        return self._pipeline.vocab

    # --- custom components (spaCy's decorators) ---------------------------------------------------
    @classmethod
    def component(cls, name=None, *, assigns=(), requires=(), retokenizes=False, func=None):
        """Registers a stateless component: a function doc -> doc (spaCy's @Language.component). It
        takes no config; nlp.add_pipe(name) adds the function itself."""
        if name is not None:
            _check_name("component", name)

        def add_component(component_func):
            if isinstance(component_func, type):
                raise ValueError(f"[E965] Language.component: {component_name(component_func)!r} is a class; register a "
                                 "class with @Language.factory (a function that makes the component)")
            if not callable(component_func):
                raise ValueError(f"Language.component: {component_func!r} is not callable")
            factory_name = component_name(component_func)
            _claim(factory_name, component_func)

            def make(instance, config, vocab):
                if config:
                    raise ValueError(f"component {factory_name!r} (@Language.component) is a function and takes no "
                                     f"config, got {config!r}; use @Language.factory for a configurable component")
                return component_func

            _weft.registry.add_component(factory_name, make, (component_func.__doc__ or "").strip(),
                                         assigns=list(assigns))
            _factory_meta[factory_name] = {"factory": factory_name, "default_config": {}, "assigns": list(assigns),
                                           "requires": list(requires), "retokenizes": retokenizes}
            return component_func

        def component_name(f):
            return name if name is not None else getattr(f, "__name__", repr(f))

        if func is not None:
            return add_component(func)
        return add_component

    @classmethod
    def factory(cls, name, *, default_config=None, assigns=(), requires=(), retokenizes=False,
                default_score_weights=None, func=None):
        """Registers a component factory (spaCy's @Language.factory): `func(nlp, name, **config)` makes
        the component, config being default_config updated with the config given to add_pipe. The
        filled config is what nlp.config and config.json keep, so weft.load makes the same component."""
        _check_name("factory", name)
        if default_config is None:
            default_config = {}
        if not isinstance(default_config, dict):
            raise ValueError(f"[E962] Language.factory {name!r}: default_config must be a dict, got "
                             f"{type(default_config).__name__}")
        try:
            json.dumps(default_config)
        except TypeError as e:
            raise ValueError(f"Language.factory {name!r}: default_config must hold JSON values ({e})") from None
        defaults = copy.deepcopy(default_config)

        def add_factory(factory_func):
            try:
                params = inspect.signature(factory_func).parameters
            except (TypeError, ValueError):
                params = {}
            if "nlp" not in params or "name" not in params:
                raise ValueError(f"[E964] The factory for {name!r} needs the arguments `nlp` and `name` "
                                 "(factory(nlp, name, **config))")
            _claim(name, factory_func)

            def fill(config):
                filled = copy.deepcopy(defaults)
                filled.update(config or {})
                return filled

            def make(instance, config, vocab):
                return factory_func(nlp=_nlp_for(vocab), name=instance, **config)

            _weft.registry.add_component(name, make, (factory_func.__doc__ or "").strip(), fill,
                                         assigns=list(assigns))
            _factory_meta[name] = {"factory": name, "default_config": copy.deepcopy(defaults),
                                   "assigns": list(assigns), "requires": list(requires), "retokenizes": retokenizes,
                                   "default_score_weights": dict(default_score_weights or {})}
            return factory_func

        if func is not None:
            return add_factory(func)
        return add_factory

    @classmethod
    def has_factory(cls, name):
        """Whether a component factory of this name is registered (built in or from Python)."""
        return _weft.registry.has("components", name)

    @classmethod
    def get_factory_meta(cls, name):
        """What the decorator was given for a Python factory: {"factory", "default_config", "assigns",
        "requires", "retokenizes", ...}."""
        if name not in _factory_meta:
            raise ValueError(f"[E967] no Python factory meta for {name!r}")
        return copy.deepcopy(_factory_meta[name])

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
        """Makes a component with a registered factory and adds it (spaCy's add_pipe); returns it (a
        Python component: the object its factory made)."""
        token = _building.set(self)
        try:
            return self._pipeline.add_pipe(factory_name, name, config, before, after)
        finally:
            _building.reset(token)

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
        token = _building.set(self)
        try:
            return self._pipeline.replace_pipe(name, factory_name, config)
        finally:
            _building.reset(token)

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

    def from_disk(self, path, *, code=None):
        """Replaces this pipeline with the one saved at `path`; returns self. `code`: as weft.load."""
        other = load(path, code=code)
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
    """A pipeline with the language's tokenizer and no components (spacy.blank); on the device
    weft.require_gpu / prefer_gpu chose."""
    return _on_current_device(Language(_weft.Pipeline.blank(lang)))


def _on_current_device(nlp):
    from .device import current_device
    device = current_device()
    if device != "cpu":
        nlp.to(device)
    return nlp


def load(path, disable=(), enable=None, exclude=(), *, code=None):
    """Loads a trained pipeline from its folder (spacy.load). A missing or corrupt model raises
    weft.ModelError (an OSError) naming the file. `disable` names components to load disabled,
    `enable` the only ones to keep enabled, `exclude` components to leave out.

    Components made by Python factories need them registered first: import the module that defines
    them, pass `code` (a .py file, or a list of them, imported first as spaCy's --code), or install a
    package that provides them through the "weft_factories" entry point (imported when a name is
    missing). A factory still missing raises weft.ModelError naming it."""
    path = os.fspath(path)
    import_code(code)
    nlp = Language(None, path=path)
    token = _building.set(nlp)
    try:
        nlp._pipeline = _weft.load(path)
    finally:
        _building.reset(token)
        nlp._vocab_while_loading = None
    with open(os.path.join(path, "config.json"), encoding="utf8") as f:
        config = json.load(f)
    nlp._config = {k: v for k, v in config.items() if k != "components"}
    for name in [exclude] if isinstance(exclude, str) else exclude:
        nlp.remove_pipe(name)
    if enable is not None:
        # spaCy: `enable` replaces the config's disabled list (a component saved disabled comes back on).
        enable = [enable] if isinstance(enable, str) else list(enable)
        for n in nlp.disabled:
            if n in enable:
                nlp.enable_pipe(n)
        disable = [n for n in nlp.pipe_names if n not in enable]
    for name in [disable] if isinstance(disable, str) else disable:
        nlp.disable_pipe(name)
    return _on_current_device(nlp)
