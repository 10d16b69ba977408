"""dunning_guard: tell whether a Chinese debt-collection message can be trusted.

Each message gets one of four labels (`LABELS`): a legitimate repayment
``reminder``, a legitimate ``overdue`` notice, a ``legal`` escalation or a
``scam``; a message that is neither about a debt nor a scam is ``unrelated``
(`UNRELATED`). Scoring needs neither scikit-learn nor pandas: they are imported
only for training, evaluation and DataFrames.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._api import classify
from ._flags import FLAGS
from ._persist import load
from ._results import Prediction, Predictions
from ._scorer import Model
from ._sender import SENDER_SCAM_ODDS
from ._version import __version__
from ._vocab import LABELS, MAX_CHARS, UNRELATED

# Names whose modules import scikit-learn or pandas: loaded on first use.
_LAZY = {
    "DunningClassifier": "._model",
    "augment": "._augment",
    "corpus": "._api",
    "cross_validate": "._evaluate",
    "evaluate": "._evaluate",
    "train": "._api",
}

__all__ = [
    "FLAGS",
    "LABELS",
    "MAX_CHARS",
    "SENDER_SCAM_ODDS",
    "UNRELATED",
    "DunningClassifier",
    "Model",
    "Prediction",
    "Predictions",
    "__version__",
    "augment",
    "classify",
    "corpus",
    "cross_validate",
    "evaluate",
    "load",
    "train",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
