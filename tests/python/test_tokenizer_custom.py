"""spaCy's tokenizer customization on nlp.tokenizer: add_special_case (with NORM), rules, prefix_search,
suffix_search, infix_finditer, token_match and url_match (set from compiled Python patterns, weft.util's
compile_*_regex, strings or None), the RE2 translation and its errors, saving with the model, and
test_same_as_spacy comparing with spaCy itself when it can be run (SPACY_PYTHON or an importable spacy)."""
import json
import pickle
import re
import subprocess
import sys

import pytest

import weft
from weft.attrs import NORM, ORTH
from weft.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, translate


def texts(nlp, text):
    return [t.text for t in nlp(text)]


@pytest.fixture
def nlp():
    return weft.blank("en")


# ---- special cases -------------------------------------------------------------------------------

def test_gimme_special_case_with_norm(nlp):
    # spaCy's usage docs: "Adding special case tokenization rules".
    assert texts(nlp, "gimme that") == ["gimme", "that"]
    nlp.tokenizer.add_special_case("gimme", [{ORTH: "gim", NORM: "give"}, {ORTH: "me"}])
    doc = nlp("gimme that")
    assert [t.text for t in doc] == ["gim", "me", "that"]
    assert [t.norm_ for t in doc] == ["give", "me", "that"]
    # Special cases apply after punctuation is split off, and have precedence over it.
    assert texts(nlp, "gimme!") == ["gim", "me", "!"]
    assert texts(nlp, '("gimme")') == ["(", '"', "gim", "me", '"', ")"]
    assert "gimme" not in texts(nlp, '("...gimme...?")')
    nlp.tokenizer.add_special_case("...gimme...?", [{"ORTH": "...gimme...?"}])
    assert texts(nlp, "...gimme...?") == ["...gimme...?"]
    assert nlp.tokenizer.explain("gimme!") == [("SPECIAL-1", "gim"), ("SPECIAL-2", "me"), ("SUFFIX", "!")]
    assert nlp.tokenizer.rules["gimme"] == [{"ORTH": "gim", "NORM": "give"}, {"ORTH": "me"}]


def test_special_case_keys_as_spacy(nlp):
    nlp.tokenizer.add_special_case("lemme", [{"orth": "lem", "norm": "let"}, {"ORTH": "me"}])
    assert [(t.text, t.norm_) for t in nlp("lemme go")] == [("lem", "let"), ("me", "me"), ("go", "go")]
    with pytest.raises(ValueError, match="E997"):
        nlp.tokenizer.add_special_case("gimme", [{ORTH: "gim"}, {ORTH: "m"}])
    with pytest.raises(ValueError, match="E1005"):
        nlp.tokenizer.add_special_case("gimme", [{"ORTH": "gimme", "LEMMA": "give"}])
    with pytest.raises(ValueError, match="E1005"):
        nlp.tokenizer.add_special_case("gimme", [{"ORTH": "gimme", "POS": "VERB"}])
    with pytest.raises(ValueError, match="ORTH"):
        nlp.tokenizer.add_special_case("gimme", [{"NORM": "give"}])
    with pytest.raises(TypeError):
        nlp.tokenizer.add_special_case("gimme", "gimme")
    assert texts(nlp, "gimme") == ["gimme"]  # nothing was added


def test_rules_get_and_set(nlp):
    rules = nlp.tokenizer.rules
    assert rules["cannot"] == [{"ORTH": "can", "MWT": True}, {"ORTH": "not"}]
    assert len(rules) > 500
    nlp.tokenizer.rules = {"lemme": [{"ORTH": "lem"}, {"ORTH": "me"}]}
    assert nlp.tokenizer.rules == {"lemme": [{"ORTH": "lem"}, {"ORTH": "me"}]}
    assert texts(nlp, "lemme cannot") == ["lem", "me", "cannot"]
    nlp.tokenizer.rules = rules
    assert nlp.tokenizer.rules == rules
    assert texts(nlp, "lemme cannot") == ["lemme", "can", "not"]
    with pytest.raises(ValueError, match="E997"):
        nlp.tokenizer.rules = {"abc": [{"ORTH": "ab"}]}
    assert nlp.tokenizer.rules == rules
    nlp.tokenizer.rules = None
    assert nlp.tokenizer.rules == {}
    assert texts(nlp, "cannot") == ["cannot"]


