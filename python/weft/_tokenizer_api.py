"""spaCy's tokenizer customization on weft.Tokenizer (nlp.tokenizer): add_special_case, rules,
prefix_search, suffix_search, infix_finditer, token_match, url_match, find_prefix / find_suffix /
find_infix. The rules change in place in the pipeline's C++ tokenizer (python/bindings/tokenizer.cpp),
so they are saved with nlp.to_disk. Patterns are translated to RE2 by weft.util (see its docstring
for what is accepted). Changing rules while another thread tokenizes with the same pipeline is not
supported (nor in spaCy)."""
from . import _weft, attrs
from .util import AffixPattern, TokenizerPattern, translate

_E997 = ("[E997] Tokenizer special cases are not allowed to modify the text. This would map '{chunk}' to "
         "'{orth}' given token attributes '{token_attrs}'.")
_E1005 = ("[E1005] Unable to set attribute '{attr}' in tokenizer exception for '{chunk}'. Tokenizer "
          "exceptions are only allowed to specify ORTH and NORM.")

# slot -> (rule kind, the methods of a compiled pattern that fit it, the method the getter gives)
_SLOTS = {
    "prefix_search": ("prefix", ("search", "match"), "search"),
    "suffix_search": ("suffix", ("search",), "search"),
    "infix_finditer": ("infix", ("finditer",), "finditer"),
    "token_match": ("whole", ("match", "fullmatch", "search"), "match"),
    "url_match": ("whole", ("match", "fullmatch", "search"), "match"),
}


def _key_name(key):
    if isinstance(key, int) and not isinstance(key, bool):
        return attrs.NAMES.get(key, str(key))
    if isinstance(key, str):
        return key.upper()
    raise TypeError(f"special case attribute keys are str or int, not {type(key).__name__}")


def _pieces(string, substrings):
    """spaCy's special-case pieces ([{"ORTH": ..., "NORM": ...}, ...]) as (orth, norm, mwt) triples,
    checked as spaCy's _validate_special_case does."""
    if not isinstance(string, str):
        raise TypeError(f"a special case's text must be a str, not {type(string).__name__}")
    if isinstance(substrings, (str, dict)):
        raise TypeError("special case substrings must be a list of dicts like [{'ORTH': ...}, ...]")
    substrings = list(substrings)
    out = []
    for spec in substrings:
        if not isinstance(spec, dict):
            raise TypeError(f"special case pieces must be dicts like {{'ORTH': ...}}, got {type(spec).__name__}")
        orth, norm, mwt = None, "", False
        for key, value in spec.items():
            name = _key_name(key)
            if name == "ORTH":
                orth = value
            elif name == "NORM":
                if not isinstance(value, str):
                    raise TypeError(f"the NORM of a special case piece must be a str, got {type(value).__name__}")
                norm = value
            elif name == "MWT":  # weft: this piece and the next are words of one surface token
                mwt = bool(value)
            else:
                raise ValueError(_E1005.format(attr=name, chunk=string))
        if orth is None:
            raise ValueError(f"special case '{string}': every piece needs an ORTH ({spec!r} has none)")
        if not isinstance(orth, str):
            raise TypeError(f"the ORTH of a special case piece must be a str, got {type(orth).__name__}")
        out.append((orth, norm, mwt))
    spelled = "".join(o for o, _, _ in out)
    if spelled != string:
        raise ValueError(_E997.format(chunk=string, orth=spelled, token_attrs=substrings))
    if not out or any(not o for o, _, _ in out):
        raise ValueError(f"special case '{string}': pieces may not be empty")
    return out


def _as_dicts(pieces):
    out = []
    for orth, norm, mwt in pieces:
        d = {"ORTH": orth}
        if norm:
            d["NORM"] = norm
        if mwt:
            d["MWT"] = True
        out.append(d)
    return out


def add_special_case(self, string, substrings):
    """Adds a special case (spaCy's Tokenizer.add_special_case): `string` is split into the given
    pieces, [{"ORTH": "gim", "NORM": "give"}, {"ORTH": "me"}]; the ORTHs must spell `string` (E997);
    only ORTH and NORM may be set (E1005), plus weft's MWT. Replaces a special case for the same
    text. Special cases containing whitespace never match (weft splits at whitespace first)."""
    self._add_special_case(string, _pieces(string, substrings))


def _get_rules(self):
    return {text: _as_dicts(pieces) for text, pieces in self._special_cases()}


def _set_rules(self, rules):
    cases = []
    for text, substrings in (rules or {}).items():
        cases.append((text, _pieces(text, substrings)))
    self._set_special_cases(cases)


