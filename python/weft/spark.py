"""weft on Apache Spark (pip install weft[spark]; Spark needs Java 17).

    from pyspark.sql import SparkSession
    import weft.spark
    spark = SparkSession.builder.master("local[2]").getOrCreate()
    df = spark.read.text("corpus.txt").withColumnRenamed("value", "text")
    out = weft.spark.annotate(df, "models/en_ewt_sm")            # + column "weft": weft run's JSON line
    out.write.parquet("annotated")
    cols = weft.spark.annotate_columns(df, "models/en_ewt_sm")    # + tokens, lemmas, pos, tags, deps, heads, ents
    cols.selectExpr("explode(ents) AS e").groupBy("e.label").count().show()

Batches go through Arrow (DataFrame.mapInArrow) into the C++ pipeline and back without a Python object per
row. Each Python worker process loads the model once (a per-process cache keyed by the model's path).
On a cluster (a master that is not local[...]) the model folder is shipped to the executors as an
archive with Spark's own file distribution (SparkContext.addArchive), so the path need only exist where
the driver runs; ship_model=False uses the path on every worker instead (a shared file system).

A row's value is exactly the line `weft run --to jsonl` writes for its text (texts with line breaks are
one document, as a {"text": ...} record given to weft run --from jsonl). Null text gives null. A bad row
gets weft run --skip-bad's treatment: the text with invalid UTF-8 (as Spark reads it from a file with bad
bytes) or longer than max_length characters is skipped, which here means a null value, the reason in
error_col when one is named, and a line "weft: skipped: row N of partition P: reason" in the executor's
stderr; the job goes on.
"""
import atexit
import hashlib
import os
import shutil
import tempfile
import threading
import zipfile

from . import _batch

__all__ = ["annotate", "annotate_columns"]

_ship_lock = threading.Lock()
_archives = {}  # (application id, model fingerprint) -> archive name
_temp_dirs = []


def annotate(df, model, text_col="text", out_col="weft", batch_size=256, threads=1, *, error_col=None,
             max_length=1_000_000, invalid_utf8="error", ship_model=None):
    """The DataFrame with a string column `out_col` holding, per row, the JSON line `weft run --to jsonl`
    writes for the text in `text_col` (a string or binary column); null for a null or bad text.

    model: a model folder (or a language code: the blank pipeline, as weft run -m en).
    batch_size: documents per pipeline batch (weft run --batch-size); threads: annotating threads in
    each Python worker (weft run --threads; Spark's own parallelism is one task per core).
    error_col: a string column to add with the reason a row was skipped (null for the others).
    max_length: the longest text in characters (weft run --max-length; 0: none); a longer one is a bad row.
    invalid_utf8: "error" (a bad row) or "replace" (U+FFFD substituted, weft run --invalid-utf8 replace).
    ship_model: ship the model folder to the executors (default: when the master is not local)."""
    from pyspark.sql.types import StringType, StructField

    return _annotate(df, model, text_col, "jsonl", [StructField(out_col, StringType())], batch_size, threads,
                     error_col, max_length, invalid_utf8, ship_model)


def annotate_columns(df, model, text_col="text", batch_size=256, threads=1, *, prefix="", error_col=None,
                     max_length=1_000_000, invalid_utf8="error", ship_model=None):
    """The DataFrame with flat annotation columns, for SQL (names after `prefix`):

    tokens, lemmas, pos (UPOS), tags, deps: array<string>, one entry per token ("" where the model sets
    no such annotation); heads: array<int>, the absolute index of each token's head (its own index for a
    root, as spaCy's token.head.i); ents: array<struct<text, label, start, end, start_char, end_char>>
    (token range, end exclusive, and code-point offsets). The same values as the JSON line of annotate().
    Null and bad rows are null in every column. Options as annotate()."""
    from pyspark.sql.types import ArrayType, IntegerType, StringType, StructField, StructType

    strings = ArrayType(StringType())
    entity = StructType([StructField(name, StringType() if kind == "string" else IntegerType())
                         for name, kind in _batch.ENTITY_FIELDS])
    types = [strings, strings, strings, strings, strings, ArrayType(IntegerType()), ArrayType(entity)]
    fields = [StructField(prefix + name, t) for name, t in zip(_batch.TOKEN_COLUMNS, types)]
    return _annotate(df, model, text_col, "columns", fields, batch_size, threads, error_col, max_length,
                     invalid_utf8, ship_model)


