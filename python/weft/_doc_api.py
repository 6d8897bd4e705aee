"""The parts of spaCy's Doc/Token/Span API that live on the Python side: extension attributes
(`set_extension` and `._`), pickling at every protocol, copying, and spaCy's `Doc.to_json` /
`Doc.from_json` (the core in C++, the "_" / "spans" / "cats" parts here). They are attached to the native classes by `install()`, called once from weft/__init__.py.

Extension values are kept where spaCy keeps them: in `doc.user_data`, keyed ("._.", name, start, end)
with the character offsets of the Token or Span (None for the Doc), so they survive retokenizing and
pickling as spaCy's do. `doc.user_data` itself is held by the native Doc (Doc::binding_state), so
every Python object that reaches the Doc sees the same dict.
"""
import copy as _copy
import functools
import json
import os
import warnings

from . import _weft


# --- extension attributes (spaCy's spacy/tokens/underscore.py semantics) ---------------------------
class Underscore:
    """The `._` namespace of a Doc, Token or Span."""

    mutable_types = (dict, list, set)
    doc_extensions = {}
    span_extensions = {}
    token_extensions = {}

    def __init__(self, extensions, obj, start=None, end=None):
        object.__setattr__(self, "_extensions", extensions)
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_doc", obj.doc)
        object.__setattr__(self, "_start", start)
        object.__setattr__(self, "_end", end)

    def __dir__(self):
        return ["set", "get", "has"] + list(self._extensions.keys())

    def __getattr__(self, name):
        if name not in self._extensions:
            raise AttributeError(
                f"Can't retrieve unregistered extension attribute '{name}'. Did you forget to call the "
                "`set_extension` method?")
        default, method, getter, setter = self._extensions[name]
        if getter is not None:
            return getter(self._obj)
        if method is not None:
            partial = functools.partial(method, self._obj)
            partial.__doc__ = ("This method is a partial function and its first argument (the object it's "
                               "called on) will be filled automatically. " + (method.__doc__ or ""))
            return partial
        key = self._get_key(name)
        user_data = self._doc.user_data
        if key in user_data:
            return user_data[key]
        if isinstance(default, self.mutable_types):
            fresh = _copy.copy(default)  # each object gets its own mutable default (spaCy #2581)
            self.__setattr__(name, fresh)
            return fresh
        return default

    def __setattr__(self, name, value):
        if name not in self._extensions:
            raise AttributeError(
                f"Can't assign a value to unregistered extension attribute '{name}'. Did you forget to call "
                "the `set_extension` method?")
        default, method, getter, setter = self._extensions[name]
        if setter is not None:
            return setter(self._obj, value)
        self._doc.user_data[self._get_key(name)] = value

    def set(self, name, value):
        return self.__setattr__(name, value)

    def get(self, name):
        return self.__getattr__(name)

    def has(self, name):
        return name in self._extensions

    def _get_key(self, name):
        return ("._.", name, self._start, self._end)


def _ext_args(**kwargs):
    default = kwargs.get("default")
    getter = kwargs.get("getter")
    setter = kwargs.get("setter")
    method = kwargs.get("method")
    if getter is None and setter is not None:
        raise ValueError("Extensions can't have a setter argument without a getter argument. Check the keyword "
                         "arguments on `set_extension`.")
    n_defined = sum(t is True for t in ("default" in kwargs, method is not None, getter is not None))
    if n_defined != 1:
        raise ValueError("Error setting extension: only one of `default`, `method`, or `getter` (plus optional "
                         f"`setter`) is allowed. Got: {n_defined}")
    for what, value in (("setter", setter), ("getter", getter), ("method", method)):
        if value is not None and not callable(value):
            raise ValueError(f"Invalid extension attribute {what}: expected callable or None, but got: {value!r}")
    return (default, method, getter, setter)


