"""Custom extension attributes ("_") in Matcher and EntityRuler patterns, and a user-supplied
fuzzy_compare, as spaCy 3.8 (spacy/matcher/matcher.pyx, levenshtein.pyx). The native matcher reads
per-token columns that Python computes before matching (weft/matcher.py). test_same_as_spacy compares
with spaCy itself where it can be run (an importable spacy, or SPACY_PYTHON)."""
import json
import subprocess
import sys
import threading

import pytest

import weft
from weft import Token
from weft.matcher import Matcher, levenshtein, levenshtein_compare


@pytest.fixture(scope="module")
def nlp():
    return weft.blank("en")


@pytest.fixture
def ext():
    """Registers token extensions for one test (force=True) and removes them afterwards."""
    names = []

    def register(name, **kwargs):
        Token.set_extension(name, force=True, **kwargs)
        names.append(name)

    yield register
    for name in names:
        if Token.has_extension(name):
            Token.remove_extension(name)


def doc_of(nlp, words):
    return weft.Doc(nlp.vocab, words=words)


def spans(matches):
    return [(s, e) for _, s, e in matches]


def matches_of(nlp, doc, *patterns, **kwargs):
    m = Matcher(nlp.vocab, **kwargs)
    m.add("K", list(patterns))
    return spans(m(doc))


def fruit_doc(nlp):
    doc = doc_of(nlp, ["I", "like", "apple", "and", "pear", "cake", "9"])
    doc[2]._.is_fruit = True
    doc[4]._.is_fruit = True
    doc[2]._.price = 3
    doc[4]._.price = 7.5
    doc[5]._.price = 12
    doc[2]._.tags = ["red", "sweet"]
    doc[4]._.tags = ["green"]
    doc[5]._.tags = "sweet"
    doc[6]._.tags = [1, 2]
    return doc


@pytest.fixture
def fruits(nlp, ext):
    ext("is_fruit", default=False)
    ext("price", default=None)
    ext("tags", default=None)
    return fruit_doc(nlp)


def test_plain_values(nlp, fruits):
    assert matches_of(nlp, fruits, [{"_": {"is_fruit": True}}]) == [(2, 3), (4, 5)]
    assert matches_of(nlp, fruits, [{"_": {"is_fruit": 1}}]) == [(2, 3), (4, 5)]  # bool and int ids agree
    assert matches_of(nlp, fruits, [{"_": {"is_fruit": False}}]) == [(0, 1), (1, 2), (3, 4), (5, 6), (6, 7)]
    assert matches_of(nlp, fruits, [{"_": {"price": 3}}]) == [(2, 3)]
    assert matches_of(nlp, fruits, [{"_": {"price": 12}}, {"LENGTH": 1}]) == [(5, 7)]
    # None (never set) and floats have no attribute id: no match (spaCy raises TypeError on None).
    assert matches_of(nlp, fruits, [{"_": {"price": 7}}]) == []
    # Combined with token attributes, operators and each other.
    assert matches_of(nlp, fruits, [{"LOWER": "like"}, {"_": {"is_fruit": True, "price": 3}}]) == [(1, 3)]
    assert matches_of(nlp, fruits, [{"_": {"is_fruit": True}, "OP": "+"}, {"LOWER": "cake"}]) == [(4, 6)]
    assert matches_of(nlp, fruits, [{"_": {}}]) == [(i, i + 1) for i in range(7)]  # no test: any token


def test_strings_compare_as_strings(nlp, ext):
    ext("colour", default="")
    doc = doc_of(nlp, ["a", "b", "c", "d"])
    doc[0]._.colour = "red"
    doc[1]._.colour = "Red"
    doc[2]._.colour = 5
    assert matches_of(nlp, doc, [{"_": {"colour": "red"}}]) == [(0, 1)]
    assert matches_of(nlp, doc, [{"_": {"colour": ""}}]) == [(3, 4)]
    assert matches_of(nlp, doc, [{"_": {"colour": "5"}}]) == []  # the str "5" is not the int 5


