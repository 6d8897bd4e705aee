"""The comparison table of weft's NLTK variants (issue 22, docs/variants.md): each variant against weft's
default for its task and against NLTK's counterpart, scored by `weft evaluate` on EWT dev (raw text) and
timed in one process on one core, in the same run.

    benchmarks/setup_peers.sh      # once: .venv-peers with NLTK (and spaCy) from PyPI
    PYTHONPATH=build/python taskset -c 0 .venv-peers/bin/python benchmarks/variants.py [--repeat 5]

Tokenizers: the `# text` of every EWT dev sentence, one text each (`weft evaluate en ... --raw --unit
sentence --tokenizer NAME`; NLTK's tokenizers through benchmarks/nltk_variants.py, which puts them
behind weft's registry so the same scorer scores them); agreement: the share of dev sentences on which
NLTK's tokenize() and weft's tokens (quotes in their Treebank form, token.norm_) are the same list.
Sentence boundaries: the raw text of each EWT dev document (`weft evaluate MODEL ... --raw`), with
Punkt trained on the raw text of EWT train's documents (weft: `weft train
models/configs/variants/punkt_sentencizer.json`; NLTK: PunktTrainer on the same text) and weft's
tokenizer under every segmenter. Words/s: gold dev words over the best of --repeat passes, one thread
(weft through its Python API: nlp.make_doc / nlp(text); NLTK's own calls), after one untimed pass.
Training: learning alone from the EWT train text (1.0 MB), best of --repeat / 2 runs.
Tagging and entities (issue 22 part B): gold dev words and sentences (`weft evaluate MODEL dev.conllu`,
no --raw); weft.PerceptronTagger.v1 and weft.CRFEntityRecognizer.v1 trained by `weft train` from their
configs in models/configs/variants/, NLTK's PerceptronTagger trained in this process on the same
sentences (benchmarks/nltk_variants.py, also scored by weft evaluate), against the shipped model's
tagger and recognizer (with their tok2vec); words/s of the component alone over the gold dev Docs.
--sections picks what runs.
"""
import argparse
import json
import os
import pathlib
import platform
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build" / "python"))

import nltk  # noqa: E402
from nltk.tokenize import TreebankWordTokenizer, WordPunctTokenizer  # noqa: E402
from nltk.tokenize.punkt import PunktSentenceTokenizer, PunktTrainer  # noqa: E402

import weft  # noqa: E402

EWT = ROOT / "data" / "en_ewt"
DEV = EWT / "dev.conllu"
TRAIN = EWT / "train.conllu"
CODE = ROOT / "benchmarks" / "nltk_variants.py"


def weft_cli(args, python=False):
    """Runs the weft command (the executable, or `python -m weft` in this interpreter for --code)."""
    cmd = ([sys.executable, "-m", "weft"] if python else [str(ROOT / "build" / "bin" / "weft")]) + [str(a) for a in args]
    env = dict(os.environ, PYTHONPATH=str(ROOT / "build" / "python"))
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
    if proc.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{proc.stderr}")
    return proc.stdout


def scores(model, *extra, python=False):
    out = json.loads(weft_cli(["evaluate", model, DEV, "--raw", "--json", *extra], python=python))
    return {m: 100 * out[m]["f1"] for m in ("Tokens", "Words", "Sentences") if m in out}


def best_time(fn, repeat):
    """The shortest of `repeat` timed calls, after one untimed call (caches, lazily folded tables)."""
    fn()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def component_speed(path, gold_words, repeat, keep):
    """Gold dev words per second of a model's components `keep` alone (the others disabled), run over the
    gold dev Docs (their words and sentences): nlp(doc) per Doc, best of `repeat`."""
    m = weft.load(path)
    for n in m.pipe_names:
        if n not in keep:
            m.disable_pipe(n)
    docs = weft.read_conllu(DEV, vocab=m.vocab)
    return gold_words / best_time(lambda: [m(d) for d in docs], repeat)


def load_nltk_variants():
    """benchmarks/nltk_variants.py as a module (its registrations made once)."""
    if "nltk_variants" not in sys.modules:
        import importlib.util
        spec = importlib.util.spec_from_file_location("nltk_variants", CODE)
        sys.modules["nltk_variants"] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules["nltk_variants"])
    return sys.modules["nltk_variants"]


