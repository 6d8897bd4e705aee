"""MorphAnalysis: a token's morphological features (token.morph), with spaCy's interface over the UD
FEATS string the native Token stores ("Number=Sing|Person=3"; multiple values of one feature are
comma-separated, "PronType=Int,Rel")."""


class MorphAnalysis:
    __slots__ = ("_feats", "_key")

    def __init__(self, feats="", key=None):
        if isinstance(feats, dict):
            parts = []
            for field, value in sorted(feats.items()):
                values = value if isinstance(value, (list, tuple)) else str(value).split(",")
                parts.append(f"{field}={','.join(values)}")
            feats = "|".join(parts)
        self._feats = "" if feats in (None, "_") else str(feats)
        self._key = key

    # --- spaCy's MorphAnalysis API ------------------------------------------------------------
    @property
    def key(self):
        """The hash of the FEATS string (0 when there are no features)."""
        if self._key is None:
            from . import _weft

            self._key = _weft.StringStore.hash(self._feats)
        return self._key

    def _pairs(self):
        for part in self._feats.split("|") if self._feats else ():
            field, sep, values = part.partition("=")
            if not sep:
                continue
            for value in values.split(","):
                yield field, value

    def get(self, field, default=None):
        """The values of one feature as a list ("Number" -> ["Sing"]); `default` (or []) when absent."""
        values = [v for f, v in self._pairs() if f == field]
        if values:
            return values
        return [] if default is None else default

    def to_dict(self):
        """{"Number": "Sing", "PronType": "Int,Rel"}, as spaCy."""
        out = {}
        for part in self._feats.split("|") if self._feats else ():
            field, sep, values = part.partition("=")
            if sep:
                out[field] = values
        return out

    def to_json(self):
        """The FEATS string."""
        return self._feats

    def __contains__(self, feature):
        """`"Number=Sing" in token.morph`; a multi-valued feature also matches each of its values."""
        if not isinstance(feature, str):
            return False
        field, sep, values = feature.partition("=")
        if not sep:
            return False
        mine = set(self._pairs())
        return all((field, v) in mine for v in values.split(","))

    def __iter__(self):
        """One "Field=Value" string per value."""
        for field, value in self._pairs():
            yield f"{field}={value}"

    def __len__(self):
        return sum(1 for _ in self._pairs())

    def __bool__(self):
        return bool(self._feats)

    def __str__(self):
        return self._feats

    def __repr__(self):
        return self._feats

    def __eq__(self, other):
        if isinstance(other, MorphAnalysis):
            return self._feats == other._feats
        if isinstance(other, str):
            return self._feats == other
        return NotImplemented

    def __hash__(self):
        return hash(self._feats)


def _token_morph(token):
    """token.morph: the MorphAnalysis of the token's FEATS."""
    return MorphAnalysis(token.morph_, token.morph_key)


def _token_set_morph(token, features):
    """spaCy's token.set_morph(features) (also the token.morph setter): a MorphAnalysis, a UD FEATS str
    ("Number=Sing|Person=3"), a {"Field": "Value"} dict, the hash of a FEATS string, or None to unset.
    The token stores the canonical FEATS string: features sorted by name and each feature's values
    sorted, both case-insensitively ("Person=3|Number=Sing" -> "Number=Sing|Person=3")."""
    if features is None or isinstance(features, (str, int)):
        token._set_morph(features)
    elif isinstance(features, MorphAnalysis):
        token._set_morph(str(features))
    elif isinstance(features, dict):
        token._set_morph(str(MorphAnalysis(features)))
    else:
        raise TypeError("token.set_morph: expected a MorphAnalysis, a FEATS str, a dict, a hash or None, got "
                        f"{type(features).__name__}")
