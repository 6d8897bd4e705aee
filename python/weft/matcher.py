"""weft.matcher: the rule matchers (as spacy.matcher) and the Python half of extension attributes and
custom fuzzy compares in Matcher patterns.

    from weft.matcher import Matcher, levenshtein_compare
    Token.set_extension("is_fruit", default=False)
    matcher = Matcher(nlp.vocab)
    matcher.add("FRUIT", [[{"_": {"is_fruit": True}}, {"LOWER": {"FUZZY": "cake"}}]])

    def prefix_compare(input_text, pattern_text, fuzzy):
        return input_text.lower().startswith(pattern_text.lower())
    matcher = Matcher(nlp.vocab, fuzzy_compare=prefix_compare)

The native matcher never calls Python per token: before matching, the binding asks
`_extension_columns` for the value of each distinct "_" predicate at each token (one Python pass), and
calls a custom fuzzy_compare once per distinct (token string, pattern string); the default
`levenshtein_compare` runs natively.
"""
import operator
import re
from collections.abc import Iterable

from ._doc_api import Underscore
from ._weft import DependencyMatcher, Matcher, PhraseMatcher, levenshtein, levenshtein_compare  # noqa: F401

__all__ = ["Matcher", "PhraseMatcher", "DependencyMatcher", "levenshtein", "levenshtein_compare"]

_COMPARE = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge, "<=": operator.le, ">": operator.gt,
            "<": operator.lt}


def _as_set(value):
    """A token's value as spaCy's _SetPredicate reads it for IS_SUBSET / IS_SUPERSET / INTERSECTS: a
    str or int is a one-element set, an iterable of str / int a set, anything else None (no match)."""
    if isinstance(value, (str, int)):
        return {value}
    if isinstance(value, Iterable) and not isinstance(value, (bytes, bytearray)):
        items = list(value)
        if all(isinstance(v, (str, int)) for v in items):
            return set(items)
    return None


def _predicate(op, arg, fuzzy_compare):
    """The test of one "_" predicate, value -> bool, with spaCy's semantics (spacy/matcher/matcher.pyx:
    _get_extensions for plain values; _SetPredicate, _ComparisonPredicate, _RegexPredicate and
    _FuzzyPredicate with is_extension=True). Where spaCy raises TypeError because the token's value
    has the wrong type (None for a token without a value, a number for REGEX, a str against a number),
    the predicate is False."""
    if op == "":
        # A plain value compares as spaCy's attribute ids: a str by its hash (so only with a str), a bool
        # or int as the integer itself; other values (None, float, list) have no id.
        if isinstance(arg, str):
            return lambda v: isinstance(v, str) and v == arg
        want = int(arg)
        return lambda v: isinstance(v, int) and int(v) == want
    if op in ("IN", "NOT_IN"):
        values = set(arg)
        inside = op == "IN"
        return lambda v: isinstance(v, (str, int)) and ((v in values) == inside)
    if op in ("IS_SUBSET", "IS_SUPERSET", "INTERSECTS"):
        values = set(arg)

        def test(v):
            mine = _as_set(v)
            if mine is None:
                return False
            if op == "IS_SUBSET":
                return mine <= values
            if op == "IS_SUPERSET":
                return mine >= values
            return bool(mine & values)
        return test
    if op in _COMPARE:
        compare = _COMPARE[op]
        return lambda v: bool(compare(v, arg))
    if op == "REGEX":
        regex = re.compile(arg)
        return lambda v: bool(regex.search(v))
    if op.startswith("FUZZY"):
        fuzzy = int(op[5:]) if len(op) > 5 else -1
        return lambda v: v == arg or bool(fuzzy_compare(v, arg, fuzzy))
    raise ValueError(f"Matcher: unknown extension predicate {op!r}")


def _safe(test):
    def run(v):
        try:
            return test(v)
        except TypeError:
            return False
    return run


def _token_values(doc, tokens, name):
    """token._.get(name) for every token (without making a `._` object per token)."""
    ext = Underscore.token_extensions.get(name)
    if ext is None:
        raise AttributeError(f"[E046] Can't retrieve unregistered extension attribute '{name}'. Did you forget to "
                             "call the `set_extension` method?")
    default, method, getter, _ = ext
    if getter is not None:
        return [getter(t) for t in tokens]
    if method is not None:
        return [t._.get(name) for t in tokens]
    if not doc._has_user_data:
        return [default] * len(tokens)
    user_data = doc.user_data
    return [user_data.get(("._.", name, t.idx, None), default) for t in tokens]


def _extension_columns(doc, start, end, specs, fuzzy_compare):
    """For each (name, op, arg) of `specs`, a bytes of end - start entries: 1 where the predicate holds
    on doc[start + i]. Called by the native Matcher and EntityRuler before they match."""
    tokens = [doc[i] for i in range(start, end)]
    values = {}
    out = []
    for name, op, arg in specs:
        if name not in values:
            values[name] = _token_values(doc, tokens, name)
        test = _safe(_predicate(op, arg, fuzzy_compare))
        out.append(bytes(1 if test(v) else 0 for v in values[name]))
    return out