def test_set_predicates(nlp, fruits):
    assert matches_of(nlp, fruits, [{"_": {"price": {"IN": [3, 12]}}}]) == [(2, 3), (5, 6)]
    # NOT_IN is False for values that are no str / int (None, 7.5), as spaCy's _SetPredicate.
    assert matches_of(nlp, fruits, [{"_": {"price": {"NOT_IN": [3]}}}]) == [(5, 6)]
    assert matches_of(nlp, fruits, [{"_": {"is_fruit": {"IN": [1]}}}]) == [(2, 3), (4, 5)]  # True is 1
    assert matches_of(nlp, fruits, [{"_": {"tags": {"IS_SUBSET": ["red", "sweet", "green"]}}}]) == [(2, 3), (4, 5),
                                                                                                    (5, 6)]
    assert matches_of(nlp, fruits, [{"_": {"tags": {"IS_SUPERSET": ["sweet"]}}}]) == [(2, 3), (5, 6)]
    assert matches_of(nlp, fruits, [{"_": {"tags": {"INTERSECTS": ["green", "red"]}}}]) == [(2, 3), (4, 5)]
    assert matches_of(nlp, fruits, [{"_": {"tags": {"IS_SUBSET": [1, 2, 3]}}}]) == [(6, 7)]
    assert matches_of(nlp, fruits, [{"_": {"tags": {"IS_SUPERSET": []}}}]) == [(2, 3), (4, 5), (5, 6), (6, 7)]


def test_comparisons(nlp, fruits):
    assert matches_of(nlp, fruits, [{"_": {"price": {">=": 5}}}]) == [(4, 5), (5, 6)]
    assert matches_of(nlp, fruits, [{"_": {"price": {">": 7.5}}}]) == [(5, 6)]
    assert matches_of(nlp, fruits, [{"_": {"price": {"<": 5}}}]) == [(2, 3)]
    assert matches_of(nlp, fruits, [{"_": {"price": {"<=": 7.5}}}]) == [(2, 3), (4, 5)]
    assert matches_of(nlp, fruits, [{"_": {"price": {"==": 7.5}}}]) == [(4, 5)]
    # Python's != : None != 3 holds, as in spaCy.
    assert matches_of(nlp, fruits, [{"_": {"price": {"!=": 3}}}]) == [(0, 1), (1, 2), (3, 4), (4, 5), (5, 6), (6, 7)]
    # Two predicates on one attribute: both must hold.
    assert matches_of(nlp, fruits, [{"_": {"price": {">": 1, "<": 10}}}]) == [(2, 3), (4, 5)]
    assert matches_of(nlp, fruits, [{"_": {"price": {"IN": [3, 12], ">": 5}}}]) == [(5, 6)]


def test_regex_and_fuzzy(nlp, ext):
    ext("brand", default=None)
    doc = doc_of(nlp, ["a", "b", "c", "d"])
    doc[0]._.brand = "Coca-Cola"
    doc[1]._.brand = "Pepsi"
    doc[2]._.brand = 42
    # Python's re (not RE2): lookaheads work; a non-str value does not match (spaCy: TypeError).
    assert matches_of(nlp, doc, [{"_": {"brand": {"REGEX": "^C(?=oca)"}}}]) == [(0, 1)]
    assert matches_of(nlp, doc, [{"_": {"brand": {"REGEX": "s"}}}]) == [(1, 2)]
    assert matches_of(nlp, doc, [{"_": {"brand": {"FUZZY": "Pepsy"}}}]) == [(1, 2)]
    assert matches_of(nlp, doc, [{"_": {"brand": {"FUZZY": "Pepsi"}}}]) == [(1, 2)]
    assert matches_of(nlp, doc, [{"_": {"brand": {"FUZZY1": "Pepsu"}}}]) == [(1, 2)]
    assert matches_of(nlp, doc, [{"_": {"brand": {"FUZZY1": "Pipsu"}}}]) == []
    # FUZZY on an extension uses the Matcher's fuzzy_compare (spaCy passes none there and fails).
    assert matches_of(nlp, doc, [{"_": {"brand": {"FUZZY": "coca"}}}],
                      fuzzy_compare=lambda a, b, n: isinstance(a, str) and a.lower().startswith(b)) == [(0, 1)]


