"""The model file format: data only, JSON and NumPy arrays in a zip.

Loading never unpickles and never imports scikit-learn: a model file from a vendor
or a colleague can be damaged or forged, but it cannot run code, cannot make the
loader allocate more than the file declares (within fixed caps), and cannot load
into a model that answers wrong without a word. ``model.json`` describes the
features column by column (word and character vocabularies, the red-flag ids in
column order), so a file keeps scoring the same when the library adds or reorders
red flags.

Checks, in order, before anything large is read: the file's size; the zip's entry
count (from its end record), duplicate, encrypted or unexpected members and their
declared sizes; the manifest and ``model.json`` as bounded JSON (size, depth,
number size) with every setting in its range; then each member, read with a bound
derived from ``model.json``, against the manifest's size and SHA-256; then each
array's ``.npy`` header (dtype, shape) against the shapes ``model.json`` implies,
before its data is read. Any violation raises `ModelFileError`, one line.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import math
import os
import struct
import warnings
import zipfile
import zlib
from os import PathLike
from typing import Any

import numpy as np

from ._decision import check_threshold
from ._features import FlagBlock, LinearScorer, Vocabulary
from ._files import atomic_write
from ._flags import ANY_MECHANISM, FLAG_BY_ID
from ._segment import userdict_sha256
from ._version import __version__

__all__ = [
    "FORMAT_VERSION",
    "LIMITS",
    "ModelFileError",
    "read_manifest",
    "read_model_file",
    "write_model_file",
]

FORMAT = "dunning-guard-model"
#: The format this version writes; it reads 2 (dunning_guard 0.2) and 3.
FORMAT_VERSION = 3
_READS = (2, 3)
#: The oldest dunning_guard that reads the files this version writes.
_REQUIRES = "0.3.0"
MEMBERS = ("model.json", "words.txt", "chars.txt", "arrays.npz")
_ARRAYS = ("coef", "intercept", "word_idf", "char_idf")
#: The flag columns of a format-2 file (dunning_guard 0.2 wrote them in this order).
_FORMAT2_FLAGS = (
    "personal_account",
    "private_contact",
    "unofficial_link",
    "app_install",
    "credential_request",
    "clearance_fee",
    "authority_impersonation",
    "threat",
    "urgency",
)
#: What a model file may hold at most (documented in the README).
LIMITS: dict[str, int] = {
    "file_bytes": 512 * 1024**2,  # on disk
    "unpacked_bytes": 512 * 1024**2,  # all members, decompressed
    "json_bytes": 1024**2,  # manifest.json, model.json
    "json_depth": 32,
    "terms": 4_000_000,  # n-grams per vocabulary
    "term_bytes": 256,  # UTF-8 bytes per n-gram, on average
    "classes": 64,
    "word_n": 5,  # longest word n-gram
    "char_n": 3,  # longest character n-gram
}
#: The largest value a raised red flag may have as a feature.
MAX_FLAG_WEIGHT = 100.0
_COMPRESSION = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA}
_LEGACY_MAGIC = b"DUNNING-GUARD-MODEL\n"


class ModelFileError(ValueError):
    """A file that is not a usable dunning_guard model: damaged, forged, too large,
    or written by a newer version. The message is one line and says what to do."""


def _fail(path: object, what: str) -> ModelFileError:
    what = " ".join(str(what).split())[:300]
    return ModelFileError(
        f"{path} is not a valid dunning_guard model file: {what}. Do not use it; "
        "save or copy it again."
    )


def _newer(path: object, what: str, requires: object) -> ModelFileError:
    needed = (
        f"dunning_guard >= {requires}"
        if isinstance(requires, str) and len(requires) < 20
        else "a newer dunning_guard"
    )
    return ModelFileError(
        f"{path} needs {needed} ({what}); this is dunning_guard {__version__}. "
        "Upgrade with: pip install -U dunning-guard"
    )


# -- writing ---------------------------------------------------------------------


def _terms(block: Vocabulary | None) -> bytes:
    if block is None:
        return b""
    if any("\n" in t for t in block.terms):
        raise ValueError(
            "Expected n-grams without newlines; this model cannot be saved."
        )
    return "\n".join(block.terms).encode("utf-8")


def _describe(block: Vocabulary | FlagBlock) -> dict[str, Any]:
    if isinstance(block, FlagBlock):
        return {"kind": "flag", "ids": list(block.ids), "weight": block.weight}
    return {
        "kind": block.kind,
        "ngram_range": list(block.ngram_range),
        "size": len(block.terms),
    }


def write_model_file(
    path: str | PathLike[str],
    scorer: LinearScorer,
    classes: tuple[str, ...],
    decision: dict[str, Any],
    metadata: dict[str, Any],
) -> None:
    """Write a model to `path` atomically: a failed save leaves the old file intact.

    `decision` holds the decision settings: ``relevance_threshold``,
    ``resemblance_threshold`` (None: no evidence rule) and ``class_shares`` (the
    training mix, for operating points)."""
    vocabularies = {b.kind: b for b in scorer.blocks if isinstance(b, Vocabulary)}
    words, chars = vocabularies.get("word"), vocabularies.get("char")
    settings = {
        "classes": list(classes),
        "relevance_threshold": decision["relevance_threshold"],
        "resemblance_threshold": decision.get("resemblance_threshold"),
        "class_shares": decision.get("class_shares"),
        "features": [_describe(b) for b in scorer.blocks],
        "sublinear_tf": scorer.sublinear_tf,
        "n_features": scorer.n_features,
        "segmenter": {"userdict_sha256": userdict_sha256()},
        "metadata": metadata,
    }
    buffer = io.BytesIO()
    np.savez(
        buffer,
        coef=np.ascontiguousarray(scorer.coef, dtype=np.float64),
        intercept=np.ascontiguousarray(scorer.intercept, dtype=np.float64),
        word_idf=(words.idf if words else np.empty(0)).astype(np.float64),
        char_idf=(chars.idf if chars else np.empty(0)).astype(np.float64),
    )
    payload = {
        "model.json": json.dumps(
            settings, ensure_ascii=False, indent=1, allow_nan=False
        ).encode(),
        "words.txt": _terms(words),
        "chars.txt": _terms(chars),
        "arrays.npz": buffer.getvalue(),
    }
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "requires": _REQUIRES,
        "dunning_guard_version": __version__,
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
                # (and the vocabularies a quarter): the bundled file stays small.
                z.writestr(name, data, compress_type=zipfile.ZIP_LZMA)


# -- reading: the container --------------------------------------------------------


def _entry_count(path: str | PathLike[str]) -> int | None:
    """The entry count in the zip's end record, read without parsing the archive
    (a forged archive of millions of entries is refused before it is listed)."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - 65_557))
        tail = f.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return None
    return int(struct.unpack("<H", tail[at + 10 : at + 12])[0])


