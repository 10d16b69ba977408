"""Results as values: a frozen `Prediction` per message, `Predictions` for a batch.

They hold no model, so they pickle, copy and compare like data; the details
(red flags, facts, advice) are computed from the text on first access.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

from ._explain import Advice, advise
from ._flags import Fact, RedFlag, find_facts, find_flags
from ._normalize import Traced, trace_normalize
from ._sender import sender_kind
from ._vocab import UNRELATED, order_classes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Prediction", "Predictions"]

FRAME_COLUMNS = ("text", "label", "confidence", "relevant", "relevance", "red_flags")


@dataclasses.dataclass(frozen=True)
class Prediction:
    """The verdict on one message: its label, a probability per class, relevance.

    ``label`` is one of `LABELS`, or ``"unrelated"`` when the message is neither
    about a debt nor a scam. ``relevance`` is the probability that it is about a
    debt or is a scam (``1 - P(unrelated)``); ``relevant`` is ``label !=
    "unrelated"``. ``flag_ids`` names the red flags found; `red_flags`, `facts` and
    `advice` give the details, with character offsets into ``text``.

    Examples
    --------
    >>> import pickle
    >>> p = Prediction("账单明天到期", "reminder", {"reminder": 0.9, "scam": 0.1})
    >>> p.confidence, pickle.loads(pickle.dumps(p)) == p
    (0.9, True)
    """

    text: str
    label: str
    scores: dict[str, float] = dataclasses.field(hash=False)
    relevance: float = 1.0
    flag_ids: tuple[str, ...] = ()
    sender: str | None = None

    @property
    def relevant(self) -> bool:
        """True unless the message is labeled ``unrelated``."""
        return self.label != UNRELATED

    @property
    def confidence(self) -> float:
        """The probability of the predicted label."""
        return self.scores[self.label]

    @functools.cached_property
    def _traced(self) -> Traced:
        return trace_normalize(self.text)

    @property
    def red_flags(self) -> list[RedFlag]:
        """Fraud mechanisms and warning signs, with evidence spans in ``text``."""
        return find_flags(self.text, self._traced)

    @property
    def facts(self) -> list[Fact]:
        """What the message states (lender, amounts, dates, phones, URLs...), with spans."""
        facts = find_facts(self.text, self._traced)
        kind = sender_kind(self.sender)
        if kind is not None:
            facts.append(Fact("sender", str(self.sender), (0, 0), kind))
        return facts

    @property
    def advice(self) -> Advice:
        """One or two sentences of what to do, in Chinese and English."""
        return advise(self.label, self.flag_ids)

    def to_dict(self) -> dict[str, Any]:
        """Return a plain, JSON-ready dict (red flags and facts included)."""
        return {
            "text": self.text,
            "label": self.label,
            "scores": dict(self.scores),
            "relevant": self.relevant,
            "relevance": self.relevance,
            "red_flags": [f.to_dict() for f in self.red_flags],
            "facts": [f.to_dict() for f in self.facts],
            "advice": self.advice.to_dict(),
        }

    def __getstate__(self) -> dict[str, Any]:
        # Keep only the fields: the traced text is rebuilt on demand.
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)


class Predictions(Sequence[Prediction]):
    """The predictions of a batch, in input order; `to_frame` makes a DataFrame.

    ``labels`` holds the row labels of the input (a pandas Series' index), which
    `to_frame` uses as its index.
    """

    def __init__(
        self,
        items: Iterable[Prediction],
        labels: Sequence[Any] | None = None,
        classes: Sequence[str] | None = None,
    ):
        self._items = tuple(items)
        self.classes = (
            order_classes(c for p in self._items for c in p.scores)
            if classes is None
            else tuple(classes)
        )
        self.labels = (
            tuple(range(len(self._items))) if labels is None else tuple(labels)
        )
        if len(self.labels) != len(self._items):
            raise ValueError(
                f"Expected one row label per prediction, got {len(self.labels)} for "
                f"{len(self._items)}."
            )

    @overload
    def __getitem__(self, i: int) -> Prediction: ...
    @overload
    def __getitem__(self, i: slice) -> Predictions: ...
    def __getitem__(self, i: int | slice) -> Prediction | Predictions:
        if isinstance(i, slice):
            return Predictions(self._items[i], self.labels[i], self.classes)
        return self._items[i]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Prediction]:
        return iter(self._items)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Predictions):
            return self._items == other._items and self.labels == other.labels
        if isinstance(other, (list, tuple)):
            return list(self._items) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Predictions({list(self._items)!r})"

    def to_frame(self) -> pd.DataFrame:
        """One row a message: text, label, confidence, relevant, relevance,
        red_flags and ``p_<class>`` (classes in label-guide order, ``unrelated`` last).
        """
        import pandas as pd

        classes = self.classes
        rows = [
            (
                p.text,
                p.label,
                p.confidence,
                p.relevant,
                p.relevance,
                " ".join(p.flag_ids),
            )
            + tuple(p.scores.get(c, 0.0) for c in classes)
            for p in self._items
        ]
        columns = [*FRAME_COLUMNS, *(f"p_{c}" for c in classes)]
        index = pd.Index(self.labels) if self.labels else pd.RangeIndex(0)
        return pd.DataFrame(rows, columns=columns, index=index)