def test_getters_and_methods(nlp, ext):
    ext("is_long", getter=lambda t: len(t.text) > 4)
    ext("shout", method=lambda t: t.text.upper())
    doc = nlp("The quick brown fox jumps")
    assert matches_of(nlp, doc, [{"_": {"is_long": True}, "OP": "+"}]) == [(1, 2), (1, 3), (2, 3), (4, 5)]
    assert matches_of(nlp, doc, [{"_": {"shout": {"IN": ["FOX"]}}}]) == []  # a method is a function, never a str


def test_spans_user_data_and_missing_extensions(nlp, fruits):
    m = Matcher(nlp.vocab)
    m.add("F", [[{"_": {"is_fruit": True}}]])
    assert spans(m(fruits[3:6])) == [(1, 2)]  # pear, relative to the span
    assert [s.text for s in m(fruits, as_spans=True)] == ["apple", "pear"]
    # A value written to user_data directly is the extension's value (spaCy's storage).
    fruits.user_data[("._.", "is_fruit", fruits[5].idx, None)] = True
    assert spans(m(fruits)) == [(2, 3), (4, 5), (5, 6)]
    # An extension that is not registered is an error, as in spaCy (E046).
    m.add("G", [[{"_": {"not_registered": True}}]])
    with pytest.raises(AttributeError, match="not_registered"):
        m(fruits)
    m.remove("G")
    assert len(spans(m(fruits))) == 3


def test_callbacks_alignments_and_greedy_with_extensions(nlp, fruits):
    seen = []
    m = Matcher(nlp.vocab)
    m.add("F", [[{"_": {"is_fruit": True}}, {"OP": "?"}]], on_match=lambda *a: seen.append(a[2]), greedy="LONGEST")
    assert spans(m(fruits)) == [(2, 4), (4, 6)]  # longest first, then earliest
    assert seen == [0, 1]
    m2 = Matcher(nlp.vocab)
    m2.add("F", [[{"LOWER": "like"}, {"_": {"is_fruit": True}}]])
    assert m2(fruits, with_alignments=True) == [(nlp.vocab.strings["F"], 1, 3, [0, 1])]


def test_bad_extension_patterns(nlp, ext):
    m = Matcher(nlp.vocab)
    bad = [
        ([{"_": "is_fruit"}], "must be a dict"),
        ([{"_": {"x": 1.5}}], "plain value"),
        ([{"_": {"x": [1]}}], "plain value"),
        ([{"_": {"x": None}}], "null"),
        ([{"_": {"x": {"in": [1]}}}], "unknown predicate"),
        ([{"_": {"x": {"IN": "abc"}}}], "expected a list"),
        ([{"_": {"x": {">": "1"}}}], "expected a number"),
        ([{"_": {"x": {"REGEX": "("}}}], "bad regular expression"),
        ([{"_": {"x": {"REGEX": "(?<=a)b", "IN": [{"no": 1}]}}}], "string or an integer"),
    ]
    for pattern, message in bad:
        with pytest.raises(ValueError, match=message):
            m.add("BAD", [pattern])
    assert len(m) == 0
    # Python's re syntax (not RE2's) is what REGEX on "_" accepts.
    m.add("OK", [[{"_": {"x": {"REGEX": r"(\w)\1"}}}]])
    assert "OK" in m


def test_a_rule_change_during_matching_is_safe(nlp, ext):
    """Python code (getters) runs before native matching; rules added meanwhile by another thread
    make the matcher recompute its columns instead of reading wrong ones."""
    m = Matcher(nlp.vocab)
    added = []

    def getter(token):
        if not added and token.i == 3:
            added.append(True)
            t = threading.Thread(target=lambda: m.add("B", [[{"_": {"slow": {"IN": [1]}}, "LENGTH": 1}]]))
            t.start()
            t.join()
        return token.i % 2

    ext("slow", getter=getter)
    m.add("A", [[{"_": {"slow": 1}}]])
    doc = doc_of(nlp, ["a", "bb", "c", "dd", "e"])
    assert spans(m(doc)) == [(1, 2), (3, 4)]
    assert added and "B" in m


# ---- fuzzy_compare ------------------------------------------------------------------------------

