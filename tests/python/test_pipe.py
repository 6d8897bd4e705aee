"""nlp.pipe: streaming, order, threads, GIL release, as_tuples."""
import threading
import time

import pytest

import weft


@pytest.fixture(scope="module")
def nlp():
    return weft.blank("en")


def test_pipe_keeps_order(nlp):
    texts = [f"Text number {i} is here." for i in range(2000)]
    for threads in (1, 2):
        docs = list(nlp.pipe(texts, batch_size=64, n_threads=threads))
        assert [d.text for d in docs] == texts


def test_pipe_is_lazy(nlp):
    def texts():
        for i in range(10**9):
            yield f"text {i}"
    gen = nlp.pipe(texts(), batch_size=10)
    first = [next(gen) for _ in range(25)]
    assert first[24].text == "text 24"


def test_pipe_as_tuples(nlp):
    out = list(nlp.pipe([("a b", 1), ("c", {"id": 2})], as_tuples=True))
    assert [(d.text, c) for d, c in out] == [("a b", 1), ("c", {"id": 2})]


def test_pipe_rejects_non_str(nlp):
    with pytest.raises(TypeError):
        list(nlp.pipe([b"bytes"]))


def test_pipe_releases_the_gil(nlp):
    # A Python thread keeps counting while C++ tokenizes a large batch: with the GIL held it could not.
    texts = ["word " * 2000] * 400
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.0005)

    t = threading.Thread(target=ticker)
    t.start()
    start = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=400))
    end = time.perf_counter()
    stop.set()
    t.join()
    assert len(docs) == 400
    during = [x for x in ticks if start < x < end]
    assert len(during) >= 3, (end - start, len(during))


_seen_threads = set()


@weft.Language.component("test_pipe_thread_recorder")
def _thread_recorder(doc):
    _seen_threads.add(threading.get_ident())
    if doc.text == "boom":
        raise RuntimeError("boom in a worker")
    return doc


def test_pipe_keeps_its_worker_threads_across_batches_and_calls():
    nlp = weft.blank("en")
    nlp.add_pipe("test_pipe_thread_recorder")
    _seen_threads.clear()
    texts = [f"doc {i}" for i in range(300)]
    for _ in range(3):
        docs = list(nlp.pipe(texts, batch_size=10, n_threads=2))
        assert [d.text for d in docs] == texts
    # 90 batches over three calls, all on the same two worker threads (not this one).
    assert len(_seen_threads) <= 2
    assert threading.get_ident() not in _seen_threads
    workers = nlp._pipe_workers(2)
    list(nlp.pipe(texts[:5], n_threads=2))
    assert nlp._pipe_workers(2) is workers
    assert workers.threads == 2


def test_pipe_with_threads_stops_cleanly_and_raises_in_order():
    nlp = weft.blank("en")
    nlp.add_pipe("test_pipe_thread_recorder")
    # A generator closed early drops the batches still in flight; the workers stay usable.
    gen = nlp.pipe((f"t {i}" for i in range(10000)), batch_size=8, n_threads=2)
    assert next(gen).text == "t 0"
    gen.close()
    out = []
    with pytest.raises(RuntimeError, match="boom in a worker"):
        for d in nlp.pipe(["a", "b", "boom", "c"], batch_size=1, n_threads=2):
            out.append(d.text)
    assert out == ["a", "b"]
    assert [d.text for d in nlp.pipe(["again"], n_threads=2)] == ["again"]


def test_pipe_with_threads_as_tuples_keeps_contexts():
    nlp = weft.blank("en")
    items = [(f"text {i}", i) for i in range(100)]
    out = list(nlp.pipe(items, batch_size=3, n_threads=2, as_tuples=True))
    assert [(d.text, c) for d, c in out] == [(t, c) for t, c in items]