def _annotate(df, model, text_col, output, fields, batch_size, threads, error_col, max_length, invalid_utf8,
              ship_model):
    from pyspark.sql.types import BinaryType, StringType, StructField, StructType

    _batch.check_options(batch_size, threads, max_length, invalid_utf8)
    if text_col not in df.columns:
        raise ValueError(f"no column {text_col!r} in the DataFrame (columns: {', '.join(df.columns)})")
    text_type = df.schema[text_col].dataType
    if not isinstance(text_type, (StringType, BinaryType)):
        raise TypeError(f"column {text_col!r} is {text_type.simpleString()}; weft annotates a string or binary column")
    if error_col:
        fields = fields + [StructField(error_col, StringType())]
    names = [f.name for f in fields]
    for name in names:
        if name in df.columns or names.count(name) > 1:
            raise ValueError(f"the DataFrame already has a column {name!r}: choose another name "
                             "(out_col, prefix, error_col)")
    location = _locate(_spark_context(df), model, ship_model)
    text_index = df.columns.index(text_col)
    schema = StructType(df.schema.fields + fields)
    chunk = batch_size * threads

    def run(batches):
        import pyarrow as pa
        from pyspark import TaskContext

        from weft import _batch as batch
        from weft.spark import _worker_pipeline

        native = _worker_pipeline(location)
        context = TaskContext.get()
        partition = context.partitionId() if context is not None else 0
        seen = 0
        for rb in batches:
            for start in range(0, max(rb.num_rows, 1), chunk):
                part = rb.slice(start, chunk)
                arrays, errors = batch.annotate_arrow(native, part.column(text_index), output, batch_size, threads,
                                                      max_length, invalid_utf8)
                if error_col:
                    reasons = [None] * part.num_rows
                    for row, reason in errors:
                        reasons[row] = reason
                    arrays.append(pa.array(reasons, type=pa.string()))
                batch.report([(seen + row, reason) for row, reason in errors], f" of partition {partition}")
                seen += part.num_rows
                yield pa.RecordBatch.from_arrays(list(part.columns) + arrays, names=part.schema.names + names)

    return df.mapInArrow(run, schema)


# ---- the model on the executors ------------------------------------------------------------------

def _spark_context(df):
    """The DataFrame's SparkContext, or None where the client has none (Spark Connect)."""
    try:
        return df.sparkSession.sparkContext
    except Exception:
        return None


def _locate(sc, model, ship):
    """Where the workers find the model: ("path", folder), ("lang", code) or ("shipped", archive name,
    folder). Checked here, on the driver: a missing model is an error before any job starts. Without a
    SparkContext (Spark Connect) nothing can be shipped: the path must be one every worker sees."""
    resolved = _batch.resolve_model(model)
    if not os.path.isabs(resolved):
        if ship:
            raise ValueError(f"ship_model=True needs a model folder; {os.fspath(model)!r} is a language code")
        return ("lang", resolved)
    if sc is None:
        if ship:
            raise ValueError("ship_model=True needs a SparkContext (this session has none: Spark Connect); "
                             "give a model path every worker sees")
        return ("path", resolved)
    if ship is None:
        ship = not sc.master.startswith("local")
    if not ship:
        return ("path", resolved)
    return ("shipped", _ship(sc, resolved), resolved)


def _worker_pipeline(location):
    if location[0] != "shipped":
        return _batch.pipeline(location[1])
    from pyspark import SparkFiles

    from ._weft import ModelError

    folder = SparkFiles.get(location[1])
    if not os.path.isdir(folder):
        raise ModelError(f"cannot load model {location[2]}: it was shipped as {location[1]}, which this executor "
                         f"has not unpacked ({folder})")
    return _batch.pipeline(folder, key=location[1])


def _fingerprint(folder):
    """Names the model's contents: its path and each file's name, size and modification time."""
    h = hashlib.sha256(folder.encode())
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            st = os.stat(p)
            h.update(f"{os.path.relpath(p, folder)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def _ship(sc, folder):
    """Adds the model folder to the application as a zip archive (once per application and contents),
    which each executor fetches and unpacks before its first task that needs it; returns its name."""
    key = (sc.applicationId, _fingerprint(folder))
    with _ship_lock:
        name = _archives.get(key)
        if name is not None:
            return name
        name = f"weft-model-{key[1][:16]}.zip"
        tmp = tempfile.mkdtemp(prefix="weft-spark-")
        _temp_dirs.append(tmp)
        path = os.path.join(tmp, name)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
            for root, dirs, files in os.walk(folder):
                dirs.sort()
                for f in sorted(files):
                    p = os.path.join(root, f)
                    z.write(p, os.path.relpath(p, folder))
        sc.addArchive(path)
        _archives[key] = name
        return name


@atexit.register
def _remove_archives():
    for d in _temp_dirs:
        shutil.rmtree(d, ignore_errors=True)
