"""The types that results and reports are made of, for annotations and isinstance.

Examples
--------
>>> import dunning_guard as dg
>>> from dunning_guard.types import RedFlag
>>> all(isinstance(f, RedFlag) for f in dg.classify("请加微信 kf88 还款").red_flags)
True
"""

from __future__ import annotations

from ._explain import Advice, Contribution
from ._flags import Fact, RedFlag
from ._results import Prediction, Predictions

__all__ = ["Advice", "Contribution", "Fact", "Prediction", "Predictions", "RedFlag"]