def _read(z: zipfile.ZipFile, name: str, limit: int, path: object) -> bytes:
    with z.open(name) as f:
        blob = f.read(limit + 1)
    if len(blob) > limit:
        raise _fail(
            path, f"{name} is larger than its model.json allows ({limit:,} bytes)"
        )
    return blob


def _big_int(text: str) -> int:
    if len(text.lstrip("-")) > 18:
        raise ValueError(f"the number {text[:24]}… is too large")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:24]} is not finite")
    return value


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not a number a model file may hold")


def _json(blob: bytes, name: str, path: object) -> Any:
    if len(blob) > LIMITS["json_bytes"]:
        raise _fail(path, f"{name} is larger than {LIMITS['json_bytes']:,} bytes")
    try:
        value = json.loads(
            blob.decode("utf-8"),
            parse_int=_big_int,
            parse_float=_finite_float,
            parse_constant=_no_constant,
        )
    except RecursionError:
        raise _fail(path, f"{name} is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise _fail(path, f"{name} is not valid JSON ({exc})") from None
    stack, depth = [(value, 1)], 0
    while stack:
        item, level = stack.pop()
        depth = max(depth, level)
        if depth > LIMITS["json_depth"]:
            raise _fail(path, f"{name} is nested deeper than {LIMITS['json_depth']}")
        if isinstance(item, dict):
            stack += [(v, level + 1) for v in item.values()]
        elif isinstance(item, list):
            stack += [(v, level + 1) for v in item]
    return value


def _open_members(path: str | PathLike[str]) -> zipfile.ZipFile:
    size = os.path.getsize(path)
    if size > LIMITS["file_bytes"]:
        raise _fail(
            path, f"it is {size:,} bytes, above the {LIMITS['file_bytes']:,} allowed"
        )
    with open(path, "rb") as f:
        head = f.read(len(_LEGACY_MAGIC))
    if head == _LEGACY_MAGIC:
        raise ModelFileError(
            f"{path} is a model file of dunning_guard 0.1, a pickle: loading it would "
            "run code, so this version does not load it. Retrain the model with "
            "dg.train(...) and save it again (the bundled model is in the new format)."
        )
    expected = {"manifest.json", *MEMBERS}
    count = _entry_count(path)
    if count is None or not zipfile.is_zipfile(path):
        raise _fail(
            path, "it is not a zip archive (truncated, damaged or another file)"
        )
    if count != len(expected):
        many = "or more " if count == 0xFFFF else ""
        raise _fail(path, f"it holds {count:,} {many}members, expected {len(expected)}")
    try:
        z = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise _fail(path, f"the archive is damaged ({exc})") from None
    names = [i.filename for i in z.infolist()]
    problem = None
    if len(set(names)) != len(names):
        problem = "a member name appears twice"
    elif set(names) != expected:
        problem = f"expected members {sorted(expected)}, found {sorted(names)[:8]}"
    elif any(i.flag_bits & 0x1 for i in z.infolist()):
        problem = "a member is encrypted"
    elif any(i.compress_type not in _COMPRESSION for i in z.infolist()):
        problem = "a member uses an unsupported compression"
    elif sum(i.file_size for i in z.infolist()) > LIMITS["unpacked_bytes"]:
        problem = f"its members unpack to more than {LIMITS['unpacked_bytes']:,} bytes"
    if problem:
        z.close()
        raise _fail(path, problem)
    return z


def _check_member(path: object, name: str, blob: bytes, members: Any) -> None:
    entry = members.get(name) if isinstance(members, dict) else None
    if not isinstance(entry, dict):
        raise _fail(path, f"the manifest has no record of {name}")
    size, digest = entry.get("bytes"), entry.get("sha256")
    if type(size) is not int or size != len(blob):
        raise _fail(path, f"{name} holds {len(blob)} bytes, the manifest says {size!r}")
    if hashlib.sha256(blob).hexdigest() != digest:
        raise _fail(path, f"{name} does not match its SHA-256 in the manifest")


# -- reading: the settings ---------------------------------------------------------


def _ngram_range(value: Any, high: int, what: str) -> tuple[int, int]:
    ok = (
        isinstance(value, list)
        and len(value) == 2
        and all(type(v) is int for v in value)
        and 1 <= value[0] <= value[1] <= high
    )
    if not ok:
        raise ValueError(f"{what} is not a range [min_n, max_n] within 1..{high}")
    return value[0], value[1]


def _size(value: Any, what: str) -> int:
    if type(value) is not int or not 0 <= value <= LIMITS["terms"]:
        raise ValueError(
            f"{what} is not a count of at most {LIMITS['terms']:,} n-grams"
        )
    return value


def _flag_block(
    ids: Any, weight: Any, path: object, requires: object
) -> dict[str, Any]:
    if not (isinstance(ids, list) and all(isinstance(f, str) for f in ids)):
        raise ValueError("the flag ids are not a list of names")
    if len(set(ids)) != len(ids):
        raise ValueError("a flag id appears twice")
    unknown = [f for f in ids if f not in FLAG_BY_ID and f != ANY_MECHANISM]
    if unknown:
        raise _newer(path, f"red flag {unknown[0][:40]!r}", requires)
    if type(weight) not in (int, float) or not 0 < weight <= MAX_FLAG_WEIGHT:
        raise ValueError(f"the flag weight is not a number in (0, {MAX_FLAG_WEIGHT:g}]")
    return {"kind": "flag", "ids": tuple(ids), "weight": float(weight)}


def _features(
    settings: dict[str, Any], version: int, path: object, requires: object
) -> list[dict[str, Any]]:
    """The feature blocks, in column order, as checked plain dicts."""
    out: list[dict[str, Any]] = []
    if version == 2:
        order = settings.get("block_order")
        if not (isinstance(order, list) and set(order) <= {"word", "char"}):
            raise ValueError("block_order is not a list of 'word' and 'char'")
        for kind in order:
            high = LIMITS["word_n" if kind == "word" else "char_n"]
            out.append(
                {
                    "kind": kind,
                    "ngram_range": _ngram_range(
                        settings.get(f"{kind}_ngrams"), high, f"{kind}_ngrams"
                    ),
                    "size": None,  # format 2 does not say; counted from the terms
                }
            )
        if settings.get("flag_weight") is not None:
            out.append(
                _flag_block(
                    list(_FORMAT2_FLAGS), settings["flag_weight"], path, requires
                )
            )
    else:
        blocks = settings.get("features")
        if not (isinstance(blocks, list) and 1 <= len(blocks) <= 3):
            raise ValueError("features is not a list of 1 to 3 feature blocks")
        for block in blocks:
            if not isinstance(block, dict):
                raise ValueError("a feature block is not an object")
            kind = block.get("kind")
            if kind == "flag":
                out.append(
                    _flag_block(block.get("ids"), block.get("weight"), path, requires)
                )
            elif kind in ("word", "char"):
                high = LIMITS["word_n" if kind == "word" else "char_n"]
                out.append(
                    {
                        "kind": kind,
                        "ngram_range": _ngram_range(
                            block.get("ngram_range"), high, f"the {kind} ngram_range"
                        ),
                        "size": _size(block.get("size"), f"the {kind} size"),
                    }
                )
            else:
                raise _newer(path, f"feature kind {str(kind)[:40]!r}", requires)
    kinds = [b["kind"] for b in out]
    if len(set(kinds)) != len(kinds) or not kinds:
        raise ValueError("the feature blocks repeat a kind or are empty")
    return out


def _settings(
    settings: Any, version: int, path: object, requires: object
) -> dict[str, Any]:
    if not isinstance(settings, dict):
        raise ValueError("model.json is not an object")
    classes = settings.get("classes")
    if not (
        isinstance(classes, list)
        and 2 <= len(classes) <= LIMITS["classes"]
        and all(isinstance(c, str) and 0 < len(c) <= 64 for c in classes)
    ):
        raise ValueError(f"classes is not a list of 2 to {LIMITS['classes']} names")
    if len(set(classes)) != len(classes):
        raise ValueError("a class name appears twice")
    metadata = settings.get("metadata", {})
    if not isinstance(metadata, dict):
        raise ValueError("metadata is not an object ({...})")
    segmenter = settings.get("segmenter")
    if not (
        isinstance(segmenter, dict)
        and isinstance(segmenter.get("userdict_sha256"), str)
    ):
        raise ValueError(
            "segmenter is not an object with the dictionary's userdict_sha256"
        )
    if not isinstance(settings.get("sublinear_tf"), bool):
        raise ValueError("sublinear_tf is not true or false")
    n_features = settings.get("n_features")
    if type(n_features) is not int or not 0 < n_features <= 2 * LIMITS["terms"] + 64:
        raise ValueError("n_features is not a feature count within the limits")
    try:
        threshold = check_threshold(settings.get("relevance_threshold"))
    except ValueError:
        raise ValueError("relevance_threshold is not a number in [0, 1]") from None
    resemblance = settings.get("resemblance_threshold")
    if resemblance is not None:
        try:
            resemblance = check_threshold(resemblance)
        except ValueError:
            raise ValueError(
                "resemblance_threshold is not a number in [0, 1]"
            ) from None
    shares = settings.get("class_shares")
    if shares is not None and not (
        isinstance(shares, dict)
        and set(shares) == set(classes)
        and all(type(v) in (int, float) and 0 < v <= 1 for v in shares.values())
    ):
        raise ValueError("class_shares is not a share in (0, 1] for each class")
    return {
        "classes": classes,
        "relevance_threshold": threshold,
        "resemblance_threshold": resemblance,
        "class_shares": shares,
        "sublinear_tf": settings["sublinear_tf"],
        "n_features": n_features,
        "features": _features(settings, version, path, requires),
        "segmenter": segmenter,
        "metadata": metadata,
    }


# -- reading: the arrays ---------------------------------------------------------


def _arrays(
    path: object, blob: bytes, shapes: dict[str, tuple[int, ...]]
) -> dict[str, np.ndarray]:
    """The four arrays, each checked by its .npy header before its data is read."""
    try:
        npz = zipfile.ZipFile(io.BytesIO(blob))
    except zipfile.BadZipFile:
        raise _fail(
            path, "arrays.npz is not plain numeric data (not an .npz archive)"
        ) from None
    with npz:
        infos = npz.infolist()
        names = [i.filename for i in infos]
        if sorted(names) != sorted(f"{a}.npy" for a in _ARRAYS):
            raise _fail(
                path, f"arrays.npz holds {sorted(names)[:8]}, not plain numeric data"
            )
        if any(i.flag_bits & 0x1 or i.compress_type not in _COMPRESSION for i in infos):
            raise _fail(
                path, "arrays.npz is encrypted or compressed in an unsupported way"
            )
        arrays = {}
        for name in _ARRAYS:
            shape = shapes[name]
            with npz.open(f"{name}.npy") as f:
                try:
                    version = np.lib.format.read_magic(f)
                    if version == (1, 0):
                        found, fortran, dtype = np.lib.format.read_array_header_1_0(f)
                    elif version == (2, 0):
                        found, fortran, dtype = np.lib.format.read_array_header_2_0(f)
                    else:
                        raise ValueError(f"npy version {version}")
                except (ValueError, OSError, SyntaxError) as exc:
                    raise _fail(
                        path, f"{name} is not plain numeric data ({exc})"
                    ) from None
                if dtype != np.dtype("<f8"):
                    # Object arrays are refused here: a pickle never runs.
                    raise _fail(
                        path, f"{name} is not plain numeric data (dtype {dtype})"
                    )
                if tuple(found) != shape:
                    raise _fail(
                        path,
                        f"{name} has shape {tuple(found)}, model.json implies {shape}",
                    )
                nbytes = 8 * math.prod(shape)
                data = f.read(nbytes + 1)
            if len(data) != nbytes:
                raise _fail(
                    path, f"{name} holds {len(data)} bytes, its header says {nbytes}"
                )
            array = np.frombuffer(data, dtype="<f8").reshape(
                shape, order="F" if fortran else "C"
            )
            if not np.isfinite(array).all():
                raise _fail(path, f"{name} is not finite float64 data")
            arrays[name] = array
    return arrays


def _lines(blob: bytes, kind: str, size: int | None, path: object) -> tuple[str, ...]:
    count = blob.count(b"\n") + 1 if blob else 0
    if count > LIMITS["terms"]:
        raise _fail(
            path, f"the {kind} vocabulary holds more than {LIMITS['terms']:,} n-grams"
        )
    if size is not None and count != size:
        raise _fail(
            path, f"the {kind} vocabulary holds {count} n-grams, model.json says {size}"
        )
    try:
        terms = tuple(blob.decode("utf-8").split("\n")) if blob else ()
    except UnicodeDecodeError:
        raise _fail(path, f"the {kind} vocabulary is not UTF-8 text") from None
    if len(set(terms)) != len(terms):
        raise _fail(path, f"the {kind} vocabulary repeats n-grams")
    return terms


def _load(
    path: str | PathLike[str],
) -> tuple[dict[str, Any], LinearScorer, dict[str, Any]]:
    with _open_members(path) as z:
        try:
            manifest = _json(
                _read(z, "manifest.json", LIMITS["json_bytes"], path),
                "manifest.json",
                path,
            )
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise _fail(
                    path, "its manifest does not name the dunning-guard-model format"
                )
            version = manifest.get("format_version")
            requires = manifest.get("requires")
            if version not in _READS:
                raise _newer(path, f"model format {str(version)[:12]}", requires)
            members = manifest.get("members")
            if not (isinstance(members, dict) and set(members) == set(MEMBERS)):
                raise _fail(path, "its manifest does not list the members")
            raw = _read(z, "model.json", LIMITS["json_bytes"], path)
            _check_member(path, "model.json", raw, members)
            try:
                settings = _settings(
                    _json(raw, "model.json", path), version, path, requires
                )
            except ModelFileError:
                raise
            except ValueError as exc:
                raise _fail(path, str(exc)) from None
            blocks = {b["kind"]: b for b in settings["features"]}
            sizes = {
                k: blocks[k]["size"] if k in blocks else 0 for k in ("word", "char")
            }
            data = {}
            for kind in ("word", "char"):
                name = f"{kind}s.txt"
                size = sizes[kind]
                limit = (
                    LIMITS["terms"] * LIMITS["term_bytes"]
                    if size is None
                    else size * LIMITS["term_bytes"] + 1024
                )
                data[name] = _read(z, name, min(limit, LIMITS["unpacked_bytes"]), path)
                _check_member(path, name, data[name], members)
            terms = {
                kind: _lines(data[f"{kind}s.txt"], kind, sizes[kind], path)
                for kind in ("word", "char")
            }
            n_classes = len(settings["classes"])
            n_flags = len(blocks["flag"]["ids"]) if "flag" in blocks else 0
            n_features = (
                len(terms["word"]) * ("word" in blocks)
                + len(terms["char"]) * ("char" in blocks)
                + n_flags
            )
            if n_features != settings["n_features"]:
                raise _fail(
                    path,
                    f"model.json says {settings['n_features']} features, its blocks hold {n_features}",
                )
            shapes = {
                "coef": (n_classes, n_features),
                "intercept": (n_classes,),
                "word_idf": (len(terms["word"]),),
                "char_idf": (len(terms["char"]),),
            }
            expected = 8 * sum(math.prod(s) for s in shapes.values())
            if expected > LIMITS["unpacked_bytes"]:
                raise _fail(
                    path,
                    f"its arrays would take {expected:,} bytes, above the {LIMITS['unpacked_bytes']:,} allowed",
                )
            data["arrays.npz"] = _read(z, "arrays.npz", expected + 64 * 1024, path)
            _check_member(path, "arrays.npz", data["arrays.npz"], members)
        except (
            zipfile.BadZipFile,
            EOFError,
            NotImplementedError,
            lzma.LZMAError,
            zlib.error,
            OSError,
            RuntimeError,
        ) as exc:
            raise _fail(path, f"the archive is damaged ({exc})") from None
    arrays = _arrays(path, data["arrays.npz"], shapes)
    built: list[Vocabulary | FlagBlock] = []
    try:
        for block in settings["features"]:
            kind = block["kind"]
            if kind == "flag":
                built.append(FlagBlock(block["ids"], block["weight"]))
            else:
                built.append(
                    Vocabulary(
                        kind, terms[kind], arrays[f"{kind}_idf"], block["ngram_range"]
                    )
                )
        scorer = LinearScorer(
            blocks=tuple(built),
            coef=arrays["coef"],
            intercept=arrays["intercept"],
            sublinear_tf=settings["sublinear_tf"],
        )
    except ValueError as exc:
        raise _fail(path, str(exc)) from None
    return manifest, scorer, settings


def read_manifest(path: str | PathLike[str]) -> dict[str, Any]:
    """The manifest of a model file (format, versions, members), after every check."""
    return _load(path)[0]


def read_model_file(path: str | PathLike[str]) -> tuple[LinearScorer, dict[str, Any]]:
    """The scorer and checked settings (classes, threshold, metadata) of a model file.

    Raises `ModelFileError` (a `ValueError`) for anything but a valid file.
    """
    manifest, scorer, settings = _load(path)
    saved = manifest.get("dunning_guard_version")
    if saved != __version__:
        warnings.warn(
            f"{path} was saved with dunning_guard {str(saved)[:20]}, this is "
            f"{__version__}; predictions may differ. Retrain to be sure.",
            UserWarning,
            stacklevel=3,
        )
    if settings["segmenter"]["userdict_sha256"] != userdict_sha256():
        warnings.warn(
            f"{path} was trained with another word-segmentation dictionary; "
            "predictions may differ. Retrain to be sure.",
            UserWarning,
            stacklevel=3,
        )
    return scorer, settings