# ---- affix rules ---------------------------------------------------------------------------------

def test_dont_split_on_hyphens_with_the_defaults(nlp):
    # spaCy's usage docs: "Modifying existing rule sets", with weft's own default infixes.
    assert texts(nlp, "mother-in-law") == ["mother", "-", "in", "-", "law"]
    infixes = [p for p in nlp.Defaults.infixes if "(-)" not in p]
    assert len(infixes) == len(nlp.Defaults.infixes) - 1
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    assert texts(nlp, "mother-in-law") == ["mother-in-law"]
    assert texts(nlp, "folks--there (a)") == ["folks", "--", "there", "(", "a", ")"]


def test_dont_split_on_hyphens_with_spacy_style_lookaround(nlp):
    # The same docs example written as in spaCy, with lookbehind and lookahead.
    infixes = [
        r"\.\.+",
        r"(?<=[0-9])[+\-\*^](?=[0-9-])",
        r"(?<=[a-z])\.(?=[A-Z])",
        r"(?<=[a-zA-Z]),(?=[a-zA-Z])",
        r"(?<=[a-zA-Z0-9])[:<>=/](?=[a-zA-Z])",
    ]
    nlp.tokenizer.infix_finditer = re.compile("|".join(infixes)).finditer
    assert texts(nlp, "mother-in-law") == ["mother-in-law"]
    assert texts(nlp, "1+2-3") == ["1", "+", "2", "-", "3"]
    assert texts(nlp, "this,that") == ["this", ",", "that"]
    assert texts(nlp, "end.Start") == ["end", ".", "Start"]
    assert texts(nlp, "and/or") == ["and", "/", "or"]
    # What the getter holds is the translation: the lookarounds became weft's context.
    assert nlp.tokenizer.infix_finditer.__self__.patterns[1] == r"(?:[0-9])([\+\-\*\^])(?:[0-9-])"
    assert [m.span() for m in nlp.tokenizer.infix_finditer("1+2-3")] == [(1, 2), (3, 4)]


def test_add_a_prefix_and_a_suffix(nlp):
    assert texts(nlp, "§12 Acme™") == ["§12", "Acme™"]
    nlp.tokenizer.prefix_search = compile_prefix_regex(list(nlp.Defaults.prefixes) + ["§"]).search
    nlp.tokenizer.suffix_search = compile_suffix_regex(nlp.Defaults.suffixes + ["™"]).search
    assert texts(nlp, "§12 Acme™") == ["§", "12", "Acme", "™"]
    # The defaults still work, multi-word-token flags included.
    assert texts(nlp, '("don\'t")') == ["(", '"', "do", "n't", '"', ")"]
    assert texts(nlp, "Bush's") == ["Bush", "'s"]
    assert nlp.tokenizer.suffix_search.__self__.patterns[0].mwt


def test_a_suffix_that_ends_in_letters_still_applies_to_plain_words(nlp):
    # Letters are "plain" (their chunks skip the affix rules); a letter suffix must undo that.
    nlp.tokenizer.suffix_search = compile_suffix_regex(nlp.Defaults.suffixes + ["ish"]).search
    assert texts(nlp, "greenish smallish") == ["green", "ish", "small", "ish"]
    assert "i" not in nlp.tokenizer._plain_chars and "a" in nlp.tokenizer._plain_chars


def test_replace_affixes_with_python_patterns(nlp):
    # spaCy's usage docs: "Customizing spaCy's Tokenizer class".
    nlp.tokenizer.prefix_search = re.compile(r'''^[\[\("']''').search
    nlp.tokenizer.suffix_search = re.compile(r'''[\]\)"']$''').search
    nlp.tokenizer.infix_finditer = re.compile(r'''[-~]''').finditer
    nlp.tokenizer.url_match = re.compile(r'''^https?://''').match
    nlp.tokenizer.token_match = None  # weft keeps emoticons and URLs whole with its token_match
    assert texts(nlp, "hello-world. :)") == ["hello", "-", "world.", ":", ")"]
    assert texts(nlp, "(x~y)") == ["(", "x", "~", "y", ")"]
    assert texts(nlp, "https://x.org/a-b") == ["https://x.org/a-b"]
    assert texts(nlp, "ftp://x.org/a-b") == ["ftp://x.org/a", "-", "b"]


