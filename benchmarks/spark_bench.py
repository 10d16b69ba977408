"""Spark local[2] against one process, on the same messages, in one run.

    python -m benchmarks.spark_bench                      # 50,000 distinct messages
    python -m benchmarks.spark_bench --workload stream    # templated traffic instead
    python -m benchmarks.spark_bench --n 10000 --json out.json

The messages are built from datasets/ as in bench.py: ``distinct`` (each stitched
from clauses of different corpus messages, so no two share a template) or
``stream`` (80% from 500 templates with refilled names, amounts and dates).

One process: ``model.predict(texts)``, then ``model.classify_many(texts)``, each
on a loaded model with a ready tokenizer and empty caches (bench.clear_caches).

Spark local[2], each run in a new session whose start-up (JVM, SparkContext) is
timed and reported but in no rate. The texts are cached in Spark and a pandas UDF
that returns its input runs first (it starts the Python workers: Arrow both ways
and task scheduling, also reported). Then `classify_column` is timed:
- cold: each Python worker imports dunning_guard, loads the model, builds its
  tokenizer inside the timed job, as in a one-off batch job;
- warm: a small disjoint warm-up batch has loaded the model in each worker
  first, as in a long-running session; the timed job is the steady state.
Label, confidence and ``p_<label>`` need one ``predict_proba`` pass a batch, the
work of ``predict``; the default columns add relevance (one ``classify_many``
pass), compared with ``classify_many``. CPU seconds of the Python workers and the
JVM during each job show where the time goes and whether the 2 cores were ours.
Absolute rates depend on the machine (this one is shared and noisy); compare
ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from bench import clear_caches, corpus_texts, distinct_workload, stream_workload

PREDICT_COLUMNS = ("label", "confidence", "scores")
DEFAULT_COLUMNS = ("label", "confidence", "relevance", "scores")


def spark_session(partitions: int):  # noqa: ANN201
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("dunning_guard benchmark")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(partitions))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def timed(fn) -> float:  # noqa: ANN001
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _ticks(fields: list[str]) -> float:
    return sum(int(f) for f in fields) / os.sysconf("SC_CLK_TCK")


def process_cpu() -> dict[int, tuple[str, float]]:
    """CPU seconds so far (user + system) of this process and its descendants
    (the JVM, the Python daemon and workers), by pid, with the command name.
    Read from Linux's /proc."""
    procs = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # exited meanwhile
        name, rest = (
            text[text.index("(") + 1 : text.rindex(")")],
            text.rsplit(")", 1)[1],
        )
        fields = rest.split()
        procs[int(stat.parent.name)] = (int(fields[1]), name, _ticks(fields[11:13]))
    ours, todo = {}, [os.getpid()]
    while todo:
        pid = todo.pop()
        ours[pid] = procs[pid][1:] if pid in procs else ("?", 0.0)
        todo += [p for p, (ppid, _, _) in procs.items() if ppid == pid]
    return ours


