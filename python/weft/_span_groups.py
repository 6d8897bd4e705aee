"""`doc.spans`: spaCy's SpanGroups, a dict-like of named SpanGroups over one Doc
(spacy/tokens/_dict_proxies.py). The groups live in the native Doc (Doc::spans), so they are saved
with it (DocBin, Doc.to_bytes, pickling), copied with it and kept consistent by doc.retokenize();
this class is a view on them, made afresh by each `doc.spans` access.

    doc.spans["errors"] = [doc[0:1], doc[1:3]]     # a list of Spans becomes a SpanGroup named "errors"
    doc.spans["errors"].append(doc[3:4])            # the group in the Doc changes
    doc.spans["copy"] = doc.spans["errors"]         # the same group under two keys, as spaCy
"""
import json
from collections.abc import MutableMapping

from . import _weft


class SpanGroups(MutableMapping):
    """A dict-like view of a Doc's span groups: keys are str, values SpanGroup objects."""

    __slots__ = ("_doc",)

    def __init__(self, doc):
        self._doc = doc

    @property
    def doc(self):
        return self._doc

    def __getitem__(self, key):
        if not isinstance(key, str):
            raise KeyError(key)
        group = self._doc._span_group_get(key)
        if group is None:
            raise KeyError(key)
        return group

    def __setitem__(self, key, value):
        if not isinstance(key, str):
            raise TypeError(f"doc.spans keys are str, not {type(key).__name__}")
        self._doc._span_group_set(key, value)

    def __delitem__(self, key):
        if not isinstance(key, str) or not self._doc._span_group_del(key):
            raise KeyError(key)

    def __iter__(self):
        return iter(self._doc._span_group_keys())

    def __len__(self):
        return len(self._doc._span_group_keys())

    def __contains__(self, key):
        return isinstance(key, str) and self._doc._span_group_get(key) is not None

    def __repr__(self):
        return repr({key: self[key] for key in self})

    def __eq__(self, other):
        if isinstance(other, SpanGroups):
            other = dict(other.items())
        return dict(self.items()) == other

    __hash__ = None

    def setdefault(self, key, default=None):
        """spaCy's SpanGroups.setdefault: a default list of Spans (or None) becomes a SpanGroup."""
        if key not in self:
            self[key] = [] if default is None else default
        return self[key]

    def copy(self, doc=None):
        """A dict {key: group.copy(doc)} of copies of the groups, bound to `doc` (default: this Doc);
        assign it to a Doc's spans with `doc.spans = ...` or `doc.spans.update(...)`."""
        doc = self._doc if doc is None else doc
        return {key: group.copy(doc=doc) for key, group in self.items()}

    def to_bytes(self):
        """The groups with their keys, as bytes (weft's own JSON layout, not spaCy's msgpack)."""
        return json.dumps([[key, json.loads(group.to_bytes())] for key, group in self.items()]).encode("utf-8")

    def from_bytes(self, bytes_data):
        """Replaces the groups with those of `to_bytes` output."""
        try:
            items = json.loads(bytes_data) if bytes_data else []
            if not isinstance(items, list) or not all(isinstance(i, list) and len(i) == 2 for i in items):
                raise ValueError
        except ValueError:
            raise _weft.ValueError("doc.spans.from_bytes: not serialized span groups") from None
        groups = [(key, _weft.SpanGroup(self._doc).from_bytes(json.dumps(data).encode("utf-8")))
                  for key, data in items]
        self.clear()
        for key, group in groups:
            self[key] = group
        return self


def _doc_spans(doc):
    return SpanGroups(doc)


def _set_doc_spans(doc, value):
    groups = dict(value.items()) if isinstance(value, (SpanGroups, dict)) else dict(value)
    view = SpanGroups(doc)
    view.clear()
    for key, group in groups.items():
        view[key] = group


def install():
    _weft.Doc.spans = property(_doc_spans, _set_doc_spans,
                               doc="The Doc's named span groups (spaCy's doc.spans), a dict-like of SpanGroups")