def test_anchoring_flags_and_lookbehind_in_python_patterns(nlp):
    # spaCy splits off as many characters as an unanchored match has; RE2 cannot: refused.
    with pytest.raises(ValueError, match="not anchored with \\^"):
        nlp.tokenizer.prefix_search = re.compile(r"#").search
    with pytest.raises(ValueError, match="not anchored with \\$"):
        nlp.tokenizer.suffix_search = re.compile(r"^a$|b").search
    nlp.tokenizer.prefix_search = re.compile(r"#").match  # re.match is anchored
    assert texts(nlp, "#12") == ["#", "12"]
    nlp.tokenizer.prefix_search = re.compile(r"^x-|(?:^y-|^z-)", re.IGNORECASE).search
    assert texts(nlp, "X-ray y-ray") == ["X-", "ray", "y-", "ray"]
    # As spaCy: the leftmost match, "0km" after the context "1" (\w takes digits).
    nlp.tokenizer.suffix_search = re.compile(r"(?<=[0-9])\w+$").search
    assert texts(nlp, "10km") == ["1", "0km"]
    nlp.tokenizer.suffix_search = re.compile(r"(?<=[0-9])[a-z]+$").search
    assert texts(nlp, "10km") == ["10", "km"]
    with pytest.raises(ValueError, match="inside a character set"):
        nlp.tokenizer.suffix_search = re.compile(r"(?<=[0-9])[^\W\d]+$").search


def test_removing_rules_with_none(nlp):
    assert texts(nlp, "see example.com/a-b now") == ["see", "example.com/a-b", "now"]
    nlp.tokenizer.url_match = None
    assert nlp.tokenizer.url_match is None
    assert texts(nlp, "see example.com/a-b now") == ["see", "example.com", "/", "a", "-", "b", "now"]
    nlp.tokenizer.prefix_search = None
    assert nlp.tokenizer.prefix_search is None
    assert texts(nlp, "(hello") == ["(hello"]
    nlp.tokenizer.suffix_search = None
    nlp.tokenizer.infix_finditer = None
    nlp.tokenizer.token_match = None
    assert texts(nlp, "(a-b), :)") == ["(a-b),", ":)"]
    assert nlp.tokenizer.explain(":)") == [("TOKEN", ":)")]


def test_token_match_replaces_the_old_one(nlp):
    assert texts(nlp, "well-known :)") == ["well", "-", "known", ":)"]
    nlp.tokenizer.token_match = re.compile(r"^[a-z]+-[a-z]+$").match
    assert texts(nlp, "well-known :)") == ["well-known", ":", ")"]
    assert nlp.tokenizer.explain("well-known") == [("TOKEN_MATCH", "well-known")]
    # re.match semantics: a pattern without $ keeps any chunk that starts with a match.
    nlp.tokenizer.token_match = re.compile(r"[0-9]+x").match
    assert texts(nlp, "3x4-5 x3") == ["3x4-5", "x3"]
    assert nlp.tokenizer.token_match("3x4")
    assert nlp.tokenizer.token_match("x3") is None


def test_getters_match_as_the_tokenizer(nlp):
    tok = nlp.tokenizer
    assert tok.prefix_search("(abc").end() == 1
    assert tok.prefix_search("abc") is None
    assert tok.suffix_search("abc.").start() == 3
    assert tok.suffix_search("don't").group() == "n't"
    assert [m.group() for m in tok.infix_finditer("well-known/ok")] == ["-", "/"]
    assert tok.url_match("www.example.com")
    assert tok.url_match("hello") is None
    assert tok.token_match(":)")
    assert (tok.find_prefix('"Hi'), tok.find_suffix("Hi!?"), len(tok.find_infix("a-b-c"))) == (1, 2, 2)
    # Non-ASCII offsets are characters.
    assert tok.suffix_search("café.").span() == (4, 5)
    assert tok.prefix_search.__self__.patterns == nlp.Defaults.prefixes
    assert tok.prefix_search.__self__.pattern.startswith("^")
    # Setting what a getter gave changes nothing.
    before = (tok.to_json(), texts(nlp, "(mother-in-law's) www.x.com :)"))
    for slot in ("prefix_search", "suffix_search", "infix_finditer", "token_match", "url_match"):
        setattr(tok, slot, getattr(tok, slot))
    assert (tok.to_json(), texts(nlp, "(mother-in-law's) www.x.com :)")) == before


