"""Speed and footprint of dunning_guard, measured side by side in one run.

    python -m benchmarks.bench                   # 20,000 messages per workload
    python -m benchmarks.bench --n 4000          # a quicker look
    python -m benchmarks.bench --million         # also peak memory over 1,000,000 messages
    python -m benchmarks.bench --json out.json   # also write the figures as JSON

Workloads, built from the corpus and scored once per text:
- novel: corpus messages with a few random Han characters substituted in every
  clause, so almost no segmentation block repeats (text the model has not seen);
- distinct: messages stitched from clauses of different corpus messages;
- stream: like real SMS traffic, 80% from 500 templates with refilled names,
  amounts, dates and card tails, 20% distinct.

Every lazy resource (dictionaries, tokenizers, the fitted naive baseline) is built
before timing. The compared commands run paired and interleaved on the same chunks
(A B, B A, ...) and each figure is the median of the per-chunk ratios, in CPU time
and in wall time, so machine drift moves both sides alike. The load average is
printed with the figures. Cold start and ``--help`` run in fresh processes, paired
with a bare ``import sklearn.linear_model``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
CLAUSE = re.compile(r"[^，。！？；,.!?;]+[，。！？；,.!?;]?")
HAN = re.compile(r"[\u4e00-\u9fa5]")
CHUNKS = 10


def corpus_texts() -> list[str]:
    import dunning_guard as dg

    return dg.corpus()["text"].tolist()


def novel_workload(texts: list[str], n: int, rng: random.Random) -> list[str]:
    """Corpus messages with 2 random common Han characters put in every clause."""
    common = [chr(c) for c in range(0x4E00, 0x9FA5)]
    out = []
    while len(out) < n:
        text = rng.choice(texts)
        clauses = []
        for clause in CLAUSE.findall(text) or [text]:
            chars = list(clause)
            spots = [i for i, c in enumerate(chars) if HAN.match(c)]
            for i in rng.sample(spots, min(2, len(spots))):
                chars[i] = rng.choice(common)
            clauses.append("".join(chars))
        out.append("".join(clauses))
    return out


def distinct_workload(texts: list[str], n: int, rng: random.Random) -> list[str]:
    """Messages of 60-120 characters stitched from clauses of different messages."""
    clauses = [c for t in texts for c in CLAUSE.findall(t) if 6 <= len(c) <= 60]
    out = []
    while len(out) < n:
        target, msg = rng.randint(60, 120), ""
        while len(msg) < target:
            msg += rng.choice(clauses)
        out.append(msg[:120])
    return out


def stream_workload(texts: list[str], n: int, rng: random.Random) -> list[str]:
    from dunning_guard.text import refill

    sms = [t for t in texts if 40 <= len(t) <= 140]
    templates = rng.sample(sms, 500)
    n_templated = int(n * 0.8)
    out = [refill(rng.choice(templates), rng) for _ in range(n_templated)]
    out += distinct_workload(texts, n - n_templated, rng)
    rng.shuffle(out)
    return out


def clear_caches() -> None:
    """Empty the model's caches, so each workload starts as a new process would."""
    from dunning_guard._flags import flag_matches
    from dunning_guard._normalize import _normalize_cached
    from dunning_guard._segment import _cut_block

    for cache in (_cut_block, _normalize_cached, flag_matches):
        cache.cache_clear()


def paired(
    fns: dict[str, Callable[[list[str]], object]],
    batch: list[str],
    base: str | None = None,
) -> dict:
    """Run each function on the same chunks, interleaved, alternating the order.
    Ratios are throughputs: the first function's against each other one, or, with
    `base`, each function's against `base`'s."""
    chunks = [list(c) for c in np.array_split(np.asarray(batch, dtype=object), CHUNKS)]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in fns}
    names = list(fns)
    for i, chunk in enumerate(chunks):
        for name in names if i % 2 == 0 else names[::-1]:
            cpu, wall = time.process_time(), time.perf_counter()
            fns[name](chunk)
            times[name].append((time.process_time() - cpu, time.perf_counter() - wall))
    out = {}
    for name, t in times.items():
        out[name] = {
            "msgs_per_s_wall": len(batch) / sum(w for _, w in t),
            "msgs_per_s_cpu": len(batch) / sum(c for c, _ in t),
        }
    pairs = (
        [(name, base) for name in names if name != base]
        if base
        else [(names[0], other) for other in names[1:]]
    )
    for one, other in pairs:
        for kind, k in (("cpu", 0), ("wall", 1)):
            ratios = [b[k] / a[k] for a, b in zip(times[one], times[other])]
            out[f"{one}_vs_{other}_{kind}"] = statistics.median(ratios)
    return out