def test_levenshtein_compare_is_spacys():
    assert levenshtein_compare("colour", "color")
    assert levenshtein_compare("clr", "color")  # max(2, round(0.3 * 5)) = 2 edits
    assert not levenshtein_compare("cl", "color")
    assert not levenshtein_compare("clr", "color", 1)
    assert levenshtein_compare("abcdefghijklxyz", "abcdefghijklmno")  # round(4.5) = 4: half to even
    assert not levenshtein_compare("abcdefghijvwxyz", "abcdefghijklmno")
    assert levenshtein("kitten", "sitting") == 3
    assert levenshtein("kitten", "sitting", 1) == 2
    assert levenshtein("äöü", "aöu") == 2
    assert weft.matcher.levenshtein_compare is weft._weft.levenshtein_compare
    assert Matcher(weft.blank("en").vocab)._fuzzy_compare is levenshtein_compare


def test_custom_fuzzy_compare_replaces_levenshtein(nlp):
    calls = []

    def prefix(input_text, pattern_text, fuzzy):
        calls.append((input_text, pattern_text, fuzzy))
        return input_text.lower().startswith(pattern_text.lower())

    doc = doc_of(nlp, ["Apple", "applesauce", "apply", "pear", "Apple", "PEARS", "x"])
    m = Matcher(nlp.vocab, fuzzy_compare=prefix)
    assert m._fuzzy_compare is prefix
    m.add("APP", [[{"ORTH": {"FUZZY": "appl"}}]])
    m.add("PEAR", [[{"LOWER": {"FUZZY2": {"IN": ["pea", "zz"]}}}]])
    m.add("NOT", [[{"ORTH": {"FUZZY": {"NOT_IN": ["appl", "pea"]}}}]])
    assert [(nlp.vocab.strings[k], s, e) for k, s, e in m(doc)] == [
        ("APP", 0, 1), ("APP", 1, 2), ("APP", 2, 3), ("PEAR", 3, 4), ("APP", 4, 5), ("PEAR", 5, 6), ("NOT", 6, 7)]
    # Once per distinct (token string, pattern string, fuzzy): "Apple" twice in the Doc, asked once.
    assert len(calls) == len(set(calls))
    assert ("Apple", "appl", -1) in calls and ("pear", "pea", 2) in calls
    # Levenshtein would have matched "appel"; the prefix compare does not.
    assert spans(m(doc_of(nlp, ["appel"]))) == [(0, 1)]  # only NOT
    default = Matcher(nlp.vocab)
    default.add("APP", [[{"ORTH": {"FUZZY": "appl"}}]])
    assert spans(default(doc_of(nlp, ["appel", "applesauce"]))) == [(0, 1)]


def test_fuzzy_compare_is_called_in_python_only_before_matching(nlp):
    """The compare runs with the GIL before native matching, never per state: 1000 tokens of 3
    distinct strings cost 3 calls."""
    calls = []

    def compare(a, b, n):
        calls.append(a)
        return a == "bb"

    m = Matcher(nlp.vocab, fuzzy_compare=compare)
    m.add("B", [[{"ORTH": {"FUZZY": "b"}}, {"ORTH": {"FUZZY": "b"}, "OP": "*"}]])
    doc = doc_of(nlp, ["a", "bb", "c"] * 334)
    assert len(m(doc)) == 334
    assert sorted(calls) == ["a", "bb", "c"]


def test_bad_fuzzy_compare(nlp):
    with pytest.raises(ValueError, match="callable"):
        Matcher(nlp.vocab, fuzzy_compare="levenshtein")
    m = Matcher(nlp.vocab, fuzzy_compare=lambda a, b, n: 1 / 0)
    m.add("X", [[{"ORTH": {"FUZZY": "a"}}]])
    with pytest.raises(ZeroDivisionError):
        m(doc_of(nlp, ["b"]))


# ---- the EntityRuler -------------------------------------------------------------------------------

