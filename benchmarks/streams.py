"""Peak memory of the command line on large inputs: a file of huge fields, and a
long standard input.

    python -m benchmarks.streams                 # 1 GB CSV, 1,000,000 lines of stdin
    python -m benchmarks.streams --gb 0.2 --lines 200000 --json out.json

Each run is a fresh `dunning-guard classify` process; its peak RSS is read from the
kernel (`/proc/PID/status`, VmHWM) as it runs. For standard input it also records
when the first answer arrived, before the input ended.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CLI = [sys.executable, "-m", "dunning_guard.cli", "classify", "-q"]
CLAUSE = "您的借款已逾期，请尽快登录官方App还款，以免影响征信。"


def _peak_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _watch(process: subprocess.Popen, peaks: list[float]) -> None:
    while process.poll() is None:
        peaks.append(_peak_mb(process.pid))
        time.sleep(0.05)


def big_fields(gb: float, directory: Path) -> dict:
    """A CSV of `gb` GB whose text fields hold 990,000 characters each."""
    path = directory / "big.csv"
    field = (CLAUSE * (990_000 // len(CLAUSE) + 1))[:990_000]
    row = ('1,"' + field + '"\n').encode("utf-8")
    rows = max(1, int(gb * 1e9) // len(row))
    with path.open("wb") as f:
        f.write(b"id,text\n")
        for _ in range(rows):
            f.write(row)
    size = path.stat().st_size
    start = time.perf_counter()
    process = subprocess.Popen(
        CLI + ["--input", str(path), "--output", str(directory / "out.csv")]
    )
    peaks: list[float] = []
    watcher = threading.Thread(target=_watch, args=(process, peaks))
    watcher.start()
    code = process.wait()
    watcher.join()
    path.unlink()
    return {
        "file_gb": size / 1e9,
        "rows": rows,
        "seconds": time.perf_counter() - start,
        "peak_mb": max(peaks, default=0.0),
        "exit": code,
    }


def long_stdin(lines: int) -> dict:
    """`lines` messages written to standard input while the answers are read."""
    process = subprocess.Popen(CLI, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdin and process.stdout
    peaks: list[float] = []
    watcher = threading.Thread(target=_watch, args=(process, peaks))
    watcher.start()
    first: list[float] = []
    answered = [0]
    start = time.perf_counter()

    def read() -> None:
        for _ in process.stdout:
            if not first:
                first.append(time.perf_counter() - start)
            answered[0] += 1

    reader = threading.Thread(target=read)
    reader.start()
    fed_at = None
    for i in range(lines):
        process.stdin.write(f"{CLAUSE}第{i}条\n".encode())
        if i == lines // 2:
            fed_at = time.perf_counter() - start
    process.stdin.close()
    ended = time.perf_counter() - start
    code = process.wait()
    reader.join()
    watcher.join()
    return {
        "lines": lines,
        "seconds": time.perf_counter() - start,
        "input_ended_s": ended,
        "half_fed_s": fed_at,
        "first_answer_s": first[0] if first else None,
        "answers": answered[0] - 1,  # minus the header
        "peak_mb": max(peaks, default=0.0),
        "exit": code,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--gb", type=float, default=1.0)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        fields = big_fields(args.gb, Path(tmp))
    print(
        f"CSV of {fields['file_gb']:.2f} GB, {fields['rows']} fields of 990,000 characters: "
        f"peak {fields['peak_mb']:.0f} MB, {fields['seconds']:.0f} s, exit {fields['exit']}"
    )
    stdin = long_stdin(args.lines)
    print(
        f"{stdin['lines']:,} lines on standard input: peak {stdin['peak_mb']:.0f} MB, "
        f"first answer after {stdin['first_answer_s']:.1f} s (input ended after "
        f"{stdin['input_ended_s']:.1f} s), {stdin['answers']:,} answers, {stdin['seconds']:.0f} s"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"big_fields": fields, "stdin": stdin}, indent=1) + "\n"
        )


if __name__ == "__main__":
    main()