def blocks_differ(batches: list[list[str]]) -> tuple[int, int]:
    """Blocks of the workloads on which rjieba's tokens differ from jieba's."""
    from dunning_guard._normalize import normalize
    from dunning_guard._segment import _BLOCK, ENGINE, cut_with_jieba, cut_with_rjieba

    if ENGINE != "rjieba":
        return 0, 0
    blocks = {
        b
        for batch in batches
        for t in batch
        for i, b in enumerate(_BLOCK.split(normalize(t)))
        if i % 2
    }
    return len(blocks), sum(cut_with_rjieba(b) != cut_with_jieba(b) for b in blocks)


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def paired_commands(a: list[str], b: list[str], runs: int = 5) -> dict:
    """Wall and CPU time of two commands in fresh processes, interleaved."""
    times: dict[str, list[tuple[float, float]]] = {"a": [], "b": []}
    for i in range(runs):
        for key, cmd in (("a", a), ("b", b)) if i % 2 == 0 else (("b", b), ("a", a)):
            cpu, wall = _child_cpu(), time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times[key].append((_child_cpu() - cpu, time.perf_counter() - wall))
    return {
        "a_cpu_s": statistics.median(c for c, _ in times["a"]),
        "a_wall_s": statistics.median(w for _, w in times["a"]),
        "b_cpu_s": statistics.median(c for c, _ in times["b"]),
        "b_wall_s": statistics.median(w for _, w in times["b"]),
        "ratio_cpu": statistics.median(
            x[0] / y[0] for x, y in zip(times["a"], times["b"])
        ),
        "ratio_wall": statistics.median(
            x[1] / y[1] for x, y in zip(times["a"], times["b"])
        ),
    }


