"""Language: the `nlp` object, as in spaCy. A thin wrapper over the native Pipeline that adds the
Python-side conveniences (a streaming `pipe` generator, `select_pipes`)."""
import contextlib
import itertools

from . import _weft


class Language:
    def __init__(self, pipeline):
        self._pipeline = pipeline

    # --- processing -----------------------------------------------------------------------------
    def __call__(self, text):
        """Tokenizes and annotates one text; returns a Doc."""
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
        component = self._pipeline.get_pipe(name)
        self._pipeline.remove_pipe(name)
        return name, component

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

    def __repr__(self):
        return f"<weft.Language lang={self.lang!r} pipeline={self.pipe_names}>"


def blank(lang):
    """A pipeline with the language's tokenizer and no components (spacy.blank)."""
    return Language(_weft.Pipeline.blank(lang))
