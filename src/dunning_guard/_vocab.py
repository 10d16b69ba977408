"""The words every stage shares: labels, typed token names and input limits.

Kept in one module at the bottom of the import graph, so that a stage that needs a
label or a token name imports it instead of retyping it.
"""

from __future__ import annotations

__all__ = ["LABELS", "MAX_CHARS", "OUTCOMES", "UNRELATED"]

#: The four debt labels, in the order of the label guide.
LABELS: tuple[str, ...] = ("reminder", "overdue", "legal", "scam")
#: The outcome for a message that is neither about a debt nor a scam.
UNRELATED = "unrelated"
#: Every outcome a model trained with ``unrelated`` rows can give, in report order.
OUTCOMES: tuple[str, ...] = (*LABELS, UNRELATED)

#: Messages are cut to this many characters before normalization, so a 1 MB
#: string costs no more than a long letter.
MAX_CHARS = 2000

# Typed tokens that replace volatile values. Upper-case ASCII words stay one token
# in jieba and never occur in real Chinese text.
URL_OFFICIAL = "URLOFFICIAL"
URL_SHORT = "URLSHORT"
URL_OTHER = "URLOTHER"
URL_FAKE = "URLFAKE"
PHONE_HOTLINE = "PHONEHOTLINE"
PHONE_MOBILE = "PHONEMOBILE"
PHONE_LANDLINE = "PHONELAND"
AMOUNT = "AMOUNT"
DATE = "DATE"
CARD_TAIL = "CARDTAIL"
CARD_NO = "CARDNO"
CASE_NO = "CASENO"
NUMBER = "NUM"


def order_classes(classes: object) -> tuple[str, ...]:
    """Classes in `OUTCOMES` order, any other label after them, sorted.

    One order for ``classes_``, ``predict_proba`` columns and ``p_<label>`` columns.

    Examples
    --------
    >>> order_classes(["unrelated", "scam", "reminder"])
    ('reminder', 'scam', 'unrelated')
    """
    seen = {str(c) for c in classes}  # type: ignore[attr-defined]
    return tuple(c for c in OUTCOMES if c in seen) + tuple(sorted(seen - set(OUTCOMES)))
