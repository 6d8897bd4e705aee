"""weft.spark on real Spark: local[2], and a standalone cluster (a master and two worker JVMs started here
from PySpark's own bin/spark-class, on localhost ports of their choosing). Every row once, each equal to
the line `weft run --to jsonl` writes for its text; bad rows as weft run --skip-bad treats them; a
Python worker killed in the middle of a job costs a retried task, not a row.

Skipped (with the reason) only where Java or pyspark is missing; scripts/install.sh installs both."""
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("pyspark", reason="pyspark is not installed (scripts/install.sh installs it)")
pytest.importorskip("pyarrow", reason="pyarrow is not installed (scripts/install.sh installs it)")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Java is not installed (scripts/install.sh installs openjdk-17-jre-headless)", allow_module_level=True)

import weft  # noqa: E402
import weft.spark  # noqa: E402

MODEL = str(pathlib.Path(__file__).resolve().parents[2] / "models" / "en_ewt_sm")
# Every JVM here is short-lived and shares two cores: the client compiler only and the serial collector
# start them in about half the time.
JAVA_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"


def _worker_env():
    """The Python workers run this interpreter and import weft from where this process does."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(weft.__file__)))
    path = [root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p and p != root]
    return {"PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable,
            "PYTHONPATH": os.pathsep.join(path), "SPARK_LOCAL_IP": "127.0.0.1"}


class _Env:
    def __init__(self, values):
        self.saved = {k: os.environ.get(k) for k in values}
        os.environ.update(values)

    def restore(self):
        for k, v in self.saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _session(master, **conf):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("weft-tests")
    settings = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false",
                "spark.sql.shuffle.partitions": "4", "spark.driver.host": "127.0.0.1",
                "spark.driver.bindAddress": "127.0.0.1", "spark.pyspark.python": sys.executable,
                "spark.executorEnv.PYTHONPATH": os.environ["PYTHONPATH"],
                "spark.driver.extraJavaOptions": JAVA_OPTIONS, "spark.executor.extraJavaOptions": JAVA_OPTIONS}
    settings.update(conf)
    for k, v in settings.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _frame(spark, texts, partitions, repeat=1):
    rows = [(i, texts[i % len(texts)]) for i in range(len(texts) * repeat)]
    return spark.createDataFrame(spark.sparkContext.parallelize(rows, partitions), "id long, text string")


def _check_rows(rows, expected, n):
    """Every id once, each row's line the reference line of its text."""
    assert sorted(r.id for r in rows) == list(range(n))
    bad = [r.id for r in rows if r.weft != expected[r.id % len(expected)]]
    assert not bad, f"{len(bad)} rows differ from weft run, the first: {bad[0]}"


@pytest.fixture(scope="module")
def reference(ewt_texts, weft_run_jsonl):
    lines, _ = weft_run_jsonl(ewt_texts)
    assert len(lines) == len(ewt_texts)
    return lines


# ---- local[2] ------------------------------------------------------------------------------------

@pytest.fixture(scope="class")
def spark():
    """A local[2] session for the tests of TestLocal (one SparkContext per process: it stops before
    TestStandalone starts its own)."""
    env = _Env(_worker_env())
    spark = _session("local[2]")
    yield spark
    spark.stop()
    env.restore()


