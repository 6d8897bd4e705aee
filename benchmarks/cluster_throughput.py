"""Throughput of weft on the cluster engines against `weft run` on the same text.

    .venv/bin/python benchmarks/cluster_throughput.py [--model models/en_ewt_sm] [--text data/en_ewt/dev.txt]
        [--min-words 500000] [--reps 3] [--weft build/bin/weft] [--python-path build/python]
        [--batch-size 256] [--spark-partition-kb 256] [--dask-partition-kb 128] [--only weft,spark,dask]

Run from the repository root. The text (default: the EWT dev raw text, one document per paragraph, as
bench_pipeline reads it) is repeated to at least --min-words words (tokens of the model's tokenizer) and
written to one file, which every job reads:
  weft run             `weft run -m MODEL --to jsonl FILE -o /dev/null`, --threads 1 and 2
  Spark local[1], [2]  weft.spark.annotate(spark.read.text(FILE)) written to Spark's "noop" sink (every row
                       annotated, nothing collected); one session per master, started before the clock
  Dask 1, 2 workers    weft.dask.annotate(dask.bag.read_text(FILE)) on a distributed LocalCluster of 1 or 2
                       worker processes (one thread each), counting the lines made
Spark reads the file in --spark-partition-kb pieces, Dask in --dask-partition-kb ones (--partition-kb sets
both): each engine's best size on this 2-core machine (Spark pays a fixed cost per task in the JVM, so
smaller pieces cost it 15% at one worker; Dask's two workers share the tail of the job better with more
tasks: x1.71 at 256 KB, x1.73-1.80 at 64-128 KB, measured 2026-12-07). Each job runs once cold (the first run of an
engine starts its Python workers, loads the model in them and warms the JVM's compiler; its wall time is
printed as "cold") and then --reps times; the table gives the best of those: wall time, words/s, the
CPU time of that run (user + system: weft run's own; for the engines, this process and every process
below it, JVMs and Python workers included), words per CPU second, the overhead against weft run at one
worker (time / weft run's time - 1, in wall and CPU time) and, at two workers, the speed-up over the
same engine at one. On a machine shared with other work the CPU figures are the steadier ones; the
speed-up needs two idle cores.
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time


def tree_cpu(root=None):
    """CPU seconds (user + system) used so far by `root` (default: this process) and every process below
    it that is alive (the engines' JVMs and Python workers, which are kept across jobs)."""
    root = root or os.getpid()
    children, cpu = {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        cpu[int(entry)] = sum(int(x) for x in fields[11:13]) / tick
    total, pending = 0.0, [root]
    while pending:
        pid = pending.pop()
        total += cpu.get(pid, 0.0)
        pending.extend(children.get(pid, []))
    return total


def timed(job):
    """(wall seconds, CPU seconds) of one run: the CPU the job reports (a child's own), else what this
    process and the processes below it used meanwhile."""
    cpu0 = tree_cpu()
    start = time.perf_counter()
    cpu = job()
    wall = time.perf_counter() - start
    return wall, cpu if cpu is not None else tree_cpu() - cpu0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="models/en_ewt_sm")
    ap.add_argument("--text", default="data/en_ewt/dev.txt")
    ap.add_argument("--min-words", type=int, default=500_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--weft", default="build/bin/weft")
    ap.add_argument("--python-path", default="build/python")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--spark-partition-kb", type=int, default=256)
    ap.add_argument("--dask-partition-kb", type=int, default=128)
    ap.add_argument("--partition-kb", type=int, default=None, help="both engines' partition size")
    ap.add_argument("--only", default="weft,spark,dask")
    args = ap.parse_args()
    if args.partition_kb is not None:
        args.spark_partition_kb = args.dask_partition_kb = args.partition_kb
    only = set(args.only.split(","))

    # Every Python process (Spark's and Dask's workers too) imports weft from --python-path.
    py_path = os.path.abspath(args.python_path)
    sys.path.insert(0, py_path)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [py_path] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    os.environ["PYSPARK_PYTHON"] = os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    import weft

    model = os.path.abspath(args.model)
    paragraphs = [p for p in pathlib.Path(args.text).read_text(encoding="utf-8").split("\n") if p.strip()]
    tokenizer = weft.load(model)
    words_once = sum(len(tokenizer.make_doc(p)) for p in paragraphs)
    copies = max(1, -(-args.min_words // words_once))
    words = words_once * copies
    lines = len(paragraphs) * copies
    tmp = tempfile.mkdtemp(prefix="weft-cluster-bench-")
    corpus = os.path.join(tmp, "corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        for _ in range(copies):
            f.write("\n".join(paragraphs) + "\n")
    print(f"text: {args.text} x{copies}: {lines} lines, {words} words, {os.path.getsize(corpus) / 1e6:.1f} MB; "
          f"model {args.model}; batch size {args.batch_size}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f} at start", flush=True)

    def weft_run(threads):
        def job():
            proc = subprocess.Popen([args.weft, "run", "-m", model, "--to", "jsonl", "--threads", str(threads),
                                     "--batch-size", str(args.batch_size), corpus, "-o", os.devnull])
            _, status, usage = os.wait4(proc.pid, 0)
            assert os.waitstatus_to_exitcode(status) == 0, status
            return usage.ru_utime + usage.ru_stime
        return job

    # Each engine job runs paired with `weft run` at the same number of threads, one after the other,
    # so that both see the same machine (it is shared: its speed drifts between minutes).
    runs = {}   # name -> [(wall, cpu)]
    pairs = {}  # engine name -> [((weft wall, cpu), (engine wall, cpu))]
    cold = {}

    def measure(name, n, job):
        cold[name] = timed(job)[0]
        for _ in range(args.reps):
            w = timed(weft_run(n))
            e = timed(job)
            runs.setdefault(f"weft run --threads {n}", []).append(w)
            runs.setdefault(name, []).append(e)
            pairs.setdefault(name, []).append((w, e))
        best = min(runs[name])
        print(f"  {name}: {best[0]:.2f} s, CPU {best[1]:.2f} s (cold {cold[name]:.2f} s); weft run --threads {n} "
              f"beside it: {min(p[0] for p in pairs[name])[0]:.2f} s", flush=True)

    if only == {"weft"}:
        for n in (1, 2):
            for _ in range(args.reps):
                runs.setdefault(f"weft run --threads {n}", []).append(timed(weft_run(n)))

    if "spark" in only:
        from pyspark.sql import SparkSession

        import weft.spark

        for n in (1, 2):
            spark = (SparkSession.builder.master(f"local[{n}]").appName("weft-cluster-bench")
                     .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                     .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                     .config("spark.sql.files.maxPartitionBytes", str(args.spark_partition_kb * 1024))
                     .config("spark.sql.files.openCostInBytes", "0").getOrCreate())
            spark.sparkContext.setLogLevel("ERROR")
            df = spark.read.text(corpus).withColumnRenamed("value", "text")
            out = weft.spark.annotate(df, model, batch_size=args.batch_size)
            measure(f"Spark local[{n}]", n, lambda out=out: out.write.format("noop").mode("overwrite").save())
            annotated = out.where("weft IS NOT NULL").count()
            assert annotated == lines, (annotated, lines)
            spark.stop()

    if "dask" in only:
        import dask.bag as db
        from distributed import Client, LocalCluster

        import weft.dask

        for n in (1, 2):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                   host="127.0.0.1")
            client = Client(cluster)
            bag = db.read_text(corpus, blocksize=args.dask_partition_kb * 1024)
            bag = bag.map(lambda s: s[:-1] if s.endswith("\n") else s)
            count = weft.dask.annotate(bag, model, batch_size=args.batch_size).map(lambda x: x is not None).sum()
            made = []
            measure(f"Dask {n} worker{'s' if n > 1 else ''}", n, lambda count=count: made.append(count.compute()))
            assert made[-1] == lines, (made[-1], lines)
            client.close()
            cluster.close()

    print()
    print(f"{'job':<22} {'workers':>7} {'best s':>7} {'cold s':>7} {'words/s':>10} {'CPU s':>6} {'words/CPU s':>11}  "
          f"against weft run with as many threads, run beside it: wall, CPU; speed-up over 1 worker")
    for name, samples in runs.items():
        n = 2 if ("2" in name) else 1
        wall, cpu = min(samples)
        note = ""
        if name in pairs:
            w_wall, w_cpu = min(p[0] for p in pairs[name])
            note = f"{100 * (wall / w_wall - 1):+.1f}% wall, {100 * (cpu / w_cpu - 1):+.1f}% CPU"
        single = name.replace("2 workers", "1 worker").replace("local[2]", "local[1]").replace("threads 2", "threads 1")
        if n == 2 and single in runs:
            note += f"{'; ' if note else ''}speed-up x{min(runs[single])[0] / wall:.2f}"
        cold_s = f"{cold[name]:.2f}" if name in cold else "-"
        print(f"{name:<22} {n:>7} {wall:>7.2f} {cold_s:>7} {words / wall:>10,.0f} "
              f"{cpu:>6.2f} {words / cpu:>11,.0f}  {note}")
    print(f"load average at end {os.getloadavg()[0]:.2f}")

if __name__ == "__main__":
    main()