def _install_extensions(cls, table_name, obj_name):
    def table():
        return getattr(Underscore, table_name)

    def set_extension(klass, name, **kwargs):
        if not isinstance(name, str) or not name:
            raise ValueError(f"{obj_name}.set_extension: the name must be a non-empty str, got {name!r}")
        force = kwargs.pop("force", False)
        if name in table() and not force:
            raise ValueError(f"Extension '{name}' already exists on {obj_name}. To overwrite the existing "
                             f"extension, set `force=True` on `{obj_name}.set_extension`.")
        table()[name] = _ext_args(**kwargs)

    def get_extension(klass, name):
        return table().get(name)

    def has_extension(klass, name):
        return name in table()

    def remove_extension(klass, name):
        if name not in table():
            raise ValueError(f"Can't retrieve unregistered extension attribute '{name}'. Did you forget to call "
                             "the `set_extension` method?")
        return table().pop(name)

    cls.set_extension = classmethod(set_extension)
    cls.get_extension = classmethod(get_extension)
    cls.has_extension = classmethod(has_extension)
    cls.remove_extension = classmethod(remove_extension)


def _doc_underscore(doc):
    return Underscore(Underscore.doc_extensions, doc)


def _token_underscore(token):
    return Underscore(Underscore.token_extensions, token, start=token.idx, end=None)


def _span_underscore(span):
    return Underscore(Underscore.span_extensions, span, start=span.start_char, end=span.end_char)


# --- retokenizing with extension attributes -------------------------------------------------------
class _Retokenizer:
    """doc.retokenize(): the native retokenizer plus spaCy's `"_"` key in attrs, whose extension values
    are set on the new tokens once the merges and splits are applied (found by their character offsets,
    which retokenizing keeps)."""

    def __init__(self, doc, native):
        self._doc, self._native, self._ext = doc, native, []

    def __enter__(self):
        self._native.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        result = self._native.__exit__(exc_type, exc, tb)
        if exc_type is None and self._ext:
            at = {t.idx: t for t in self._doc}
            for start_char, values in self._ext:
                for name, value in values.items():
                    at[start_char]._.set(name, value)
        self._ext = []
        return result

    @staticmethod
    def _take_ext(attrs):
        if not attrs or "_" not in attrs:
            return attrs, {}
        attrs = dict(attrs)
        ext = attrs.pop("_")
        if not isinstance(ext, dict):
            raise ValueError(f"retokenize: attrs['_'] must be a dict of extension values, got {type(ext).__name__}")
        for name in ext:
            if not Token.has_extension(name):
                raise ValueError(f"Can't set custom extension attribute '{name}' during retokenization: it is not "
                                 "registered (Token.set_extension)")
        return attrs, ext

    def merge(self, span, attrs=None):
        attrs, ext = self._take_ext(attrs)
        self._native.merge(span, attrs)
        if ext:
            self._ext.append((span.start_char, ext))

    def split(self, token, orths, heads, attrs=None):
        attrs, ext = self._take_ext(attrs)
        self._native.split(token, orths, heads, attrs)
        offset = token.idx
        for k, orth in enumerate(orths):
            values = {}
            for name, per_token in ext.items():
                if isinstance(per_token, (str, bytes)) or not hasattr(per_token, "__len__") or len(per_token) != len(orths):
                    raise ValueError(f"retokenize: attrs['_']['{name}'] must list one value per new token "
                                     f"({len(orths)})")
                values[name] = per_token[k]
            if values:
                self._ext.append((offset, values))
            offset += len(orth)


Token = _weft.Token


def _wrap_retokenize(native_retokenize):
    def retokenize(doc):
        """A context manager that merges and splits tokens, applied together at the end of the with
        block (spaCy's Doc.retokenize); attrs may hold "_": {extension: value}."""
        return _Retokenizer(doc, native_retokenize(doc))
    return retokenize


