"""dunning_guard: tell whether a Chinese debt-collection message can be trusted.

Each message gets one of four labels (`LABELS`): a legitimate repayment
``reminder``, a legitimate ``overdue`` notice, a ``legal`` escalation or a
``scam``; a message that is neither about a debt nor a scam is ``unrelated``
(`UNRELATED`). Scoring needs neither scikit-learn nor pandas: they are imported
only for training, evaluation and DataFrames.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from ._api import classify, corpus, train
    from ._augment import augment
    from ._estimator import DunningClassifier
    from ._evaluate import cross_validate, evaluate
    from ._flags import FLAGS
    from ._format import ModelFileError
    from ._model import Model
    from ._persist import load
    from ._results import Prediction, Predictions
    from ._sender import SENDER_SCAM_ODDS
    from ._vocab import LABELS, MAX_CHARS, UNRELATED

# Every name is imported on first use, so `import dunning_guard` (and the CLI's
# --help) costs almost nothing; scikit-learn and pandas load only for training,
# evaluation and DataFrames.
_LAZY = {
    "FLAGS": "._flags",
    "LABELS": "._vocab",
    "MAX_CHARS": "._vocab",
    "SENDER_SCAM_ODDS": "._sender",
    "UNRELATED": "._vocab",
    "DunningClassifier": "._estimator",
    "Model": "._model",
    "ModelFileError": "._format",
    "Prediction": "._results",
    "Predictions": "._results",
    "augment": "._augment",
    "classify": "._api",
    "corpus": "._api",
    "cross_validate": "._evaluate",
    "evaluate": "._evaluate",
    "load": "._persist",
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
    "ModelFileError",
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