def test_entity_ruler_token_patterns_with_extensions(ext):
    ext("is_fruit_g", getter=lambda t: t.lower_ in ("apple", "pear"))
    ext("is_brand", default=False)
    nlp = weft.blank("en")

    @weft.Language.component("test_mark_brands")
    def mark(doc):
        for t in doc:
            if t.text == "Acme":
                t._.is_brand = True
        return doc

    nlp.add_pipe("test_mark_brands")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "FRUIT", "pattern": [{"_": {"is_fruit_g": True}, "OP": "+"}]},
                        {"label": "ORG", "pattern": [{"_": {"is_brand": True}}, {"LOWER": "inc"}]}])
    doc = nlp("Acme Inc sells apple pear cakes")
    assert [(e.text, e.label_) for e in doc.ents] == [("Acme Inc", "ORG"), ("apple pear", "FRUIT")]
    # Threads: the evaluator takes the GIL from the pipeline's workers.
    docs = list(nlp.pipe(["an apple", "Acme Inc", "no"] * 20, n_threads=2, batch_size=4))
    assert [[e.label_ for e in d.ents] for d in docs[:3]] == [["FRUIT"], ["ORG"], []]
    # ruler.match computes the columns itself.
    plain = nlp.make_doc("a pear")
    assert [(s, e) for _, s, e in ruler.match(plain)] == [(1, 2)]


# ---- against spaCy itself, where it can be run --------------------------------------------------
SPACY_SCRIPT = r"""
import json, sys
import spacy
from spacy.tokens import Doc, Token
from spacy.matcher import Matcher
nlp = spacy.blank("en")
Token.set_extension("v", default=-1)
Token.set_extension("g", getter=lambda t: len(t.text))
case_list = json.load(sys.stdin)
out = []
for case in case_list:
    doc = Doc(nlp.vocab, words=case["words"])
    for i, v in enumerate(case["values"]):
        doc[i]._.v = v
    m = Matcher(nlp.vocab)
    m.add("K", [case["pattern"]])
    out.append([[s, e] for _, s, e in m(doc)])
print(json.dumps(out))
"""



