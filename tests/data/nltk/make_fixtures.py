"""Writes what NLTK answers on fixed inputs, for the tests of weft's NLTK variants (tests/cpp/
test_variants.cpp, tests/python/test_variants.py), so they run where NLTK is not installed:

    PYTHONPATH=build/python .venv-peers/bin/python tests/data/nltk/make_fixtures.py

(NLTK from PyPI in the peers' environment, benchmarks/setup_peers.sh; weft's module from the build
reads the CoNLL-U documents, so NLTK gets exactly the text `weft train` and `weft evaluate --raw` use.)

- treebank.jsonl: {"text", "tokens"}: TreebankWordTokenizer().tokenize(text) of hand-written edge cases,
  seeded random strings over the characters its rules look at, and EWT dev sentences with quotes or
  contractions.
- regexp.jsonl: {"pattern", "gaps", "text", "tokens"}: RegexpTokenizer(pattern, gaps=gaps).tokenize(text).
- punkt.json: PunktTrainer on the raw text of the first documents of EWT train (joined by a blank
  line; its length and ends are kept to check the tests build the same text), its parameters (abbrev_types, collocations, sent_starters, ortho_context), and PunktSentenceTokenizer's
  span_tokenize of texts ("spans": [{"text", "spans"}] with UTF-8 byte offsets).
"""
import json
import pathlib
import random
import sys

import nltk
from nltk.tokenize import RegexpTokenizer, TreebankWordTokenizer
from nltk.tokenize.punkt import PunktSentenceTokenizer, PunktTrainer

HERE = pathlib.Path(__file__).resolve().parent
EWT = HERE.parents[2] / "data" / "en_ewt"


def documents(path):
    """The raw text of each document of a CoNLL-U file, as weft's reader makes it (the sentences' text
    joined by a space, or by a newline at a # newpar, and by nothing after a SpaceAfter=No)."""
    import weft
    return [d.text for d in weft.read_conllu(str(path))]


def sentences(path):
    return [l[len("# text = "):].rstrip("\n") for l in open(path, encoding="utf-8") if l.startswith("# text = ")]


def byte_spans(text, spans):
    return [[len(text[:a].encode()), len(text[:b].encode())] for a, b in spans]


TREEBANK_CASES = [
    "Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\nThanks.",
    "They'll save and invest more.",
    "hi, my name can't hello,",
    '"Hi," he said. "It\'s over."',
    "He said ''yes'' and ``no''.",
    "a,,b :: c: 3:30, 4,000 and 1,2",
    "x--y ... z; @home #tag 50% & more",
    "gonna wanna gimme lemme gotta cannot d'ye more'n 'tis 'twas",
    "GONNA Cannot 'Tis 'TWAS wanna\tgo",
    "wannabe canno cannot. 'tisn't",
    "I'm, you're, they've, she'd, we'll, it's, dogs' bones, DON'T, CAN'T",
    "end.)\"  ",
    "end.\n",
    "end,\n",
    "end:",
    "(a) [b] {c} <d>",
    "Mr. O'Neil's dog's bone. Ms. Smith's.",
    "What?! No!! Really?",
    "'quoted' 'tis \"the\" ''end''",
    "\"",
    "''",
    "``",
    "",
    "   ",
    ".",
    "..",
    "a.",
    "A. B. C.",
    "U.S.A. and U.K.",
    "é, ü: ñ. 日本語。",
    "٣,٤ and ٣, ٤",
    "x\u00a0, y\u2028z. ",
    "long ... ... .... dots....",
    "It costs $5,000,000 (five million).",
    "she said: \"go\", then left.",
    "O'Reilly's rock'n'roll ain't y'all's.",
]

REGEXP_CASES = [
    (r"\w+|[^\w\s]+", False, ["Good muffins cost $3.88\nin New York.", "Can't stop, won't stop!", "é日本 ٣٤ x_y", ""]),
    (r"\w+|\$[\d\.]+|\S+", False, ["Good muffins cost $3.88\nin New York.  Please buy me\ntwo of them.\n\nThanks.", "naïve café €5"]),
    (r"\s+", True, ["Good muffins cost $3.88\nin New York.", "  lead and trail  ", "tab\tand\u00a0nbsp"]),
    (r"[A-Z]\w+", False, ["Good muffins cost $3.88 in New York. Please buy me two of them. Thanks.", "Émile Zola"]),
    (r",\s*", True, ["a, b,c ,d", ",x,,y,"]),
    (r"\d+(?:\.\d+)?", False, ["3.14 and 42 and 1.", "٣.٤"]),
    (r"(?i)[a-z]+", False, ["MiXeD case and ÉTÉ"]),
    (r"[^\d\s]+", False, ["letters_only 123 abc ٣x"]),
    (r"^\w+", False, ["first line\nsecond line\nthird"]),
    (r".+", False, ["all\nof it"]),
]

