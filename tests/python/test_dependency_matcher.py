"""weft.DependencyMatcher in spaCy's idiom: DependencyMatcher(vocab), add(key, [pattern], on_match=),
matcher(doc) -> [(match_id, [token ids])], keys, get, remove, callbacks, Spans and bad patterns, on
hand-parsed Docs read from CoNLL-U. The expected tuples follow spaCy 3.8's _ops (dependencymatcher.pyx);
test_same_as_spacy compares with spaCy itself when it can be run (SPACY_PYTHON or an importable spacy)."""
import json
import subprocess
import sys

import pytest

import weft


def row(i, form, head, deprel):
    return f"{i}\t{form}\t{form}\t_\t_\t_\t{head}\t{deprel}\t_\t_\n"


def conllu(words, heads, deps):
    """One sentence; heads are 0-based absolute indices, a root its own head."""
    return "".join(row(i + 1, w, 0 if h == i else h + 1, d) for i, (w, h, d) in enumerate(zip(words, heads, deps))) + "\n"


# Tokens 0-9: "The quick brown fox jumped over the lazy dog ."
# Tokens 10-19: "She is a doctor and likes cats and dogs ."
WORDS = "The quick brown fox jumped over the lazy dog . She is a doctor and likes cats and dogs .".split()
HEADS = [3, 3, 3, 4, 4, 8, 8, 8, 4, 4, 13, 13, 13, 13, 15, 13, 15, 18, 16, 13]
DEPS = ["det", "amod", "amod", "nsubj", "ROOT", "case", "det", "amod", "obl", "punct",
        "nsubj", "cop", "det", "ROOT", "cc", "conj", "obj", "cc", "conj", "punct"]

FOUNDED_WORDS = "Lee , an experienced CEO , has founded two AI startups .".split()
FOUNDED_HEADS = [7, 0, 4, 4, 0, 0, 7, 7, 10, 10, 7, 7]
FOUNDED_DEPS = ["nsubj", "punct", "det", "amod", "appos", "punct", "aux", "ROOT", "nummod", "compound", "dobj",
                "punct"]


def read(tmp_path, *sentences):
    path = tmp_path / "doc.conllu"
    path.write_text("".join(conllu(*s) for s in sentences), encoding="utf-8")
    docs = weft.read_conllu(path)
    assert len(docs) == 1
    return docs[0]


@pytest.fixture()
def doc(tmp_path):
    d = read(tmp_path, (WORDS[:10], HEADS[:10], DEPS[:10]), (WORDS[10:], [h - 10 for h in HEADS[10:]], DEPS[10:]))
    assert [t.text for t in d] == WORDS
    assert [t.head.i for t in d] == HEADS
    return d


def pair(anchor, op, attrs=None):
    return [[{"RIGHT_ID": "a", "RIGHT_ATTRS": {"ORTH": anchor}},
             {"LEFT_ID": "a", "REL_OP": op, "RIGHT_ID": "b", "RIGHT_ATTRS": attrs or {}}]]


def run(doc, patterns):
    matcher = weft.DependencyMatcher(doc.vocab)
    matcher.add("R", patterns)
    matches = matcher(doc)
    assert all(isinstance(m, tuple) and len(m) == 2 and isinstance(m[1], list) for m in matches)
    assert all(m[0] == doc.vocab.strings["R"] for m in matches)
    return [tokens for _, tokens in matches]


OPERATOR_ROWS = [
    ("fox", "<", [[3, 4]]),
    ("jumped", "<", []),  # a root has no head
    ("jumped", ">", [[4, 3], [4, 8], [4, 9]]),
    ("the", "<<", [[6, 4], [6, 8]]),
    ("dog", ">>", [[8, 5], [8, 6], [8, 7]]),
    ("likes", ">>", [[15, 14], [15, 16], [15, 17], [15, 18]]),
    ("fox", ".", [[3, 4]]),
    ("She", ";", []),  # token 9 is in the other tree
    ("jumped", ";", [[4, 3]]),
    ("dog", ".*", [[8, 9]]),  # not the second sentence's tokens
    ("over", ";*", [[5, 0], [5, 1], [5, 2], [5, 3], [5, 4]]),
    ("quick", "$+", [[1, 2]]),
    ("fox", "$+", []),  # token 4 is fox's head, not a sibling
    ("brown", "$-", [[2, 1]]),
    ("fox", "$++", [[3, 8], [3, 9]]),
    (".", "$--", [[9, 3], [9, 8], [19, 10], [19, 11], [19, 12], [19, 15]]),
    ("jumped", "$++", [[4, 8], [4, 9]]),  # a root's "siblings" are its own children, as in spaCy
    ("likes", ">+", [[15, 16]]),
    ("cats", ">+", []),
    ("likes", ">-", [[15, 14]]),
    ("doctor", ">++", [[13, 15], [13, 19]]),
    ("doctor", ">--", [[13, 10], [13, 11], [13, 12]]),
    ("brown", "<+", [[2, 3]]),
    ("quick", "<+", []),
    ("cats", "<-", [[16, 15]]),
    ("The", "<++", [[0, 3]]),
    ("dog", "<++", []),
    ("dog", "<--", [[8, 4]]),
    ("and", "<+", [[14, 15], [17, 18]]),
]


