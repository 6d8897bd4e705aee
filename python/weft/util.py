"""Tokenizer-rule helpers, as in spacy.util: compile_prefix_regex, compile_suffix_regex and
compile_infix_regex build what nlp.tokenizer.prefix_search, suffix_search and infix_finditer take, and
language_defaults (also nlp.Defaults) gives a language's built-in rules to extend:

    prefixes = list(nlp.Defaults.prefixes) + [r"<<"]
    nlp.tokenizer.prefix_search = weft.util.compile_prefix_regex(prefixes).search

weft runs its tokenizer in C++ on worker threads without the GIL, so it never calls a Python function
per word: a rule is a regular expression that weft runs with RE2. What the tokenizer attributes accept
is a pattern, not any callable: the .search / .finditer / .match method of a compiled Python `re`
pattern (or of what the functions here return), a pattern string, or None. A Python pattern is
translated to RE2 alternative by alternative:

- a lookbehind at the start and a lookahead at the end of an alternative become weft's context (the
  rule's capturing group is then the affix): r"(?<=[0-9])-(?=[0-9])" is the rule "[0-9](-)[0-9]".
  A negative lookaround must hold one character or character class: (?![0-9]) -> (?:[^0-9]|$).
- lookaround anywhere else, backreferences, conditionals, atomic groups and possessive quantifiers
  have no RE2 equivalent and raise ValueError naming the construct.
- \\d, \\w and \\s keep their Unicode meaning (\\p{Nd}, [\\p{L}\\p{N}_], Unicode spaces); \\b and \\B are
  ASCII word boundaries in RE2.
- prefix alternatives must start with ^ and suffix alternatives end with $ (compile_prefix_regex and
  compile_suffix_regex add them): spaCy's handling of unanchored ones has no RE2 equivalent.
- without lookaround, an alternative's single capturing group marks the affix, as in weft's own rules
  (nlp.Defaults.prefixes are written that way); use (?:...) for plain grouping.

Patterns from nlp.Defaults (AffixPattern strings) are weft rules already (RE2 syntax, \\p{L} classes)
and pass through unchanged, with their multi-word-token flag.

Also the helpers weft.load and the command line share to import user code (import_file,
import_code: spaCy's --code).
"""
import importlib.util
import os
import re
import sys
import unicodedata

from . import _weft

__all__ = [
    "AffixPattern", "TokenizerPattern", "RuleMatch", "LanguageDefaults", "compile_prefix_regex",
    "compile_suffix_regex", "compile_infix_regex", "language_defaults", "import_file", "import_code",
]


class AffixPattern(str):
    """One weft tokenizer rule (RE2 syntax, capturing group = the affix), as nlp.Defaults lists them.
    A str, so it joins lists of plain patterns; `mwt` tells whether the affix forms a multi-word token
    with its neighbour (UD English: "do" + "n't")."""

    def __new__(cls, pattern, mwt=False):
        obj = super().__new__(cls, pattern)
        obj.mwt = bool(mwt)
        return obj

    def __reduce__(self):
        return (AffixPattern, (str(self), self.mwt))


class RuleMatch:
    """A match of a TokenizerPattern, with the parts of re.Match that tokenizer code uses."""

    __slots__ = ("re", "string", "_start", "_end")

    def __init__(self, pattern, string, start, end):
        self.re, self.string, self._start, self._end = pattern, string, start, end

    def _check(self, group):
        if group != 0:
            raise IndexError("no such group (weft rule matches have only group 0)")

    def start(self, group=0):
        self._check(group)
        return self._start

    def end(self, group=0):
        self._check(group)
        return self._end

    def span(self, group=0):
        self._check(group)
        return (self._start, self._end)

    def group(self, *groups):
        for g in groups:
            self._check(g)
        text = self.string[self._start:self._end]
        return text if len(groups) <= 1 else (text,) * len(groups)

    def __getitem__(self, group):
        return self.group(group)

    def groups(self, default=None):
        return ()

    @property
    def pos(self):
        return 0

    @property
    def endpos(self):
        return len(self.string)

    def __bool__(self):
        return True

    def __repr__(self):
        return f"<weft.util.RuleMatch object; span=({self._start}, {self._end}), match={self.group()!r}>"


