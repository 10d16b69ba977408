"""Load on the service, on loopback only, bounded in requests and time.

    python -m benchmarks.serve                       # the table
    python -m benchmarks.serve --json benchmarks/serve_results.json

Starts `dunning-guard serve --workers 2` on a free loopback port and measures, in
one run: the time from start to the first answer; the batch endpoint (100 texts a
request, 8 concurrent clients); the single-message endpoint (32 concurrent
clients); and, on the same texts, in-process `Model.predict` (one process, and two
processes as the service's two workers have). Clients are threads of this process
using the standard library's `http.client` with keep-alive connections; they share
the machine's cores with the service, as a co-located backend would.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import dunning_guard as dg


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def texts(n: int, seed: int = 0) -> list[str]:
    """Distinct messages stitched from corpus clauses (no two alike)."""
    corpus = dg.corpus()["text"].tolist()
    rng = random.Random(seed)
    out = set()
    while len(out) < n:
        a, b = rng.sample(corpus, 2)
        out.add(a[: len(a) // 2] + b[len(b) // 2 :])
    return sorted(out)


def _client(
    port: int, path: str, bodies: list[bytes], latencies: list[float], errors: list[int]
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for body in bodies:
        start = time.perf_counter()
        try:
            conn.request("POST", path, body, {"Content-Type": "application/json"})
            answer = conn.getresponse()
            answer.read()
            if answer.status != 200:
                errors.append(answer.status)
        except OSError:
            errors.append(-1)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        latencies.append(time.perf_counter() - start)
    conn.close()


def drive(port: int, path: str, bodies: list[bytes], clients: int) -> dict:
    """Send `bodies` from `clients` threads; requests/s, latency percentiles, errors."""
    latencies: list[float] = []
    errors: list[int] = []
    share = [bodies[i::clients] for i in range(clients)]
    threads = [
        threading.Thread(target=_client, args=(port, path, s, latencies, errors))
        for s in share
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "requests": len(bodies),
        "clients": clients,
        "seconds": wall,
        "requests_per_s": len(bodies) / wall,
        "p50_ms": 1000 * ordered[len(ordered) // 2],
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "errors": len(errors),
    }


def _in_process(batch: list[str], jobs: int) -> float:
    """messages/s of Model.predict on `batch` with `jobs` processes (fresh ones)."""
    code = (
        "import sys, time, json; import dunning_guard as dg; m = dg.load(); "
        "texts = json.load(open(sys.argv[1])); m.predict(texts[:50]); "
        "t = time.perf_counter(); m.predict(texts[int(sys.argv[2])::int(sys.argv[3])]); "
        "print(time.perf_counter() - t)"
    )
    path = Path(os.environ.get("TMPDIR", "/tmp")) / "dg_bench_texts.json"
    path.write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(path), str(k), str(jobs)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for k in range(jobs)
    ]
    busy = [float(p.communicate()[0].split()[-1]) for p in procs]
    del start
    return len(batch) / max(busy)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--messages", type=int, default=20_000, help="texts for the batch endpoint"
    )
    parser.add_argument(
        "--singles", type=int, default=4_000, help="requests to the single endpoint"
    )
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    batch = texts(args.messages)
    port = _free_port()
    start = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dunning_guard.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "-q",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        first = None
        while first is None and time.perf_counter() - start < 60:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request(
                    "POST",
                    "/v1/classify",
                    json.dumps({"text": "账单明天到期"}),
                    {"Content-Type": "application/json"},
                )
                if conn.getresponse().status == 200:
                    first = time.perf_counter() - start
            except OSError:
                time.sleep(0.05)
        # Both workers warm: a few requests each.
        drive(
            port,
            "/v1/classify",
            [json.dumps({"text": t}).encode() for t in batch[:64]],
            8,
        )
        bodies = [
            json.dumps({"texts": batch[i : i + 100]}, ensure_ascii=False).encode()
            for i in range(0, len(batch), 100)
        ]
        batched = drive(port, "/v1/classify/batch", bodies, 8)
        batched["messages_per_s"] = batched["requests_per_s"] * 100
        singles = [
            json.dumps({"text": t}, ensure_ascii=False).encode()
            for t in batch[: args.singles]
        ]
        single = drive(port, "/v1/classify", singles, 32)
    finally:
        server.terminate()
        server.wait(timeout=30)
    one = _in_process(batch, 1)
    two = _in_process(batch, 2)
    results = {
        "start_to_first_answer_s": first,
        "batch": batched,
        "single": single,
        "predict_one_process_msg_per_s": one,
        "predict_two_processes_msg_per_s": two,
        "batch_vs_predict_one_process": batched["messages_per_s"] / one,
        "batch_vs_predict_two_processes": batched["messages_per_s"] / two,
        "cpus": os.cpu_count(),
        "load_average_after": os.getloadavg(),
    }
    print(f"start to first answer {first:.2f} s")
    print(
        f"batch (100 texts, 8 clients): {batched['messages_per_s']:,.0f} msg/s, "
        f"p50 {batched['p50_ms']:.0f} ms, p99 {batched['p99_ms']:.0f} ms, {batched['errors']} errors"
    )
    print(
        f"single (32 clients): {single['requests_per_s']:,.0f} req/s, p50 {single['p50_ms']:.1f} ms, "
        f"p99 {single['p99_ms']:.1f} ms, {single['errors']} errors"
    )
    print(f"in-process predict: {one:,.0f} msg/s (one process), {two:,.0f} msg/s (two)")
    print(
        f"batch endpoint / predict: {results['batch_vs_predict_one_process']:.2f} (one process), "
        f"{results['batch_vs_predict_two_processes']:.2f} (two)"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