# --- pickling ----------------------------------------------------------------------------------------
# Every native class either pickles (by value, at every protocol) or raises a clean TypeError; pybind11's
# default reduction for protocols 0 and 1 aborts the interpreter ("instance allocation failed").
def _unpickle_vocab(state):
    return _weft._vocab_from_state(*state)


def _reduce_vocab(vocab):
    return (_unpickle_vocab, (vocab._state(),))


def _unpickle_strings(vocab):
    return vocab.strings


def _reduce_strings(strings):
    return (_unpickle_strings, (strings._vocab,))


def _unpickle_lexeme(vocab, text):
    return vocab[text]


def _reduce_lexeme(lex):
    return (_unpickle_lexeme, (lex.vocab, lex.text))


def _unpickle_doc(vocab, data, user_data, tensor=None):
    doc = _weft.Doc(vocab).from_bytes(data)
    if user_data is not None:
        doc.user_data = user_data
    if tensor is not None:
        doc.tensor = tensor
    return doc


def _extend_tensor(doc, tensor):
    """spaCy's Doc.extend_tensor: appends columns (an array of len(doc) rows) to doc.tensor."""
    import numpy as np

    extra = np.asarray(tensor, dtype=np.float32)
    current = doc.tensor
    doc.tensor = extra if len(current) == 0 else np.hstack((np.asarray(current), extra))


def _reduce_doc(doc):
    # doc.tensor travels as a NumPy copy in host memory (spaCy pickles it too).
    tensor = doc.tensor
    tensor = __import__("numpy").array(tensor) if len(tensor) else None
    return (_unpickle_doc, (doc.vocab, doc.to_bytes(), doc.user_data if doc._has_user_data else None, tensor))


def _unpickle_token(doc, i):
    return doc[i]


def _reduce_token(token):
    return (_unpickle_token, (token.doc, token.i))


def _unpickle_span(doc, start, end, label, kb_id, span_id):
    return _weft.Span(doc, start, end, label=label, kb_id=kb_id, span_id=span_id)


def _reduce_span(span):
    return (_unpickle_span, (span.doc, span.start, span.end, span.label_, span.kb_id_, span.id_))


def _unpickle_docbin(data):
    return _weft.DocBin().from_bytes(data)


def _reduce_docbin(docbin):
    return (_unpickle_docbin, (docbin.to_bytes(),))


def _unpickle_language(files):
    import shutil  # here, not at import: shutil and tempfile bring in lzma and bz2 (10 ms of `import weft`)
    import tempfile

    from .language import load

    tmp = tempfile.mkdtemp(prefix="weft-unpickle-")
    try:
        for rel, data in files.items():
            path = os.path.join(tmp, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        nlp = load(tmp)
        nlp.path = None
        return nlp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def language_files(nlp):
    """The files of nlp.to_disk as {relative path: bytes} (what pickling a Language carries)."""
    import shutil
    import tempfile

    tmp = tempfile.mkdtemp(prefix="weft-pickle-")
    try:
        nlp.to_disk(tmp)
        files = {}
        for root, _, names in os.walk(tmp):
            for name in names:
                path = os.path.join(root, name)
                with open(path, "rb") as f:
                    files[os.path.relpath(path, tmp)] = f.read()
        return files
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def reduce_language(nlp):
    return (_unpickle_language, (language_files(nlp),))


def _not_picklable(self, *args):
    raise TypeError(f"cannot pickle a weft.{type(self).__name__} object: pickle the Docs, the Vocab or the "
                    "pipeline (nlp) it belongs to instead")


# --- spaCy's Doc.to_json / Doc.from_json --------------------------------------------------------------
def _json_serializable(value):
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError, OverflowError):
        return False