_KINDS = ("prefix", "suffix", "infix", "whole")


class TokenizerPattern:
    """A class of weft tokenizer rules compiled with RE2, with the methods of a compiled regular
    expression: what compile_prefix_regex & co. return and what nlp.tokenizer.prefix_search & co. are
    bound methods of. It matches as the tokenizer applies the rules: search() gives the prefix (kind
    "prefix") or the suffix ("suffix"), finditer() the infixes ("infix"), match() a whole-string match
    (token_match, url_match: kind "whole"). `patterns` are the weft rules; `pattern` is the combined
    expression spelled as spaCy's util builds it ("^a|^b")."""

    flags = 0

    def __init__(self, kind, patterns):
        if kind not in _KINDS:
            raise ValueError(f"TokenizerPattern kind must be one of {_KINDS}, not {kind!r}")
        self.kind = kind
        self.patterns = [p if isinstance(p, AffixPattern) else AffixPattern(p) for p in patterns]
        self._matcher = _weft._RulePattern(kind, [(str(p), p.mwt) for p in self.patterns])

    @property
    def pattern(self):
        if self.kind == "prefix":
            return "|".join("^" + p for p in self.patterns)
        if self.kind == "suffix":
            return "|".join(p + "$" for p in self.patterns)
        if self.kind == "whole" and self.patterns:
            return "^(?:" + "|".join(self.patterns) + ")$"
        return "|".join(self.patterns)

    def _match(self, string, pos=0):
        if not isinstance(string, str):
            raise TypeError(f"expected str, got {type(string).__name__}")
        span = self._matcher.find(string, pos)
        return RuleMatch(self, string, *span) if span is not None else None

    def search(self, string):
        return self._match(string)

    def match(self, string):
        m = self._match(string)
        return m if m is not None and m.start() == 0 else None

    def fullmatch(self, string):
        m = self._match(string)
        return m if m is not None and m.span() == (0, len(string)) else None

    def finditer(self, string):
        if not isinstance(string, str):
            raise TypeError(f"expected str, got {type(string).__name__}")
        return iter([RuleMatch(self, string, a, b) for a, b in self._matcher.find_all(string)])

    def findall(self, string):
        return [m.group() for m in self.finditer(string)]

    def __eq__(self, other):
        return isinstance(other, TokenizerPattern) and (self.kind, self.patterns) == (other.kind, other.patterns)

    def __hash__(self):
        return hash((self.kind, tuple(self.patterns)))

    def __reduce__(self):
        return (TokenizerPattern, (self.kind, self.patterns))

    def __repr__(self):
        return f"weft.util.TokenizerPattern({self.kind!r}, {len(self.patterns)} rules)"


# ---- Python regular expressions -> RE2 rules ------------------------------------------------------

class _Node:
    """A parsed piece of a Python pattern: kind "lit" (RE2 text; `neg` is its complement when it is one
    character or class), "group" (alts; cap: capturing; flags: "(?i:" style opener or ""), "look"
    (op "=", "!", "<=", "<!"; alts), "anchor" (text), "rep" (node, quant)."""

    __slots__ = ("kind", "text", "neg", "alts", "cap", "flags", "op", "node", "quant")

    def __init__(self, kind, **kw):
        self.kind = kind
        self.text = kw.get("text")
        self.neg = kw.get("neg")
        self.alts = kw.get("alts")
        self.cap = kw.get("cap", False)
        self.flags = kw.get("flags", "")
        self.op = kw.get("op")
        self.node = kw.get("node")
        self.quant = kw.get("quant")


_LOOK_NAMES = {"=": "lookahead (?=...)", "!": "negative lookahead (?!...)", "<=": "lookbehind (?<=...)",
               "<!": "negative lookbehind (?<!...)"}
_UNI_SPACE = r"\t-\r\x{1c}-\x{1f} \x{85}\p{Z}"


def _lit(ch):
    """RE2 text for one literal character."""
    o = ord(ch)
    if o < 128:
        if ch.isalnum() or ch == "_":
            return ch
        if 32 < o < 127:
            return "\\" + ch
        return "\\x{%x}" % o
    if unicodedata.category(ch)[0] in "CZ":
        return "\\x{%x}" % o
    return ch


