"""Speed and footprint of dunning_guard, measured side by side in one run.

    python benchmarks/bench.py                 # 20,000 messages per workload
    python benchmarks/bench.py --n 4000        # a quicker look
    python benchmarks/bench.py --json out.json # also write the table as JSON

Workloads (built from datasets/, mean length of real SMS):
- distinct: no two messages share a template (each is stitched from clauses of
  different corpus messages);
- stream: like real SMS traffic, 80% of messages come from 500 templates with
  refilled names, amounts, dates and card tails, 20% are distinct.
On each: throughput of the model's batch `predict`, of `jieba.lcut` alone (the
floor set by segmentation) and of the naive baseline (jieba + TF-IDF + LR), the
ratios, and `n_jobs=2` against one process. Once: `classify` latency, cold start
in a fresh process, peak memory, model file size. Ratios are the figures to
compare across machines; absolute rates depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CLAUSE = re.compile(r"[^，。！？；,.!?;]+[，。！？；,.!?;]?")


def corpus() -> pd.DataFrame:
    frames = [
        pd.read_csv(ROOT / "datasets" / f, dtype=str, keep_default_na=False)
        for f in ("messages.csv", "unrelated.csv")
    ]
    return pd.concat(frames, ignore_index=True)


def distinct_workload(texts: list[str], n: int, rng: random.Random) -> list[str]:
    """Messages of 60-120 characters stitched from clauses of different messages."""
    clauses = [c for t in texts for c in CLAUSE.findall(t) if 6 <= len(c) <= 60]
    out = []
    while len(out) < n:
        target = rng.randint(60, 120)
        msg = ""
        while len(msg) < target:
            msg += rng.choice(clauses)
        out.append(msg[:120])
    return out


def stream_workload(texts: list[str], n: int, rng: random.Random) -> list[str]:
    import dunning_guard as dg

    sms = [t for t in texts if 40 <= len(t) <= 140]
    templates = rng.sample(sms, 500)
    n_templated = int(n * 0.8)
    out = [dg.refill(rng.choice(templates), rng) for _ in range(n_templated)]
    out += distinct_workload(texts, n - n_templated, rng)
    rng.shuffle(out)
    return out


def fresh_model():  # noqa: ANN201
    """A model with cold caches, as a new process would have."""
    import dunning_guard as dg
    from dunning_guard._flags import flag_ids
    from dunning_guard._normalize import _normalize_cached
    from dunning_guard._segment import _cut_block

    for cache in (_cut_block, _normalize_cached, flag_ids):
        cache.cache_clear()
    return dg.load()


def cold_start() -> dict[str, float]:
    code = (
        "import time; t0 = time.perf_counter(); import dunning_guard as dg; m = dg.load(); "
        "t1 = time.perf_counter(); m.classify('【花呗】您本月账单将于明天到期'); t2 = time.perf_counter(); "
        "print(t1 - t0, t2 - t0)"
    )
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        runs.append([float(x) for x in out.stdout.split()])
    best = min(runs)
    return {"import_and_load_s": best[0], "first_classify_s": best[1]}


def peak_memory_mb(texts_path: str) -> float:
    """Peak resident memory of a fresh process that loads the model and predicts.

    Read from VmHWM, which starts afresh at exec; getrusage's maxrss would carry
    over this (larger) parent process's peak into the child.
    """
    code = (
        "import pandas as pd, dunning_guard as dg; "
        f"texts = pd.read_csv({texts_path!r})['text'].tolist(); m = dg.load(); m.predict(texts); "
        "print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return int(out.stdout) / 1024  # VmHWM is in kB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="messages per workload")
    parser.add_argument("--json", help="write the results here as JSON")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import jieba

    from dunning_guard._baselines import naive_pipeline

    jieba.setLogLevel(60)
    jieba.initialize()
    rng = random.Random(args.seed)
    data = corpus()
    texts = data["text"].tolist()
    workloads = {
        "distinct": distinct_workload(texts, args.n, rng),
        "stream": stream_workload(texts, args.n, rng),
    }
    messages = data[data["label"] != "unrelated"]
    naive = naive_pipeline().fit(messages["text"], messages["label"])
    model_path = ROOT / "models" / "dunning_guard.model"
    results: dict = {
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
        },
        "n": args.n,
    }
    for name, batch in workloads.items():
        lengths = [len(t) for t in batch]
        jieba_rate = len(batch) / _time(lambda b: [jieba.lcut(t) for t in b], batch)
        naive_rate = len(batch) / _time(naive.predict, batch)
        model_rate = len(batch) / _time(fresh_model().predict, batch)
        # n_jobs=2 against one process, both warmed up on the same 2,500 messages
        # (the workers start once, as in a long-running service).
        warm = [f"预热{i}" + t for i, t in enumerate(batch[:2500])]
        single = fresh_model()
        single.predict(warm)
        single_rate = len(batch) / _time(single.predict, batch)
        parallel = fresh_model().set_params(n_jobs=2)
        parallel.predict(warm)
        parallel_rate = len(batch) / _time(parallel.predict, batch)
        results[name] = {
            "mean_chars": float(np.mean(lengths)),
            "model_msgs_per_s": model_rate,
            "jieba_lcut_msgs_per_s": jieba_rate,
            "naive_baseline_msgs_per_s": naive_rate,
            "model_vs_jieba": model_rate / jieba_rate,
            "model_vs_naive": model_rate / naive_rate,
            "n_jobs2_msgs_per_s": parallel_rate,
            "n_jobs2_vs_one": parallel_rate / single_rate,
        }
    model = fresh_model()
    sample = workloads["distinct"][:2000]
    model.classify(sample[0])
    latencies = []
    for text in sample:
        t0 = time.perf_counter()
        model.classify(text)
        latencies.append(time.perf_counter() - t0)
    results["classify_latency_ms"] = {
        "p50": float(np.percentile(latencies, 50) * 1000),
        "p99": float(np.percentile(latencies, 99) * 1000),
    }
    results["cold_start"] = cold_start()
    tmp = ROOT / "benchmarks" / ".workload.csv"
    pd.DataFrame({"text": workloads["distinct"]}).to_csv(tmp, index=False)
    try:
        results["peak_memory_mb"] = peak_memory_mb(str(tmp))
    finally:
        tmp.unlink(missing_ok=True)
    results["model_file_mb"] = model_path.stat().st_size / 1e6
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


def _time(fn, batch: list[str]) -> float:
    t0 = time.perf_counter()
    fn(batch)
    return time.perf_counter() - t0


def print_table(r: dict) -> None:
    m = r["machine"]
    print(
        f"machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}; {r['n']} messages per workload"
    )
    print(f"{'':28}{'distinct':>12}{'stream':>12}")
    rows = [
        ("mean length (chars)", "mean_chars", "{:.0f}"),
        ("model predict (msg/s)", "model_msgs_per_s", "{:,.0f}"),
        ("jieba.lcut alone (msg/s)", "jieba_lcut_msgs_per_s", "{:,.0f}"),
        ("naive baseline (msg/s)", "naive_baseline_msgs_per_s", "{:,.0f}"),
        ("model / jieba", "model_vs_jieba", "{:.2f}"),
        ("model / naive", "model_vs_naive", "{:.2f}"),
        ("n_jobs=2 (msg/s)", "n_jobs2_msgs_per_s", "{:,.0f}"),
        ("n_jobs=2 / one process", "n_jobs2_vs_one", "{:.2f}"),
    ]
    for label, key, fmt in rows:
        print(
            f"{label:28}{fmt.format(r['distinct'][key]):>12}{fmt.format(r['stream'][key]):>12}"
        )
    lat, cold = r["classify_latency_ms"], r["cold_start"]
    print(f"classify latency: p50 {lat['p50']:.2f} ms, p99 {lat['p99']:.2f} ms")
    print(
        f"cold start: import + load {cold['import_and_load_s']:.2f} s, first classify at {cold['first_classify_s']:.2f} s"
    )
    print(
        f"peak memory (load + predict distinct): {r['peak_memory_mb']:.0f} MB; model file {r['model_file_mb']:.1f} MB"
    )


if __name__ == "__main__":
    main()