def _doc_to_json(doc, underscore=None):
    """spaCy's Doc.to_json: {"text", "ents", "sents", "cats", "tokens", "spans", "_", "underscore_token",
    "underscore_span"} as spaCy writes them (the core is C++: doc_to_spacy_json). `underscore` names
    extension attributes whose values go in: the Doc's under "_" (through getters too), Tokens' and
    Spans' from user_data."""
    data = doc._to_spacy_json()
    cats = getattr(doc, "cats", None)
    if cats:
        tokens = data.pop("tokens")
        data["cats"] = dict(cats)
        data["tokens"] = tokens
    spans = getattr(doc, "spans", None)  # span groups, where this weft has them
    if spans:
        data["spans"] = {}
        for group in spans:
            data["spans"][group] = [{"start": span.start_char, "end": span.end_char, "label": span.label_,
                                     "kb_id": span.kb_id_} for span in spans[group]]
    if underscore:
        user_keys = set()
        for attr in underscore:
            if doc.has_extension(attr):
                value = doc._.get(attr)
                if not _json_serializable(value):
                    raise ValueError(f"[E107] Value of custom attribute `{attr}` is not JSON-serializable: {value!r}")
                data.setdefault("_", {})[attr] = value
                user_keys.add(attr)
        if doc._has_user_data:
            for key, value in list(doc.user_data.items()):
                if type(key) is tuple and len(key) >= 4 and key[0] == "._.":
                    attr, start, end = key[1], key[2], key[3]
                    if attr not in underscore:
                        continue
                    user_keys.add(attr)
                    if not _json_serializable(value):
                        raise ValueError(f"[E107] Value of custom attribute `{attr}` is not JSON-serializable: "
                                         f"{value!r}")
                    if start is not None and end is None:
                        data.setdefault("underscore_token", {}).setdefault(attr, []).append(
                            {"start": start, "value": value})
                    elif start is not None and end is not None:
                        data.setdefault("underscore_span", {}).setdefault(attr, []).append(
                            {"start": start, "end": end, "value": value})
        for attr in underscore:
            if attr not in user_keys:
                raise ValueError(f"[E106] Can't find `doc._.{attr}` attribute specified in the underscore "
                                 f"settings: {underscore}")
    return data


def _token_at_char(doc, char):
    for token in doc:
        if token.idx <= char < token.idx + len(token):
            return token
    raise ValueError(f"Doc.from_json: no token at character {char}")


def _doc_from_json(doc, doc_json, *, validate=False):
    """spaCy's Doc.from_json: the Doc (usually an empty Doc(vocab)) is replaced by the document of
    `doc_json` (spaCy's schema) and returned. Its structure is always checked (ValueError naming the
    problem), whatever `validate` says."""
    if not isinstance(doc_json, dict):
        raise ValueError(f"Doc.from_json: expected a dict, got {type(doc_json).__name__}")
    doc._from_spacy_json({k: doc_json[k] for k in ("text", "tokens", "sents", "ents") if k in doc_json})
    cats = doc_json.get("cats")
    if cats:
        if not hasattr(type(doc), "cats"):
            warnings.warn("Doc.from_json: this Doc has no `cats`; the document's categories are not kept")
        else:
            doc.cats = dict(cats)
    groups = doc_json.get("spans") or {}
    if groups and not hasattr(type(doc), "spans"):
        warnings.warn("Doc.from_json: this Doc has no span groups (`doc.spans`); the document's spans are not kept")
    elif groups:
        for group, spans in groups.items():
            out = []
            for span in spans:
                found = doc.char_span(span["start"], span["end"])
                if found is None:
                    raise ValueError(f"[E1039] Doc.from_json: the span [{span['start']}, {span['end']}) does not "
                                     "start and end on token boundaries")
                out.append(_weft.Span(doc, found.start, found.end, label=span.get("label") or 0,
                                      kb_id=span.get("kb_id") or 0))
            doc.spans[group] = out
    for attr, value in doc_json.get("_", {}).items():
        if not _weft.Doc.has_extension(attr):
            _weft.Doc.set_extension(attr)
        doc._.set(attr, value)
    for attr, values in doc_json.get("underscore_token", {}).items():
        if not _weft.Token.has_extension(attr):
            _weft.Token.set_extension(attr)
        for item in values:
            _token_at_char(doc, item["start"])._.set(attr, item["value"])
    for attr, values in doc_json.get("underscore_span", {}).items():
        if not _weft.Span.has_extension(attr):
            _weft.Span.set_extension(attr)
        for item in values:
            span = doc.char_span(item["start"], item["end"])
            if span is None:
                raise ValueError(f"[E1039] Doc.from_json: the span [{item['start']}, {item['end']}) does not start "
                                 "and end on token boundaries")
            span._.set(attr, item["value"])
    return doc