class TestLocal:

    def test_annotate_equals_weft_run_row_by_row(self, spark, ewt_texts, reference):
        df = _frame(spark, ewt_texts, 3)
        out = weft.spark.annotate(df, MODEL, batch_size=32, threads=2, error_col="error")
        assert out.columns == ["id", "text", "weft", "error"]
        rows = out.collect()
        _check_rows(rows, reference, len(ewt_texts))
        assert all(r.error is None and r.text == ewt_texts[r.id] for r in rows)

    def test_annotate_columns_for_sql(self, spark, ewt_texts, reference):
        df = _frame(spark, ewt_texts, 2)
        out = weft.spark.annotate_columns(df, MODEL, prefix="nlp_")
        assert out.columns == ["id", "text"] + ["nlp_" + c for c in ("tokens", "lemmas", "pos", "tags", "deps",
                                                                       "heads", "ents")]
        rows = out.collect()
        assert sorted(r.id for r in rows) == list(range(len(ewt_texts)))
        for r in rows:
            rec = json.loads(reference[r.id])
            toks = rec["tokens"]
            assert r.nlp_tokens == [rec["text"][t["start"]:t["end"]] for t in toks]
            assert (r.nlp_lemmas, r.nlp_pos, r.nlp_tags, r.nlp_deps, r.nlp_heads) == (
                [t["lemma"] for t in toks], [t["pos"] for t in toks], [t["tag"] for t in toks],
                [t["dep"] for t in toks], [t["head"] for t in toks])
            assert [(e.label, e.start_char, e.end_char) for e in r.nlp_ents] == [
                (e["label"], e["start"], e["end"]) for e in rec["ents"]]
        # SQL over the columns: entity counts by label, as the JSON lines give them.
        out.createOrReplaceTempView("annotated")
        counts = {r.label: r.n for r in spark.sql(
            "SELECT e.label AS label, count(*) AS n FROM annotated LATERAL VIEW explode(nlp_ents) t AS e "
            "GROUP BY e.label").collect()}
        expected = {}
        for line in reference:
            for e in json.loads(line)["ents"]:
                expected[e["label"]] = expected.get(e["label"], 0) + 1
        assert counts == expected

    def test_bad_rows_get_weft_run_skip_bads_treatment(self, spark, ewt_texts, weft_run_jsonl, tmp_path):
        """A file read with spark.read.text keeps its bytes: UTF-8-encoded surrogates and a stray byte reach
        weft as they are; with a 1 MB line and a null row none fails the job."""
        big = " ".join(ewt_texts)
        big = (big + " ") * (1_048_576 // len(big) + 1)
        big = big[:1_048_576].rstrip() + "."
        records = [ewt_texts[0].encode(), "lone \ud800 surrogate".encode("utf-8", "surrogatepass"),
                   b"stray \xff byte", big.encode(), b"", ewt_texts[1].encode()]
        path = tmp_path / "corpus.txt"
        path.write_bytes(b"".join(r + b"\n" for r in records))
        expected, err = weft_run_jsonl(records, "--skip-bad")
        assert "skipped 3 bad record(s)" in err and len(expected) == 3
        df = spark.read.text(str(path)).withColumnRenamed("value", "text")
        df = df.unionByName(spark.sql("SELECT CAST(NULL AS STRING) AS text"))
        out = weft.spark.annotate(df, MODEL, error_col="error").selectExpr("CAST(text AS BINARY) AS raw", "weft",
                                                                             "error")
        got = {(bytes(r.raw) if r.raw is not None else None): (r.weft, r.error) for r in out.collect()}
        assert len(got) == len(records) + 1
        assert got[None] == (None, None)  # null text: null, and no error
        assert [got[records[i]][0] for i in (0, 4, 5)] == expected
        assert got[records[1]][0] is None and "invalid UTF-8 at byte 5" in got[records[1]][1]
        assert got[records[2]][0] is None and "invalid UTF-8 at byte 6" in got[records[2]][1]
        assert got[records[3]][0] is None
        assert got[records[3]][1].startswith(f"Text of length {len(big)} exceeds maximum of 1000000 characters")
        # A binary column of the same bytes: the same values.
        raw = weft.spark.annotate(df.selectExpr("CAST(text AS BINARY) AS text"), MODEL, error_col="error")
        assert {(bytes(r.text) if r.text is not None else None): (r.weft, r.error) for r in raw.collect()} == got

    def test_model_loaded_once_per_python_worker(self, spark, ewt_texts):
        """Twelve tasks over two slots: the reused Python workers each loaded the model once."""
        import pyarrow as pa

        df = _frame(spark, ewt_texts, 12)
        assert weft.spark.annotate(df, MODEL).where("weft IS NOT NULL").count() == len(ewt_texts)
        key = os.path.abspath(MODEL)

        def probe(batches):
            from weft import _batch

            for _ in batches:
                pass
            counts = _batch.load_counts().get(key, 0)
            yield pa.RecordBatch.from_pydict({"pid": [os.getpid()], "loads": [counts]})

        seen = _frame(spark, ewt_texts[:24], 12).mapInArrow(probe, "pid long, loads long").collect()
        loads = {r.pid: r.loads for r in seen}
        assert max(loads.values()) == 1, loads  # a worker that ran weft loaded it once, whatever it ran
        assert 1 in loads.values()

    def test_readme_example_runs(self, spark, ewt_texts, reference, tmp_path, capsys):
        """The README's ten-line Spark job, as written but for its paths (Spark resolves relative paths
        from the directory its JVM started in)."""
        readme = (pathlib.Path(MODEL).parents[1] / "README.md").read_text(encoding="utf-8")
        head = "A Spark job, `annotate.py`:"
        block = re.search(r"```python\n(.*?)```", readme[readme.index(head):], re.S).group(1)
        assert len(block.strip("\n").splitlines()) == 10
        corpus = tmp_path / "corpus.txt"
        corpus.write_text("\n".join(ewt_texts[:40]) + "\n", encoding="utf-8")
        for name, path in (('"corpus.txt"', corpus), ('"annotated"', tmp_path / "annotated"),
                           ('"models/en_ewt_sm"', MODEL)):
            assert name in block
            block = block.replace(name, repr(str(path)))
        scope = {}
        exec(compile(block, "README.md", "exec"), scope)
        assert scope["spark"] is spark
        rows = spark.read.parquet(str(tmp_path / "annotated")).collect()
        assert sorted(r.weft for r in rows) == sorted(reference[:40]) and all(r.skipped is None for r in rows)
        printed = capsys.readouterr().out
        assert "label" in printed and "PER" in printed

    def test_errors_are_clear_and_early(self, spark, ewt_texts, tmp_path):
        df = _frame(spark, ewt_texts[:3], 1)
        missing = tmp_path / "no_such_model"
        with pytest.raises(weft.ModelError, match=re.escape(str(missing))):
            weft.spark.annotate(df, missing)
        with pytest.raises(ValueError, match="no column 'body'.*id, text"):
            weft.spark.annotate(df, MODEL, text_col="body")
        with pytest.raises(TypeError, match="'id' is bigint"):
            weft.spark.annotate(df, MODEL, text_col="id")
        with pytest.raises(ValueError, match="already has a column 'text'"):
            weft.spark.annotate(df, MODEL, out_col="text")
        with pytest.raises(ValueError, match="batch_size"):
            weft.spark.annotate(df, MODEL, batch_size=0)
        with pytest.raises(ValueError, match="ship_model=True needs a model folder"):
            weft.spark.annotate(df, "en", ship_model=True)
        assert weft.spark.annotate(df, "en").first().weft.startswith('{"text":')
        # Without a SparkContext (Spark Connect) the path is used as it is; shipping is refused.
        assert weft.spark._locate(None, MODEL, None) == ("path", os.path.abspath(MODEL))
        with pytest.raises(ValueError, match="needs a SparkContext"):
            weft.spark._locate(None, MODEL, True)


# ---- a standalone cluster ------------------------------------------------------------------------

def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _descendants(root):
    """Pids of the processes below `root`."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, pending = [], [root]
    while pending:
        for c in children.get(pending.pop(), []):
            out.append(c)
            pending.append(c)
    return out


def _cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _has_weft(pid):
    try:
        with open(f"/proc/{pid}/maps") as f:
            return "_weft" in f.read()
    except OSError:
        return False


class _Killer(threading.Thread):
    """SIGKILLs one Python worker below the cluster's workers while it annotates (weft loaded, using CPU)."""

    def __init__(self, roots):
        super().__init__(daemon=True)
        self.roots, self.killed, self.stop = roots, None, threading.Event()

    def run(self):
        while not self.stop.is_set() and self.killed is None:
            for pid in [p for r in self.roots for p in _descendants(r)]:
                try:
                    if not _has_weft(pid):
                        continue
                    before = _cpu_ticks(pid)
                    time.sleep(0.05)
                    if _cpu_ticks(pid) > before:
                        os.kill(pid, signal.SIGKILL)
                        self.killed = pid
                        return
                except (OSError, ValueError):
                    continue
            time.sleep(0.02)


@pytest.fixture(scope="class")
def cluster(tmp_path_factory):
    """A master and two workers (one core, 1 GB each) started from PySpark's bin/spark-class, and a
    session on them with two executors; all stopped after the class."""
    from pyspark.find_spark_home import _find_spark_home

    home = _find_spark_home()
    spark_class = os.path.join(home, "bin", "spark-class")
    logs = tmp_path_factory.mktemp("spark_cluster")
    env = dict(os.environ, SPARK_HOME=home, SPARK_DAEMON_MEMORY="256m",
               SPARK_DAEMON_JAVA_OPTS=JAVA_OPTIONS, **_worker_env())
    port = _free_port()
    master_url = f"spark://127.0.0.1:{port}"
    procs = []

    def start(name, *args):
        log = open(logs / f"{name}.log", "wb")
        procs.append((subprocess.Popen([spark_class, *args], stdout=log, stderr=subprocess.STDOUT, env=env,
                                       cwd=logs, start_new_session=True), log, logs / f"{name}.log"))

    def check(deadline, what):
        dead = [p[2].name for p in procs if p[0].poll() is not None]
        if dead or time.time() > deadline:
            raise RuntimeError(f"the Spark {what} did not start ({dead or 'timeout'}): " +
                               " | ".join(p[2].read_text(errors="replace")[-1500:] for p in procs))
        time.sleep(0.1)

    env_saved = _Env(_worker_env())
    spark = None
    try:
        deadline = time.time() + 90
        # The master first: a worker that finds no master retries only after several seconds.
        start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", str(port),
              "--webui-port", "0")
        while not _listening(port):
            check(deadline, "master")
        for i in (1, 2):
            work = logs / f"work{i}"
            work.mkdir()
            start(f"worker{i}", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--port", "0",
                  "--webui-port", "0", "--cores", "1", "--memory", "1g", "--work-dir", str(work), master_url)
        while sum("Successfully registered with master" in p[2].read_text(errors="replace")
                  for p in procs[1:]) < 2:
            check(deadline, "workers")
        spark = _session(master_url, **{"spark.task.maxFailures": "4", "spark.executor.memory": "512m",
                                        "spark.executor.cores": "1", "spark.cores.max": "2"})
        jsc = spark.sparkContext._jsc.sc()
        while jsc.getExecutorMemoryStatus().size() < 3:  # the driver and two executors
            if time.time() > deadline:
                raise RuntimeError("the Spark executors did not register")
            time.sleep(0.2)
        yield {"spark": spark, "workers": [p[0].pid for p in procs[1:]]}
    finally:
        if spark is not None:
            spark.stop()
        env_saved.restore()
        for proc, log, _ in reversed(procs):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc, log, _ in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            log.close()