def treebank_forms(doc):
    return [t.norm_ if t.text in ('"', "''") else t.text for t in doc]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--model", default=str(ROOT / "models" / "en_ewt_sm"), help="the shipped model (parser segmentation)")
    ap.add_argument("--sections", default="tokenizers,sentences,tagging,entities",
                    help="comma-separated: tokenizers, sentences, tagging, entities")
    args = ap.parse_args()
    sections = set(args.sections.split(","))
    os.chdir(ROOT)
    weft.set_cpu_int8(True)
    gold_docs = weft.read_conllu(DEV)
    dev_texts = [d.text for d in gold_docs]
    gold_words = sum(len(d) for d in gold_docs)
    sents = [l[len("# text = "):].rstrip("\n") for l in open(DEV, encoding="utf-8") if l.startswith("# text = ")]
    train_text = "\n\n".join(d.text for d in weft.read_conllu(TRAIN))
    print(f"weft {weft.__version__}, NLTK {nltk.__version__}, Python {platform.python_version()}, "
          f"{platform.processor() or platform.machine()}; EWT dev: {len(sents)} sentences, {len(gold_docs)} documents, "
          f"{gold_words} words; one thread, best of {args.repeat} passes")

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="weft_variants_"))
    if "tokenizers" in sections:
        # ---- tokenizers ---------------------------------------------------------------------------------
        tb, wp = TreebankWordTokenizer(), WordPunctTokenizer()
        rows = []
        for name, label in [("weft.Tokenizer.v1", "weft.Tokenizer.v1 (default)"), ("weft.TreebankTokenizer.v1", None),
                            ("weft.RegexpTokenizer.v1", "weft.RegexpTokenizer.v1 (default pattern, WordPunct)")]:
            nlp = weft.blank("en")
            nlp.set_tokenizer({"@tokenizers": name})
            s = scores("en", "--unit", "sentence", "--tokenizer", name)
            secs = best_time(lambda: [nlp.make_doc(t) for t in sents], args.repeat)
            agree = ""
            if name == "weft.TreebankTokenizer.v1":
                same = sum(treebank_forms(nlp.make_doc(t)) == tb.tokenize(t) for t in sents)
                agree = f"{same}/{len(sents)} = {100 * same / len(sents):.2f}% (TreebankWordTokenizer)"
            elif name == "weft.RegexpTokenizer.v1":
                same = sum([t.text for t in nlp.make_doc(x)] == wp.tokenize(x) for x in sents)
                agree = f"{same}/{len(sents)} = {100 * same / len(sents):.2f}% (WordPunctTokenizer)"
            rows.append((label or name, s, gold_words / secs, agree))
        for name, label, fn in [("nltk.TreebankWordTokenizer", f"NLTK {nltk.__version__} TreebankWordTokenizer",
                                 lambda: [tb.tokenize(t) for t in sents]),
                                ("nltk.WordPunctTokenizer", f"NLTK {nltk.__version__} WordPunctTokenizer",
                                 lambda: [wp.tokenize(t) for t in sents])]:
            s = scores("en", "--unit", "sentence", "--tokenizer", name, "--code", CODE, python=True)
            rows.append((label, s, gold_words / best_time(fn, args.repeat), ""))
        print("\nTokenization, EWT dev sentences (raw `# text`, one text each):\n")
        print("| tokenizer | Tokens F1 | Words F1 | words/s | same tokens as NLTK (sentences) |")
        print("| --- | ---: | ---: | ---: | --- |")
        for label, s, wps, agree in rows:
            print(f"| {label} | {s['Tokens']:.2f} | {s['Words']:.2f} | {wps:,.0f} | {agree} |")

    if "sentences" in sections:
        # ---- Punkt ----------------------------------------------------------------------------------------
        config = ROOT / "models" / "configs" / "variants" / "punkt_sentencizer.json"
        weft_cli(["train", config, "--output", tmp / "punkt"])
        weft_cli(["train", config, "--output", tmp / "punkt_nonl", "--set", "components.punkt.split_on_newlines=false"])
        # Learning alone, on the same text in this process: weft's PunktSentencizer.train, NLTK's PunktTrainer.train.
        learner = weft.blank("en").add_pipe("weft.PunktSentencizer.v1")
        weft_train_s = best_time(lambda: learner.train(train_text), max(1, args.repeat // 2))

        def nltk_train():
            trainer = PunktTrainer()
            trainer.train(train_text, finalize=True)
            return trainer.get_params()
        nltk_train_s = best_time(nltk_train, max(1, args.repeat // 2))
        params = nltk_train()
        punkt_tok = PunktSentenceTokenizer(params)
        weft_punkt = weft.load(tmp / "punkt" / "model-best")
        wp_params = weft_punkt.get_pipe("punkt")
        same_params = (set(wp_params.abbrev_types) == params.abbrev_types and set(wp_params.collocations) == params.collocations
                       and set(wp_params.sent_starters) == params.sent_starters)
        same_spans = sum([tuple(x) for x in wp_params.span_tokenize(t)] == list(punkt_tok.span_tokenize(t)) for t in dev_texts)
        # NLTK's Punkt as a pipeline component (benchmarks/nltk_variants.py), for weft evaluate.
        load_nltk_variants()
        for per_line in (False, True):
            nlp = weft.blank("en")
            nlp.add_pipe("nltk_punkt", name="punkt", config={"train": str(TRAIN), "per_line": per_line})
            nlp.to_disk(tmp / f"nltk_punkt_{int(per_line)}")

        blank = weft.blank("en")
        blank.add_pipe("sentencizer")
        model = weft.load(args.model)
        weft_punkt_nonl = weft.load(tmp / "punkt_nonl" / "model-best")
        seg_rows = [
            ("weft.Sentencizer.v1 (default; rules, newlines split)", scores("en"),
             best_time(lambda: [blank(t) for t in dev_texts], args.repeat), ""),
            ("weft.PunktSentencizer.v1, newlines split (config default)", scores(tmp / "punkt" / "model-best"),
             best_time(lambda: [weft_punkt(t) for t in dev_texts], args.repeat), f"{weft_train_s:.2f} s (PunktSentencizer.train)"),
            ("weft.PunktSentencizer.v1, `split_on_newlines: false`", scores(tmp / "punkt_nonl" / "model-best"),
             best_time(lambda: [weft_punkt_nonl(t) for t in dev_texts], args.repeat), ""),
            (f"NLTK {nltk.__version__} Punkt (PunktTrainer, same text), per line",
             scores(tmp / "nltk_punkt_1", "--code", CODE, python=True),
             best_time(lambda: [list(punkt_tok.span_tokenize(l)) for t in dev_texts for l in t.split("\n")], args.repeat), ""),
            (f"NLTK {nltk.__version__} Punkt (PunktTrainer, same text), whole document",
             scores(tmp / "nltk_punkt_0", "--code", CODE, python=True),
             best_time(lambda: [list(punkt_tok.span_tokenize(t)) for t in dev_texts], args.repeat),
             f"{nltk_train_s:.2f} s (PunktTrainer.train)"),
            (f"{pathlib.Path(args.model).name} (sentencizer starts + parser; full pipeline)", scores(args.model),
             best_time(lambda: [model(t) for t in dev_texts], max(1, args.repeat // 2)), ""),
        ]
        print("\nSentence boundaries, EWT dev documents (raw text; weft's English tokenizer under each):\n")
        print("| segmenter | Sentences F1 | Tokens F1 | words/s | training |")
        print("| --- | ---: | ---: | ---: | --- |")
        for label, s, secs, train in seg_rows:
            print(f"| {label} | {s['Sentences']:.2f} | {s['Tokens']:.2f} | {gold_words / secs:,.0f} | {train} |")
        print(f"\nweft's Punkt against NLTK's on the same training text: parameters {'identical' if same_params else 'DIFFERENT'} "
              f"({len(params.abbrev_types)} abbreviation types, {len(params.collocations)} collocations, "
              f"{len(params.sent_starters)} sentence starters); sentence spans identical on {same_spans}/{len(dev_texts)} "
              f"dev documents.")
        print("words/s: weft's rows include its tokenizer (nlp(text)); NLTK Punkt's rows are span_tokenize alone "
              "(no word tokenization); the full pipeline's row tags, parses and recognizes entities too.")
    if "tagging" in sections:
        tagging(args, args.model, gold_docs, gold_words, tmp)
    if "entities" in sections:
        entities(args, args.model, gold_words, tmp)


def tagging(args, model_path, gold_docs, gold_words, tmp):
    """Part-of-speech tagging on gold words: scores by `weft evaluate MODEL dev.conllu --json` (no --raw),
    words/s of tagging alone over the gold dev Docs (their words and sentences), one thread."""
    config = ROOT / "models" / "configs" / "variants" / "perceptron_tagger.json"
    t0 = time.perf_counter()
    weft_cli(["train", config, "--output", tmp / "perceptron"])
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    weft_cli(["train", config, "--output", tmp / "perceptron_nltk", "--set", "components.tagger.features=\"nltk\"",
              "--set", "components.tagger.lexicon=\"\"", "--set", "training.max_epochs=5"])
    train_nltk_s = time.perf_counter() - t0
    module = load_nltk_variants()
    t0 = time.perf_counter()
    taggers = module.perceptron_taggers(str(TRAIN), 5, 0)
    nltk_train_s = time.perf_counter() - t0
    nlp = weft.blank("en")
    nlp.add_pipe("nltk_perceptron", name="tagger", config={"train": str(TRAIN)})
    nlp.to_disk(tmp / "nltk_perceptron")
    sents = [[t.text for t in s] for d in gold_docs for s in d.sents]

    def tag_scores(model, *extra, python=False):
        out = json.loads(weft_cli(["evaluate", model, DEV, "--json", *extra], python=python))
        return out["UPOS"]["f1"] * 100, out["XPOS"]["f1"] * 100

    rows = [
        (f"{pathlib.Path(model_path).name} tagger (default: tok2vec + softmax heads)", tag_scores(model_path),
         component_speed(model_path, gold_words, args.repeat, {"tok2vec", "tagger"}), "(shipped)"),
        ("weft.PerceptronTagger.v1 (extended features + data/lexicon clusters and dictionary tags, 10 epochs)",
         tag_scores(tmp / "perceptron" / "model-best"),
         component_speed(tmp / "perceptron" / "model-best", gold_words, args.repeat, {"tagger"}),
         f"{train_s:.0f} s (weft train)"),
        ("weft.PerceptronTagger.v1 (`features: nltk`, no lexicon, 5 epochs)",
         tag_scores(tmp / "perceptron_nltk" / "model-best"),
         component_speed(tmp / "perceptron_nltk" / "model-best", gold_words, args.repeat, {"tagger"}),
         f"{train_nltk_s:.0f} s (weft train)"),
        (f"NLTK {nltk.__version__} PerceptronTagger (one tagger per tag set, 5 iterations)",
         tag_scores(tmp / "nltk_perceptron", "--code", CODE, python=True),
         gold_words / best_time(lambda: [taggers["pos_"].tag(w) for w in sents], max(1, args.repeat // 2)),
         f"{nltk_train_s:.0f} s (train, both taggers)"),
    ]
    print("\nPart-of-speech tagging, EWT dev (gold words and sentences):\n")
    print("| tagger | UPOS | XPOS | words/s | training |")
    print("| --- | ---: | ---: | ---: | --- |")
    for label, (upos, xpos), wps, train in rows:
        print(f"| {label} | {upos:.2f} | {xpos:.2f} | {wps:,.0f} | {train} |")
    print("words/s: tagging alone over the gold dev Docs (nlp(doc) with only the tagger, and for the default its "
          "tok2vec, enabled); NLTK's: PerceptronTagger.tag(words) per sentence, its UPOS tagger alone.")


def entities(args, model_path, gold_words, tmp):
    """Named entities (PER, ORG, LOC) on gold words: ENTS_P/R/F by `weft evaluate MODEL dev.conllu --json`,
    words/s of recognition alone over the gold dev Docs, one thread. NLTK has no CRF of its own (its
    CRFTagger wraps python-crfsuite, not installed), so the CRF is compared with weft's neural recognizer."""
    config = ROOT / "models" / "configs" / "variants" / "crf_entity_recognizer.json"
    t0 = time.perf_counter()
    weft_cli(["train", config, "--output", tmp / "crf"])
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    weft_cli(["train", config, "--output", tmp / "crf_bio", "--set", "components.ner.scheme=\"BIO\""])
    train_bio_s = time.perf_counter() - t0

    def ent_scores(model):
        out = json.loads(weft_cli(["evaluate", model, DEV, "--json"]))
        return out["ENTS_P"] * 100, out["ENTS_R"] * 100, out["ENTS_F"] * 100

    rows = [
        (f"{pathlib.Path(model_path).name} ner (default: tok2vec + transition-based BILUO)", ent_scores(model_path),
         component_speed(model_path, gold_words, args.repeat, {"tok2vec", "ner"}), "(shipped)"),
        ("weft.CRFEntityRecognizer.v1 (BILUO, data/lexicon clusters and dictionary tags)", ent_scores(tmp / "crf" / "model-best"),
         component_speed(tmp / "crf" / "model-best", gold_words, args.repeat, {"ner"}), f"{train_s:.0f} s (weft train, 6 epochs)"),
        ("weft.CRFEntityRecognizer.v1 (`scheme: BIO`)", ent_scores(tmp / "crf_bio" / "model-best"),
         component_speed(tmp / "crf_bio" / "model-best", gold_words, args.repeat, {"ner"}), f"{train_bio_s:.0f} s (weft train, 6 epochs)"),
    ]
    print("\nNamed entities, EWT dev (gold words and sentences; UD English-EWT's Universal NER labels PER, ORG, LOC):\n")
    print("| recognizer | ENTS_P | ENTS_R | ENTS_F | words/s | training |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for label, (p, r, f), wps, train in rows:
        print(f"| {label} | {p:.2f} | {r:.2f} | {f:.2f} | {wps:,.0f} | {train} |")
    print("words/s: recognition alone over the gold dev Docs (nlp(doc) with only the recognizer, and for the "
          "default its tok2vec, enabled).")


if __name__ == "__main__":
    sys.exit(main())