class _Parser:
    def __init__(self, pattern, flags, where):
        self.p = pattern
        self.i = 0
        self.where = where
        self.verbose = bool(flags & re.VERBOSE)
        self.ascii = bool(flags & re.ASCII)
        self.global_flags = "".join(c for f, c in ((re.IGNORECASE, "i"), (re.MULTILINE, "m"), (re.DOTALL, "s"))
                                    if flags & f)

    def fail(self, what):
        raise ValueError(f"{self.where}: {what} in the pattern {self.p!r} cannot be run by weft's tokenizer, "
                         "which uses RE2 (no lookaround except at the edges of an alternative, no "
                         "backreferences); rewrite the pattern without it")

    def error(self, msg):
        raise ValueError(f"{self.where}: {msg} in the pattern {self.p!r}")

    def peek(self, k=0):
        j = self.i + k
        return self.p[j] if j < len(self.p) else ""

    def parse(self):
        alts = self.alternation()
        if self.i < len(self.p):
            self.error(f"unbalanced ')' at position {self.i}")
        return alts

    def alternation(self):
        alts = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            alts.append(self.sequence())
        return alts

    def skip_verbose(self):
        while self.verbose and self.i < len(self.p):
            c = self.p[self.i]
            if c.isspace():
                self.i += 1
            elif c == "#":
                while self.i < len(self.p) and self.p[self.i] != "\n":
                    self.i += 1
            else:
                break

    def sequence(self):
        items = []
        while True:
            self.skip_verbose()
            c = self.peek()
            if c == "" or c in "|)":
                return items
            node = self.atom()
            if node is None:
                continue
            items.append(self.quantifier(node))

    def quantifier(self, node):
        self.skip_verbose()
        c = self.peek()
        quant = None
        if c in ("*", "+", "?"):
            quant = c
            self.i += 1
        elif c == "{":
            m = re.compile(r"\{(\d*)(?:(,)(\d*))?\}").match(self.p, self.i)
            if m and (m.group(1) or m.group(3)):
                lo, comma, hi = m.group(1) or "0", m.group(2), m.group(3)
                quant = "{" + lo + ("," + hi if comma else "") + "}"
                self.i = m.end()
        if quant is None:
            return node
        if self.peek() == "?":
            quant += "?"
            self.i += 1
        elif self.peek() == "+":
            self.fail("a possessive quantifier (" + quant + "+)")
        if node.kind in ("anchor", "look"):
            self.error("a quantifier after a zero-width assertion")
        return _Node("rep", node=node, quant=quant)

    def group(self, **kw):
        alts = self.alternation()
        if self.peek() != ")":
            self.error("missing ')'")
        self.i += 1
        return _Node("group", alts=alts, **kw)

    def atom(self):
        p = self.p
        c = p[self.i]
        self.i += 1
        if c == "(":
            if self.peek() != "?":
                return self.group(cap=True)
            self.i += 1
            k = self.peek()
            if k == "#":
                end = p.find(")", self.i)
                if end < 0:
                    self.error("missing ')' after (?#")
                self.i = end + 1
                return None
            if k == ":":
                self.i += 1
                return self.group()
            if k == "P" and self.peek(1) == "<":
                end = p.find(">", self.i)
                if end < 0:
                    self.error("unterminated group name")
                self.i = end + 1
                return self.group(cap=True)
            if k == "P" and self.peek(1) == "=":
                self.fail("a backreference (?P=...)")
            if k in "=!":
                self.i += 1
                return _Node("look", op=k, alts=self.group().alts)
            if k == "<" and self.peek(1) in ("=", "!"):
                op = "<" + self.peek(1)
                self.i += 2
                return _Node("look", op=op, alts=self.group().alts)
            if k == "<":
                end = p.find(">", self.i)
                if end < 0:
                    self.error("unterminated group name")
                self.i = end + 1
                return self.group(cap=True)
            if k == "(":
                self.fail("a conditional group (?(...)...)")
            if k == ">":
                self.fail("an atomic group (?>...)")
            return self.flag_group()
        if c == "[":
            return self.char_class()
        if c == ".":
            return _Node("lit", text=".", neg="\\n")
        if c in "^$":
            return _Node("anchor", text=c)
        if c == "\\":
            return self.escape()
        if c in "*+?":
            self.error(f"nothing to repeat at position {self.i - 1}")
        return _Node("lit", text=_lit(c), neg="[^" + _lit(c) + "]")

    def flag_group(self):
        m = re.compile(r"([aiLmsux]*)(?:-([imsx]+))?([:)])").match(self.p, self.i)
        if not m:
            self.error(f"unknown extension (?{self.peek()} at position {self.i - 2}")
        self.i = m.end()
        on, off, end = m.group(1), m.group(2) or "", m.group(3)
        if end == ")":  # global flags (Python allows them only at the start)
            if "x" in on:
                self.verbose = True
            if "a" in on:
                self.ascii = True
            self.global_flags += "".join(f for f in on if f in "ims" and f not in self.global_flags)
            return None
        saved = (self.verbose, self.ascii)
        if "x" in on:
            self.verbose = True
        if "x" in off:
            self.verbose = False
        if "a" in on:
            self.ascii = True
        re2_on = "".join(f for f in on if f in "ims")
        re2_off = "".join(f for f in off if f in "ims")
        opener = "(?" + re2_on + ("-" + re2_off if re2_off else "") + ":" if (re2_on or re2_off) else ""
        node = self.group(flags=opener)
        self.verbose, self.ascii = saved
        return node

    def code_escape(self, c):
        """The character of a \\x, \\u, \\U, \\N or octal escape (after its letter), or None."""
        p = self.p
        if c == "x":
            if self.peek() == "{":  # RE2's \x{...}
                end = p.find("}", self.i)
                if end < 0:
                    self.error("unterminated \\x{")
                code = int(p[self.i + 1:end], 16)
                self.i = end + 1
                return chr(code)
            digits = p[self.i:self.i + 2]
            self.i += 2
            return chr(int(digits, 16))
        if c in "uU":
            n = 4 if c == "u" else 8
            digits = p[self.i:self.i + n]
            self.i += n
            return chr(int(digits, 16))
        if c == "N":
            end = p.find("}", self.i)
            name = p[self.i + 1:end]
            self.i = end + 1
            return unicodedata.lookup(name)
        if c == "0":
            digits = "0"
            while len(digits) < 3 and self.peek() in "01234567" and self.peek():
                digits += self.peek()
                self.i += 1
            return chr(int(digits, 8))
        if c in "1234567" and self.peek() and self.peek() in "01234567" and self.peek(1) and self.peek(1) in "01234567":
            digits = c + self.p[self.i:self.i + 2]
            self.i += 2
            return chr(int(digits, 8))
        return None

    def class_escape_sets(self, c):
        """(text inside a class, complement text inside a class or None) for \\d \\w \\s and friends."""
        if self.ascii:
            table = {"d": ("0-9", None), "w": ("0-9A-Za-z_", None), "s": ("\\t-\\r ", None),
                     "D": ("\\D", None), "W": ("\\W", None), "S": ("\\S", None)}
        else:
            table = {"d": ("\\p{Nd}", "\\P{Nd}"), "D": ("\\P{Nd}", "\\p{Nd}"), "w": ("\\p{L}\\p{N}_", None),
                     "s": (_UNI_SPACE, None), "W": (None, None), "S": (None, None)}
        return table[c]

    def escape(self):
        p = self.p
        if self.i >= len(p):
            self.error("a trailing backslash")
        c = p[self.i]
        self.i += 1
        if c in "AbB":
            return _Node("anchor", text="\\" + c)
        if c in "Zz":
            return _Node("anchor", text="\\z")
        if c in "dDwWsS":
            inner, neg = self.class_escape_sets(c)
            if c in "dD" and not self.ascii:
                return _Node("lit", text=inner, neg=neg)
            if inner is None:  # \W, \S: the complement of \w, \s
                pos = self.class_escape_sets(c.lower())[0]
                return _Node("lit", text="[^" + pos + "]", neg="[" + pos + "]")
            if inner.startswith("\\") and len(inner) == 2:  # ASCII \D \W \S
                return _Node("lit", text=inner, neg=None)
            return _Node("lit", text="[" + inner + "]", neg="[^" + inner + "]")
        if c in "pP":  # RE2's Unicode classes (not Python's)
            if self.peek() == "{":
                end = p.find("}", self.i)
                name = p[self.i:end + 1]
                self.i = end + 1
            else:
                name = self.peek()
                self.i += 1
            other = "P" if c == "p" else "p"
            return _Node("lit", text="\\" + c + name, neg="\\" + other + name)
        if c in "afnrtv":
            return _Node("lit", text="\\" + c, neg="[^\\" + c + "]")
        ch = self.code_escape(c)
        if ch is not None:
            return _Node("lit", text=_lit(ch), neg="[^" + _lit(ch) + "]")
        if c.isdigit():
            self.fail(f"a backreference (\\{c})")
        if c.isascii() and c.isalpha():
            self.error(f"the unknown escape \\{c}")
        return _Node("lit", text=_lit(c), neg="[^" + _lit(c) + "]")

    def char_class(self):
        p = self.p
        negate = False
        if self.peek() == "^":
            negate = True
            self.i += 1
        parts = []
        first = True
        while True:
            if self.i >= len(p):
                self.error("an unterminated character set")
            c = p[self.i]
            self.i += 1
            if c == "]" and not first:
                break
            first = False
            if c == "\\":
                if self.i >= len(p):
                    self.error("a trailing backslash")
                e = p[self.i]
                self.i += 1
                if e in "dDwWsS":
                    inner, _ = self.class_escape_sets(e)
                    if inner is None:
                        self.error(f"\\{e} inside a character set (RE2 has no Unicode \\{e} there; "
                                   "use a negated set or the re.ASCII flag)")
                    parts.append(inner)
                elif e in "pP":
                    if self.peek() == "{":
                        end = p.find("}", self.i)
                        parts.append("\\" + e + p[self.i:end + 1])
                        self.i = end + 1
                    else:
                        parts.append("\\" + e + self.peek())
                        self.i += 1
                elif e == "b":
                    parts.append("\\x{8}")
                elif e in "afnrtv":
                    parts.append("\\" + e)
                else:
                    ch = self.code_escape(e)
                    if ch is None:
                        if e.isascii() and e.isalnum():
                            self.error(f"the unknown escape \\{e}")
                        ch = e
                    parts.append(_lit(ch))
            elif c in "[]^\\":
                parts.append("\\" + c)
            elif c == "-":
                parts.append("-")
            else:
                parts.append(_lit(c))
        body = "".join(parts)
        text = "[" + ("^" if negate else "") + body + "]"
        return _Node("lit", text=text, neg="[" + ("" if negate else "^") + body + "]")


