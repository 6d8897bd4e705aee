"""Memory of Docs held with and without doc.tensor (nlp.keep_tensors): one process per setting.

    PYTHONPATH=build/python .venv/bin/python benchmarks/doc_tensor_memory.py off
    PYTHONPATH=build/python .venv/bin/python benchmarks/doc_tensor_memory.py on

Annotates the EWT dev text once (so the folded rows and the word cache are filled), then four times
more keeping every Doc in a list, and prints how much the resident memory grew (psutil).
"""
import gc
import sys

import psutil

import weft

keep = sys.argv[1:] == ["on"]
nlp = weft.load("models/en_ewt_sm")
lines = [line for line in open("data/en_ewt/dev.txt", encoding="utf-8") if line.strip()]
list(nlp.pipe(lines))
nlp.keep_tensors = keep
proc = psutil.Process()
gc.collect()
before = proc.memory_info().rss
docs = list(nlp.pipe(lines * 4))
grown = proc.memory_info().rss - before
words = sum(len(d) for d in docs)
print(f"keep_tensors={keep}: {len(docs)} Docs, {words} words held, RSS +{grown / 2**20:.1f} MiB "
      f"({grown / words:.0f} bytes a word)")