@pytest.mark.parametrize("anchor,op,expected", OPERATOR_ROWS)
def test_operators(doc, anchor, op, expected):
    assert run(doc, pair(anchor, op)) == expected


def test_every_operator_is_known(doc):
    ops = ["<", ">", "<<", ">>", ".", ".*", ";", ";*", "$+", "$-", "$++", "$--", ">+", ">-", ">++", ">--", "<+",
           "<-", "<++", "<--"]
    matcher = weft.DependencyMatcher(doc.vocab)
    for op in ops:
        matcher.add(op, pair("fox", op))
    assert len(matcher) == 20


def test_founded_example(tmp_path):
    doc = read(tmp_path, (FOUNDED_WORDS, FOUNDED_HEADS, FOUNDED_DEPS))
    pattern = [
        {"RIGHT_ID": "anchor_founded", "RIGHT_ATTRS": {"ORTH": "founded"}},
        {"LEFT_ID": "anchor_founded", "REL_OP": ">", "RIGHT_ID": "founded_subject",
         "RIGHT_ATTRS": {"DEP": "nsubj"}},
        {"LEFT_ID": "anchor_founded", "REL_OP": ">", "RIGHT_ID": "founded_object",
         "RIGHT_ATTRS": {"DEP": "dobj"}},
        {"LEFT_ID": "founded_object", "REL_OP": ">", "RIGHT_ID": "founded_object_modifier",
         "RIGHT_ATTRS": {"DEP": {"IN": ["amod", "compound"]}}},
    ]
    matcher = weft.DependencyMatcher(doc.vocab)
    matcher.add("FOUNDED", [pattern])
    matches = matcher(doc)
    assert matches == [(doc.vocab.strings["FOUNDED"], [7, 0, 10, 9])]
    match_id, token_ids = matches[0]
    assert doc.vocab.strings[match_id] == "FOUNDED"
    assert [doc[i].text for i in token_ids] == ["founded", "Lee", "startups", "AI"]


def test_right_attrs_take_the_matcher_pattern_language(doc):
    def anchored(anchor, op, attrs):
        return [[{"RIGHT_ID": "a", "RIGHT_ATTRS": anchor},
                 {"LEFT_ID": "a", "REL_OP": op, "RIGHT_ID": "b", "RIGHT_ATTRS": attrs}]]

    assert run(doc, anchored({"DEP": "ROOT"}, ">", {"DEP": {"IN": ["nsubj", "punct"]}})) == [
        [4, 3], [4, 9], [13, 10], [13, 19]]
    assert run(doc, anchored({"DEP": "ROOT"}, ">", {"DEP": {"NOT_IN": ["nsubj", "punct"]}})) == [
        [4, 8], [13, 11], [13, 12], [13, 15]]
    assert run(doc, anchored({"LOWER": {"REGEX": "^d"}}, ">", {"LENGTH": {">=": 4}})) == [[8, 5], [8, 7], [13, 15]]
    assert run(doc, anchored({"ORTH": {"FUZZY": "jumpd"}}, ">", {"IS_PUNCT": True})) == [[4, 9]]
    assert run(doc, anchored({"ORTH": "jumped"}, ">", {"DEP": "nsubj", "OP": "!"})) == [[4, 8], [4, 9]]
    # Attribute ids as keys, as the Matcher takes them.
    assert run(doc, anchored({weft.attrs.ORTH: "doctor"}, ">--", {weft.attrs.DEP: "det"})) == [[13, 12]]