def _emit(node, capture):
    k = node.kind
    if k in ("lit", "anchor"):
        return node.text
    if k == "rep":
        inner = _emit(node.node, capture)
        if node.node.kind == "lit" or (node.node.kind == "group"):
            return inner + node.quant
        return "(?:" + inner + ")" + node.quant
    if k == "group":
        body = "|".join(_emit_seq(a, capture) for a in node.alts)
        if node.flags:
            return node.flags + body + ")"
        return ("(" if node.cap and capture else "(?:") + body + ")"
    raise AssertionError(k)


def _emit_seq(nodes, capture):
    return "".join(_emit(n, capture) for n in nodes)


def _walk(nodes):
    for n in nodes:
        yield n
        if n.kind == "rep":
            yield from _walk([n.node])
        elif n.alts:
            for a in n.alts:
                yield from _walk(a)


def _no_lookaround(parser, nodes):
    for n in _walk(nodes):
        if n.kind == "look":
            parser.fail("a " + _LOOK_NAMES[n.op] + " here (a lookbehind can only open, and a lookahead only "
                        "close, an alternative of a prefix, suffix or infix pattern)")


def _context(parser, look):
    """RE2 text that consumes what a lookaround asserts."""
    if look.op in ("=", "<="):
        _no_lookaround(parser, [n for a in look.alts for n in a])
        return "(?:" + "|".join(_emit_seq(a, False) for a in look.alts) + ")"
    if len(look.alts) != 1 or len(look.alts[0]) != 1 or look.alts[0][0].kind != "lit" or not look.alts[0][0].neg:
        parser.fail("a " + _LOOK_NAMES[look.op] + " of more than one character or character class")
    neg = look.alts[0][0].neg
    return "(?:" + neg + "|$)" if look.op == "!" else "(?:^|" + neg + ")"


