"""Loading models: a saved file, or the bundled one (once per process).

A model file holds data only (see `_format`): loading runs no code from it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from importlib import resources
from os import PathLike
from pathlib import Path

from ._format import read_model_file
from ._model import Model

__all__ = ["BUNDLED_MODEL", "bundled_path", "load", "shared_model"]

BUNDLED_MODEL = "dunning_guard.dg"


def _load_file(path: str | PathLike[str]) -> Model:
    scorer, settings = read_model_file(path)
    return Model(
        scorer,
        settings["classes"],
        relevance_threshold=settings["relevance_threshold"],
        resemblance_threshold=settings["resemblance_threshold"],
        class_shares=settings["class_shares"],
        metadata=settings["metadata"],
    )


def bundled_path() -> Path:
    """The installed bundled model file."""
    resource = (
        resources.files("dunning_guard").joinpath("models").joinpath(BUNDLED_MODEL)
    )
    if not resource.is_file():
        raise FileNotFoundError(
            f"The bundled model {BUNDLED_MODEL} is missing from the installed package; "
            "reinstall dunning_guard or pass a path to load()."
        )
    return Path(str(resource))


_SHARED_LOCK = threading.Lock()


@functools.cache
def _shared() -> Model:
    return _load_file(bundled_path())


def shared_model() -> Model:
    """The bundled model, loaded once per process however many threads ask."""
    with _SHARED_LOCK:
        return _shared()


def load(
    path: str | PathLike[str] | None = None,
    *,
    operating_point: str | dict[str, float] | None = None,
    trusted_senders: Iterable[str] | str | PathLike[str] | None = None,
) -> Model:
    """Load a saved model, or the bundled one when `path` is None.

    A model file holds data only (JSON and NumPy arrays), so loading runs no code
    from it. Its members are checked against the manifest's sizes and SHA-256, its
    settings and array shapes against each other and against fixed limits, before
    anything large is read: a missing file raises `FileNotFoundError`; anything
    truncated, damaged, forged, too large, of a newer format or in the old pickle
    format raises `ModelFileError` (a `ValueError`) with a one-line message.
    `operating_point` is passed to `Model.with_operating_point`, `trusted_senders`
    (an iterable or a file, one per line) to `Model.with_trusted_senders`.

    Examples
    --------
    >>> model = load()
    >>> model.classify("【招商银行】您尾号1234的信用卡本期账单2318元，还款日11月25日。").label
    'reminder'
    """
    if path is None:
        model = _load_file(bundled_path())
    else:
        p = Path(path)
        if p.is_dir():
            raise IsADirectoryError(f"Expected a model file, {path} is a directory.")
        if not p.is_file():
            raise FileNotFoundError(f"No model file at {path}.")
        model = _load_file(p)
    if operating_point is not None:
        model = model.with_operating_point(operating_point)
    if trusted_senders is not None:
        model = model.with_trusted_senders(trusted_senders)
    return model
