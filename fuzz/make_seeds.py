#!/usr/bin/env python3
"""Writes the committed seed corpora of the fuzz targets, fuzz/corpus/<target>/, from data/ and
models/ (and a few hand-written inputs that reach the formats' corners). Deterministic; rerun it after
changing it and commit the result. Needs the weft Python module (for the DocBin seeds and the tiny
model folder):

    PYTHONPATH=build/python .venv/bin/python fuzz/make_seeds.py

Inputs that found bugs are added by hand as fuzz/corpus/<target>/crash_<what broke>.* and kept.
Seeds are kept small (each at most a few KB, all together well under 1 MB): the fuzzer mutates small
inputs faster, and fuzz.sh copies them to build-fuzz/corpus/, where the runs grow them.
"""
import json
import pathlib
import shutil
import struct
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "fuzz" / "corpus"
EWT = ROOT / "data" / "en_ewt"


def write(target, name, data):
    d = OUT / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (d / name).write_bytes(data)


def conllu_sentences(path, limit=None):
    """The sentences of a CoNLL-U file, each as its text block (comment and word lines)."""
    block, out = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                block.append(line)
            elif block:
                out.append("".join(block))
                block = []
                if limit and len(out) >= limit:
                    break
    if block:
        out.append("".join(block))
    return out


def tokenizer_seeds():
    text = (ROOT / "data" / "sample.txt").read_text(encoding="utf-8")
    paras = [p for p in text.split("\n\n") if p.strip()]
    for k, p in enumerate(paras[:8]):
        write("tokenizer", f"sample_{k}.txt", p[:1500])
    lines = (EWT / "dev.txt").read_text(encoding="utf-8").splitlines()
    # Lines with what the rules handle: URLs, e-mails, numbers and units, contractions, emoticons,
    # quotes and brackets, hyphens, abbreviations.
    picks = [l for l in lines if any(s in l for s in ("http", "www.", "@", "$", "%", "n't", "'s", ":)", "(", "\"", "--", "U.S.", "e.g."))]
    for k, l in enumerate(picks[:12]):
        write("tokenizer", f"ewt_{k}.txt", l)
    hand = {
        "unicode.txt": "Café naïve — “quoted” ‘single’ 東京 Straße ﬁ Ǆ 😀👍🏽 e\u0301 \u00a0nbsp\u2003em\u200bzw",
        "whitespace.txt": " \t\n\r\u2028\u3000 lead  trail \n\n",
        "specials.txt": "don't can't won't I'm y'all 'cause o'clock ma'am e.g. i.e. a.m. p.m. Dr. Mrs. St. Jan. :-) :( <3 ^_^ ;)",
        "numbers.txt": "$1.5m 10km 3:45pm 1,000,000 -12.5% 1e10 2nd #1 555-1234 (555) 123-4567 ½ 10° 5'11\"",
        "urls.txt": "see https://example.com/a?b=c&d=e#f, www.x.org. mail me@example.co.uk or ftp://x.y/z! http://[::1]:80/",
        "punct.txt": "((a)) [b] {c} \"d\" 'e' --f-- g... h!? i;j:k /l\\ m|n ~o` ^p* +q= <r> ...\"'",
        "invalid_utf8.bin": b"abc \xff\xfe d\xc3 e\xe2\x82 \xf0\x9f\x98 \xed\xa0\x80 \xc0\xaf \xf5\x80\x80\x80 ok",
        "empty.txt": "",
    }
    for name, data in hand.items():
        write("tokenizer", name, data)