def machine_cpu() -> float:
    """CPU seconds the whole machine has been busy (all processes, steal included)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return _ticks([user, nice, system, irq, softirq, steal])


def cpu_during(fn) -> tuple[float, dict[str, float]]:  # noqa: ANN001
    """Run `fn`; return its wall time and the CPU seconds used meanwhile by the
    JVM, the Python workers, this driver, and every other process."""
    before, machine0 = process_cpu(), machine_cpu()
    seconds = timed(fn)
    after, machine1 = process_cpu(), machine_cpu()
    used = {"jvm": 0.0, "python_workers": 0.0, "driver": 0.0}
    for pid, (name, cpu) in after.items():
        delta = cpu - before.get(pid, (name, 0.0))[1]
        key = (
            "driver"
            if pid == os.getpid()
            else "jvm"
            if name == "java"
            else "python_workers"
        )
        used[key] += delta
    used["other_processes"] = max(0.0, machine1 - machine0 - sum(used.values()))
    return seconds, used


def java_version() -> str:
    out = subprocess.run(["java", "-version"], capture_output=True, text=True)
    return (out.stderr or out.stdout).splitlines()[0] if out.returncode == 0 else "?"


def spark_run(
    texts: list[str],
    partitions: int,
    columns: tuple[str, ...],
    warmup: list[str] | None = None,
) -> dict:
    """A new Spark local[2] session; time `classify_column` over `texts` alone."""
    from pyspark.sql import functions as F

    from dunning_guard.spark import classify_column

    t0 = time.perf_counter()
    spark = spark_session(partitions)
    startup_s = time.perf_counter() - t0

    def table(rows: list[str]):  # noqa: ANN202
        df = spark.createDataFrame(pd.DataFrame({"text": rows}), "text string")
        df = df.repartition(partitions).cache()
        assert df.count() == len(rows)
        return df

    df = table(texts)
    echo = F.pandas_udf(lambda s: s, "string")
    sink = df.select(echo("text").alias("t")).write.format("noop").mode("overwrite")
    echo_s = timed(sink.save)
    if warmup is not None:
        warm = classify_column(table(warmup), columns=columns).groupBy("label")
        assert sum(r["count"] for r in warm.count().collect()) == len(warmup)

    scored = classify_column(df, columns=columns)
    labels = []
    # The UDF returns one struct, so counting labels computes every column.
    job_s, cpu = cpu_during(
        lambda: labels.extend(scored.groupBy("label").count().collect())
    )
    spark.stop()
    return {
        "columns": list(columns),
        "workers": "warm" if warmup else "cold",
        "msgs_per_s": len(texts) / job_s,
        "job_s": job_s,
        "session_startup_s": startup_s,
        "echo_udf_s": echo_s,
        "cpu_s": cpu,
        "labels": {r["label"]: r["count"] for r in labels},
    }


def cold_start() -> dict[str, float]:
    """Import, load and first message in a fresh process, as a new Spark worker does."""
    code = (
        "import time; t0 = time.perf_counter(); import dunning_guard as dg; m = dg.load(); "
        "t1 = time.perf_counter(); m.classify('【花呗】您本月账单将于明天到期'); "
        "print(t1 - t0, time.perf_counter() - t0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    load, first = map(float, out.stdout.split())
    return {"import_and_load_s": load, "first_classify_s": first}


def one_process(method: str, texts: list[str], warmup: list[str]) -> dict:
    import dunning_guard as dg

    model = dg.load()
    getattr(model, method)(warmup)  # builds the tokenizer, as a warm worker has it
    clear_caches()  # empty caches again
    outputs = []
    seconds, cpu = cpu_during(lambda: outputs.append(getattr(model, method)(texts)))
    out = outputs[0]
    labels = [p.label for p in out] if method == "classify_many" else list(out)
    return {
        "msgs_per_s": len(texts) / seconds,
        "s": seconds,
        "cpu_s": cpu,
        "labels": pd.Series(labels).value_counts().to_dict(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=50_000, help="messages")
    parser.add_argument(
        "--workload", choices=("distinct", "stream"), default="distinct"
    )
    parser.add_argument("--partitions", type=int, default=8, help="Spark partitions")
    parser.add_argument("--json", help="write the results here as JSON")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import pyspark

    rng = random.Random(args.seed)
    base = corpus_texts()
    build = distinct_workload if args.workload == "distinct" else stream_workload
    texts = build(base, args.n, rng)
    warmup = [f"预热{i}：" + t for i, t in enumerate(distinct_workload(base, 256, rng))]
    load_before = os.getloadavg()[0]

    single = {
        "predict": one_process("predict", texts, warmup),
        "classify_many": one_process("classify_many", texts, warmup),
    }
    spark = {
        "cold": spark_run(texts, args.partitions, PREDICT_COLUMNS),
        "warm": spark_run(texts, args.partitions, PREDICT_COLUMNS, warmup),
        "warm_default_columns": spark_run(
            texts, args.partitions, DEFAULT_COLUMNS, warmup
        ),
    }
    for run in spark.values():  # Spark labeled every message as predict did
        assert run["labels"] == single["predict"]["labels"], run["labels"]
    worker = cold_start()
    results = {
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "pyspark": pyspark.__version__,
            "java": java_version(),
        },
        "n": len(texts),
        "workload": args.workload,
        "partitions": args.partitions,
        "one_process": single,
        "spark_local2": spark,
        "ratio_cold_vs_predict": single["predict"]["s"] / spark["cold"]["job_s"],
        "ratio_warm_vs_predict": single["predict"]["s"] / spark["warm"]["job_s"],
        "ratio_warm_default_vs_classify_many": single["classify_many"]["s"]
        / spark["warm_default_columns"]["job_s"],
        "fresh_process_import_and_load_s": worker["import_and_load_s"],
        "fresh_process_first_message_s": worker["first_classify_s"],
        # Other processes on the machine skew every rate; this says how busy it was.
        "load_average_1min": {"before": load_before, "after": os.getloadavg()[0]},
    }
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


def report(r: dict) -> None:
    m, load = r["machine"], r["load_average_1min"]
    single, spark = r["one_process"], r["spark_local2"]
    print(
        f"machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}, "
        f"pyspark {m['pyspark']}, {m['java']}; load average {load['before']:.1f} "
        f"before, {load['after']:.1f} after"
    )
    print(f"{r['n']:,} {r['workload']} messages, {r['partitions']} Spark partitions")
    rows = [
        ("one process, predict", single["predict"], "s"),
        ("Spark, label/confidence/p_*, cold workers", spark["cold"], "job_s"),
        ("Spark, label/confidence/p_*, warm workers", spark["warm"], "job_s"),
        ("one process, classify_many", single["classify_many"], "s"),
        (
            "Spark, default columns, warm workers",
            spark["warm_default_columns"],
            "job_s",
        ),
    ]
    for label, run, key in rows:
        print(f"  {label:44}{run['msgs_per_s']:>7,.0f} msg/s  {run[key]:6.1f} s")
    print(
        f"Spark local[2] / one process: {r['ratio_cold_vs_predict']:.2f} cold, "
        f"{r['ratio_warm_vs_predict']:.2f} warm (against predict; target >= 1.5); "
        f"{r['ratio_warm_default_vs_classify_many']:.2f} with relevance (against "
        "classify_many)"
    )
    print("overhead, outside the rates:")
    print(
        "  session start-up (JVM, SparkContext): "
        + ", ".join(f"{k} {v['session_startup_s']:.1f} s" for k, v in spark.items())
        + " (after the first, the JVM is already up)"
    )
    print(
        "  first pandas UDF (Python workers start; Arrow both ways, task "
        "scheduling): " + ", ".join(f"{v['echo_udf_s']:.1f} s" for v in spark.values())
    )
    print("overhead, inside the rates:")
    print(
        f"  per-worker start-up, in the cold run only (import dunning_guard, load the "
        f"model, build the tokenizer; {r['fresh_process_first_message_s']:.1f} s in a "
        f"fresh process; the 2 workers pay it in parallel)"
    )
    ideal = single["predict"]["s"] / 2
    print(
        f"  one-process predict split perfectly over 2 cores would take {ideal:.1f} s"
    )
    print("CPU seconds used during each timed part (2 cores: at most 2 per second):")
    runs = [("one process, predict", single["predict"], "s")]
    runs += [(f"Spark, {k}", v, "job_s") for k, v in spark.items()]
    for name, run, key in runs:
        parts = ", ".join(f"{k} {v:.1f}" for k, v in run["cpu_s"].items() if v >= 0.05)
        print(f"  {name} ({run[key]:.1f} s): {parts}")


if __name__ == "__main__":
    main()