def _is_anchor(node, texts):
    return node.kind == "anchor" and node.text in texts


def _anchored(nodes, texts, first):
    """Whether the alternative `nodes` starts (first) or ends with one of the anchors `texts`, also
    inside a group all of whose alternatives do."""
    if not nodes:
        return False
    n = nodes[0] if first else nodes[-1]
    if n.kind == "anchor":
        return n.text in texts
    if n.kind == "group":
        return all(_anchored(a, texts, first) for a in n.alts)
    return False


def _affix_rule(parser, nodes, kind, method):
    """One alternative of a Python prefix/suffix/infix pattern as a weft rule, or None when it can
    never match."""
    nodes = list(nodes)
    if kind == "prefix":
        start_anchored = method == "match" or _anchored(nodes, ("^", "\\A"), True)
        while nodes and _is_anchor(nodes[0], ("^", "\\A")):
            nodes.pop(0)
        if not start_anchored:
            parser.error(f"the prefix alternative {_emit_seq(nodes, True)!r} is not anchored with ^ (spaCy "
                         "would split off as many characters as the match has, from wherever it is; weft "
                         "cannot express that)")
    if kind == "suffix":
        end_anchored = _anchored(nodes, ("$", "\\z"), False)
        while nodes and _is_anchor(nodes[-1], ("$", "\\z")):
            nodes.pop()
        if not end_anchored:
            parser.error(f"the suffix alternative {_emit_seq(nodes, True)!r} is not anchored with $ (spaCy "
                         "would split off as many characters as the match has, from wherever it is; weft "
                         "cannot express that)")
    before = nodes.pop(0) if nodes and nodes[0].kind == "look" and nodes[0].op in ("<=", "<!") else None
    after = nodes.pop() if nodes and nodes[-1].kind == "look" and nodes[-1].op in ("=", "!") else None
    _no_lookaround(parser, nodes)
    has_look = before is not None or after is not None
    core = _emit_seq(nodes, capture=not has_look)
    if kind == "prefix":
        if before is not None and before.op == "<=":
            return None  # nothing precedes the start of the text
        # (a negative lookbehind holds at the start of the text)
        if after is not None:
            return "(" + core + ")" + _context(parser, after)
        return core
    if kind == "suffix":
        if after is not None and after.op == "=":
            return None  # nothing follows the end of the text
        if before is not None:
            return _context(parser, before) + "(" + core + ")"
        return core
    # infix
    if not has_look:
        return core
    return (_context(parser, before) if before else "") + "(" + core + ")" + (_context(parser, after) if after else "")


