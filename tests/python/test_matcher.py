"""weft.Matcher in spaCy's idiom: Matcher(nlp.vocab), add(key, [pattern], on_match=, greedy=), matcher(doc),
as_spans, with_alignments, keys, remove and bad patterns. The expected matches are spaCy 3.8's for the same
patterns and words (the C++ table in tests/cpp/test_matcher.cpp covers every operator and predicate)."""
import pytest

import weft


@pytest.fixture(scope="module")
def nlp():
    return weft.blank("en")


def make(nlp, words):
    return weft.Doc(nlp.vocab, words=words)


def spans(matches):
    return [(start, end) for _, start, end in matches]


def test_vocab_is_shared_and_the_match_id_is_the_key_hash(nlp):
    doc = nlp("Hello, world! hello world")
    assert doc.vocab is not None
    matcher = weft.Matcher(doc.vocab)
    assert matcher.vocab is not None
    matcher.add("HELLO_WORLD", [[{"LOWER": "hello"}, {"IS_PUNCT": True, "OP": "?"}, {"LOWER": "world"}]])
    matches = matcher(doc)
    assert [t.text for t in doc] == ["Hello", ",", "world", "!", "hello", "world"]
    assert spans(matches) == [(0, 3), (4, 6)]
    match_id = matches[0][0]
    assert match_id == nlp.vocab.strings["HELLO_WORLD"]
    assert nlp.vocab.strings[match_id] == "HELLO_WORLD"  # the key joined the StringStore
    assert all(isinstance(m, tuple) and len(m) == 3 for m in matches)


def test_operators_and_overlapping_matches(nlp):
    doc = make(nlp, ["a", "a", "b", "a"])
    matcher = weft.Matcher(nlp.vocab)
    matcher.add("PLUS", [[{"ORTH": "a", "OP": "+"}]])
    assert spans(matcher(doc)) == [(0, 1), (0, 2), (1, 2), (3, 4)]
    star = weft.Matcher(nlp.vocab)
    star.add("STAR", [[{"ORTH": "a"}, {"OP": "*"}]])
    assert spans(star(doc)) == [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (0, 4), (1, 4), (3, 4)]
    neg = weft.Matcher(nlp.vocab)
    neg.add("NOT_B", [[{"ORTH": "a"}, {"ORTH": "b", "OP": "!"}]])
    assert spans(neg(doc)) == [(0, 2)]
    counted = weft.Matcher(nlp.vocab)
    counted.add("TWO", [[{"ORTH": "a", "OP": "{2}"}]])
    counted.add("UP_TO_TWO", [[{"ORTH": "a", "OP": "{,2}"}, {"ORTH": "b"}]])
    assert [(nlp.vocab.strings[k], s, e) for k, s, e in counted(doc)] == [
        ("TWO", 0, 2),
        ("UP_TO_TWO", 0, 3),
        ("UP_TO_TWO", 1, 3),
        ("UP_TO_TWO", 2, 3),
    ]


def test_greedy(nlp):
    doc = make(nlp, ["b", "a", "a", "c", "c", "c"])
    patterns = [[{"ORTH": "b"}, {"ORTH": "a"}], [{"ORTH": "a"}, {"ORTH": "a"}, {"ORTH": "c", "OP": "+"}]]
    first = weft.Matcher(nlp.vocab)
    first.add("X", patterns, greedy="FIRST")
    assert spans(first(doc)) == [(0, 2)]
    longest = weft.Matcher(nlp.vocab)
    longest.add("X", patterns, greedy="LONGEST")
    assert spans(longest(doc)) == [(1, 6)]
    with pytest.raises(ValueError, match="FIRST"):
        longest.add("Y", patterns, greedy="longest")


def test_predicates(nlp):
    doc = make(nlp, ["apple", "aple", "Pear", "kiwi", "12345"])
    matcher = weft.Matcher(nlp.vocab)
    matcher.add("FUZZY", [[{"LOWER": {"FUZZY": "apple"}}]])
    matcher.add("REGEX", [[{"TEXT": {"REGEX": "^[A-Z]"}}]])
    matcher.add("IN", [[{"LOWER": {"IN": ["pear", "kiwi"]}}]])
    matcher.add("LONG", [[{"LENGTH": {">=": 5}}]])
    matcher.add("NESTED", [[{"LOWER": {"FUZZY1": {"IN": ["kiwis", "pears"]}}}]])
    got = [(nlp.vocab.strings[k], s) for k, s, _ in matcher(doc)]
    assert got == [
        ("FUZZY", 0), ("LONG", 0), ("FUZZY", 1), ("REGEX", 2), ("IN", 2), ("NESTED", 2), ("IN", 3), ("NESTED", 3),
        ("LONG", 4),
    ]


