"""Results as values: a frozen `Prediction` per message, `Predictions` for a batch.

A prediction carries its evidence (red flags and facts, with spans into the text),
found from the same reading of the message that was scored; it holds no model, so
it pickles, copies and compares like data. Its record and table row come from
`_schema`, like every other output.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

from ._explain import Advice, advise
from ._flags import Fact, RedFlag
from ._html import render_many
from ._schema import record, table_cells, table_columns
from ._vocab import SCAM, UNRELATED, order_classes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Prediction", "Predictions"]


def _short(text: str, width: int = 30) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@dataclasses.dataclass(frozen=True)
class Prediction:
    """The verdict on one message: its label, a probability per class, relevance,
    and the evidence found in it.

    ``label`` is one of `LABELS`, or ``"unrelated"`` when the message is neither
    about a debt nor a scam. ``scores`` holds a probability per class (after the
    sender's evidence); ``relevance`` is the probability that the message is about
    a debt or is a scam (``1 - P(unrelated)``). ``flag_ids`` names the red flags
    found, ``red_flags`` and ``facts`` give them with ``(start, end)`` offsets into
    ``text``; a message labeled ``unrelated`` keeps only its fraud mechanisms, not
    warning signs such as urgency.

    Examples
    --------
    >>> import pickle
    >>> p = Prediction("账单明天到期", "reminder", {"reminder": 0.9, "scam": 0.1})
    >>> p.confidence, round(p.margin, 2), pickle.loads(pickle.dumps(p)) == p
    (0.9, 0.8, True)
    """

    text: str
    label: str
    scores: dict[str, float] = dataclasses.field(hash=False)
    relevance: float = 1.0
    flag_ids: tuple[str, ...] = ()
    sender: str | None = None
    red_flags: tuple[RedFlag, ...] = ()
    facts: tuple[Fact, ...] = ()

    @property
    def relevant(self) -> bool:
        """True unless the message is labeled ``unrelated``."""
        return self.label != UNRELATED

    @property
    def confidence(self) -> float:
        """The probability of the label."""
        return self.scores[self.label]

    @property
    def margin(self) -> float:
        """The probability of the label minus the highest other probability.

        Below 0 when the label is not the most probable class (the relevance
        threshold let a debt label through); near 0, the verdict is borderline.
        """
        others = [v for c, v in self.scores.items() if c != self.label]
        return self.confidence - max(others, default=0.0)

    @property
    def basis(self) -> str | None:
        """What a ``scam`` verdict rests on: ``"mechanism"`` when the message carries
        a fraud mechanism (a red flag of severity 2 or 3, named in `red_flags` with
        its spans), ``"resemblance"`` when it carries none and the verdict rests on
        how much the message looks like the scams the model learned from; None for
        any other label."""
        if self.label != SCAM:
            return None
        return (
            "mechanism"
            if any(f.severity >= 2 for f in self.red_flags)
            else "resemblance"
        )

    @property
    def advice(self) -> Advice:
        """One or two sentences of what to do, in Chinese and English."""
        return advise(self.label, self.flag_ids)

    def to_dict(self) -> dict[str, Any]:
        """Return the plain, JSON-ready record (the same as ``classify --json``)."""
        return record(self)

    def _repr_html_(self) -> str:
        """The card the page of `dunning-guard serve` shows (notebooks)."""
        return render_many([self.to_dict()])

    def __repr__(self) -> str:
        flags = f", flags={list(self.flag_ids)}" if self.flag_ids else ""
        return (
            f"Prediction({self.label!r}, confidence={self.confidence:.3f}, "
            f"relevance={self.relevance:.3f}{flags}, text={_short(self.text)!r})"
        )


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
        counts = Counter(p.label for p in self._items)
        shown = ", ".join(f"{label} {n}" for label, n in counts.most_common())
        head = "".join(f"\n  {p!r}" for p in self._items[:3])
        more = f"\n  … {len(self) - 3} more" if len(self) > 3 else ""
        return f"Predictions({len(self)} messages: {shown or 'none'}){head}{more}"

    def _repr_html_(self) -> str:
        """Cards like the page of `dunning-guard serve` (the first 50, notebooks)."""
        shown = render_many([p.to_dict() for p in self._items[:50]])
        more = len(self) - 50
        return shown + (f"<p>… {more} more</p>" if more > 0 else "")

    def review(self, k: int) -> Predictions:
        """The `k` predictions whose verdict is least certain, least certain first:
        the smallest `margin` (the label's lead over the next class), the messages
        a person should label first. Row labels are kept.

        Examples
        --------
        >>> import dunning_guard as dg
        >>> batch = dg.load().classify_many(["账单明天到期", "在吗", "加薇信还款"])
        >>> len(batch.review(2)), batch.review(1)[0].margin <= batch[0].margin
        (2, True)
        """
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ValueError(f"Expected k to be a count (an int >= 0), got {k!r}.")
        order = sorted(range(len(self._items)), key=lambda i: self._items[i].margin)
        picked = order[:k]
        return Predictions(
            [self._items[i] for i in picked],
            [self.labels[i] for i in picked],
            self.classes,
        )

    def to_frame(self) -> pd.DataFrame:
        """One row a message: text, label, confidence, margin, relevant, relevance,
        flag_ids and ``p_<class>`` (classes in label-guide order, ``unrelated``
        last), then ``red_flags``, the old name of ``flag_ids`` (kept for this
        release; it will be removed in 0.4).
        """
        import pandas as pd

        rows = [table_cells(p, self.classes, aliases=True) for p in self._items]
        columns = table_columns(self.classes, aliases=True)
        index = pd.Index(self.labels) if self.labels else pd.RangeIndex(0)
        return pd.DataFrame(rows, columns=columns, index=index)
