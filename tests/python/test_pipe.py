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
