"""Throughput of weft on the cluster engines against `weft run` on the same text.

    .venv/bin/python benchmarks/cluster_throughput.py [--model models/en_ewt_sm] [--text data/en_ewt/dev.txt]
        [--min-words 500000] [--reps 3] [--weft build/bin/weft] [--python-path build/python]
        [--batch-size 256] [--partition-kb 256] [--only weft,spark,dask]

Run from the repository root. The text (default: the EWT dev raw text, one document per paragraph, as
bench_pipeline reads it) is repeated to at least --min-words words (tokens of the model's tokenizer) and
written to one file, which every job reads:
  weft run             `weft run -m MODEL --to jsonl FILE -o /dev/null`, --threads 1 and 2
  Spark local[1], [2]  weft.spark.annotate(spark.read.text(FILE)) written to Spark's "noop" sink (every row
                       annotated, nothing collected); one session per master, started before the clock
  Dask 1, 2 workers    weft.dask.annotate(dask.bag.read_text(FILE)) on a distributed LocalCluster of 1 or 2
                       worker processes (one thread each), counting the lines made
Spark and Dask read the file in --partition-kb pieces. Each job runs --reps times; the table gives the
best wall time (the first run of an engine includes starting its Python workers and loading the model
there: its time is printed as "cold"), words/s, the CPU time of that run (user + system: weft run's own;
for the engines, this process and every process below it, JVMs and Python workers included), words per
CPU second, the overhead against weft run at one worker (time / weft run's time - 1, in wall and CPU
time) and, at two workers, the speed-up over the same engine at one. On a machine shared with other
work the CPU figures are the steadier ones; the speed-up needs two idle cores.
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
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += cpu.get(pid, 0.0)
        todo.extend(children.get(pid, []))
    return total


def best_of(reps, job):
    """(best wall seconds, the first run's wall seconds, CPU seconds of the best run)."""
    runs = []
    for _ in range(reps):
        cpu0 = tree_cpu()
        start = time.perf_counter()
        cpu_child = job()
        wall = time.perf_counter() - start
        runs.append((wall, cpu_child if cpu_child is not None else tree_cpu() - cpu0))
    best = min(runs)
    return best[0], runs[0][0], best[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="models/en_ewt_sm")
    ap.add_argument("--text", default="data/en_ewt/dev.txt")
    ap.add_argument("--min-words", type=int, default=500_000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--weft", default="build/bin/weft")
    ap.add_argument("--python-path", default="build/python")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--partition-kb", type=int, default=256)
    ap.add_argument("--only", default="weft,spark,dask")
    args = ap.parse_args()
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

    rows = []  # (name, workers, best seconds, cold seconds)

    if "weft" in only:
        for threads in (1, 2):
            def job(threads=threads):
                proc = subprocess.Popen([args.weft, "run", "-m", model, "--to", "jsonl", "--threads", str(threads),
                                         "--batch-size", str(args.batch_size), corpus, "-o", os.devnull])
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = os.waitstatus_to_exitcode(status)
                assert proc.returncode == 0, proc.returncode
                return usage.ru_utime + usage.ru_stime
            rows.append((f"weft run --threads {threads}", threads, *best_of(args.reps, job)))
            print(f"  {rows[-1][0]}: {rows[-1][2]:.2f} s, CPU {rows[-1][4]:.2f} s", flush=True)

    if "spark" in only:
        from pyspark.sql import SparkSession

        import weft.spark

        for n in (1, 2):
            spark = (SparkSession.builder.master(f"local[{n}]").appName("weft-cluster-bench")
                     .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
                     .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                     .config("spark.sql.files.maxPartitionBytes", str(args.partition_kb * 1024))
                     .config("spark.sql.files.openCostInBytes", "0").getOrCreate())
            spark.sparkContext.setLogLevel("ERROR")
            df = spark.read.text(corpus).withColumnRenamed("value", "text")
            out = weft.spark.annotate(df, model, batch_size=args.batch_size)

            def job(out=out):
                out.write.format("noop").mode("overwrite").save()
            rows.append((f"Spark local[{n}]", n, *best_of(args.reps, job)))
            annotated = out.where("weft IS NOT NULL").count()
            assert annotated == lines, (annotated, lines)
            spark.stop()
            print(f"  {rows[-1][0]}: {rows[-1][2]:.2f} s, CPU {rows[-1][4]:.2f} s (cold {rows[-1][3]:.2f} s)", flush=True)

    if "dask" in only:
        import dask.bag as db
        from distributed import Client, LocalCluster

        import weft.dask

        for n in (1, 2):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                                   host="127.0.0.1")
            client = Client(cluster)
            bag = db.read_text(corpus, blocksize=args.partition_kb * 1024).map(lambda s: s[:-1] if s.endswith("\n") else s)
            count = weft.dask.annotate(bag, model, batch_size=args.batch_size).map(lambda x: x is not None).sum()
            result = []

            def job(count=count):
                result.append(count.compute())
            rows.append((f"Dask {n} worker{'s' if n > 1 else ''}", n, *best_of(args.reps, job)))
            assert result[-1] == lines, (result[-1], lines)
            client.close()
            cluster.close()
            print(f"  {rows[-1][0]}: {rows[-1][2]:.2f} s, CPU {rows[-1][4]:.2f} s (cold {rows[-1][3]:.2f} s)", flush=True)

    base = next((r for r in rows if r[0] == "weft run --threads 1"), None)
    one = {r[0].split(" ")[0]: r for r in rows if r[1] == 1}
    print()
    print(f"{'job':<22} {'workers':>7} {'seconds':>8} {'cold s':>7} {'words/s':>10} {'CPU s':>7} "
          f"{'words/CPU s':>11}  vs weft run --threads 1 (wall, CPU) / speed-up over 1 worker")
    for name, n, best, cold, cpu in rows:
        note = ""
        if n == 1 and base is not None and name != base[0]:
            note = f"overhead {100 * (best / base[2] - 1):+.1f}% wall, {100 * (cpu / base[4] - 1):+.1f}% CPU"
        elif n == 2 and name.split(" ")[0] in one:
            note = f"speed-up x{one[name.split(' ')[0]][2] / best:.2f}"
        print(f"{name:<22} {n:>7} {best:>8.2f} {cold:>7.2f} {words / best:>10,.0f} {cpu:>7.2f} {words / cpu:>11,.0f}"
              f"  {note}")
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
