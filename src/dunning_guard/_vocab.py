"""The words every stage shares: labels, typed token names and input limits.

Kept in one module at the bottom of the import graph, so that a stage that needs a
label or a token name imports it instead of retyping it.
"""

from __future__ import annotations

__all__ = ["LABELS", "LEGITIMATE", "MAX_CHARS", "OUTCOMES", "SCAM", "UNRELATED"]

#: The label of a forged or fraudulent message.
SCAM = "scam"
#: The three debt labels of legitimate messages, in the order of the label guide.
LEGITIMATE: tuple[str, ...] = ("reminder", "overdue", "legal")
#: The four debt labels, in the order of the label guide.
LABELS: tuple[str, ...] = (*LEGITIMATE, SCAM)
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

#: How each typed token reads in an explanation.
TOKEN_NAMES = {
    URL_OFFICIAL: "<official link>",
    URL_SHORT: "<short link>",
    URL_OTHER: "<link>",
    URL_FAKE: "<look-alike link>",
    PHONE_HOTLINE: "<hotline>",
    PHONE_MOBILE: "<mobile number>",
    PHONE_LANDLINE: "<landline>",
    AMOUNT: "<amount>",
    DATE: "<date>",
    CARD_TAIL: "<card tail>",
    CARD_NO: "<card number>",
    CASE_NO: "<case number>",
    NUMBER: "<number>",
}


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