# --- copying -----------------------------------------------------------------------------------------
def _doc_copy(doc):
    """A new Doc with the same text, tokens, annotations and a shallow copy of user_data (spaCy's
    Doc.copy)."""
    out = doc._copy()
    if doc._has_user_data:
        out.user_data = dict(doc.user_data)
    return out


def _doc_deepcopy(doc, memo):
    out = doc._copy()
    memo[id(doc)] = out
    if doc._has_user_data:
        out.user_data = _copy.deepcopy(doc.user_data, memo)
    return out


def install():
    Doc, Token, Span = _weft.Doc, _weft.Token, _weft.Span
    _install_extensions(Doc, "doc_extensions", "Doc")
    _install_extensions(Token, "token_extensions", "Token")
    _install_extensions(Span, "span_extensions", "Span")
    Doc.doc = property(lambda self: self, doc="The Doc itself (spaCy's Doc.doc, so Docs, Spans and Tokens share it)")
    Doc._ = property(_doc_underscore, doc="Custom extension attributes registered with Doc.set_extension")
    Token._ = property(_token_underscore, doc="Custom extension attributes registered with Token.set_extension")
    Span._ = property(_span_underscore, doc="Custom extension attributes registered with Span.set_extension")

    Doc.__reduce__ = _reduce_doc
    Token.__reduce__ = _reduce_token
    Span.__reduce__ = _reduce_span
    _weft.Vocab.__reduce__ = _reduce_vocab
    _weft.StringStore.__reduce__ = _reduce_strings
    _weft.Lexeme.__reduce__ = _reduce_lexeme
    _weft.DocBin.__reduce__ = _reduce_docbin
    if not getattr(Doc.retokenize, "_weft_wrapped", False):
        Doc.retokenize = _wrap_retokenize(Doc.retokenize)
        Doc.retokenize._weft_wrapped = True
    Doc.copy = _doc_copy
    Doc.to_json = _doc_to_json
    Doc.from_json = _doc_from_json
    Doc.__copy__ = _doc_copy
    Doc.__deepcopy__ = _doc_deepcopy
    # Every other native class: a clean TypeError at every protocol.
    for name in dir(_weft):
        cls = getattr(_weft, name)
        if isinstance(cls, type) and cls.__module__.endswith("_weft") and not issubclass(cls, BaseException):
            if "__reduce__" not in cls.__dict__:
                cls.__reduce__ = _not_picklable
                cls.__reduce_ex__ = _not_picklable


# --- the smaller parts of spaCy's Doc/Span/Token API ---------------------------------------------------
def _conjuncts(token):
    """spaCy's Token.conjuncts: the tokens coordinated with this one (conj chains), itself excluded."""
    start = token
    while start.i != start.head.i and start.dep_ == "conj":
        start = start.head
    queue, out = [start], [start]
    for word in queue:
        for child in word.rights:
            if child.dep_ == "conj":
                out.append(child)
                queue.append(child)
    return tuple(w for w in out if w.i != token.i)


