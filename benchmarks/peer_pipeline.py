"""Annotation speed of a trained weft pipeline against spaCy on the same text in the same run.

    benchmarks/setup_peers.sh      # once: .venv-peers with spaCy and NLTK from PyPI
    .venv-peers/bin/python benchmarks/peer_pipeline.py [--model models/en_ewt_sm] [--words 500000] [--disable parser]

Input: data/en_ewt/dev.txt (one document per paragraph), repeated until at least --words words.
weft is timed by build/bin/bench_pipeline (C++, nlp.pipe over the same paragraphs, 1 and 2 threads).
spaCy runs an initialized pipeline of its default CPU config with the same components (tok2vec,
tagger, morphologizer, trainable_lemmatizer, and parser and ner when the weft model has them and
they are not disabled; `spacy init config`, then nlp.initialize() on an example sentence): speed does not depend
on trained weights, so no model download is needed. --disable NAME leaves a weft component out (and
spaCy's counterpart: parser, ner). Words/s
divides the words weft's tokenizer finds in the text by each system's time (the same numerator).
"""
import argparse
import re
import resource
import subprocess
import sys
import time


def spacy_pipeline(with_parser, with_ner=False):
    import spacy
    from spacy.lang.en import English
    from spacy.training import Example
    from spacy.util import load_config_from_str
    from spacy.cli.init_config import init_config

    components = (["tagger", "morphologizer", "trainable_lemmatizer"] + (["parser"] if with_parser else [])
                  + (["ner"] if with_ner else []))
    config = init_config(lang="en", pipeline=components, optimize="efficiency")
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    words = ["The", "cats", "were", "sitting", "on", "the", "mats", "."]
    doc = spacy.tokens.Doc(nlp.vocab, words=words, pos=["DET", "NOUN", "AUX", "VERB", "ADP", "DET", "NOUN", "PUNCT"],
                           tags=["DT", "NNS", "VBD", "VBG", "IN", "DT", "NNS", "."],
                           morphs=["", "Number=Plur", "Mood=Ind", "VerbForm=Part", "", "", "Number=Plur", ""],
                           lemmas=["the", "cat", "be", "sit", "on", "the", "mat", "."],
                           heads=[1, 3, 3, 3, 6, 6, 3, 3], deps=["det", "nsubj", "aux", "ROOT", "case", "det", "obl", "punct"],
                           ents=["O", "B-ORG", "O", "O", "O", "O", "B-LOC", "O"] if with_ner else None)
    if with_ner:
        nlp.get_pipe("ner").add_label("PER")  # weft's recognizer has PER, ORG and LOC: the same output size
    example = Example(nlp.make_doc(" ".join(words)), doc)
    nlp.initialize(lambda: [example])
    return nlp, spacy.__version__, " + ".join(["tok2vec"] + components)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="models/en_ewt_sm")
    ap.add_argument("--text", default="data/en_ewt/dev.txt")
    ap.add_argument("--words", type=int, default=500000)
    ap.add_argument("--bench", default="build/bin/bench_pipeline")
    ap.add_argument("--disable", action="append", default=[])
    args = ap.parse_args()

    cmd = [args.bench, args.model, "--text", args.text, "--min-words", str(args.words), "--threads", "2"]
    for name in args.disable:
        cmd += ["--disable", name]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    print(out, end="")
    m = re.search(r"x (\d+) = (\d+) docs, (\d+) words", out)
    copies, total_words = int(m.group(1)), int(m.group(3))
    weft_1 = float(re.search(r"1 thread:\s+(\d+)", out).group(1))

    paragraphs = [line for line in open(args.text, encoding="utf-8").read().split("\n") if line]
    texts = paragraphs * copies
    weft_pipeline = re.search(r"pipeline:([^)]*)\)", out).group(1).split()
    nlp, version, spacy_components = spacy_pipeline("parser" in weft_pipeline, "ner" in weft_pipeline)
    for _ in nlp.pipe(texts[:200]):  # warm-up
        pass
    best = 1e30
    for _ in range(2):
        t0 = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=128):
            pass
        best = min(best, time.perf_counter() - t0)
    spacy_wps = total_words / best
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nspaCy {version} ({spacy_components}, efficiency config, "
          f"initialized), 1 thread: {spacy_wps:.0f} words/s (best of 2), peak RSS {rss:.0f} MB")
    print(f"weft/spaCy, 1 thread: {weft_1 / spacy_wps:.1f}x")


if __name__ == "__main__":
    sys.exit(main())
