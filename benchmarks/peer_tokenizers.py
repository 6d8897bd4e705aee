"""Tokenizer speed of weft against spaCy and NLTK on the same text in the same run.

    benchmarks/setup_peers.sh      # once: .venv-peers with spaCy and NLTK from PyPI
    .venv-peers/bin/python benchmarks/peer_tokenizers.py [--words 2000000] [--weft build/bin/bench_tokenizer]

Input: the raw text (# text) of every sentence of data/en_ewt/train.conllu, repeated until at least
--words gold words, one call per sentence, single thread, warm caches (one untimed pass first).
Words/s divides the gold UD word count of the input by the time, the same numerator for everyone;
tokens/s counts what each tokenizer returned. weft is timed by its C++ benchmark on the same file.
"""
import argparse
import re
import resource
import subprocess
import sys
import time


def load(path, min_words):
    sents, words = [], []
    n = 0
    for block in open(path, encoding="utf-8").read().split("\n\n"):
        text = None
        count = 0
        for line in block.split("\n"):
            if line.startswith("# text = "):
                text = line[len("# text = "):]
            elif line and line[0].isdigit() and "\t" in line:
                ident = line.split("\t", 1)[0]
                if ident.isdigit():
                    count += 1
        if text is not None:
            sents.append(text)
            words.append(count)
    total = sum(words)
    reps = -(-min_words // total)
    return sents * reps, total * reps


def timed(fn, texts):
    fn(texts[: len(texts) // 10])  # warm-up (caches)
    start = time.perf_counter()
    tokens = fn(texts)
    return time.perf_counter() - start, tokens


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conllu", default="data/en_ewt/train.conllu")
    ap.add_argument("--words", type=int, default=2_000_000)
    ap.add_argument("--weft", default="build/bin/bench_tokenizer")
    args = ap.parse_args()
    texts, n_words = load(args.conllu, args.words)

    out = subprocess.run([args.weft, "--conllu", args.conllu, "--words", str(args.words)],
                         capture_output=True, text=True, check=True).stdout
    print(out.rstrip())
    weft_wps = float(re.search(r"words/s:\s+([\d.]+) M", out).group(1)) * 1e6

    import spacy
    from nltk.tokenize import TreebankWordTokenizer

    nlp = spacy.blank("en")
    tok = nlp.tokenizer
    treebank = TreebankWordTokenizer()
    rows = []
    for name, fn in [
        (f"spaCy {spacy.__version__} English tokenizer", lambda ts: sum(len(tok(t)) for t in ts)),
        ("NLTK TreebankWordTokenizer", lambda ts: sum(len(treebank.tokenize(t)) for t in ts)),
    ]:
        secs, tokens = timed(fn, texts)
        rows.append((name, secs, n_words / secs, tokens / secs))
    print(f"\npeers on the same {len(texts)} sentences ({n_words} gold words), one thread, warm cache:")
    for name, secs, wps, tps in rows:
        print(f"  {name:40s} {secs:7.2f} s  {wps / 1e6:6.3f} M words/s  {tps / 1e6:6.3f} M tokens/s"
              f"  weft/peer = {weft_wps / wps:5.1f}x")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  (peer process peak RSS {peak:.0f} MB)")


if __name__ == "__main__":
    sys.exit(main())