def _source(slot, value):
    """(TokenizerPattern or None, pattern, flags, method) for a value given to a tokenizer attribute."""
    kind, methods, _ = _SLOTS[slot]
    if isinstance(value, str):
        return None, value, 0, None
    if isinstance(value, TokenizerPattern):
        return value, None, 0, None
    owner = getattr(value, "__self__", None)
    method = getattr(value, "__name__", None)
    if owner is not None and hasattr(owner, "pattern") and callable(value):
        if method not in methods:
            raise ValueError(f"nlp.tokenizer.{slot} takes the .{' / .'.join(methods)} method of a compiled "
                             f"pattern, not .{method}")
        if isinstance(owner, TokenizerPattern):
            return owner, None, 0, method
        return None, owner.pattern, getattr(owner, "flags", 0), method
    raise ValueError(
        f"nlp.tokenizer.{slot} must be None, a pattern string, or the .{methods[0]} method of a compiled "
        f"regular expression (re.compile(...).{methods[0]}, weft.util.compile_*_regex(...).{methods[0]}); "
        f"got {value!r}. weft runs its tokenizer in C++ without the GIL, so it cannot call a Python "
        "function per word")


def _affix_setter(slot):
    kind = _SLOTS[slot][0]

    def setter(self, value):
        if value is None:
            self._set_affix_rules(kind, [])
            return
        obj, pattern, flags, method = _source(slot, value)
        if obj is not None:
            rules = [(str(p), p.mwt) for p in obj.patterns]
        else:
            current = dict(self._affix_rules(kind))
            rules = []
            for r in translate(pattern, flags, kind, method or _SLOTS[slot][2], where=f"nlp.tokenizer.{slot}"):
                rules.append((r, current.get(r, False)))  # a rule already there keeps its MWT flag
        self._set_affix_rules(kind, rules)

    def getter(self):
        rules = self._affix_rules(kind)
        if not rules:
            return None
        return getattr(TokenizerPattern(kind, [AffixPattern(p, mwt) for p, mwt in rules]), _SLOTS[slot][2])

    return property(getter, setter, doc=f"spaCy's Tokenizer.{slot}: the bound .{_SLOTS[slot][2]} of a "
                                        "weft.util.TokenizerPattern holding the rules, or None; settable")


def _match_setter(slot):
    def setter(self, value):
        if value is None:
            self._set_match_rule(slot, "")
            return
        obj, pattern, flags, method = _source(slot, value)
        if obj is not None:
            patterns = [str(p) for p in obj.patterns]
            compiled = patterns[0] if len(patterns) == 1 else "|".join("(?:" + p + ")" for p in patterns)
        else:
            compiled = translate(pattern, flags, "whole", method or "match", where=f"nlp.tokenizer.{slot}")
        self._set_match_rule(slot, compiled)

    def getter(self):
        pattern = self._match_rule(slot)
        return TokenizerPattern("whole", [pattern]).match if pattern else None

    return property(getter, setter, doc=f"spaCy's Tokenizer.{slot}: the .match of a weft.util.TokenizerPattern "
                                        "(a whole-string match), or None; settable")


def find_prefix(self, string):
    """The length of the prefix the tokenizer would split off `string` (0 if none), as spaCy's."""
    search = self.prefix_search
    m = search(string) if search is not None else None
    return (m.end() - m.start()) if m is not None else 0


def find_suffix(self, string):
    """The length of the suffix the tokenizer would split off `string` (0 if none), as spaCy's."""
    search = self.suffix_search
    m = search(string) if search is not None else None
    return (m.end() - m.start()) if m is not None else 0


def find_infix(self, string):
    """The infix matches of `string` (spaCy's find_infix: a list of match objects)."""
    finditer = self.infix_finditer
    return list(finditer(string)) if finditer is not None else []


def install():
    cls = _weft.Tokenizer
    cls.add_special_case = add_special_case
    cls.rules = property(_get_rules, _set_rules, doc="The special cases, {text: [{'ORTH': ..., 'NORM': ...}]}; "
                                                      "assigning replaces them all (spaCy's Tokenizer.rules)")
    for slot in ("prefix_search", "suffix_search", "infix_finditer"):
        setattr(cls, slot, _affix_setter(slot))
    for slot in ("token_match", "url_match"):
        setattr(cls, slot, _match_setter(slot))
    cls.find_prefix = find_prefix
    cls.find_suffix = find_suffix
    cls.find_infix = find_infix
