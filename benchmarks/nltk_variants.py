"""NLTK's tokenizers and Punkt behind weft's registry, so that `weft evaluate` scores NLTK's output with
the same scorer (CoNLL 2018, raw text) as weft's variants. Imported as --code by benchmarks/variants.py,
in an interpreter with NLTK and weft's module (the peers' environment with PYTHONPATH=build/python):

    PYTHONPATH=build/python .venv-peers/bin/python -m weft evaluate en data/en_ewt/dev.conllu --raw \\
        --unit sentence --tokenizer nltk.TreebankWordTokenizer --code benchmarks/nltk_variants.py --json

- nlp tokenizers "nltk.TreebankWordTokenizer" and "nltk.WordPunctTokenizer": NLTK's tokens as the text's
  own characters (span_tokenize, so Treebank's `` and '' are the quotes they stand for); each token is
  one word (NLTK has no multi-word tokens).
- component "nltk_punkt": PunktTrainer trained on the raw text of a CoNLL-U file's
  documents (as weft train reads them: weft.read_conllu's texts joined by a blank line), then
  span_tokenize of each Doc's text (per line with "per_line": NLTK run on each line, so a newline
  always ends a sentence, as weft's split_on_newlines); a token starts a sentence when it is the first
  at or after a sentence's start, as in weft.PunktSentencizer.v1.
- component "nltk_perceptron": NLTK's PerceptronTagger trained on a CoNLL-U file's sentences, one tagger
  for UPOS and one for XPOS, tagging each sentence's words (gold words: `weft evaluate` without --raw).
"""
import functools
import os

from nltk.tokenize import TreebankWordTokenizer, WordPunctTokenizer
from nltk.tokenize.punkt import PunktSentenceTokenizer, PunktTrainer

import weft


@weft.registry.tokenizers("nltk.TreebankWordTokenizer", "NLTK's TreebankWordTokenizer (span_tokenize)")
def make_treebank(config, vocab):
    tb = TreebankWordTokenizer()
    return lambda text: [text[a:b] for a, b in tb.span_tokenize(text)]


@weft.registry.tokenizers("nltk.WordPunctTokenizer", "NLTK's WordPunctTokenizer (span_tokenize)")
def make_wordpunct(config, vocab):
    wp = WordPunctTokenizer()
    return lambda text: [text[a:b] for a, b in wp.span_tokenize(text)]


@functools.lru_cache(maxsize=None)
def punkt_parameters(train_path):
    text = "\n\n".join(d.text for d in weft.read_conllu(train_path))
    trainer = PunktTrainer()
    trainer.train(text, finalize=True)
    return trainer.get_params()


def sentence_starts(tok, text, per_line):
    """Character offsets where NLTK's sentences start."""
    if not per_line:
        return [a for a, _ in tok.span_tokenize(text)]
    starts, offset = [], 0
    for line in text.split("\n"):
        starts += [offset + a for a, _ in tok.span_tokenize(line)]
        offset += len(line) + 1
    return starts


@weft.Language.factory("nltk_punkt",
                       default_config={"train": os.path.join("data", "en_ewt", "train.conllu"), "per_line": False},
                       assigns=["token.is_sent_start"])
def make_punkt(nlp, name, train, per_line):
    tok = PunktSentenceTokenizer(punkt_parameters(train))

    def punkt(doc):
        starts = sorted(sentence_starts(tok, doc.text, per_line))
        k = 0
        for i, t in enumerate(doc):
            first = i == 0
            while k < len(starts) and starts[k] <= t.idx:
                first = True
                k += 1
            t.is_sent_start = first
        return doc

    return punkt


@functools.lru_cache(maxsize=None)
def perceptron_taggers(train_path, n_iter, seed):
    """NLTK's PerceptronTagger trained on a CoNLL-U file's sentences (gold words), one for UPOS and one
    for XPOS (NLTK's tagger predicts one tag set), n_iter passes each (NLTK's default is 5), with
    Python's random seeded as given (NLTK shuffles the sentences with it)."""
    import random

    from nltk.tag.perceptron import PerceptronTagger
    sents = weft.read_conllu(train_path, unit="sentence")
    taggers = {}
    for attr in ("pos_", "tag_"):
        data = [[(t.text, getattr(t, attr)) for t in s] for s in sents]
        random.seed(seed)
        tagger = PerceptronTagger(load=False)
        tagger.train(data, nr_iter=n_iter)
        taggers[attr] = tagger
    return taggers


@weft.Language.factory("nltk_perceptron",
                       default_config={"train": os.path.join("data", "en_ewt", "train.conllu"), "n_iter": 5, "seed": 0},
                       assigns=["token.pos", "token.tag"])
def make_perceptron(nlp, name, train, n_iter, seed):
    """NLTK's averaged perceptron taggers (above) over each sentence's words: UPOS and XPOS."""
    taggers = perceptron_taggers(train, n_iter, seed)

    def tag(doc):
        for sent in doc.sents:
            tokens = list(sent)
            words = [t.text for t in tokens]
            for attr, tagger in taggers.items():
                for t, (_, label) in zip(tokens, tagger.tag(words)):
                    setattr(t, attr, label)
        return doc

    return tag