def test_attribute_ids_as_keys(nlp):
    doc = make(nlp, ["a", "B"])
    matcher = weft.Matcher(nlp.vocab)
    matcher.add("A", [[{weft.attrs.ORTH: "a"}, {weft.attrs.IS_UPPER: True}]])
    assert spans(matcher(doc)) == [(0, 2)]


def test_keys_len_get_remove(nlp):
    matcher = weft.Matcher(nlp.vocab)
    assert len(matcher) == 0
    patterns = [[{"ORTH": "a"}], [{"ORTH": "b"}]]
    matcher.add("A", patterns)
    matcher.add("EMPTY", [])
    assert len(matcher) == 2  # rules, not patterns
    assert "A" in matcher and matcher.has_key("A")
    assert nlp.vocab.strings["A"] in matcher
    assert "B" not in matcher and not matcher.has_key(3.5)
    on_match, got = matcher.get("A")
    assert on_match is None and got == patterns
    assert matcher.get("B") is None
    assert matcher.get("B", "default") == "default"
    doc = make(nlp, ["a", "b"])
    assert spans(matcher(doc)) == [(0, 1), (1, 2)]
    matcher.remove("A")
    assert "A" not in matcher and len(matcher) == 1
    assert matcher(doc) == []
    with pytest.raises(ValueError, match="unknown key"):
        matcher.remove("A")  # spaCy's Matcher raises ValueError (E175)


def test_integer_keys(nlp):
    matcher = weft.Matcher(nlp.vocab)
    key = nlp.vocab.strings.add("ANIMAL")
    matcher.add(key, [[{"LOWER": "cat"}]])
    doc = make(nlp, ["a", "Cat"])
    assert matcher(doc) == [(key, 1, 2)]
    assert "ANIMAL" in matcher
    assert matcher(doc, as_spans=True)[0].label_ == "ANIMAL"


def test_as_spans_and_span_input(nlp):
    doc = make(nlp, ["x", "New", "York", "is", "in", "New", "York"])
    matcher = weft.Matcher(nlp.vocab)
    matcher.add("GPE", [[{"ORTH": "New"}, {"ORTH": "York"}]])
    found = matcher(doc, as_spans=True)
    assert [(s.start, s.end, s.label_, s.text) for s in found] == [(1, 3, "GPE", "New York"), (5, 7, "GPE", "New York")]
    assert all(isinstance(s, weft.Span) for s in found)
    # A Span: tuples are relative to it, spans are in the Doc (as spaCy).
    part = doc[3:7]
    assert matcher(part) == [(nlp.vocab.strings["GPE"], 2, 4)]
    assert [(s.start, s.end) for s in matcher(part, as_spans=True)] == [(5, 7)]


def test_with_alignments(nlp):
    doc = make(nlp, ["a", "b", "b", "c"])
    matcher = weft.Matcher(nlp.vocab)
    matcher.add("A", [[{"ORTH": "a"}, {"ORTH": "b", "OP": "+"}, {"ORTH": "c"}]])
    assert matcher(doc, with_alignments=True) == [(nlp.vocab.strings["A"], 0, 4, [0, 1, 1, 2])]
    # as_spans wins over with_alignments, as in spaCy.
    assert [s.text for s in matcher(doc, as_spans=True, with_alignments=True)] == ["a b b c"]


def test_on_match(nlp):
    doc = make(nlp, ["a", "a", "b", "a"])
    calls = []

    def record(matcher, d, i, matches):
        calls.append((matcher, d, i, matches[i]))

    def rewrite(matcher, d, i, matches):
        matches[i] = ("rewritten", i)

    matcher = weft.Matcher(nlp.vocab)
    matcher.add("A", [[{"ORTH": "a", "OP": "+"}]], on_match=record, greedy="LONGEST")
    matcher.add("B", [[{"ORTH": "b"}]], on_match=rewrite)
    result = matcher(doc)
    a = nlp.vocab.strings["A"]
    # B is not filtered and comes first; A's filtered matches follow.
    assert result == [("rewritten", 0), (a, 0, 2), (a, 3, 4)]
    assert [(m, d, i, x) for m, d, i, x in calls] == [(matcher, doc, 1, (a, 0, 2)), (matcher, doc, 2, (a, 3, 4))]
    assert matcher.get("A")[0] is record
    # Adding the key again replaces the callback.
    matcher.add("A", [], on_match=None)
    calls.clear()
    matcher(doc)
    assert calls == []
    with pytest.raises(ValueError, match="on_match"):
        matcher.add("C", [[{"ORTH": "c"}]], on_match="not callable")


