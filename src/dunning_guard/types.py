"""The types that results and reports are made of, for annotations and isinstance.

Examples
--------
>>> import dunning_guard as dg
>>> from dunning_guard.types import RedFlag
>>> all(isinstance(f, RedFlag) for f in dg.classify("请加微信 kf88 还款").red_flags)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._explain import Advice, Contribution
from ._flags import Fact, RedFlag
from ._results import Prediction, Predictions

if TYPE_CHECKING:
    from ._evaluate import CrossValidation, EvaluationReport

__all__ = [
    "Advice",
    "Contribution",
    "CrossValidation",
    "EvaluationReport",
    "Fact",
    "Prediction",
    "Predictions",
    "RedFlag",
]


def __getattr__(name: str) -> Any:
    # The evaluation types import scikit-learn and pandas: only when asked for.
    if name in ("CrossValidation", "EvaluationReport"):
        from . import _evaluate

        return getattr(_evaluate, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