def conllu_seeds():
    sents = conllu_sentences(EWT / "sample.conllu")
    for k in range(0, 24, 3):
        write("conllu", f"sample_{k:02d}.conllu", "\n".join(sents[k:k + 3]) + "\n")
    dev = conllu_sentences(EWT / "dev.conllu")
    has_range = [s for s in dev if any(l.split("\t", 1)[0].count("-") for l in s.splitlines() if l[:1].isdigit())]
    has_empty = [s for s in dev if any("." in l.split("\t", 1)[0] for l in s.splitlines() if l[:1].isdigit())]
    for k, s in enumerate(has_range[:4]):
        write("conllu", f"mwt_{k}.conllu", s + "\n")
    for k, s in enumerate(has_empty[:3]):
        write("conllu", f"empty_node_{k}.conllu", s + "\n")
    hand = {
        "spaces.conllu": "# newdoc\n# newpar\n1\tA\ta\tDET\tDT\t_\t2\tdet\t_\tSpacesBefore=\\s\\t|SpaceAfter=No\n"
                         "2\tb\tb\tNOUN\tNN\t_\t0\troot\t_\tSpacesAfter=\\n\\s\\\\\\p\\u00A0\n\n"
                         "# newpar\n1\tc\tc\tX\t_\t_\t_\t_\t_\tNER=B-X\n2\td\td\tX\t_\t_\t1\tdep\t_\tNER=I-X|SpaceAfter=No\n",
        "crlf_bom.conllu": "\ufeff# text = x\r\n1\tx\tx\tX\tX\t_\t0\troot\t_\t_\r\n\r\n",
        "no_final_blank.conllu": "1\tx\t_\t_\t_\t_\t_\t_\t_\t_",
        "bad_columns.conllu": "1\tx\tx\n\n1\ty\ty\tX\tX\t_\t0\troot\t_\t_\n",
    }
    for name, data in hand.items():
        write("conllu", name, data)


def jsonl_seeds(weft_bin):
    import subprocess
    sample = "\n".join(conllu_sentences(EWT / "sample.conllu", limit=12)) + "\n"
    tmp = pathlib.Path(tempfile.mkdtemp())
    try:
        src = tmp / "in.conllu"
        src.write_text(sample, encoding="utf-8")
        out = tmp / "out.jsonl"
        subprocess.run([weft_bin, "convert", str(src), "--sentence-docs", "-o", str(out), "--to", "jsonl"], check=True)
        lines = out.read_text(encoding="utf-8").splitlines()
        for k in range(0, len(lines), 3):
            write("jsonl", f"annotated_{k:02d}.jsonl", "\n".join(lines[k:k + 3]) + "\n")
    finally:
        shutil.rmtree(tmp)
    text = (EWT / "dev.txt").read_text(encoding="utf-8").splitlines()
    recs = [json.dumps({"text": t, "meta": {"id": k}}, ensure_ascii=k % 2 == 0) for k, t in enumerate(text[:6])]
    write("jsonl", "raw.jsonl", "\n".join(recs) + "\n")
    hand = {
        "mwt_ents_sents.jsonl": json.dumps({
            "text": "I don't like New York.",
            "tokens": [{"id": 0, "start": 0, "end": 1, "pos": "PRON", "head": 3, "dep": "nsubj"},
                       {"id": 1, "start": 2, "end": 4, "tag": "VBP", "lemma": "do", "head": 3, "dep": "aux"},
                       {"id": 2, "start": 4, "end": 7, "morph": "Polarity=Neg", "head": 3, "dep": "advmod"},
                       {"id": 3, "start": 8, "end": 12, "head": 3, "dep": "root"},
                       {"id": 4, "start": 13, "end": 16, "head": 5, "dep": "compound"},
                       {"id": 5, "start": 17, "end": 21, "head": 3, "dep": "obj"},
                       {"id": 6, "start": 21, "end": 22, "head": 3, "dep": "punct"}],
            "ents": [{"start": 13, "end": 21, "label": "GPE"}],
            "sents": [{"start": 0, "end": 22}],
            "mwt": [1],
            "meta": {"source": "hand"}}, ensure_ascii=False) + "\n",
        "unicode.jsonl": json.dumps({"text": "Zoë — 東京\u00a0😀", "tokens": [{"start": 0, "end": 3}, {"start": 4, "end": 5},
                                     {"start": 6, "end": 8}, {"start": 9, "end": 10}]}, ensure_ascii=False) + "\n\n  \r\n"
                         + '{"text": "\\ud83d\\ude00 \\u00e9"}\n',
        "bad_lines.jsonl": '{"text": 1}\n[1,2]\n{"text": "ok"}\nnot json\n{"text": "x", "meta": []}\n',
    }
    for name, data in hand.items():
        write("jsonl", name, data)


