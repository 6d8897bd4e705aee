"""weft on Dask (pip install weft[dask]).

    from dask.distributed import Client, LocalCluster
    import dask.bag as db
    import weft.dask
    client = Client(LocalCluster(n_workers=2, threads_per_worker=1))
    lines = db.read_text("corpus-*.txt").map(str.rstrip)
    weft.dask.annotate(lines, "models/en_ewt_sm").to_textfiles("out-*.jsonl")   # weft run's JSON lines

annotate() takes a dask Bag of texts or a dask DataFrame Series of them and gives the same collection
of JSON lines, each exactly the line `weft run --to jsonl` writes for that text. With a distributed
Client, a worker plugin (WeftModelPlugin) loads the model once in every worker process, as it starts or
joins; without one (Dask's local schedulers) each process loads it on first use. The model path must be
one every worker sees.

Null text (None, NaN, pd.NA) gives None. A bad text gets weft run --skip-bad's treatment: one with
invalid UTF-8 (in Python, a str with lone surrogates, which no UTF-8 can carry) or longer than
max_length characters is skipped: None, a line "weft: skipped: row N of a partition: reason" in the
worker's stderr, and with errors=True the reason beside it.
"""
import hashlib

from . import _batch

try:
    from distributed.diagnostics.plugin import WorkerPlugin as _WorkerPlugin
except ImportError:  # dask without distributed: no plugin, the per-process cache alone
    _WorkerPlugin = object

__all__ = ["annotate", "WeftModelPlugin"]


class WeftModelPlugin(_WorkerPlugin):
    """A distributed worker plugin that loads a weft model into the worker process when the worker
    starts (or joins the cluster later); annotate() registers one per model."""

    def __init__(self, model):
        self.model = _batch.resolve_model(model)
        self.name = "weft-model-" + hashlib.sha256(self.model.encode()).hexdigest()[:16]

    def setup(self, worker):
        _batch.pipeline(self.model)


def annotate(bag_or_series, model, batch_size=256, threads=1, *, max_length=1_000_000, invalid_utf8="error",
             errors=False, client=None):
    """JSON lines for a dask Bag of texts (a Bag of str or None) or a dask Series of texts (a Series of
    strings, missing for null and bad texts), lazily, as the input is.

    model: a model folder every worker sees (or a language code: the blank pipeline).
    batch_size, threads, max_length, invalid_utf8: as weft run's --batch-size, --threads, --max-length,
    --invalid-utf8 (max_length 0: none; invalid_utf8 "error" makes such a text a bad row, "replace"
    substitutes U+FFFD).
    errors: also give the reason a text was skipped: a Bag of (line, reason) pairs, or a DataFrame with
    columns "weft" and "error".
    client: the distributed Client whose workers get the model plugin (default: the current one, if any)."""
    _batch.check_options(batch_size, threads, max_length, invalid_utf8)
    resolved = _batch.resolve_model(model)
    if client is None:
        try:
            from distributed import default_client

            client = default_client()
        except (ImportError, ValueError):
            client = None
    if client is not None:
        client.register_plugin(WeftModelPlugin(resolved))
    options = dict(model=resolved, batch_size=batch_size, threads=threads, max_length=max_length,
                   invalid_utf8=invalid_utf8, errors=errors)

    import dask.bag

    if isinstance(bag_or_series, dask.bag.Bag):
        return bag_or_series.map_partitions(_bag_partition, **options)
    try:
        import dask.dataframe as dd
    except ImportError:
        dd = None
    if dd is not None and isinstance(bag_or_series, dd.Series):
        import pandas as pd

        name = bag_or_series.name
        if errors:
            meta = pd.DataFrame({"weft": pd.Series(dtype="string"), "error": pd.Series(dtype="string")})
        else:
            meta = pd.Series(dtype="string", name=name)
        return bag_or_series.map_partitions(_series_partition, meta=meta, **options)
    raise TypeError(f"weft.dask.annotate takes a dask Bag or a dask DataFrame Series, not a "
                    f"{type(bag_or_series).__name__}")


def _partition(texts, model, batch_size, threads, max_length, invalid_utf8):
    native = _batch.pipeline(model)
    lines, errs = _batch.annotate_list(native, texts, batch_size, threads, max_length, invalid_utf8)
    _batch.report(errs, " of a partition")
    reasons = [None] * len(texts)
    for row, reason in errs:
        reasons[row] = reason
    return lines, reasons


def _bag_partition(items, errors, **options):
    texts = list(items)
    lines, reasons = _partition(texts, **options)
    return list(zip(lines, reasons)) if errors else lines


def _series_partition(series, errors, **options):
    import pandas as pd

    lines, reasons = _partition(series.tolist(), **options)
    out = pd.Series(lines, index=series.index, dtype="string", name=series.name)
    if errors:
        return pd.DataFrame({"weft": out, "error": pd.Series(reasons, index=series.index, dtype="string")})
    return out