def _lca_matrix(doc, start, end):
    """spaCy's get_lca_matrix over tokens [start, end): entry (i, j) is the index (relative to start) of
    the lowest common ancestor of tokens start+i and start+j, or -1 when it lies outside or there is
    none."""
    import numpy

    n = end - start
    chains = []
    for k in range(start, end):
        chain, t, seen = [k], doc[k], {k}
        while t.head.i != t.i and t.head.i not in seen:
            t = t.head
            seen.add(t.i)
            chain.append(t.i)
        chains.append(chain)
    out = numpy.full((n, n), -1, dtype=numpy.int32)
    for a in range(n):
        depth_a = {w: d for d, w in enumerate(chains[a])}
        for b in range(a, n):
            lca = next((w for w in chains[b] if w in depth_a), None)
            if lca is not None and start <= lca < end:
                out[a, b] = out[b, a] = lca - start
    return out


def _span_lefts(span):
    return iter([t for t in span.doc[:span.start] if span.start <= t.head.i < span.end])


def _span_rights(span):
    return iter([t for t in span.doc[span.end:] if span.start <= t.head.i < span.end])


def _span_subtree(span):
    doc = span.doc
    inside = set(range(span.start, span.end))
    for t in span:
        inside.update(w.i for w in t.subtree)
    return iter([doc[i] for i in sorted(inside)])


def _span_noun_chunks(span):
    return iter([c for c in span.doc.noun_chunks if span.start <= c.start and c.end <= span.end])


def _doc_from_docs(docs, ensure_whitespace=True, attrs=None, *, exclude=()):
    """spaCy's Doc.from_docs: one Doc with the texts, tokens and annotations of `docs` in order (a space
    between two texts unless one ends in whitespace, when ensure_whitespace); sentence starts, trees,
    entities and user_data's extension values are kept, offsets shifted."""
    docs = list(docs)
    if not docs:
        return None
    vocab = docs[0].vocab
    words, spaces, fields = [], [], {"tags": [], "pos": [], "morphs": [], "lemmas": [], "heads": [], "deps": [],
                                    "sent_starts": [], "ents": []}
    pending = []  # (doc, its first token's index in the new Doc) whose user_data moves over
    has = {a: any(d.has_annotation(a) for d in docs if len(d)) for a in ("TAG", "POS", "MORPH", "LEMMA", "DEP", "ENT_IOB")}
    for k, doc in enumerate(docs):
        if doc.vocab is not vocab and doc.vocab.lang != vocab.lang:
            raise ValueError("Doc.from_docs: all Docs must share a Vocab (spaCy's E999)")
        offset = len(words)
        for t in doc:
            words.append(t.text)
            spaces.append(bool(t.whitespace_))
            fields["tags"].append(t.tag_ or None)
            fields["pos"].append(t.pos_ or None)
            fields["morphs"].append(str(t.morph) or None)
            fields["lemmas"].append(t.lemma_ or None)
            fields["heads"].append(t.head.i + offset)
            fields["deps"].append(t.dep_ or "")
            fields["sent_starts"].append(True if t.i == 0 else t.is_sent_start)
            fields["ents"].append((t.ent_iob_ + "-" + t.ent_type_) if t.ent_iob_ in ("B", "I") else (t.ent_iob_ or None))
        if len(doc) and ensure_whitespace and k + 1 < len(docs) and not doc[-1].whitespace_:
            spaces[-1] = True
        if "user_data" not in exclude and doc._has_user_data and len(doc):
            pending.append((doc, offset))
    kwargs = {name: values for name, values in fields.items()}
    for name, attr in (("tags", "TAG"), ("pos", "POS"), ("morphs", "MORPH"), ("lemmas", "LEMMA"), ("ents", "ENT_IOB")):
        if not has[attr]:
            kwargs.pop(name)
    if not has["DEP"]:
        kwargs.pop("heads")
        kwargs.pop("deps")
    out = _weft.Doc(vocab, words=words, spaces=spaces, **kwargs)
    user_data = {}
    for doc, offset in pending:
        # Extension values are keyed by character offsets: shift them by where the Doc's text now starts.
        shift = out[offset].idx - doc[0].idx
        for key, value in doc.user_data.items():
            if isinstance(key, tuple) and len(key) == 4 and key[0] == "._.":
                key = (key[0], key[1], None if key[2] is None else key[2] + shift, None if key[3] is None else key[3] + shift)
            user_data.setdefault(key, value)
    if user_data:
        out.user_data = user_data
    return out