def docbin_seeds(weft):
    from weft import DocBin
    nlp = weft.blank("en")
    docs = weft.read_conllu(str(EWT / "sample.conllu"), nlp.vocab) if hasattr(weft, "read_conllu") else []
    docs = list(docs)[:6]
    for k, doc in enumerate(docs[:4]):
        db = DocBin(docs=[doc])
        write("docbin", f"sample_{k}.docbin", db.to_bytes())
    db = DocBin(docs=[nlp("Hello world! Zoë's café."), nlp("")])
    write("docbin", "plain.docbin", db.to_bytes())
    doc = nlp("Apple buys a U.K. startup for $1 billion.")
    doc.ents = [doc.char_span(0, 5, label="ORG", kb_id="Q312"), doc.char_span(13, 17, label="GPE")]
    doc.spans["sc"] = [doc[0:2], doc.char_span(30, 40, label="MONEY")]
    write("docbin", "ents_spans.docbin", DocBin(docs=[doc]).to_bytes())


def safetensors_file(tensors, metadata=None, f16=False, pad=True):
    header, data, off = {}, b"", 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, (shape, values) in tensors.items():
        raw = struct.pack(f"<{len(values)}{'e' if f16 else 'f'}", *values)
        header[name] = {"dtype": "F16" if f16 else "F32", "shape": shape, "data_offsets": [off, off + len(raw)]}
        data += raw
        off += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        h += b" " * ((8 - (len(h) + 8) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def safetensors_seeds():
    write("safetensors", "tagger.safetensors", (ROOT / "models/en_ewt_sm/tagger/weights.safetensors").read_bytes())
    write("safetensors", "empty.safetensors", safetensors_file({}))
    write("safetensors", "meta_f32.safetensors",
          safetensors_file({"a.W": ([2, 3], [1, 2, 3, 4, 5, 6]), "b": ([], [7]), "z": ([0, 4], [])},
                           metadata={"format": "pt", "weft": "1"}))
    write("safetensors", "f16.safetensors",
          safetensors_file({"x": ([1, 2, 1, 2], [0.5, -2, 65504, 1e-7]), "y": ([3], [1, 2, 3])}, f16=True))


def model_folder_input(folder, names):
    """The target's text form of a model folder: '=== path' lines, each followed by the file."""
    out = b""
    for name in names:
        p = folder / name
        out += b"=== " + name.encode() + b"\n" + p.read_bytes()
        if not out.endswith(b"\n"):
            out += b"\n"
    return out


def model_config_seeds(weft):
    sm = ROOT / "models" / "en_ewt_sm"
    # The shipped model's config alone (its weights are too big for a seed: loading stops at tok2vec).
    write("model_config", "en_ewt_sm_config.txt", (sm / "config.json").read_bytes())
    write("model_config", "en_ewt_sm_meta.txt", model_folder_input(sm, ["config.json", "meta.json"]))
    tmp = pathlib.Path(tempfile.mkdtemp())
    try:
        nlp = weft.blank("en")
        nlp.to_disk(str(tmp / "blank"))
        write("model_config", "blank.txt", model_folder_input(tmp / "blank", ["config.json", "meta.json"]))
        nlp = weft.blank("en")
        nlp.add_pipe("sentencizer")
        ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True, "phrase_matcher_attr": "LOWER"})
        ruler.add_patterns([{"label": "ORG", "pattern": "Apple"},
                            {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}], "id": "sf"}])
        nlp.disable_pipe("sentencizer")
        nlp.to_disk(str(tmp / "rules"))
        write("model_config", "rules.txt",
              model_folder_input(tmp / "rules", ["config.json", "meta.json", "entity_ruler/patterns.jsonl"]))
        # A tokenizer.json of its own: a few of the English rules of each kind (the whole English rule
        # set would make every input pay for compiling it).
        en = json.loads((sm / "tokenizer.json").read_text(encoding="utf-8"))
        small = {"@tokenizers": "weft.Tokenizer.v1", "prefixes": en["prefixes"][:6], "suffixes": en["suffixes"][:6],
                 "infixes": en["infixes"][:6], "token_match": ":-\\)|<3|#[\\p{L}_]+",
                 "url_match": "(?i:https?://|www\\.)[^\\s<>\"]+", "plain_chars": en["plain_chars"],
                 "special_cases": dict(list(en["special_cases"].items())[:6]), "cache_size": 64}
        (tmp / "rules" / "tokenizer.json").write_text(json.dumps(small, ensure_ascii=False), encoding="utf-8")
        write("model_config", "custom_tokenizer.txt",
              model_folder_input(tmp / "rules", ["config.json", "tokenizer.json", "entity_ruler/patterns.jsonl"]))
        # Trained models small enough for seeds: tiny tok2vec and heads, two steps on a few sentences.
        for name, pipeline in (("tiny_tagger", ["tok2vec", "tagger", "sentencizer"]),
                               ("tiny_all", ["tok2vec", "tagger", "morphologizer", "lemmatizer", "parser", "ner"])):
            tiny = tiny_model(weft, tmp / name, pipeline)
            files = sorted(str(p.relative_to(tiny)) for p in tiny.rglob("*") if p.is_file() and p.name != "tokenizer.json")
            data = model_folder_input(tiny, files)
            assert len(data) <= 64 * 1024, f"the {name} model is {len(data)} bytes"
            write("model_config", f"{name}.txt", data)
    finally:
        shutil.rmtree(tmp)