def test_several_nodes_and_shared_tokens(doc):
    both = [[{"RIGHT_ID": "h", "RIGHT_ATTRS": {"DEP": "ROOT"}},
             {"LEFT_ID": "h", "REL_OP": ">", "RIGHT_ID": "x", "RIGHT_ATTRS": {"DEP": {"IN": ["nsubj", "obl"]}}},
             {"LEFT_ID": "h", "REL_OP": ">", "RIGHT_ID": "y", "RIGHT_ATTRS": {"DEP": {"IN": ["nsubj", "obl"]}}}]]
    # Nodes no operator relates may take the same token, as in spaCy.
    assert run(doc, both) == [[4, 3, 3], [4, 3, 8], [4, 8, 3], [4, 8, 8], [13, 10, 10]]
    chain = [[{"RIGHT_ID": "verb", "RIGHT_ATTRS": {"ORTH": "likes"}},
              {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "obj", "RIGHT_ATTRS": {"DEP": "obj"}},
              {"LEFT_ID": "obj", "REL_OP": ">", "RIGHT_ID": "conj", "RIGHT_ATTRS": {"DEP": "conj"}},
              {"LEFT_ID": "conj", "REL_OP": ">", "RIGHT_ID": "cc", "RIGHT_ATTRS": {}},
              {"LEFT_ID": "cc", "REL_OP": ";", "RIGHT_ID": "prev", "RIGHT_ATTRS": {}}]]
    assert run(doc, chain) == [[15, 16, 18, 17, 16]]


def test_sentence_edges_of_a_non_projective_tree(tmp_path):
    # 0 is the root, 2 <- 0, 1 <- 2, 3 <- 1: spaCy's edge passes leave the root's r_edge at 2, so its
    # _get_sent (and ".*") ends there; the tree relations stay exact.
    doc = read(tmp_path, (["r", "x", "y", "c"], [0, 2, 0, 1], ["ROOT", "d", "d", "d"]))
    assert run(doc, pair("r", ".*")) == [[0, 1], [0, 2]]
    assert run(doc, pair("y", ".")) == []
    assert run(doc, pair("c", ";*")) == [[3, 0], [3, 1], [3, 2]]
    assert run(doc, pair("r", ">>")) == [[0, 1], [0, 2], [0, 3]]


def test_keys_get_remove(doc):
    strings = doc.vocab.strings
    matcher = weft.DependencyMatcher(doc.vocab)
    assert len(matcher) == 0
    matcher.add("B", pair("dog", "<"))
    matcher.add("A", pair("fox", "<"))
    matcher.add("B", pair("likes", ">+"))  # appended; B keeps its place
    assert len(matcher) == 2
    assert "A" in matcher and "B" in matcher and "C" not in matcher
    assert strings["A"] in matcher
    assert matcher.has_key("B")
    assert [(strings[k], t) for k, t in matcher(doc)] == [("B", [8, 4]), ("B", [15, 16]), ("A", [3, 4])]
    on_match, patterns = matcher.get("B")
    assert on_match is None
    assert patterns == pair("dog", "<") + pair("likes", ">+")
    assert matcher.get("C") is None
    assert matcher.get("C", "default") == "default"
    matcher.remove("B")
    assert "B" not in matcher and len(matcher) == 1
    with pytest.raises(ValueError):
        matcher.remove("B")
    matcher.add("B", pair("dog", "<"))  # re-added: now after A
    assert [(strings[k], t) for k, t in matcher(doc)] == [("A", [3, 4]), ("B", [8, 4])]
    matcher.add(12345, pair("cats", "<-"))  # an integer key is the match id
    assert matcher(doc)[-1] == (12345, [16, 15])
    matcher.remove(strings["A"])  # a key's hash works as the key
    assert "A" not in matcher


def test_callbacks(doc):
    calls = []

    def on_match(matcher, d, i, matches):
        assert isinstance(matcher, weft.DependencyMatcher)
        assert d is doc
        calls.append((i, matches[i][1][1]))
        if i == 0:
            matches.pop()  # a callback may change the list the call returns

    matcher = weft.DependencyMatcher(doc.vocab)
    matcher.add("GOV", pair("jumped", ">"), on_match=on_match)
    matcher.add("OTHER", pair("fox", "<"))
    matches = matcher(doc)
    assert calls == [(0, 3), (1, 8), (2, 9)]
    assert [t for _, t in matches] == [[4, 3], [4, 8], [4, 9]]
    assert matcher.get("GOV")[0] is on_match
    matcher.add("GOV", pair("jumped", ">"))  # adding again replaces the callback (with None)
    assert matcher.get("GOV")[0] is None
    with pytest.raises(ValueError):
        matcher.add("X", pair("fox", "<"), on_match=42)


