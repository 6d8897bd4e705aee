"""What weft.spark and weft.dask share: the per-process model cache and the conversion of a column of
texts to and from Apache Arrow's buffers around _weft._annotate_batch (python/bindings/records.cpp),
which annotates a whole column as `weft run --skip-bad` annotates text records, with the GIL released.

A row's result is what `weft run --to jsonl` writes for its text, or null: for a null text, and for a
bad one (invalid UTF-8, longer than max_length: what weft run --skip-bad skips), whose reason is kept.
"""
import os
import sys
import threading

from . import _weft
from ._weft import ModelError

# Per process: the pipelines loaded, by key (a model folder's absolute path, a shipped archive's name,
# a language code), each as (weft.Language, native pipeline); and how often each key was loaded.
_pipelines = {}
_load_counts = {}
_lock = threading.Lock()


def resolve_model(model):
    """The model as the workers will look it up: the absolute path of a model folder, or a language code
    (the blank pipeline, as weft run -m en). Raises weft.ModelError naming `model` when it is neither,
    on the driver, before any job starts."""
    from . import registry

    name = os.fspath(model)
    if os.path.isdir(name):
        if not os.path.isfile(os.path.join(name, "config.json")):
            raise ModelError(f"cannot load model {name}: no config.json in the folder")
        return os.path.abspath(name)
    if os.sep not in name and "/" not in name and registry.has("languages", name):
        return name
    if os.sep in name or "/" in name:
        raise ModelError(f"cannot load model {name}: no such folder")
    raise ModelError(f"cannot load model {name}: no such folder, and not a language code")


def pipeline(model, key=None):
    """The native pipeline of `model` (a model folder or a language code), loaded once per process and
    prepared as weft run prepares it for raw text: the rule-based sentencizer first when the pipeline
    has no sentence segmenter. Its own max_length is 0; callers pass the limit to annotate()."""
    key = key or model
    with _lock:
        entry = _pipelines.get(key)
        if entry is None:
            from .language import blank, load

            if os.path.isdir(model):
                nlp = load(model)
            elif os.sep in model or "/" in model:
                raise ModelError(f"cannot load model {model}: no such folder on this worker "
                                 f"(pid {os.getpid()}); give a path every worker sees, or ship the model")
            else:
                nlp = blank(model)
            native = nlp._pipeline
            _weft.ensure_segmenter(native)
            native.max_length = 0
            entry = (nlp, native)
            _pipelines[key] = entry
            _load_counts[key] = _load_counts.get(key, 0) + 1
        return entry[1]


def load_counts():
    """{model key: times loaded} in this process (each is 1: a model is loaded once per process)."""
    with _lock:
        return dict(_load_counts)


def _check_options(output, invalid_utf8, batch_size, threads, max_length):
    if output not in ("jsonl", "columns"):
        raise ValueError(f'output must be "jsonl" or "columns", not {output!r}')
    if invalid_utf8 not in ("error", "replace"):
        raise ValueError(f'invalid_utf8 must be "error" or "replace", not {invalid_utf8!r}')
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, not {batch_size!r}")
    if not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer, not {threads!r}")
    if not isinstance(max_length, int) or max_length < 0:
        raise ValueError(f"max_length must be a non-negative integer (0: no limit), not {max_length!r}")


def check_options(batch_size=256, threads=1, max_length=1_000_000, invalid_utf8="error"):
    """Raises ValueError for a bad option, on the driver (the same checks the workers make)."""
    _check_options("jsonl", invalid_utf8, batch_size, threads, max_length)


def _run(native, data, offsets, valid, output, batch_size, threads, max_length, invalid_utf8):
    _check_options(output, invalid_utf8, batch_size, threads, max_length)
    return _weft._annotate_batch(native, data, offsets, valid, output=output, batch_size=batch_size,
                                 n_threads=threads, max_length=max_length, invalid_utf8=invalid_utf8)


def report(errors, where=""):
    """Writes one line per bad row to stderr (the worker's log), as weft run --skip-bad reports what it
    skipped."""
    for row, reason in errors:
        sys.stderr.write(f"weft: skipped: row {row}{where}: {reason}\n")
    if errors:
        sys.stderr.flush()


# ---- Python lists (Dask) -------------------------------------------------------------------------

def _is_null(x):
    if x is None:
        return True
    if isinstance(x, float):
        return x != x  # NaN, pandas' missing value
    return type(x).__name__ in ("NAType", "NaTType")