def tiny_model(weft, out, pipeline):
    import io
    model = {"hidden_width": 8, "maxout_pieces": 2}
    components = {
        "tok2vec": {"factory": "tok2vec", "width": 8, "depth": 1, "window_size": 1, "maxout_pieces": 2, "storage": "f16",
                    "features": [{"attr": "NORM", "rows": 50}, {"attr": "SHAPE", "rows": 20}]},
        "tagger": {"factory": "tagger", "tok2vec": {"upstream": "tok2vec"}, "storage": "f16"},
        "morphologizer": {"factory": "morphologizer", "tok2vec": {"upstream": "tok2vec"}, "storage": "f16"},
        "lemmatizer": {"factory": "lemmatizer", "tok2vec": {"upstream": "tok2vec"}, "storage": "f16"},
        "parser": {"factory": "parser", "tok2vec": {"upstream": "tok2vec"}, "storage": "f16", "model": model},
        "ner": {"factory": "ner", "tok2vec": {"upstream": "tok2vec"}, "storage": "f16", "model": model},
        "sentencizer": {"factory": "sentencizer"},
    }
    config = {
        "nlp": {"lang": "en", "pipeline": pipeline},
        "components": {name: components[name] for name in pipeline},
        "corpora": {"train": str(EWT / "sample.conllu"), "dev": str(EWT / "sample.conllu"),
                    "max_train_docs": 10, "max_dev_docs": 3},
        "training": {"max_steps": 2, "eval_frequency": 2},
    }
    weft.train(config, output=str(out), log=io.StringIO())
    return out / "model-last"