MILLION = """
import random, sys, time
import dunning_guard as dg
model = dg.load()
texts = dg.corpus()["text"].tolist()
rng = random.Random(0)
done = 0
t0 = time.perf_counter()
while done < 1_000_000:
    chunk = [rng.choice(texts) + str(done + i) for i in range(5000)]
    for i in range(0, 5000, 20):  # 5% of the messages are 2,000 characters long
        chunk[i] = (chunk[i] * 40)[:2000]
    model.predict(chunk)
    done += len(chunk)
peak = next(l.split()[1] for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(int(peak) / 1024, time.perf_counter() - t0)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="messages per workload")
    parser.add_argument("--json", help="write the results here as JSON")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--million", action="store_true", help="peak memory over 1M messages"
    )
    args = parser.parse_args()

    import jieba

    import dunning_guard as dg
    from benchmarks.baselines import naive_pipeline
    from dunning_guard._persist import bundled_path
    from dunning_guard._segment import ENGINE

    jieba.setLogLevel(60)
    rng = random.Random(args.seed)
    texts = corpus_texts()
    workloads = {
        "novel": novel_workload(texts, args.n, rng),
        "distinct": distinct_workload(texts, args.n, rng),
        "stream": stream_workload(texts, args.n, rng),
    }
    frame = dg.corpus()
    naive = naive_pipeline().fit(frame["text"], frame["label"])
    model = dg.load()
    warm = [f"预热{i}：" + t for i, t in enumerate(texts[:300])]
    for fn in (model.predict, naive.predict, lambda b: [jieba.lcut(t) for t in b]):
        fn(warm)  # dictionaries and tokenizers are built before anything is timed
    results: dict = {
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.machine(),
            "cores": os.cpu_count(),
            "segmenter": ENGINE,
        },
        "n": args.n,
        "load_average_before": os.getloadavg(),
    }
    n_blocks, n_differ = blocks_differ(list(workloads.values()))
    results["rjieba_blocks_checked"], results["rjieba_blocks_differing"] = (
        n_blocks,
        n_differ,
    )
    for name, batch in workloads.items():
        clear_caches()
        fns = {
            "model": model.predict,
            "jieba": lambda b: [jieba.lcut(t) for t in b],
            "naive": naive.predict,
        }
        results[name] = {
            "mean_chars": float(np.mean([len(t) for t in batch]))
        } | paired(fns, batch)
        print(name, _rounded(results[name]), flush=True)
    # The segmentation engines, side by side: the model with rjieba and with jieba.
    from dunning_guard import _segment

    def with_engine(engine: str) -> Callable[[list[str]], object]:
        def run(batch: list[str]) -> object:
            _segment.ENGINE = engine
            clear_caches()  # neither engine reuses the other's blocks or texts
            return model.predict(batch)

        return run

    if ENGINE == "rjieba":
        clear_caches()
        results["engines"] = paired(
            {"rjieba": with_engine("rjieba"), "jieba": with_engine("jieba")},
            workloads["novel"],
        )
        _segment.ENGINE = "rjieba"
        print("engines", _rounded(results["engines"]), flush=True)

    # The output surfaces against predict, on the same texts (caches emptied before
    # each call, so each call reads every message afresh): a DataFrame with the red
    # flags and facts read, and JSON lines (the record of each message).
    def fresh(fn: Callable[[list[str]], object]) -> Callable[[list[str]], object]:
        def run(batch: list[str]) -> object:
            clear_caches()
            return fn(batch)

        return run

    def frame_with_evidence(batch: list[str]) -> object:
        predictions = model.classify_many(batch)
        evidence = [(p.red_flags, p.facts) for p in predictions]
        return predictions.to_frame(), evidence

    def json_lines(batch: list[str]) -> object:
        return [
            json.dumps(p.to_dict(), ensure_ascii=False)
            for p in model.classify_many(batch)
        ]

    results["surfaces"] = paired(
        {
            "predict": fresh(model.predict),
            "frame": fresh(frame_with_evidence),
            "json": fresh(json_lines),
        },
        workloads["novel"],
        base="predict",
    )
    print("surfaces", _rounded(results["surfaces"]), flush=True)
    # n_jobs=2 against one process: wall time (the workers' CPU is not ours).
    clear_caches()
    parallel = dg.load()
    parallel.n_jobs = 2
    parallel.predict(warm * 8)  # the workers start once, as in a long-running service
    results["n_jobs2"] = paired(
        {"two": parallel.predict, "one": model.predict}, workloads["novel"] * 2
    )
    clear_caches()
    sample = workloads["distinct"][:2000]
    latencies = []
    for text in sample:
        t0 = time.perf_counter()
        model.classify(text)
        latencies.append(time.perf_counter() - t0)
    results["classify_latency_ms"] = {
        "p50": float(np.percentile(latencies, 50) * 1000),
        "p99": float(np.percentile(latencies, 99) * 1000),
    }
    cold = [
        sys.executable,
        "-c",
        "import dunning_guard as dg; dg.load().classify('【花呗】您本月账单将于明天到期')",
    ]
    sklearn_import = [sys.executable, "-c", "import sklearn.linear_model"]
    results["cold_start_vs_sklearn_import"] = paired_commands(cold, sklearn_import)
    cli_help = [sys.executable, "-m", "dunning_guard.cli", "--help"]
    results["cli_help"] = paired_commands(cli_help, sklearn_import)
    if args.million:
        out = subprocess.run(
            [sys.executable, "-c", MILLION], capture_output=True, text=True, check=True
        )
        peak, seconds = map(float, out.stdout.split())
        results["million"] = {"peak_rss_mb": peak, "seconds": seconds}
    results["model_file_mb"] = bundled_path().stat().st_size / 1e6
    results["load_average_after"] = os.getloadavg()
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


def _rounded(d: dict) -> dict:
    return {
        k: _rounded(v) if isinstance(v, dict) else round(v, 3) for k, v in d.items()
    }


def print_table(r: dict) -> None:
    m = r["machine"]
    print(
        f"\nmachine: {m['cores']} cores, {m['cpu']}, Python {m['python']}, segmenter {m['segmenter']}; "
        f"{r['n']:,} messages per workload; load average {r['load_average_before'][0]:.2f} before, "
        f"{r['load_average_after'][0]:.2f} after"
    )
    print(
        f"rjieba vs jieba: {r['rjieba_blocks_differing']} of {r['rjieba_blocks_checked']:,} workload blocks differ"
    )
    print(f"{'':34}{'novel':>14}{'distinct':>14}{'stream':>14}")
    rows = [
        ("mean length (chars)", "mean_chars", "{:.0f}"),
        ("model predict (msg/s, CPU)", ("model", "msgs_per_s_cpu"), "{:,.0f}"),
        ("jieba.lcut alone (msg/s, CPU)", ("jieba", "msgs_per_s_cpu"), "{:,.0f}"),
        ("naive baseline (msg/s, CPU)", ("naive", "msgs_per_s_cpu"), "{:,.0f}"),
        (
            "model / jieba (CPU; wall)",
            ("model_vs_jieba_cpu", "model_vs_jieba_wall"),
            "{:.2f}; {:.2f}",
        ),
        (
            "model / naive (CPU; wall)",
            ("model_vs_naive_cpu", "model_vs_naive_wall"),
            "{:.2f}; {:.2f}",
        ),
    ]
    for label, key, fmt in rows:
        cells = []
        for w in ("novel", "distinct", "stream"):
            x = r[w]
            if isinstance(key, str):
                cells.append(fmt.format(x[key]))
            elif key[0] in x and isinstance(x[key[0]], dict):
                cells.append(fmt.format(x[key[0]][key[1]]))
            else:
                cells.append(fmt.format(x[key[0]], x[key[1]]))
        print(f"{label:34}" + "".join(f"{c:>14}" for c in cells))
    if "engines" in r:
        e = r["engines"]
        print(
            f"model with rjieba / with jieba (novel, CPU; wall): {e['rjieba_vs_jieba_cpu']:.2f}; {e['rjieba_vs_jieba_wall']:.2f}"
        )
    sf = r["surfaces"]
    print(
        "throughput / predict's, novel (CPU; wall): to_frame() with red flags and facts "
        f"{sf['frame_vs_predict_cpu']:.2f}; {sf['frame_vs_predict_wall']:.2f}, "
        f"JSON lines {sf['json_vs_predict_cpu']:.2f}; {sf['json_vs_predict_wall']:.2f}"
    )
    nj = r["n_jobs2"]
    print(f"n_jobs=2 / one process (novel x2, wall): {nj['two_vs_one_wall']:.2f}")
    lat = r["classify_latency_ms"]
    print(f"classify latency: p50 {lat['p50']:.2f} ms, p99 {lat['p99']:.2f} ms")
    c = r["cold_start_vs_sklearn_import"]
    print(
        f"cold start (import + load + first classify): {c['a_wall_s']:.2f} s wall, {c['a_cpu_s']:.2f} s CPU; "
        f"/ bare `import sklearn.linear_model`: {c['ratio_wall']:.2f} wall, {c['ratio_cpu']:.2f} CPU"
    )
    h = r["cli_help"]
    print(f"dunning-guard --help: {h['a_cpu_s']:.2f} s CPU, {h['a_wall_s']:.2f} s wall")
    if "million" in r:
        print(
            f"1,000,000 messages (5% of 2,000 chars), streamed: peak RSS {r['million']['peak_rss_mb']:.0f} MB "
            f"in {r['million']['seconds']:.0f} s"
        )
    print(f"model file {r['model_file_mb']:.2f} MB")


if __name__ == "__main__":
    main()