def test_spans_are_matched_as_copies(doc):
    matcher = weft.DependencyMatcher(doc.vocab)
    seen = []
    matcher.add("R", pair("dog", ">"), on_match=lambda m, d, i, ms: seen.append(len(d)))
    # doc[5:10] = "over the lazy dog .": dog's head is outside, so dog becomes the root and "." (whose
    # head is outside too, in the same tree) attaches to it, as spaCy's Span.as_doc rewires them.
    assert [t for _, t in matcher(doc[5:10])] == [[3, 0], [3, 1], [3, 2], [3, 4]]
    assert seen == [5, 5, 5, 5]
    # The rewired tokens' DEP is "dep" in the copy, so their original label no longer matches.
    obl = weft.DependencyMatcher(doc.vocab)
    obl.add("OBL", [[{"RIGHT_ID": "a", "RIGHT_ATTRS": {"DEP": "obl"}}]])
    assert [t for _, t in obl(doc)] == [[8]]
    assert obl(doc[5:10]) == []
    with pytest.raises(ValueError):
        matcher("not a doc")


def test_unparsed_doc():
    nlp = weft.blank("en")
    doc = nlp("a b")
    matcher = weft.DependencyMatcher(nlp.vocab)
    matcher.add("ONE", [[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}}]])
    matcher.add("TWO", pair("a", "."))
    assert [t for _, t in matcher(doc)] == [[0], [1]]  # every token its own tree
    dep = weft.DependencyMatcher(nlp.vocab)
    dep.add("D", [[{"RIGHT_ID": "a", "RIGHT_ATTRS": {"DEP": "nsubj"}}]])
    with pytest.raises(ValueError, match="DEP"):
        dep(doc)  # the Matcher's E155: no parse
    assert dep(nlp("")) == []  # an empty Doc counts as annotated, as in spaCy


BAD_PATTERNS = [
    ({"RIGHT_ID": "a"}, "E948"),
    ([[]], "E012"),
    ([["a"]], "E1008"),
    ([[{"LEFT_ID": "a"}]], "E098"),
    ([[{"RIGHT_ID": "a", "REL_OP": ">", "RIGHT_ATTRS": {}}]], "E099"),
    ([[{"RIGHT_ID": "a", "LEFT_ID": "b", "RIGHT_ATTRS": {}}]], "E099"),
    ([[{"RIGHT_ID": "a"}]], "RIGHT_ATTRS"),
    ([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}}, {"LEFT_ID": "a", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]], "E100"),
    ([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}},
       {"LEFT_ID": "z", "REL_OP": ">", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]], "E101"),
    ([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}},
       {"LEFT_ID": "a", "REL_OP": ">", "RIGHT_ID": "a", "RIGHT_ATTRS": {}}]], "E101"),
    ([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}},
       {"LEFT_ID": "a", "REL_OP": "<>", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]], "E1007"),
    ([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {"ORTH": "x", "OP": "+"}}]], "E1016"),
    ([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {"ORTH": "x", "OP": "?"}}]], "E1016"),
    ([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {"NOPE": 1}}]], "unknown attribute"),
    ([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {"ORTH": object()}}]], "pattern 0"),
]


@pytest.mark.parametrize("patterns,message", BAD_PATTERNS)
def test_bad_patterns(doc, patterns, message):
    matcher = weft.DependencyMatcher(doc.vocab)
    with pytest.raises(ValueError, match=message):
        matcher.add("K", patterns)
    assert len(matcher) == 0 and "K" not in matcher
    assert matcher(doc) == []


def test_unsupported_keys_warn(doc):
    matcher = weft.DependencyMatcher(doc.vocab, validate=True)
    with pytest.warns(UserWarning, match="W126.*EXTRA"):
        matcher.add("E", [[{"RIGHT_ID": "a", "RIGHT_ATTRS": {"ORTH": "fox"}},
                           {"LEFT_ID": "a", "REL_OP": "<", "RIGHT_ID": "b", "RIGHT_ATTRS": {}, "EXTRA": 1}]])
    assert [t for _, t in matcher(doc)] == [[3, 4]]


def test_exported():
    assert "DependencyMatcher" in weft.__all__