def translate(pattern, flags=0, kind="infix", method=None, where="pattern"):
    """A Python regular expression as weft rules (RE2): a list of rules for kind "prefix", "suffix" or
    "infix" (searched as spaCy's prefix_search / suffix_search / infix_finditer use them), one pattern
    string that must match a whole string for kind "whole" (token_match, url_match: `method` "match"
    (the default), "fullmatch" or "search" tells how the Python pattern was applied). Raises ValueError
    for constructs RE2 cannot run."""
    if isinstance(pattern, bytes):
        raise TypeError(f"{where}: weft's tokenizer rules are str patterns, not bytes")
    parser = _Parser(pattern, flags, where)
    alts = parser.parse()
    lead = "(?" + parser.global_flags + ")" if parser.global_flags else ""
    if kind == "whole":
        _no_lookaround(parser, [n for a in alts for n in a])
        body = "|".join(_emit_seq(a, False) for a in alts)
        method = method or "match"
        if method == "fullmatch":
            return lead + body
        if method == "search":
            return lead + "(?s:.*?)(?:" + body + ")(?s:.*)"
        if all(a and _is_anchor(a[-1], ("$", "\\z")) for a in alts):
            return lead + body
        return lead + "(?:" + body + ")(?s:.*)"
    rules = []
    for a in alts:
        rule = _affix_rule(parser, a, kind, method)
        if rule:
            rules.append(lead + rule)
    return rules