MATCHER = [
    [[{"LOWER": "hello"}, {"IS_PUNCT": True, "OP": "?"}, {"LOWER": "world"}]],
    [[{"ORTH": "the", "OP": "+"}, {"POS": "PROPN"}]],
    [[{"POS": "DET"}, {"OP": "*"}, {"POS": "NOUN"}]],
    [[{"ORTH": "a"}, {"ORTH": "b", "OP": "!"}]],
    [[{"IS_TITLE": True, "OP": "{2}"}], [{"IS_ALPHA": True, "OP": "{1,3}"}, {"IS_DIGIT": False, "OP": "{2,}"}]],
    [[{"ORTH": "a", "OP": "{,2}"}, {"LEMMA": "come"}]],
    [[{"LOWER": {"FUZZY": "presidnt"}}], [{"LOWER": {"FUZZY2": {"IN": ["bsh", "tuesday"]}}}]],
    [[{"LENGTH": {">=": 5, "<": 9}}, {"SHAPE": "xxxx"}]],
    [[{"TEXT": {"REGEX": "^[A-Z]\\w+$"}}, {"NORM": {"NOT_IN": ["on", "the"]}}]],
    [[{"MORPH": {"IS_SUPERSET": ["Number=Sing"]}}, {"MORPH": {"IS_SUBSET": ["Number=Sing", "Person=3"]}}]],
    [[{"MORPH": {"INTERSECTS": ["Tense=Past", "Tense=Pres"]}}], [{"MORPH": "Number=Sing|PronType=Dem"}]],
    [[{"TAG": "NNP"}, {"DEP": "nsubj", "ENT_TYPE": "PER"}], [{"ENT_IOB": "B"}, {"ENT_IOB": "I", "OP": "*"}]],
    [[{"SENT_START": True}, {"SPACY": False}], [{"IS_SENT_START": True}]],
    [[{"LIKE_NUM": True}, {"LIKE_URL": False, "LIKE_EMAIL": False, "IS_STOP": False}]],
    [[{"PREFIX": "Pr"}, {"SUFFIX": "ush"}], [{"IS_UPPER": True}, {"IS_LOWER": True}, {"IS_SPACE": False}]],
    [[{"ORTH": {"==": "AP"}}], [{"LENGTH": {"!=": 3}}, {"LENGTH": {"<=": 2}}, {"LENGTH": {">": 1}}]],
    [[{"LOWER": {"REGEX": {"IN": ["^a", "b$"]}}}], [{"ORTH": {"FUZZY": {"NOT_IN": ["Bosh"]}}}]],
    [[{"IS_BRACKET": False, "IS_QUOTE": False, "IS_LEFT_PUNCT": False, "IS_RIGHT_PUNCT": False, "IS_CURRENCY": False}]],
    [[{"ORTH": "do"}, {"ORTH": "n't"}, {"LEMMA": "panic"}, {"OP": "?"}, {"ENT_TYPE": "GPE", "OP": "+"}]],
    [[{"_": {"is_fruit": True}}]],
    [[{}], [{"OP": "!"}, {}]],
    [],
    [[{"ORTH": "a", "OP": "++"}]],
    [[{"ORTH": {"REGEX": "(unclosed"}}]],
    [[{"LOWER": "x", "OP": "{3,1}"}], [{"NOPE": 1}]],
]

RULER = [
    ['{"label": "ORG", "pattern": "Apple"}', '{"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}], "id": "sf"}'],
    ['{"label": "PER", "pattern": "President Bush"}', '{"label": "PER", "pattern": "Bush", "id": "gwb"}',
     '{"label": "DATE", "pattern": [{"ORTH": "Tuesday"}]}'],
    ['{"label": "X", "pattern": [{"POS": "PROPN", "OP": "+"}]}', '', '{"label": "Y", "pattern": "the AP"}\r'],
    ['{"label": "ORG", "pattern": "ap"}', '{"label": "ORG", "pattern": "AP", "id": ""}',
     '{"label": "ORG||x", "pattern": "story"}'],
    ['{"label": "N", "pattern": [{"LIKE_NUM": true}, {"IS_ALPHA": true, "OP": "?"}]}',
     '{"label": "Q", "pattern": [{"LOWER": {"IN": ["two", "don\'t"]}}]}'],
    ['{"label": "E", "pattern": [{"ENT_TYPE": "PER"}]}', '{"label": "T", "pattern": [{"TAG": "NNP"}]}'],
    ['{"label": "BAD", "pattern": 3}'],
    ['{"label": "U", "pattern": "Zoë 東京 😀"}', '{"label": "F", "pattern": [{"LOWER": {"FUZZY": "francsco"}}]}'],
]


def main():
    sys.path.insert(0, str(ROOT / "build" / "python"))
    import weft
    # Inputs that found bugs (crash_*, kept by hand as regression seeds) stay; the rest is rewritten.
    for p in OUT.rglob("*"):
        if p.is_file() and not p.name.startswith("crash_"):
            p.unlink()
    tokenizer_seeds()
    conllu_seeds()
    jsonl_seeds(str(ROOT / "build" / "bin" / "weft"))
    docbin_seeds(weft)
    safetensors_seeds()
    model_config_seeds(weft)
    for k, p in enumerate(MATCHER):
        write("matcher", f"pattern_{k:02d}.json", json.dumps(p, ensure_ascii=False))
    for k, lines in enumerate(RULER):
        write("entity_ruler", f"patterns_{k}.jsonl", "\n".join(lines) + "\n")
    total = sum(p.stat().st_size for p in OUT.rglob("*") if p.is_file())
    n = sum(1 for p in OUT.rglob("*") if p.is_file())
    print(f"make_seeds: {n} seeds, {total} bytes under {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
