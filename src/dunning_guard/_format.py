"""The model file format: data only, JSON and NumPy arrays in a zip.

Loading never unpickles and never imports scikit-learn: a model file from a vendor
or a colleague can be damaged or forged, but it cannot run code. The manifest lists
every member with its size and SHA-256; `load` checks the members, the manifest and
every array (`allow_pickle=False`, numeric dtypes, consistent shapes) before use.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import warnings
import zipfile
import zlib
from importlib.metadata import PackageNotFoundError, version
from os import PathLike
from typing import Any

import numpy as np

from ._features import LinearScorer, Vocabulary
from ._files import atomic_write
from ._segment import userdict_sha256

__all__ = ["FORMAT", "read_manifest", "read_model_file", "write_model_file"]

FORMAT = "dunning-guard-model"
FORMAT_VERSION = 2
MEMBERS = ("model.json", "words.txt", "chars.txt", "arrays.npz")
#: A member larger than this is refused before it is read (a zip bomb guard).
MAX_MEMBER_BYTES = 256 * 1024 * 1024
_LEGACY_MAGIC = b"DUNNING-GUARD-MODEL\n"
_ARRAYS = ("coef", "intercept", "word_idf", "char_idf")


def package_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _terms(block: Vocabulary | None) -> bytes:
    if block is None:
        return b""
    if any("\n" in t for t in block.terms):
        raise ValueError(
            "Expected n-grams without newlines; this model cannot be saved."
        )
    return "\n".join(block.terms).encode("utf-8")


def write_model_file(
    path: str | PathLike[str],
    scorer: LinearScorer,
    classes: tuple[str, ...],
    relevance_threshold: float,
    metadata: dict[str, Any],
) -> None:
    """Write a model to `path` atomically: a failed save leaves the old file intact."""
    blocks = {b.kind: b for b in scorer.blocks}
    words, chars = blocks.get("word"), blocks.get("char")
    settings = {
        "classes": list(classes),
        "relevance_threshold": relevance_threshold,
        "word_ngrams": list(words.ngram_range) if words else None,
        "char_ngrams": list(chars.ngram_range) if chars else None,
        "block_order": [b.kind for b in scorer.blocks],
        "sublinear_tf": scorer.sublinear_tf,
        "flag_weight": scorer.flag_weight,
        "n_features": scorer.n_features,
        "segmenter": {"userdict_sha256": userdict_sha256()},
        "metadata": metadata,
    }
    buffer = io.BytesIO()
    np.savez(
        buffer,
        coef=scorer.coef.astype(np.float64),
        intercept=scorer.intercept.astype(np.float64),
        word_idf=(words.idf if words else np.empty(0)).astype(np.float64),
        char_idf=(chars.idf if chars else np.empty(0)).astype(np.float64),
    )
    payload = {
        "model.json": json.dumps(settings, ensure_ascii=False, indent=1).encode(),
        "words.txt": _terms(words),
        "chars.txt": _terms(chars),
        "arrays.npz": buffer.getvalue(),
    }
    from . import _version

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "dunning_guard_version": _version.__version__,
        "numpy_version": np.__version__,
        "members": {
            name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in payload.items()
        },
    }
    with atomic_write(path, "wb") as f:
        with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("manifest.json", json.dumps(manifest, indent=1))
            for name, data in payload.items():
                # LZMA packs the float64 coefficients a third smaller than deflate
                # (and the vocabularies a quarter): the bundled file stays under 5 MB.
                z.writestr(name, data, compress_type=zipfile.ZIP_LZMA)


def _fail(path: object, what: str) -> ValueError:
    return ValueError(
        f"{path} is not a valid dunning_guard model file: {what}. Do not use it; "
        "save or copy it again."
    )


def _read_members(path: str | PathLike[str]) -> tuple[dict[str, Any], dict[str, bytes]]:
    with open(path, "rb") as f:
        head = f.read(len(_LEGACY_MAGIC))
    if head == _LEGACY_MAGIC:
        raise ValueError(
            f"{path} is a model file of dunning_guard 0.1, a pickle: loading it would "
            "run code, so this version does not load it. Retrain the model with "
            "dg.train(...) and save it again (the bundled model is in the new format)."
        )
    if not zipfile.is_zipfile(path):
        raise _fail(
            path, "it is not a zip archive (truncated, damaged or another file)"
        )
    try:
        with zipfile.ZipFile(path) as z:
            infos = {i.filename: i for i in z.infolist()}
            expected = {"manifest.json", *MEMBERS}
            if set(infos) != expected:
                raise _fail(
                    path,
                    f"expected members {sorted(expected)}, found {sorted(infos)}",
                )
            for info in infos.values():
                if info.file_size > MAX_MEMBER_BYTES:
                    raise _fail(path, f"{info.filename} is larger than allowed")
            manifest = json.loads(z.read("manifest.json"))
            data = {name: z.read(name) for name in MEMBERS}
    except (
        zipfile.BadZipFile,
        EOFError,
        ValueError,
        KeyError,
        NotImplementedError,
        lzma.LZMAError,
        zlib.error,
    ) as exc:
        if isinstance(exc, ValueError) and "not a valid dunning_guard" in str(exc):
            raise
        raise _fail(path, f"the archive is damaged ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _fail(path, "its manifest does not name the dunning-guard-model format")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"Expected model format {FORMAT_VERSION}, {path} has "
            f"{manifest.get('format_version')!r}; retrain it with this version."
        )
    members = manifest.get("members")
    if not isinstance(members, dict) or set(members) != set(MEMBERS):
        raise _fail(path, "its manifest does not list the members")
    for name, blob in data.items():
        entry = members[name]
        if not isinstance(entry, dict):
            raise _fail(path, f"the manifest entry of {name} is not a record")
        size, digest = entry.get("bytes"), entry.get("sha256")
        if type(size) is not int or size != len(blob):
            raise _fail(
                path, f"{name} holds {len(blob)} bytes, the manifest says {size!r}"
            )
        if hashlib.sha256(blob).hexdigest() != digest:
            raise _fail(path, f"{name} does not match its SHA-256 in the manifest")
    return manifest, data


def _arrays(path: object, blob: bytes) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            if sorted(npz.files) != sorted(_ARRAYS):
                raise _fail(path, f"arrays.npz holds {sorted(npz.files)}")
            arrays = {name: npz[name] for name in _ARRAYS}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        if "not a valid dunning_guard" in str(exc):
            raise
        # allow_pickle=False refuses object arrays: a pickle never runs.
        raise _fail(path, f"arrays.npz is not plain numeric data ({exc})") from None
    for name, array in arrays.items():
        if array.dtype != np.float64 or not np.isfinite(array).all():
            raise _fail(path, f"{name} is not finite float64 data")
    return arrays


def _block(kind: str, blob: bytes, idf: np.ndarray, ngrams: Any) -> Vocabulary:
    terms = tuple(blob.decode("utf-8").split("\n")) if blob else ()
    if len(set(terms)) != len(terms):
        raise ValueError(f"the {kind} vocabulary repeats n-grams")
    if not (isinstance(ngrams, list) and len(ngrams) == 2):
        raise ValueError(f"{kind}_ngrams is not a pair")
    return Vocabulary(kind, terms, idf, (int(ngrams[0]), int(ngrams[1])))


def _scorer(
    path: object, manifest: dict[str, Any], data: dict[str, bytes]
) -> tuple[LinearScorer, dict[str, Any]]:
    arrays = _arrays(path, data["arrays.npz"])
    try:
        settings = json.loads(data["model.json"])
        blocks = []
        for kind in settings["block_order"]:
            if kind not in ("word", "char"):
                raise ValueError(f"unknown feature block {kind!r}")
            blocks.append(
                _block(
                    kind,
                    data[f"{kind}s.txt"],
                    arrays[f"{kind}_idf"],
                    settings[f"{kind}_ngrams"],
                )
            )
        weight = settings["flag_weight"]
        scorer = LinearScorer(
            blocks=tuple(blocks),
            coef=arrays["coef"],
            intercept=arrays["intercept"],
            sublinear_tf=bool(settings["sublinear_tf"]),
            flag_weight=None if weight is None else float(weight),
        )
        if scorer.n_features != settings["n_features"]:
            raise ValueError("the feature count does not match the arrays")
        classes = settings["classes"]
        if not (isinstance(classes, list) and all(isinstance(c, str) for c in classes)):
            raise ValueError("classes is not a list of names")
        if len(classes) != scorer.coef.shape[0]:
            raise ValueError("the classes do not match the coefficient rows")
        threshold = float(settings["relevance_threshold"])
        if not 0.0 <= threshold <= 1.0:
            raise ValueError("relevance_threshold is not in [0, 1]")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise _fail(path, str(exc).rstrip(".")) from None
    from . import _version

    saved = manifest.get("dunning_guard_version")
    if saved != _version.__version__:
        warnings.warn(
            f"{path} was saved with dunning_guard {saved}, this is "
            f"{_version.__version__}; predictions may differ. Retrain to be sure.",
            UserWarning,
            stacklevel=4,
        )
    if settings.get("segmenter", {}).get("userdict_sha256") != userdict_sha256():
        warnings.warn(
            f"{path} was trained with another word-segmentation dictionary; "
            "predictions may differ. Retrain to be sure.",
            UserWarning,
            stacklevel=4,
        )
    return scorer, settings


def read_manifest(path: str | PathLike[str]) -> dict[str, Any]:
    """The manifest of a model file (format, versions, members), after its checks."""
    return _read_members(path)[0]


def read_model_file(
    path: str | PathLike[str],
) -> tuple[LinearScorer, dict[str, Any]]:
    """The scorer and settings (classes, threshold, metadata) of a model file."""
    manifest, data = _read_members(path)
    return _scorer(path, manifest, data)
