"""The decision rule: from probabilities to a label, in one place.

`Model`, `evaluate`, `cross_validate` and the build script all decide through
`decide` (the relevance rule, then the evidence rule for scams), move
probabilities to an operating point through `shift`, and check a threshold with
`check_threshold`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from ._vocab import SCAM, UNRELATED

__all__ = [
    "OPERATING_POINTS",
    "check_threshold",
    "decide",
    "margins",
    "prior_weights",
    "relevance",
    "shift",
]


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


#: Named operating points: the share of scams and of (legitimate) debt messages
#: expected in the traffic scored; the rest is ``unrelated``. ``corpus`` keeps the
#: training mix (no shift).
OPERATING_POINTS: dict[str, dict[str, float] | None] = {
    "corpus": None,
    "inbox": {"scam": 0.01, "debt": 0.05},  # a phone's everyday messages
    "collections": {"scam": 0.10, "debt": 0.80},  # a lender's or agency's debt traffic
}


def prior_weights(
    point: str | dict[str, float] | None,
    classes: Sequence[str],
    shares: dict[str, float] | None,
) -> np.ndarray | None:
    """Weights that move probabilities from the training mix (`shares`, per class)
    to an operating point: a name of `OPERATING_POINTS` or ``{"scam": s, "debt":
    d}`` (shares of the traffic; the rest is ``unrelated``, the debt share split
    among the legitimate labels as in training). None: no shift.

    Examples
    --------
    >>> w = prior_weights({"scam": 0.1, "debt": 0.4}, ("reminder", "scam", "unrelated"),
    ...                   {"reminder": 0.4, "scam": 0.3, "unrelated": 0.3})
    >>> [round(float(x), 3) for x in w]
    [1.0, 0.333, 1.667]
    """
    if isinstance(point, str):
        if point not in OPERATING_POINTS:
            raise ValueError(
                f"Expected an operating point from {', '.join(OPERATING_POINTS)} or "
                f"{{'scam': share, 'debt': share}}, got {point!r}."
            )
        point = OPERATING_POINTS[point]
    if point is None:
        return None
    if not isinstance(point, dict) or set(point) - {"scam", "debt"}:
        raise ValueError(
            f"Expected an operating point as {{'scam': share, 'debt': share}}, got {point!r}."
        )
    scam, debt = (
        check_threshold(point.get(k, 0.0), f"the {k} share") for k in ("scam", "debt")
    )
    if scam + debt > 1 or scam <= 0:
        raise ValueError(
            f"Expected a positive scam share and shares that sum to at most 1, got "
            f"scam {scam}, debt {debt}."
        )
    if not shares or set(classes) - set(shares) or min(shares.values()) <= 0:
        raise ValueError(
            "This model does not record the mix of classes it was trained on, so it "
            "cannot move to an operating point; retrain it with this version."
        )
    legit = [c for c in classes if c not in (SCAM, UNRELATED)]
    legit_total = sum(shares[c] for c in legit) or 1.0
    target = {SCAM: scam, UNRELATED: 1.0 - scam - debt}
    target |= {c: debt * shares[c] / legit_total for c in legit}
    return np.asarray([target.get(c, shares[c]) / shares[c] for c in classes])


def shift(proba: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """Probabilities under another prior: each column times its weight, rows
    renormalized (Bayes' rule with the likelihoods unchanged)."""
    if weights is None:
        return proba
    out = np.asarray(proba, dtype=np.float64) * weights[None, :]
    total = out.sum(axis=1, keepdims=True)
    total[total == 0] = 1.0
    return out / total


def decide(
    proba: np.ndarray,
    classes: Sequence[str],
    relevance_threshold: float,
    *,
    mechanism: np.ndarray | None = None,
    resemblance_threshold: float | None = None,
    trusted: np.ndarray | None = None,
) -> np.ndarray:
    """Labels for rows of probabilities (columns in `classes`).

    With ``unrelated`` among the classes, a message is ``unrelated`` when its
    relevance is below `relevance_threshold`, else it gets the most probable debt
    label; without it, the most probable class wins. With `mechanism` (one bool a
    row: a fraud mechanism was found) and `resemblance_threshold`, a ``scam``
    verdict with no mechanism stands only when P(scam) reaches the threshold;
    otherwise the message is decided again without the scam class (a look is not
    evidence). A message from a `trusted` sender with no mechanism is never
    ``scam``; with one it is decided as any other (a sender id can be spoofed).

    Examples
    --------
    >>> p = np.array([[0.5, 0.1, 0.4], [0.2, 0.1, 0.7], [0.2, 0.7, 0.1]])
    >>> decide(p, ("reminder", "scam", "unrelated"), 0.5).tolist()
    ['reminder', 'unrelated', 'scam']
    >>> decide(p, ("reminder", "scam", "unrelated"), 0.5,
    ...        mechanism=np.array([False] * 3), resemblance_threshold=0.9).tolist()
    ['reminder', 'unrelated', 'reminder']
    """
    proba = np.asarray(proba, dtype=np.float64)
    labels = _decide(proba, classes, relevance_threshold)
    if mechanism is None or SCAM not in classes:
        return labels
    j = list(classes).index(SCAM)
    bare = (labels == SCAM) & ~np.asarray(mechanism, dtype=bool)
    weak = np.zeros(len(labels), dtype=bool)
    if resemblance_threshold is not None:
        weak |= bare & (proba[:, j] < resemblance_threshold)
    if trusted is not None:
        weak |= bare & np.asarray(trusted, dtype=bool)
    if weak.any():
        # Decided again without the scam class: its probability spread over the rest.
        without = np.ones(len(classes))
        without[j] = 0.0
        keep = [i for i, c in enumerate(classes) if c != SCAM]
        labels[weak] = _decide(
            shift(proba[weak], without)[:, keep],
            [classes[i] for i in keep],
            relevance_threshold,
        )
    return labels


def _decide(
    proba: np.ndarray, classes: Sequence[str], relevance_threshold: float
) -> np.ndarray:
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