class TestStandalone:
    def test_cluster_equals_weft_run_with_the_model_shipped(self, cluster, ewt_texts, reference, tmp_path):
        """The master is not local, so the model folder travels as an archive (SparkContext.addArchive):
        the folder is moved away before the job runs, and the executors still have it."""
        spark = cluster["spark"]
        model = tmp_path / "model"
        shutil.copytree(MODEL, model)
        df = _frame(spark, ewt_texts, 4)
        out = weft.spark.annotate(df, model, batch_size=64)
        model.rename(tmp_path / "moved")
        rows = out.collect()
        _check_rows(rows, reference, len(ewt_texts))
        assert any(name.startswith("weft-model-") for name in weft.spark._archives.values())

    def test_a_path_no_executor_sees_is_named(self, cluster, ewt_texts, tmp_path):
        spark = cluster["spark"]
        model = tmp_path / "model"
        shutil.copytree(MODEL, model)
        out = weft.spark.annotate(_frame(spark, ewt_texts[:4], 1), model, ship_model=False)
        shutil.rmtree(model)
        with pytest.raises(Exception, match=re.escape(f"cannot load model {model}: no such folder on this worker")):
            out.collect()

    def test_python_worker_killed_mid_job(self, cluster, ewt_texts, reference):
        """A Python worker is SIGKILLed while it annotates: Spark retries its task (spark.task.maxFailures 4)
        and the result still has every row once, each the line weft run writes."""
        spark = cluster["spark"]
        sc = spark.sparkContext
        repeat = 20
        df = _frame(spark, ewt_texts, 4, repeat=repeat)
        killer = _Killer(cluster["workers"])
        sc.setJobGroup("weft-fault", "a Python worker killed mid-job")
        killer.start()
        try:
            rows = weft.spark.annotate(df, MODEL).collect()
        finally:
            killer.stop.set()
            killer.join()
            sc.setLocalProperty("spark.jobGroup.id", None)
        assert killer.killed is not None, "no Python worker was found annotating"
        _check_rows(rows, reference, len(ewt_texts) * repeat)
        tracker = sc.statusTracker()
        failed = sum(tracker.getStageInfo(s).numFailedTasks for j in tracker.getJobIdsForGroup("weft-fault")
                     for s in tracker.getJobInfo(j).stageIds if tracker.getStageInfo(s) is not None)
        assert failed >= 1