def annotate_list(native, texts, batch_size=256, threads=1, max_length=1_000_000, invalid_utf8="error"):
    """JSON lines for a list of texts (str, bytes, or a missing value: None, NaN, pd.NA): a list of str
    or None, and the [(index, reason)] of the bad ones. A str with lone surrogates (which no UTF-8 can
    carry) is invalid UTF-8, as its bytes are to weft run."""
    import numpy as np

    n = len(texts)
    offsets = np.zeros(n + 1, dtype=np.int64)
    valid = np.ones(n, dtype=np.uint8)
    parts = []
    pos = 0
    for i, t in enumerate(texts):
        if _is_null(t):
            valid[i] = 0
        elif isinstance(t, str):
            b = t.encode("utf-8", "surrogatepass")
            parts.append(b)
            pos += len(b)
        elif isinstance(t, (bytes, bytearray, memoryview)):
            b = bytes(t)
            parts.append(b)
            pos += len(b)
        else:
            raise TypeError(f"weft annotates text: element {i} is a {type(t).__name__}, not str, bytes or None")
        offsets[i + 1] = pos
    res = _run(native, b"".join(parts), offsets, valid, "jsonl", batch_size, threads, max_length, invalid_utf8)
    lo = np.frombuffer(res["lines_offsets"], dtype=np.int64)
    data = res["lines_data"]
    ok = res["valid"]
    out = [data[lo[i]:lo[i + 1]].decode("utf-8") if ok[i] else None for i in range(n)]
    return out, res["errors"]


# ---- Arrow arrays (Spark) ------------------------------------------------------------------------

def _arrow_text_buffers(arr):
    """(data, offsets, valid) of a pyarrow string/binary array (any offset into its buffers), without
    decoding: invalid UTF-8 that Spark carries in a string column reaches the checks as it is."""
    import numpy as np
    import pyarrow as pa

    n = len(arr)
    if pa.types.is_null(arr.type):
        return b"", np.zeros(n + 1, dtype=np.int64), np.zeros(n, dtype=np.uint8)
    if pa.types.is_string(arr.type) or pa.types.is_binary(arr.type):
        width = np.int32
    elif pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type):
        width = np.int64
    else:
        raise TypeError(f"weft annotates a string or binary column, not {arr.type}")
    _, obuf, dbuf = arr.buffers()[:3]
    offsets = np.frombuffer(obuf, dtype=width, count=n + 1, offset=arr.offset * np.dtype(width).itemsize)
    valid = None
    if arr.null_count:
        valid = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=np.uint8)
    return (dbuf if dbuf is not None else b""), offsets, valid


def _bitmap(valid):
    """An Arrow validity bitmap (or None when every row is valid) from one byte per row."""
    import numpy as np
    import pyarrow as pa

    v = np.frombuffer(valid, dtype=np.uint8).astype(bool)
    if v.all():
        return None
    return pa.array(v, type=pa.bool_()).buffers()[1]


def _strings(res, name, n, bitmap=None):
    import pyarrow as pa

    arr = pa.Array.from_buffers(pa.large_string(), n, [bitmap, pa.py_buffer(res[name + "_offsets"]),
                                                       pa.py_buffer(res[name + "_data"])])
    return arr.cast(pa.string())


def _ints(res, name):
    import numpy as np
    import pyarrow as pa

    return pa.array(np.frombuffer(res[name], dtype=np.int32), type=pa.int32())


def _lists(values, offsets, n, bitmap, item_type):
    import pyarrow as pa

    arr = pa.Array.from_buffers(pa.large_list(pa.field("element", values.type)), n,
                                [bitmap, pa.py_buffer(offsets)], children=[values])
    return arr.cast(pa.list_(pa.field("element", item_type)))


ENTITY_FIELDS = (("text", "string"), ("label", "string"), ("start", "int"), ("end", "int"),
                 ("start_char", "int"), ("end_char", "int"))
TOKEN_COLUMNS = ("tokens", "lemmas", "pos", "tags", "deps", "heads", "ents")


def arrow_entity_type():
    import pyarrow as pa

    return pa.struct([pa.field(name, pa.string() if kind == "string" else pa.int32()) for name, kind in ENTITY_FIELDS])


def annotate_arrow(native, arr, output="jsonl", batch_size=256, threads=1, max_length=1_000_000,
                   invalid_utf8="error"):
    """Annotates a pyarrow string/binary array. Returns ([arrays], errors): for "jsonl" one string array
    (the JSON lines), for "columns" the arrays of TOKEN_COLUMNS (lists per row); null rows for null and
    bad texts; errors is [(row, reason)] for the bad ones."""
    import pyarrow as pa

    data, offsets, valid = _arrow_text_buffers(arr)
    res = _run(native, data, offsets, valid, output, batch_size, threads, max_length, invalid_utf8)
    n = len(arr)
    bitmap = _bitmap(res["valid"])
    if output == "jsonl":
        return [_strings(res, "lines", n, bitmap)], res["errors"]
    cols = []
    for name in ("tokens", "lemmas", "pos", "tags", "deps"):
        t = len(res[name + "_offsets"]) // 8 - 1
        cols.append(_lists(_strings(res, name, t), res["tok_offsets"], n, bitmap, pa.string()))
    cols.append(_lists(_ints(res, "heads"), res["tok_offsets"], n, bitmap, pa.int32()))
    e = len(res["ent_label_offsets"]) // 8 - 1
    ents = pa.StructArray.from_arrays(
        [_strings(res, "ent_text", e), _strings(res, "ent_label", e), _ints(res, "ent_start"), _ints(res, "ent_end"),
         _ints(res, "ent_start_char"), _ints(res, "ent_end_char")],
        fields=list(arrow_entity_type()))
    cols.append(_lists(ents, res["ent_offsets"], n, bitmap, arrow_entity_type()))
    return cols, res["errors"]