def test_same_as_spacy(nlp, ext, spacy_python):
    python = spacy_python
    words = ["a", "bb", "ccc", "dd", "e", "ffff"]
    # Values spaCy handles without raising: ints, strs, lists of strs (no None, no float against plain
    # values, no REGEX on ints).
    value_sets = [[1, 2, 3, 2, 1, 0], ["x", "y", "x", "zz", "y", "x"], [["x"], ["x", "y"], [], ["z"], ["y"], ["x", "z"]]]
    patterns = []
    for values in value_sets[:2]:
        first = values[0]
        patterns += [
            [{"_": {"v": first}}],
            [{"_": {"v": first}}, {"_": {"v": values[1]}, "OP": "*"}],
            [{"_": {"v": {"IN": list(dict.fromkeys(values[:3]))}}, "OP": "+"}],
            [{"_": {"v": {"NOT_IN": [values[1]]}}}, {"_": {"g": {">": 1}}}],
            [{"_": {"v": {"IS_SUBSET": list(dict.fromkeys(values[:2]))}}}],
            [{"_": {"v": {"INTERSECTS": [values[2]]}}, "LENGTH": {"<": 3}}],
        ]
    patterns += [[{"_": {"g": {"==": 2}}}, {"_": {"g": {">=": 3}}, "OP": "?"}],
                 [{"_": {"g": {"!=": 1, "<=": 3}}, "OP": "+"}]]
    cases = []
    for p in patterns:
        for values in value_sets[:2]:  # spaCy raises TypeError on list values against plain values
            cases.append({"words": words, "values": values, "pattern": p})
    list_patterns = [[{"_": {"v": {"IS_SUBSET": ["x", "y"]}}}], [{"_": {"v": {"IS_SUPERSET": ["x"]}}}],
                     [{"_": {"v": {"INTERSECTS": ["z", "q"]}}, "OP": "+"}], [{"_": {"v": {"IS_SUPERSET": []}}}]]
    cases += [{"words": words, "values": value_sets[2], "pattern": p} for p in list_patterns]
    cases += [{"words": words, "values": value_sets[1], "pattern": [{"_": {"v": {"REGEX": "^z|y"}}}]}]
    result = subprocess.run([python, "-c", SPACY_SCRIPT], input=json.dumps(cases), capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        pytest.skip(f"spaCy could not run: {result.stderr[-300:]}")
    expected = json.loads(result.stdout)
    # (FUZZY on an extension is not compared: spaCy 3.8 has no fuzzy_compare there and raises TypeError
    # unless the strings are equal.)
    ext("v", default=-1)
    ext("g", getter=lambda t: len(t.text))
    assert sum(len(x) for x in expected) > 50
    for case, want in zip(cases, expected):
        doc = doc_of(nlp, case["words"])
        for i, v in enumerate(case["values"]):
            doc[i]._.v = v
        m = Matcher(nlp.vocab)
        m.add("K", [case["pattern"]])
        assert [[s, e] for _, s, e in m(doc)] == want, case


SPACY_FUZZY_SCRIPT = r"""
import json, sys
import spacy
from spacy.tokens import Doc
from spacy.matcher import Matcher
nlp = spacy.blank("en")
def prefix(input_text, pattern_text, fuzzy):
    return input_text.lower().startswith(pattern_text.lower()[: max(1, len(pattern_text) - max(fuzzy, 0))])
out = []
for case in json.load(sys.stdin):
    doc = Doc(nlp.vocab, words=case["words"])
    m = Matcher(nlp.vocab, fuzzy_compare=prefix)
    m.add("K", [case["pattern"]])
    out.append([[s, e] for _, s, e in m(doc)])
print(json.dumps(out))
"""


def test_fuzzy_compare_same_as_spacy(nlp, spacy_python):
    python = spacy_python

    def prefix(input_text, pattern_text, fuzzy):
        return input_text.lower().startswith(pattern_text.lower()[: max(1, len(pattern_text) - max(fuzzy, 0))])

    words = ["Apple", "apples", "APPLY", "pear", "Pearl", "pea", "x", "apple"]
    patterns = [[{"ORTH": {"FUZZY": "apple"}}], [{"LOWER": {"FUZZY2": "apple"}}, {"OP": "?"}],
                [{"ORTH": {"FUZZY1": {"IN": ["pearl", "x"]}}, "OP": "+"}],
                [{"LOWER": {"FUZZY": {"NOT_IN": ["app", "pe"]}}}],
                [{"TEXT": {"FUZZY3": "applesauce"}}, {"LOWER": {"FUZZY": "pea"}, "OP": "*"}]]
    cases = [{"words": words, "pattern": p} for p in patterns]
    result = subprocess.run([python, "-c", SPACY_FUZZY_SCRIPT], input=json.dumps(cases), capture_output=True,
                            text=True, timeout=300)
    if result.returncode != 0:
        pytest.skip(f"spaCy could not run: {result.stderr[-300:]}")
    expected = json.loads(result.stdout)
    assert sum(len(x) for x in expected) > 10
    doc = doc_of(nlp, words)
    for case, want in zip(cases, expected):
        m = Matcher(nlp.vocab, fuzzy_compare=prefix)
        m.add("K", [case["pattern"]])
        assert [[s, e] for _, s, e in m(doc)] == want, case


def test_dependency_matcher_with_extension_attributes():
    nlp = weft.blank("en")
    doc = weft.Doc(nlp.vocab, words=["I", "eat", "apples", "and", "pears"], heads=[1, 1, 1, 4, 2],
                   deps=["nsubj", "ROOT", "obj", "cc", "conj"])
    weft.Token.set_extension("dm_fruit", default=False, force=True)
    try:
        doc[2]._.dm_fruit = True
        doc[4]._.dm_fruit = True
        matcher = weft.DependencyMatcher(nlp.vocab)
        matcher.add("FRUIT", [[{"RIGHT_ID": "v", "RIGHT_ATTRS": {"LOWER": "eat"}},
                               {"LEFT_ID": "v", "REL_OP": ">>", "RIGHT_ID": "f", "RIGHT_ATTRS": {"_": {"dm_fruit": True}}}]])
        assert sorted(t for _, (v, t) in matcher(doc)) == [2, 4]
        # A Span is matched as a copy: the values are still those of the original tokens.
        assert sorted(t for _, (v, t) in matcher(doc[1:5])) == [1, 3]
        doc[4]._.dm_fruit = False
        assert [t for _, (v, t) in matcher(doc)] == [2]
    finally:
        weft.Token.remove_extension("dm_fruit")