# ---- against spaCy itself, where it can be run --------------------------------------------------
SPACY_SCRIPT = r"""
import json, sys
import spacy
from spacy.tokens import Doc
from spacy.matcher import DependencyMatcher
nlp = spacy.blank("en")
out = []
for case in json.load(sys.stdin):
    doc = Doc(nlp.vocab, words=case["words"], heads=case["heads"], deps=case["deps"])
    m = DependencyMatcher(nlp.vocab)
    for i, pattern in enumerate(case["patterns"]):
        m.add("K%d" % (i % 3), [pattern])
    a, b = case["span"]
    out.append([[[nlp.vocab.strings[k], t] for k, t in m(doc)], [[nlp.vocab.strings[k], t] for k, t in m(doc[a:b])]])
print(json.dumps(out))
"""

OPS = ["<", ">", "<<", ">>", ".", ".*", ";", ";*", "$+", "$-", "$++", "$--", ">+", ">-", ">++", ">--", "<+", "<-",
       "<++", "<--"]


def random_cases(n, seed):
    """Docs of 1-3 random trees (often non-projective) and random patterns of 1-4 nodes."""
    import random

    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        words, heads, deps = [], [], []
        for _ in range(rng.randint(1, 3)):
            size, base = rng.randint(1, 9), len(words)
            root = rng.randrange(size)
            order = [t for t in rng.sample(range(size), size) if t != root]
            placed, local = [root], {root: root}
            for t in order:
                local[t] = rng.choice(placed)
                placed.append(t)
            for t in range(size):
                words.append(rng.choice("abc"))
                heads.append(base + local[t])
                deps.append("ROOT" if t == root else rng.choice("xyz"))
        patterns = []
        for _ in range(6):
            nodes = [{"RIGHT_ID": "n0", "RIGHT_ATTRS": rng.choice(
                [{}, {"ORTH": rng.choice("abc")}, {"DEP": rng.choice(["x", "y", "z", "ROOT"])}])}]
            for j in range(1, rng.randint(1, 4)):
                nodes.append({"LEFT_ID": f"n{rng.randrange(j)}", "REL_OP": rng.choice(OPS), "RIGHT_ID": f"n{j}",
                              "RIGHT_ATTRS": rng.choice([{}, {}, {"ORTH": rng.choice("abc")},
                                                         {"DEP": {"IN": rng.sample(["x", "y", "z"], 2)}}])})
            patterns.append(nodes)
        a = rng.randrange(len(words))
        cases.append({"words": words, "heads": heads, "deps": deps, "patterns": patterns,
                      "span": [a, rng.randint(a, len(words))]})
    return cases



def test_same_as_spacy(tmp_path, spacy_python):
    python = spacy_python
    # Every operator from every token of the two-tree Doc, chains of two operators, then random Docs.
    patterns = [[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}}, {"LEFT_ID": "a", "REL_OP": op, "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]
                for op in OPS]
    for op1 in (">", "<", ".*", "$++", ">>"):
        for op2 in (">", ";*", "<<", "$--", "<++"):
            patterns.append([{"RIGHT_ID": "a", "RIGHT_ATTRS": {"DEP": {"IN": ["ROOT", "conj", "obl"]}}},
                             {"LEFT_ID": "a", "REL_OP": op1, "RIGHT_ID": "b", "RIGHT_ATTRS": {}},
                             {"LEFT_ID": "b", "REL_OP": op2, "RIGHT_ID": "c", "RIGHT_ATTRS": {"LENGTH": {"<": 4}}}])
    cases = [{"words": WORDS, "heads": HEADS, "deps": DEPS, "patterns": [p], "span": [2, 17]} for p in patterns]
    cases += random_cases(300, seed=11)
    result = subprocess.run([python, "-c", SPACY_SCRIPT], input=json.dumps(cases), capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        pytest.skip(f"spaCy could not run: {result.stderr[-300:]}")
    expected = json.loads(result.stdout)
    assert sum(len(d) + len(s) for d, s in expected) > 1000
    for n, (case, (want_doc, want_span)) in enumerate(zip(cases, expected)):
        path = tmp_path / f"{n}.conllu"
        path.write_text(conllu(case["words"], case["heads"], case["deps"]), encoding="utf-8")
        doc = weft.read_conllu(path)[0]
        matcher = weft.DependencyMatcher(doc.vocab)
        for i, pattern in enumerate(case["patterns"]):
            matcher.add(f"K{i % 3}", [pattern])
        a, b = case["span"]
        assert [[doc.vocab.strings[k], t] for k, t in matcher(doc)] == want_doc, case
        assert [[doc.vocab.strings[k], t] for k, t in matcher(doc[a:b])] == want_span, case
