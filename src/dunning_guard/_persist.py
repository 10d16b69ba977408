"""Model files: atomic saves, a manifest with a checksum, verified loads.

A model file is a pickle (joblib) behind a one-line JSON manifest. Unpickling
runs code, so only load model files you trust; the checksum catches truncated,
corrupted or swapped payloads, not a forged file with a matching manifest.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import tempfile
import warnings
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import joblib
import sklearn

from ._model import DunningClassifier

__all__ = ["BUNDLED_MODEL", "load", "save_model"]

MAGIC = b"DUNNING-GUARD-MODEL\n"
FORMAT_VERSION = 1
BUNDLED_MODEL = "dunning_guard.model"


def _version() -> str:
    from . import __version__

    return __version__


def save_model(model: DunningClassifier, path: str | PathLike[str]) -> None:
    """Write `model` to `path` atomically: a failed save leaves the old file intact."""
    path = Path(path)
    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    payload = buffer.getvalue()
    manifest = {
        "format_version": FORMAT_VERSION,
        "dunning_guard_version": _version(),
        "sklearn_version": sklearn.__version__,
        "labels": [str(c) for c in model.classes_],
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
        "payload_bytes": len(payload),
    }
    header = MAGIC + json.dumps(manifest, sort_keys=True).encode() + b"\n"
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(header)
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_manifest(path: str | PathLike[str]) -> dict[str, Any]:
    """Return the manifest of a model file without unpickling it."""
    with open(path, "rb") as f:
        return _parse_header(f.read(len(MAGIC)), f.readline(), path)


def _parse_header(magic: bytes, line: bytes, path: object) -> dict[str, Any]:
    if magic != MAGIC:
        raise ValueError(
            f"Expected a dunning_guard model file, {path} does not start with one."
        )
    try:
        manifest = json.loads(line)
        manifest["payload_sha256"], manifest["payload_bytes"]  # noqa: B018
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(
            f"Expected a valid manifest in {path}, it is damaged: {exc}."
        ) from None
    return manifest


def _load_file(path: str | PathLike[str]) -> DunningClassifier:
    with open(path, "rb") as f:
        manifest = _parse_header(f.read(len(MAGIC)), f.readline(), path)
        payload = f.read()
    if len(payload) != manifest["payload_bytes"]:
        raise ValueError(
            f"Expected {manifest['payload_bytes']} bytes of model data in {path}, found "
            f"{len(payload)}: the file is truncated or damaged; save or copy it again."
        )
    if hashlib.sha256(payload).hexdigest() != manifest["payload_sha256"]:
        raise ValueError(
            f"The model data in {path} does not match its checksum: the file is corrupted "
            "or was tampered with; do not use it, save or copy it again."
        )
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ValueError(
            f"Expected model format {FORMAT_VERSION}, {path} has "
            f"{manifest.get('format_version')}; retrain it with this version."
        )
    for key, current in (
        ("sklearn_version", sklearn.__version__),
        ("dunning_guard_version", _version()),
    ):
        if manifest.get(key) != current:
            warnings.warn(
                f"{path} was saved with {key.split('_version')[0]} {manifest.get(key)}, "
                f"this is {current}; predictions may differ. Retrain to be sure.",
                UserWarning,
                stacklevel=3,
            )
    with warnings.catch_warnings():
        # The version check above already says this, once and in plain words.
        warnings.filterwarnings(
            "ignore", category=sklearn.exceptions.InconsistentVersionWarning
        )
        model = joblib.load(io.BytesIO(payload))
    if not isinstance(model, DunningClassifier):
        raise ValueError(
            f"Expected a DunningClassifier in {path}, found {type(model).__name__}."
        )
    return model


def _load_bundled() -> DunningClassifier:
    resource = resources.files("dunning_guard").joinpath("models", BUNDLED_MODEL)
    if not resource.is_file():
        raise FileNotFoundError(
            f"The bundled model {BUNDLED_MODEL} is missing from the installed package; "
            "reinstall dunning_guard or pass a path to load()."
        )
    with resources.as_file(resource) as path:
        return _load_file(path)


@functools.cache
def shared_model() -> DunningClassifier:
    """The bundled model, loaded once per process (for `classify`)."""
    return _load_bundled()


def load(path: str | PathLike[str] | None = None) -> DunningClassifier:
    """Load a saved model, or the bundled one when `path` is None.

    Model files are pickles: load only files you trust. The payload's SHA-256 is
    checked before unpickling; a missing, truncated or corrupted file raises.

    Examples
    --------
    >>> model = load()
    >>> model.classify("【招商银行】您尾号1234的信用卡本期账单2318元，还款日11月25日。").label
    'reminder'
    """
    if path is None:
        return _load_bundled()
    if not Path(path).is_file():
        raise FileNotFoundError(f"No model file at {path}.")
    return _load_file(path)