PUNKT_TEXTS = [
    "Mr. Smith went to Washington. He arrived at 5 p.m. on Tuesday. \"Good,\" he said.",
    "(How does it deal with this parenthesis?)  \"It should be part of the previous sentence.\" "
    "\"(And the same with this one.)\" ('And this one!') \"('(And (this)) '?)\" [(and this. )]",
    "Very bad acting!!! I promise. Really... I do. See p. 5. The U.S. Army won. J. S. Bach wrote it.",
    "It is 5. Then 6. No. 7 is next -- or not. e.g. this. i.e. that.",
    "He said “go.” She went. «Non.» Ok. ‘Yes.’ Fine.",
    "A sentence without an end\nand a line\n\nand a paragraph.  Trailing space.   ",
    "   Leading space. Second.",
    "Numbers 1.5 and 3. are here. 4. Fourth item.",
    "Ellipsis . . . and more. . . . End.",
]


def main():
    random.seed(22)
    out = HERE
    tb = TreebankWordTokenizer()
    cases = list(TREEBANK_CASES)
    alphabet = list("aAbcnNtTsSdDmMlLrRvVeE'\"`,:;.!?()[]{}<>-@#$%&19 \n\t") + [
        "can", "not", "gon", "na", "wan", "'tis", "'twas", "d'ye", "more'n", "gimme", "n't", "'ll", "'re", "'ve",
        "\u00a0", "é", "٣", "…", "''", "``", "--", "...", "\u2028", " 't", "is", "was", "ſ"]
    for _ in range(200):
        cases.append("".join(random.choice(alphabet) for _ in range(random.randint(1, 16))))
    dev = sentences(EWT / "dev.conllu")
    cases += [s for s in dev if '"' in s or "'" in s or ":" in s][:80]
    with open(out / "treebank.jsonl", "w", encoding="utf-8") as f:
        for s in cases:
            f.write(json.dumps({"text": s, "tokens": tb.tokenize(s)}, ensure_ascii=False) + "\n")

    with open(out / "regexp.jsonl", "w", encoding="utf-8") as f:
        for pattern, gaps, texts in REGEXP_CASES:
            rt = RegexpTokenizer(pattern, gaps=gaps)
            for text in texts:
                f.write(json.dumps({"pattern": pattern, "gaps": gaps, "text": text, "tokens": rt.tokenize(text)},
                                   ensure_ascii=False) + "\n")

    train_docs = documents(EWT / "train.conllu")[:30]
    train_text = "\n\n".join(train_docs)
    trainer = PunktTrainer()
    trainer.train(train_text, finalize=True)
    params = trainer.get_params()
    tok = PunktSentenceTokenizer(params)
    texts = PUNKT_TEXTS + documents(EWT / "dev.conllu")[:30]
    punkt = {
        "nltk_version": nltk.__version__,
        "train_documents": len(train_docs),
        "train_text_chars": len(train_text),
        "train_text_head": train_text[:200],
        "train_text_tail": train_text[-200:],
        "abbrev_types": sorted(params.abbrev_types),
        "collocations": sorted([list(c) for c in params.collocations]),
        "sent_starters": sorted(params.sent_starters),
        "ortho_context": {k: v for k, v in sorted(params.ortho_context.items()) if v},
        "spans": [{"text": t, "spans": byte_spans(t, tok.span_tokenize(t)),
                   "spans_no_realign": byte_spans(t, tok.span_tokenize(t, realign_boundaries=False))}
                  for t in texts],
    }
    with open(out / "punkt.json", "w", encoding="utf-8") as f:
        json.dump(punkt, f, ensure_ascii=False)
        f.write("\n")
    print(f"NLTK {nltk.__version__}: {len(cases)} Treebank cases, {sum(len(t) for _, _, t in REGEXP_CASES)} Regexp "
          f"cases, Punkt trained on {len(train_docs)} documents ({len(params.abbrev_types)} abbreviations, "
          f"{len(params.collocations)} collocations, {len(params.sent_starters)} sentence starters), "
          f"{len(texts)} texts split", file=sys.stderr)


if __name__ == "__main__":
    main()
