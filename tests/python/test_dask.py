"""weft.dask on a real distributed LocalCluster with two worker processes: the model loaded once per
worker by the plugin, every text once and equal to the line `weft run --to jsonl` writes, bad texts
as weft run --skip-bad treats them. Skipped (with the reason) only where dask or distributed is
missing; scripts/install.sh installs them."""
import os
import pathlib

import pytest

pytest.importorskip("dask.bag", reason="dask is not installed (scripts/install.sh installs it)")
pytest.importorskip("distributed", reason="distributed is not installed (scripts/install.sh installs it)")

import weft  # noqa: E402
import weft.dask  # noqa: E402
from weft import _batch  # noqa: E402

MODEL = str(pathlib.Path(__file__).resolve().parents[2] / "models" / "en_ewt_sm")


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    # Worker processes import weft from where this process does (nannies pass the environment on).
    root = os.path.dirname(os.path.dirname(os.path.abspath(weft.__file__)))
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([root] + ([saved] if saved else []))
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           host="127.0.0.1")
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()
    if saved is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = saved


def test_bag_equals_weft_run_and_the_plugin_loads_once_per_worker(client, ewt_texts, weft_run_jsonl):
    import dask.bag as db

    expected, _ = weft_run_jsonl(ewt_texts)
    bag = db.from_sequence(ewt_texts, npartitions=6)
    annotated = weft.dask.annotate(bag, MODEL, batch_size=16)
    # The plugin has loaded the model in both worker processes already, before any task.
    key = _batch.resolve_model(MODEL)
    loads = client.run(_batch.load_counts)
    assert len(loads) == 2 and all(c.get(key) == 1 for c in loads.values()), loads
    assert len({p for p in client.run(os.getpid).values()}) == 2
    out = annotated.compute()
    assert out == expected
    # Neither worker loaded the model again, in this job or the next.
    assert all(c.get(key) == 1 for c in client.run(_batch.load_counts).values())
    again = weft.dask.annotate(db.from_sequence(ewt_texts[:10], npartitions=2), MODEL).compute()
    assert again == expected[:10]
    assert all(c.get(key) == 1 for c in client.run(_batch.load_counts).values())


def test_series_equals_weft_run(client, ewt_texts, weft_run_jsonl):
    import dask.dataframe as dd
    import pandas as pd

    expected, _ = weft_run_jsonl(ewt_texts)
    series = dd.from_pandas(pd.Series(ewt_texts, name="text", index=range(100, 100 + len(ewt_texts))), npartitions=4)
    out = weft.dask.annotate(series, MODEL).compute()
    assert list(out.index) == list(range(100, 100 + len(ewt_texts))) and out.name == "text"
    assert out.tolist() == expected
    # With errors=True: a DataFrame of the lines and the reasons (None, a bad text, a good one).
    bad = dd.from_pandas(pd.Series([None, "caf\xe9 " * 3, ewt_texts[0]], name="text"), npartitions=1)
    table = weft.dask.annotate(bad, MODEL, errors=True, max_length=5).compute()
    assert list(table.columns) == ["weft", "error"]
    assert table["weft"].isna().tolist() == [True, True, True]
    assert table["error"].isna().tolist() == [True, False, False]
    assert table["error"][1].startswith("Text of length 15 exceeds maximum of 5")


def test_bad_texts_as_weft_run_skip_bad(client, ewt_texts, weft_run_jsonl):
    import dask.bag as db

    big = ("x " * 524_289)[:1_048_576]  # a 1 MB text: over the default max_length of 1,000,000 characters
    texts = [ewt_texts[0], None, "lone \ud800 surrogate", big, "", ewt_texts[1]]
    out = weft.dask.annotate(db.from_sequence(texts, npartitions=3), MODEL, errors=True).compute()
    records = [t.encode("utf-8", "surrogatepass") for t in texts if t is not None]
    expected, err = weft_run_jsonl(records, "--skip-bad")
    assert "skipped 2 bad record(s)" in err
    lines = [line for line, _ in out]
    assert [lines[i] for i in (0, 4, 5)] == expected
    assert out[1] == (None, None)
    assert out[2][0] is None and "invalid UTF-8 at byte 5" in out[2][1]
    assert out[3][0] is None and out[3][1].startswith("Text of length 1048576 exceeds maximum of 1000000")


def test_errors(client, tmp_path):
    import dask.bag as db

    with pytest.raises(weft.ModelError, match=str(tmp_path / "nope")):
        weft.dask.annotate(db.from_sequence(["a"]), tmp_path / "nope")
    with pytest.raises(TypeError, match="dask Bag or a dask DataFrame Series"):
        weft.dask.annotate(["a", "b"], MODEL)
    with pytest.raises(ValueError, match="threads"):
        weft.dask.annotate(db.from_sequence(["a"]), MODEL, threads=0)