def test_annotations_from_conllu(nlp, tmp_path):
    rows = [
        ("She", "she", "PRON", "Case=Nom|Number=Sing|Person=3"),
        ("saw", "see", "VERB", "Tense=Past|VerbForm=Fin"),
        ("them", "they", "PRON", "Case=Acc|Number=Plur|Person=3"),
        (".", ".", "PUNCT", "_"),
    ]
    text = "".join(f"{i}\t{f}\t{l}\t{p}\t_\t{m}\t0\t_\t_\t_\n" for i, (f, l, p, m) in enumerate(rows, 1)) + "\n"
    path = tmp_path / "s.conllu"
    path.write_text(text, encoding="utf-8")
    doc = weft.read_conllu(path, nlp.vocab)[0]
    matcher = weft.Matcher(nlp.vocab)
    matcher.add("PRON", [[{"POS": "PRON"}]])
    matcher.add("SEE", [[{"LEMMA": "see"}, {"MORPH": {"IS_SUPERSET": ["Number=Plur"]}}]])
    matcher.add("NOM", [[{"MORPH": {"INTERSECTS": ["Case=Nom"]}}]])
    matcher.add("FEATS", [[{"MORPH": "Number=Sing|Case=Nom|Person=3"}]])
    got = [(nlp.vocab.strings[k], s, e) for k, s, e in matcher(doc)]
    assert got == [("PRON", 0, 1), ("NOM", 0, 1), ("FEATS", 0, 1), ("SEE", 1, 3), ("PRON", 2, 3)]
    # A Doc without the annotation: spaCy's E155, unless allow_missing.
    bare = make(nlp, ["She", "saw"])
    with pytest.raises(ValueError, match="POS"):
        matcher(bare)
    assert matcher(bare, allow_missing=True) == []


@pytest.mark.parametrize(
    "patterns, parts",
    [
        ([[{"ORTH": "a"}], [{"ORTH": "b"}, {"FOO": "x"}]], ["pattern 1", "token 1", "FOO"]),
        ([[{"ORTH": "a", "OP": "++"}]], ["pattern 0", "token 0", "++"]),
        ([[{"ORTH": {"REGEX": "(unclosed"}}]], ["token 0", "(unclosed"]),
        ([[{"ORTH": 1}]], ["token 0", "ORTH", "must be a string"]),
        ([[{"IS_ALPHA": "yes"}]], ["token 0", "IS_ALPHA", "boolean"]),
        ([[]], ["pattern 0", "empty"]),
        ([{"ORTH": "a"}], ["pattern 0", "must be a list"]),
        ([({"ORTH": "a"},)], ["pattern 0", "must be a list", "tuple"]),
        ({"ORTH": "a"}, ["patterns must be a list"]),
        ([[{"ORTH": "a"}, {"ORTH": {"IN": {"a", "b"}}}]], ["pattern 0", "token 1", "cannot be set"]),
        ([[{"ORTH": "a"}, {2.5: "a"}]], ["pattern 0", "token 1", "2.5"]),
        ([[{"ORTH": "a"}, {9999: "a"}]], ["pattern 0", "token 1", "9999"]),
        ([[{"ORTH": {"IN": "ab"}}]], ["token 0", "IN", "expected a list"]),
        ([[{"LENGTH": {">": "2"}}]], ["token 0", "expected a number"]),
        ([[{"ORTH": None}]], ["token 0", "null"]),
    ],
)
def test_bad_patterns(nlp, patterns, parts):
    matcher = weft.Matcher(nlp.vocab)
    with pytest.raises(weft.ValueError) as info:
        matcher.add("LABEL", patterns)
    assert isinstance(info.value, ValueError)  # weft.ValueError is a Python ValueError, as spaCy's errors
    message = str(info.value)
    assert 'key "LABEL"' in message
    for part in parts:
        assert part in message
    assert len(matcher) == 0  # nothing was added


def test_bad_calls(nlp):
    matcher = weft.Matcher(nlp.vocab)
    matcher.add("A", [[{"ORTH": "a"}]])
    with pytest.raises(ValueError, match="Doc or Span"):
        matcher("not a doc")
    with pytest.raises(ValueError, match="key"):
        matcher.add(2.5, [[{"ORTH": "a"}]])
    assert matcher(weft.Doc(nlp.vocab, words=[])) == []
