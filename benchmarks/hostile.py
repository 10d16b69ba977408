"""Hostile model files: how long each takes to be refused, and at what peak memory.

    python -m benchmarks.hostile                 # a table of every probe
    python -m benchmarks.hostile --json out.json

Each probe is a crafted `.dg` file (built here from a small real model); each is
loaded in a fresh process, which reports its wall time and peak RSS. The tests
(tests/test_hostile_files.py) build the same probes and check that every one is
refused with a one-line `ModelFileError`.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

__all__ = ["PROBES", "build_probe", "small_model_file"]


def small_model_file(path: Path) -> Path:
    """A small real model (a few dozen messages of the corpus), saved at `path`."""
    import dunning_guard as dg

    corpus = dg.corpus()
    rows = corpus[corpus["source"] == "w1"].groupby("label").head(12)
    dg.DunningClassifier(min_df=1, red_flags=True).fit(
        rows["text"], rows["label"]
    ).save(path)
    return path


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def write(
    path: Path,
    parts: dict[str, bytes] | list[tuple[str, bytes]],
    fix: bool = True,
    compression: int = zipfile.ZIP_DEFLATED,
) -> Path:
    """A zip of `parts`; with `fix`, the manifest is forged to match them (so the
    probe reaches the checks behind the checksums)."""
    items = list(parts.items()) if isinstance(parts, dict) else list(parts)
    if fix:
        names = dict(items)
        manifest = json.loads(names["manifest.json"])
        for name, blob in items:
            if name in manifest.get("members", {}):
                manifest["members"][name] = {
                    "bytes": len(blob),
                    "sha256": hashlib.sha256(blob).hexdigest(),
                }
        items = [
            (n, json.dumps(manifest).encode() if n == "manifest.json" else b)
            for n, b in items
        ]
    with zipfile.ZipFile(path, "w", compression=compression) as z:
        for name, blob in items:
            z.writestr(name, blob)
    return path


def _settings(path: Path) -> dict:
    return json.loads(members(path)["model.json"])


def _with_settings(base: Path, out: Path, change: Callable[[dict], object]) -> Path:
    parts = members(base)
    settings = _settings(base)
    change(settings)
    parts["model.json"] = json.dumps(settings).encode()
    return write(out, parts)


def _with_raw_settings(base: Path, out: Path, text: str) -> Path:
    parts = members(base)
    parts["model.json"] = text.encode()
    return write(out, parts)


def _npz(arrays: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, blob in arrays.items():
            z.writestr(name + ".npy", blob)
    return buffer.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npy_header(shape: tuple[int, ...], dtype: str = "<f8") -> bytes:
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue()


def _arrays_of(base: Path) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(members(base)["arrays.npz"])) as npz:
        return {k: npz[k] for k in npz.files}


def _with_arrays(base: Path, out: Path, blobs: dict[str, bytes]) -> Path:
    arrays = {k: _npy(v) for k, v in _arrays_of(base).items()}
    arrays.update(blobs)
    parts = members(base)
    parts["arrays.npz"] = _npz(arrays)
    return write(out, parts)


def compressed_coef(gib: float) -> Callable[[Path, Path], Path]:
    """A coefficient array of `gib` GiB of zeros, deflated to a few MB (a zip bomb)."""

    def build(base: Path, out: Path) -> Path:
        n_classes = len(_settings(base)["classes"])
        width = int(gib * (1 << 30)) // 8 // n_classes
        inner = io.BytesIO()
        with zipfile.ZipFile(
            inner, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1
        ) as z:
            for name, array in _arrays_of(base).items():
                if name != "coef":
                    z.writestr(name + ".npy", _npy(array))
            with z.open("coef.npy", "w", force_zip64=True) as f:
                f.write(_npy_header((n_classes, width)))
                zeros = bytes(1 << 24)
                remaining = n_classes * width * 8
                while remaining:
                    f.write(zeros[: min(remaining, len(zeros))])
                    remaining -= min(remaining, len(zeros))
        parts = members(base)
        parts["arrays.npz"] = inner.getvalue()
        return write(out, parts)

    return build


PROBES: dict[str, Callable[[Path, Path], Path]] = {
    "4 GiB coef deflated to a few MB": compressed_coef(4),
    "20 million words": lambda base, out: _with_settings_and_words(
        base, out, 20_000_000
    ),
    "members declaring 250 MB each": lambda base, out: _four_big(base, out),
    "array header shape (5, 10**12)": lambda base, out: _with_arrays(
        base, out, {"coef": _npy_header((5, 10**12))}
    ),
    "JSON nested 200,000 deep": lambda base, out: _with_raw_settings(
        base, out, "[" * 200_000 + "]" * 200_000
    ),
    "400-digit relevance_threshold": lambda base, out: _with_raw_settings(
        base,
        out,
        json.dumps(_settings(base)).replace(
            f'"relevance_threshold": {_settings(base)["relevance_threshold"]}',
            '"relevance_threshold": ' + "9" * 400,
        ),
    ),
    "flag weight NaN": lambda base, out: _with_raw_settings(
        base, out, json.dumps(_settings(base)).replace('"weight": 1.0', '"weight": NaN')
    ),
    "flag weight 1e308": lambda base, out: _with_settings(
        base, out, lambda s: s["features"][2].update(weight=1e308)
    ),
    "word n-grams [1, 10**9]": lambda base, out: _with_settings(
        base, out, lambda s: s["features"][0].update(ngram_range=[1, 10**9])
    ),
    "word n-grams [1, Infinity]": lambda base, out: _with_raw_settings(
        base,
        out,
        json.dumps(_settings(base)).replace(
            '"ngram_range": [1, 2]', '"ngram_range": [1, Infinity]', 1
        ),
    ),
    "segmenter 'x'": lambda base, out: _with_settings(
        base, out, lambda s: s.update(segmenter="x")
    ),
    "metadata 5": lambda base, out: _with_settings(
        base, out, lambda s: s.update(metadata=5)
    ),
    "duplicate class names": lambda base, out: _with_settings(
        base, out, lambda s: s.update(classes=[s["classes"][0]] * len(s["classes"]))
    ),
    "2-D word idf": lambda base, out: _with_arrays(
        base,
        out,
        {"word_idf": _npy(np.ones((2, len(_arrays_of(base)["word_idf"]) // 2 or 1)))},
    ),
    "encrypted member": lambda base, out: _encrypted(base, out),
    "duplicate member": lambda base, out: write(
        out, list(members(base).items()) + [("words.txt", b"shadow")], fix=False
    ),
    "300,000 entries": lambda base, out: write(
        out,
        list(members(base).items()) + [(f"x{i}", b"") for i in range(300_000)],
        fix=False,
    ),
    "object array (a pickle)": lambda base, out: _with_arrays(
        base, out, {"coef": _npy_object()}
    ),
}


def _npy_object() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    return buffer.getvalue()


def _with_settings_and_words(base: Path, out: Path, n: int) -> Path:
    parts = members(base)
    settings = _settings(base)
    settings["features"][0]["size"] = n
    settings["n_features"] = n + settings["n_features"]
    parts["model.json"] = json.dumps(settings).encode()
    parts["words.txt"] = b"w\n" * (n - 1) + b"w"  # counted before it is read
    return write(out, parts)


def _four_big(base: Path, out: Path) -> Path:
    """Members whose declared sizes add to a gigabyte (the data is tiny and lies)."""
    path = write(out, members(base))
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    start = struct.unpack("<I", data[end + 16 : end + 20])[0]
    at = start
    for _ in range(5):
        name_len, extra_len, comment_len = struct.unpack(
            "<HHH", data[at + 28 : at + 34]
        )
        data[at + 24 : at + 28] = struct.pack("<I", 250 * 1024 * 1024)
        at += 46 + name_len + extra_len + comment_len
    path.write_bytes(bytes(data))
    return path


def _encrypted(base: Path, out: Path) -> Path:
    path = write(out, members(base))
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    data[at + 8] |= 0x01  # the central directory's "encrypted" flag
    path.write_bytes(bytes(data))
    return path


def build_probe(name: str, base: Path, directory: Path) -> Path:
    return PROBES[name](
        base, directory / (name.replace(" ", "_").replace("/", "_") + ".dg")
    )


_MEASURE = """
import json, sys, time
start = time.perf_counter()
import dunning_guard as dg
try:
    dg.load(sys.argv[1])
    outcome = "loaded"
except dg.ModelFileError as error:
    outcome = "refused: " + str(error).split(": ", 1)[-1][:90]
except Exception as error:
    outcome = "CRASHED: " + type(error).__name__
# VmHWM: this process's own peak (ru_maxrss would count the parent's, from fork).
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
print(json.dumps({"seconds": time.perf_counter() - start, "peak_mb": peak / 1024,
                  "outcome": outcome}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        base = small_model_file(directory / "base.dg")
        rows = {}
        for name in PROBES:
            path = build_probe(name, base, directory)
            out = subprocess.run(
                [sys.executable, "-c", _MEASURE, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            rows[name] = json.loads(out.stdout.splitlines()[-1])
            rows[name]["file_mb"] = path.stat().st_size / 1e6
            r = rows[name]
            print(
                f"{name:36s} {r['file_mb']:7.2f} MB file  {r['seconds']:5.2f} s  "
                f"{r['peak_mb']:6.0f} MB peak  {r['outcome']}",
                flush=True,
            )
            path.unlink()
    if args.json:
        Path(args.json).write_text(
            json.dumps(rows, indent=1, ensure_ascii=False) + "\n"
        )


if __name__ == "__main__":
    main()