def test_defaults_are_fresh_lists(nlp):
    d = nlp.Defaults
    d.prefixes.append("zzz")
    assert "zzz" not in nlp.Defaults.prefixes
    assert nlp.Defaults.prefixes + ["x"]  # lists, as spaCy's
    assert nlp.Defaults.tokenizer_exceptions["cannot"] == [{"ORTH": "can", "MWT": True}, {"ORTH": "not"}]
    assert nlp.Defaults.url_match("www.example.com")
    assert weft.util.language_defaults("en").infixes == nlp.Defaults.infixes


def test_patterns_re2_cannot_run_are_refused(nlp):
    before = nlp.tokenizer.to_json()
    with pytest.raises(ValueError, match="lookahead"):
        nlp.tokenizer.infix_finditer = re.compile(r"a(?=b)c").finditer
    with pytest.raises(ValueError, match="lookbehind"):
        nlp.tokenizer.token_match = re.compile(r"(?<=a)b").match
    with pytest.raises(ValueError, match="backreference"):
        nlp.tokenizer.suffix_search = re.compile(r"(a)\1$").search
    with pytest.raises(ValueError, match="negative lookahead"):
        nlp.tokenizer.infix_finditer = re.compile(r"x(?!ab)").finditer
    with pytest.raises(ValueError, match="GIL"):
        nlp.tokenizer.prefix_search = lambda s: None
    with pytest.raises(ValueError, match="finditer"):
        nlp.tokenizer.infix_finditer = re.compile("-").search
    with pytest.raises(ValueError, match="capturing group"):
        nlp.tokenizer.infix_finditer = re.compile("(a)(b)").finditer
    with pytest.raises(ValueError, match="does not compile"):
        nlp.tokenizer.infix_finditer = compile_infix_regex([r"\p{Bogus}"]).finditer
    assert nlp.tokenizer.to_json() == before


def test_translate_spells_re2():
    assert translate(r"^\d+\w*$", kind="whole") == r"^\p{Nd}+[\p{L}\p{N}_]*$"
    assert translate(r"^[\d-]", kind="prefix") == [r"[\p{Nd}-]"]
    assert translate(r"\u00e9\N{BULLET}", kind="infix") == ["é•"]
    assert translate(r"(?<![0-9])x$", kind="suffix") == [r"(?:^|[^0-9])(x)"]
    assert translate(r"^a(?=b)|^(?<=z)c|^d", kind="prefix") == ["(a)(?:b)", "d"]
    assert translate(r"(?x) a b  # c", kind="infix") == ["ab"]
    assert translate(r"ab", flags=re.I, kind="whole", method="fullmatch") == "(?i)ab"


def test_a_whitespace_tokenizer_has_no_rules(nlp):
    nlp.set_tokenizer({"@tokenizers": "weft.WhitespaceTokenizer.v1"})
    with pytest.raises(ValueError, match="no rules"):
        nlp.tokenizer.add_special_case("gimme", [{"ORTH": "gim"}, {"ORTH": "me"}])


def test_worker_threads_see_the_change(nlp):
    batch = ["gimme that %d" % i for i in range(200)]
    assert all(len(d) == 3 for d in nlp.pipe(batch, n_threads=2, batch_size=16))
    nlp.tokenizer.add_special_case("gimme", [{"ORTH": "gim", "NORM": "give"}, {"ORTH": "me"}])
    docs = list(nlp.pipe(batch, n_threads=2, batch_size=16))
    assert all([t.text for t in d][:2] == ["gim", "me"] and d[0].norm_ == "give" for d in docs)


# ---- saved with the model ------------------------------------------------------------------------

def customize(nlp):
    nlp.tokenizer.add_special_case("gimme", [{"ORTH": "gim", "NORM": "give"}, {"ORTH": "me"}])
    nlp.tokenizer.infix_finditer = compile_infix_regex([p for p in nlp.Defaults.infixes if "(-)" not in p]).finditer
    nlp.tokenizer.suffix_search = compile_suffix_regex(nlp.Defaults.suffixes + ["™"]).search
    nlp.tokenizer.url_match = None


TEXT = "gimme the mother-in-law's Acme™ example.com/a-b"


