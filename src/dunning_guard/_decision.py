"""The decision rule: from probabilities to a label, in one place.

`Model`, `evaluate`, `cross_validate` and the build script all decide through
`decide`, and every surface that takes a relevance threshold checks it with
`check_threshold`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._vocab import UNRELATED

__all__ = ["check_threshold", "decide", "margins", "relevance"]


def check_threshold(value: object, name: str = "relevance_threshold") -> float:
    """`value` as a float in [0, 1], or a `ValueError` naming `name`.

    Examples
    --------
    >>> check_threshold(0.6)
    0.6
    """
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        raise ValueError(
            f"Expected {name} to be a number in [0, 1], got {value!r}."
        ) from None
    if isinstance(value, bool) or not math.isfinite(number) or not 0 <= number <= 1:
        raise ValueError(f"Expected {name} to be a number in [0, 1], got {value!r}.")
    return number


def relevance(proba: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """``1 - P(unrelated)`` per row; 1 for a model without the ``unrelated`` class."""
    if UNRELATED not in classes:
        return np.ones(len(proba))
    return 1.0 - proba[:, list(classes).index(UNRELATED)]


def decide(
    proba: np.ndarray, classes: Sequence[str], relevance_threshold: float
) -> np.ndarray:
    """Labels for rows of probabilities (columns in `classes`).

    With ``unrelated`` among the classes, a message is ``unrelated`` when its
    relevance is below `relevance_threshold`, else it gets the most probable debt
    label; without it, the most probable class wins.

    Examples
    --------
    >>> p = np.array([[0.5, 0.1, 0.4], [0.2, 0.1, 0.7]])
    >>> decide(p, ("reminder", "scam", "unrelated"), 0.5).tolist()
    ['reminder', 'unrelated']
    """
    proba = np.asarray(proba, dtype=np.float64)
    names = np.asarray(list(classes), dtype=object)
    if UNRELATED not in classes:
        return names[proba.argmax(axis=1)] if len(proba) else names[:0]
    debt = np.asarray([i for i, c in enumerate(classes) if c != UNRELATED])
    labels = names[debt[proba[:, debt].argmax(axis=1)]] if len(proba) else names[:0]
    labels[relevance(proba, classes) < relevance_threshold] = UNRELATED
    return labels


def margins(
    proba: np.ndarray, classes: Sequence[str], labels: Sequence[str]
) -> np.ndarray:
    """P(label) minus the highest probability of any other class, per row.

    Negative when the rule gave a debt label that is not the most probable class
    (the relevance threshold let it through): the verdict is borderline.
    """
    proba = np.asarray(proba, dtype=np.float64)
    if not len(proba):
        return np.empty(0)
    at = np.asarray([list(classes).index(str(c)) for c in labels])
    rows = np.arange(len(proba))
    mine = proba[rows, at]
    others = proba.copy()
    others[rows, at] = -np.inf
    return mine - others.max(axis=1)