def _tokenizer_pipe(tokenizer, texts, batch_size=1000):
    for text in texts:
        yield tokenizer(text)


def install_small_api():
    Doc, Token, Span = _weft.Doc, _weft.Token, _weft.Span
    Doc.lang = property(lambda d: _weft.StringStore.hash(d.vocab.lang), doc="The language's hash")
    Doc.lang_ = property(lambda d: d.vocab.lang, doc="The language code")
    Doc.has_unknown_spaces = property(lambda d: False, doc="Always False: a weft Doc keeps its text exactly")
    Doc.get_lca_matrix = lambda d: _lca_matrix(d, 0, len(d))
    Doc.from_docs = staticmethod(_doc_from_docs)

    def to_disk(doc, path, *, exclude=()):
        with open(os.fspath(path), "wb") as f:
            f.write(doc.to_bytes())

    def from_disk(doc, path, *, exclude=()):
        with open(os.fspath(path), "rb") as f:
            return doc.from_bytes(f.read())
    Doc.to_disk, Doc.from_disk = to_disk, from_disk

    Span.lefts = property(_span_lefts, doc="Tokens left of the span whose heads are inside it")
    Span.rights = property(_span_rights, doc="Tokens right of the span whose heads are inside it")
    Span.n_lefts = property(lambda s: sum(1 for _ in _span_lefts(s)))
    Span.n_rights = property(lambda s: sum(1 for _ in _span_rights(s)))
    Span.subtree = property(_span_subtree, doc="The span's tokens and everything below them, in order")
    Span.conjuncts = property(lambda s: _conjuncts(s.root), doc="The conjuncts of the span's root")
    Span.noun_chunks = property(_span_noun_chunks, doc="The Doc's noun chunks inside the span")
    Span.lemma_ = property(lambda s: "".join(t.lemma_ + t.whitespace_ for t in s).strip())
    Span.orth_ = property(lambda s: s.text)
    Span.vocab = property(lambda s: s.doc.vocab)
    Span.to_array = lambda s, attrs: s.doc.to_array(attrs)[s.start:s.end]
    Doc.extend_tensor = _extend_tensor
    Span.tensor = property(lambda s: s.doc.tensor[s.start:s.end], doc="The span's rows of doc.tensor (spaCy's)")
    Token.tensor = property(lambda t: t.doc.tensor[t.i], doc="The token's row of doc.tensor (spaCy's)")
    Span.get_lca_matrix = lambda s: _lca_matrix(s.doc, s.start, s.end)

    Token.conjuncts = property(_conjuncts, doc="The tokens coordinated with this one (spaCy's conjuncts)")
    Token.has_dep = lambda t: t.dep != 0
    Token.has_head = lambda t: t.head.i != t.i or t.dep != 0
    Token.has_morph = lambda t: bool(t.morph_)
    Token.iob_strings = staticmethod(lambda: ("", "I", "O", "B"))
    Token.lang = property(lambda t: _weft.StringStore.hash(t.doc.vocab.lang))
    Token.lang_ = property(lambda t: t.doc.vocab.lang)
    Token.vocab = property(lambda t: t.doc.vocab)
    Token.lex = property(lambda t: t.doc.vocab[t.text], doc="The token's Lexeme")

    # The class itself, not a blank pipeline's tokenizer: building one compiled the language's rules at import.
    tokenizer_cls = getattr(_weft, "Tokenizer", None)
    if tokenizer_cls is not None and not hasattr(tokenizer_cls, "pipe"):
        tokenizer_cls.pipe = _tokenizer_pipe
