"""dunning_guard: tell whether a Chinese debt-collection message can be trusted.

Each message gets one of four labels (`LABELS`): a legitimate repayment
``reminder``, a legitimate ``overdue`` notice, a ``legal`` escalation, or a
``scam``. See the README for the label guide and the model card.
"""

from __future__ import annotations

from ._api import classify, train
from ._augment import augment, obfuscate, refill
from ._evaluate import CrossValidation, EvaluationReport, cross_validate, evaluate
from ._explain import Advice, Contribution
from ._flags import FLAGS, Fact, RedFlag
from ._model import LABELS, SENDER_SCAM_ODDS, DunningClassifier, Prediction, Predictions
from ._normalize import to_simplified, to_traditional
from ._persist import load

__version__ = "0.1.0"

__all__ = [
    "FLAGS",
    "LABELS",
    "SENDER_SCAM_ODDS",
    "Advice",
    "Contribution",
    "CrossValidation",
    "DunningClassifier",
    "EvaluationReport",
    "Fact",
    "Prediction",
    "Predictions",
    "RedFlag",
    "augment",
    "classify",
    "cross_validate",
    "evaluate",
    "load",
    "obfuscate",
    "refill",
    "to_simplified",
    "to_traditional",
    "train",
]