def _entries_rules(entries, kind):
    rules = []
    for e in entries:
        if isinstance(e, AffixPattern):
            rules.append(e)
            continue
        pattern, flags = (e.pattern, e.flags) if hasattr(e, "pattern") and hasattr(e, "flags") else (e, 0)
        if not isinstance(pattern, str):
            raise TypeError(f"compile_{kind}_regex: entries must be str patterns, got {type(pattern).__name__}")
        if not pattern.strip():
            continue
        wrapped = "^" + pattern if kind == "prefix" else pattern + "$" if kind == "suffix" else pattern
        rules.extend(AffixPattern(r) for r in translate(wrapped, flags, kind, "search",
                                                         where=f"compile_{kind}_regex"))
    return rules


def compile_prefix_regex(entries):
    """spaCy's compile_prefix_regex: the prefix rules as one TokenizerPattern, whose .search is what
    nlp.tokenizer.prefix_search takes. Each entry is anchored at the start ("^" + entry) as in spaCy."""
    return TokenizerPattern("prefix", _entries_rules(entries, "prefix"))


def compile_suffix_regex(entries):
    """spaCy's compile_suffix_regex: each entry anchored at the end (entry + "$"); .search is what
    nlp.tokenizer.suffix_search takes."""
    return TokenizerPattern("suffix", _entries_rules(entries, "suffix"))


def compile_infix_regex(entries):
    """spaCy's compile_infix_regex; .finditer is what nlp.tokenizer.infix_finditer takes."""
    return TokenizerPattern("infix", _entries_rules(entries, "infix"))


# ---- language defaults ----------------------------------------------------------------------------

_DEFAULT_CONFIGS = {}


def _affix_list(config, key):
    out = []
    for r in config.get(key) or []:
        if isinstance(r, dict):
            out.append(AffixPattern(r["pattern"], r.get("mwt", False)))
        else:
            out.append(AffixPattern(r))
    return out


def _special_case_dicts(pieces):
    out = []
    for p in pieces:
        if isinstance(p, str):
            out.append({"ORTH": p})
            continue
        d = {"ORTH": p["orth"]}
        if p.get("norm"):
            d["NORM"] = p["norm"]
        if p.get("mwt"):
            d["MWT"] = True
        out.append(d)
    return out


class LanguageDefaults:
    """A language's built-in tokenizer rules, spaCy's Language.Defaults: prefixes, suffixes and infixes
    (lists of AffixPattern, fresh on every access of nlp.Defaults, so they can be extended in place),
    token_match and url_match (the .match of a TokenizerPattern, or None) and tokenizer_exceptions
    (the special cases, in spaCy's {text: [{"ORTH": ...}, ...]} form)."""

    def __init__(self, lang):
        if lang not in _DEFAULT_CONFIGS:
            _DEFAULT_CONFIGS[lang] = _weft.Pipeline.blank(lang).tokenizer.to_json()
        config = _DEFAULT_CONFIGS[lang]
        self.lang = lang
        self.prefixes = _affix_list(config, "prefixes")
        self.suffixes = _affix_list(config, "suffixes")
        self.infixes = _affix_list(config, "infixes")
        tm, um = config.get("token_match") or "", config.get("url_match") or ""
        self.token_match = TokenizerPattern("whole", [tm]).match if tm else None
        self.url_match = TokenizerPattern("whole", [um]).match if um else None
        self.tokenizer_exceptions = {k: _special_case_dicts(v) for k, v in (config.get("special_cases") or {}).items()}

    def __repr__(self):
        return f"<weft.util.LanguageDefaults {self.lang!r}>"


def language_defaults(lang):
    """The built-in tokenizer rules of language `lang` ("en"), as nlp.Defaults gives them."""
    return LanguageDefaults(lang)

def import_file(name, path):
    """Imports the Python file at `path` as module `name` (spaCy's util.import_file)."""
    spec = importlib.util.spec_from_file_location(name, str(path))
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def import_code(code):
    """Imports Python code that registers components, tokenizers or extension attributes before a
    pipeline is loaded (spaCy's --code): a path, or a list of paths, or None. Each file is imported as
    module "python_code" (spaCy's name), the next one replacing the name, not the module."""
    if code is None:
        return
    paths = [code] if isinstance(code, (str, os.PathLike)) else list(code)
    for path in paths:
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"weft: the Python code file {path!r} (code=) does not exist")
        import_file("python_code", path)
