"""The same Doc API calls in weft and in spaCy 3.8 (run in its own interpreter: SPACY_PYTHON, or an
importable spacy), compared result by result. Skipped where spaCy cannot be run."""
import json
import subprocess

import pytest

import weft

# Each check builds a blank English Doc from words (spaces after each) with a sentencizer where it
# needs sentences, and returns JSON-able values.
CHECKS = r'''
def run_checks(lib, blank, Token, Span, Doc):
    out = {}
    nlp = blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp("One two three. Four five six. Seven eight.")
    sents = list(doc.sents)
    out["span_sent"] = [[doc[a:b].sent.start, doc[a:b].sent.end] for a, b in [(2, 6), (4, 6), (3, 4), (5, 9), (0, 10)]]
    out["span_sents"] = [[s.start, s.end] for s in sents]
    empty = nlp.make_doc("")
    out["empty_has"] = [empty.has_annotation(a) for a in ["DEP", "POS", "TAG", "ENT_IOB", "SENT_START", "HEAD"]]
    plain = nlp.make_doc("a b c")
    out["plain_has"] = [plain.has_annotation(a) for a in ["DEP", "POS", "SENT_START"]]
    plain[1].is_sent_start = False
    out["plain_has_ss"] = [plain.has_annotation("SENT_START"), plain.has_annotation("SENT_START", require_complete=True)]
    plain[2].is_sent_start = True
    out["plain_has_ss2"] = [plain.has_annotation("SENT_START"), plain.has_annotation("SENT_START", require_complete=True)]
    out["is_sent_start"] = [t.is_sent_start for t in plain]
    out["is_sent_end"] = [t.is_sent_end for t in plain]
    try:
        plain[1].is_sent_start = 3
        out["bad_sent_start"] = "no error"
    except Exception as e:
        out["bad_sent_start"] = type(e).__name__
    t, s = doc[1], doc[0:2]
    out["cmp"] = [t == None, t != None, s == t, t == s, t in [None, t], s in [None, t, s], s == "One two",
                  doc[0] < doc[1], doc[1] <= doc[1], doc[3] > doc[2], doc[0:2] < doc[0:3], doc[0:3] < doc[1:2],
                  doc[1] == doc[1], doc[0:2] == doc[0:2], len({doc[1], doc[1], doc[2]}), len({doc[0:2], doc[0:2], doc[1:3]})]
    try:
        t < None
        out["lt_none"] = "no error"
    except TypeError:
        out["lt_none"] = "TypeError"
    # Extension attributes
    Token.set_extension("cmp_fruit", default=False, force=True)
    Doc.set_extension("cmp_list", default=[], force=True)
    Span.set_extension("cmp_m", method=lambda sp, x=1: len(sp) + x, force=True)
    d = nlp("apple pie")
    d[0]._.cmp_fruit = True
    d._.cmp_list.append(1)
    out["ext"] = [d[0]._.cmp_fruit, d[1]._.cmp_fruit, d._.cmp_list, nlp("x")._.cmp_list, d[0:2]._.cmp_m(),
                  d[0:2]._.cmp_m(5), Token.get_extension("cmp_fruit")[0], Token.has_extension("cmp_fruit"),
                  sorted(k[1] for k in d.user_data if isinstance(k, tuple))]
    for args in [{"default": 1, "getter": len}, {"setter": len}, {}]:
        try:
            Token.set_extension("cmp_bad", **args)
            out.setdefault("ext_errors", []).append("no error")
        except Exception as e:
            out.setdefault("ext_errors", []).append(type(e).__name__)
    try:
        Token.set_extension("cmp_fruit", default=True)
        out["ext_exists"] = "no error"
    except Exception as e:
        out["ext_exists"] = type(e).__name__
    out["removed"] = Token.remove_extension("cmp_fruit")[0]
    try:
        d[0]._.cmp_fruit
        out["ext_gone"] = "no error"
    except AttributeError:
        out["ext_gone"] = "AttributeError"
    Doc.remove_extension("cmp_list")
    Span.remove_extension("cmp_m")
    return out
'''

SPACY_SCRIPT = CHECKS + r'''
import json, spacy
from spacy.tokens import Token, Span, Doc
print(json.dumps(run_checks(spacy, spacy.blank, Token, Span, Doc)))
'''



def test_doc_api_same_as_spacy(spacy_python):
    python = spacy_python
    result = subprocess.run([python, "-c", SPACY_SCRIPT], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        pytest.skip(f"spaCy could not run: {result.stderr[-300:]}")
    expected = json.loads(result.stdout)
    namespace = {}
    exec(CHECKS, namespace)
    got = json.loads(json.dumps(namespace["run_checks"](weft, weft.blank, weft.Token, weft.Span, weft.Doc)))
    assert set(got) == set(expected)
    for key in expected:
        assert got[key] == expected[key], key