def test_saved_and_loaded(nlp, tmp_path):
    assert texts(nlp, TEXT) == ["gimme", "the", "mother", "-", "in", "-", "law", "'s", "Acme™", "example.com/a-b"]
    customize(nlp)
    got = texts(nlp, TEXT)
    assert got == ["gim", "me", "the", "mother-in-law", "'s", "Acme", "™", "example.com", "/", "a-b"]
    nlp.to_disk(tmp_path / "model")
    saved = json.loads((tmp_path / "model" / "tokenizer.json").read_text(encoding="utf-8"))
    assert saved["special_cases"]["gimme"] == [{"orth": "gim", "norm": "give"}, "me"]
    assert saved["url_match"] == ""
    loaded = weft.load(tmp_path / "model")
    assert texts(loaded, TEXT) == got
    assert loaded(TEXT)[0].norm_ == "give"
    assert loaded.tokenizer.rules["gimme"] == [{"ORTH": "gim", "NORM": "give"}, {"ORTH": "me"}]
    assert texts(pickle.loads(pickle.dumps(nlp)), TEXT) == got


# ---- the same as spaCy ---------------------------------------------------------------------------

SPACY_SCRIPT = r"""
import json, re, sys
import spacy
from spacy.tokenizer import Tokenizer
from spacy.util import compile_prefix_regex, compile_suffix_regex, compile_infix_regex
case = json.load(sys.stdin)
nlp = spacy.blank("en")
tok = Tokenizer(nlp.vocab, rules=case["rules"],
                prefix_search=compile_prefix_regex(case["prefixes"]).search,
                suffix_search=compile_suffix_regex(case["suffixes"]).search,
                infix_finditer=compile_infix_regex(case["infixes"]).finditer,
                token_match=re.compile(case["token_match"]).match,
                url_match=re.compile(case["url_match"]).match)
print(json.dumps([[t.text for t in tok(text)] for text in case["texts"]]))
"""

CASE = {
    "rules": {"gimme": [{"ORTH": "gim", "NORM": "give"}, {"ORTH": "me"}], "don't": [{"ORTH": "do"}, {"ORTH": "n't"}],
              "U.S.": [{"ORTH": "U.S."}]},
    "prefixes": [r"\(", r"\[", '"', "'", r"\$", r"\.\.+", r"-+(?![0-9])", "§"],
    "suffixes": [r"\)", r"\]", '"', "'", r"(?<=[0-9])(?:km|kg|m)", r"(?<=[a-z])\.", r"[!?]+", ",", r"\.\.+",
                 r"(?<=[0-9])%", "'s"],
    "infixes": [r"(?<=[a-z])-(?=[a-z])", r"(?<=[0-9])[+*/](?=[0-9])", r"(?<=[a-zA-Z]),(?=[a-zA-Z])", r"\.\.+",
                r"(?<=[a-z])\.(?=[A-Z])"],
    "token_match": r"^(?::\)|:\(|<3)$",
    "url_match": r"^https?://[^\s]+$",
    "texts": ["gimme that!", "(gimme)", "\"Don't\" she said.", "10km, 5kg and 12% of $30...", "mother-in-law's car.",
              "1+2*3/4 -5 --x", "a,b,c end.Start U.S. U.S.!", "see https://x.org/a-b). :) <3", "wait...what?!",
              "§12 [x] 'quoted'", "ABC,def...ghi", "(((gimme)))", "e-mail x-ray's"],
}



def test_same_as_spacy(spacy_python):
    python = spacy_python
    result = subprocess.run([python, "-c", SPACY_SCRIPT], input=json.dumps(CASE), capture_output=True, text=True,
                            timeout=300)
    if result.returncode != 0:
        pytest.skip(f"spaCy could not run: {result.stderr[-300:]}")
    expected = json.loads(result.stdout)
    nlp = weft.blank("en")
    tok = nlp.tokenizer
    tok.rules = CASE["rules"]
    tok.prefix_search = re.compile("|".join("^" + p for p in CASE["prefixes"])).search
    tok.suffix_search = re.compile("|".join(p + "$" for p in CASE["suffixes"])).search
    tok.infix_finditer = compile_infix_regex(CASE["infixes"]).finditer
    tok.token_match = re.compile(CASE["token_match"]).match
    tok.url_match = re.compile(CASE["url_match"]).match
    for text, want in zip(CASE["texts"], expected):
        assert texts(nlp, text) == want, text
