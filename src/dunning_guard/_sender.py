"""The sender of a message (a number or short code) as evidence about scams.

Legitimate lenders send from short codes and SMS gateways; forged collection comes
from personal numbers (label guide, "Signals"). The corpus has no sender column, so
the effect is a fixed likelihood ratio set from that guidance, not fitted. Only
what a sender string can show counts: a carrier-assigned numeric short code or
hotline, or a personal mobile. An alphanumeric sender id ("ICBC", "kf8899") is set
by whoever sends, so it is no evidence; a sender on the user's own allowlist is
(see `trusted_key`).
"""

from __future__ import annotations

import math
import re

import numpy as np

from ._normalize import phone_kind
from ._vocab import SCAM, UNRELATED

__all__ = ["SENDER_SCAM_ODDS", "adjust_for_sender", "sender_kind", "trusted_key"]

#: How much more likely a scam is, by the kind of sender: a likelihood ratio that
#: multiplies the scam odds among the debt labels. ``official``: a numeric short
#: code, SMS gateway or hotline (95xxx, 106…, 400/800), which carriers assign;
#: ``other``: a landline or an alphanumeric sender id (anyone can set one). A
#: missing sender changes nothing.
SENDER_SCAM_ODDS = {"mobile": 4.0, "official": 0.25, "other": 1.0}

_SEPARATORS = re.compile(r"[\s\-()]")
# What exports and databases write where a value is missing.
_MISSING = frozenset(
    "none null nil nan na n/a unknown undefined missing - -- ? 未知 无".split()
)


def _is_missing(sender: object) -> bool:
    if sender is None:
        return True
    if isinstance(sender, float) and math.isnan(sender):
        return True
    return isinstance(sender, str) and sender.strip().lower() in _MISSING | {""}


def sender_kind(sender: object) -> str | None:
    """``"mobile"`` (a personal number), ``"official"`` (a numeric short code,
    gateway or hotline), ``"other"`` (a landline, or an alphanumeric sender id that
    anyone can set), or None when the sender is missing.

    Missing means None, NaN, an empty string or a placeholder such as ``"NULL"``
    or ``"unknown"``. Anything else that is not a str raises `TypeError`.

    Examples
    --------
    >>> sender_kind("95555"), sender_kind("+86 138 0013 8000"), sender_kind("ICBC")
    ('official', 'mobile', 'other')
    >>> sender_kind(float("nan")), sender_kind("NULL")
    (None, None)
    """
    if _is_missing(sender):
        return None
    if not isinstance(sender, str):
        raise TypeError(
            f"Expected a sender as str (a number or short code) or None, got "
            f"{type(sender).__name__}."
        )
    compact = _SEPARATORS.sub("", sender)
    kind = phone_kind(compact)
    if kind == "mobile":
        return "mobile"
    if kind == "hotline":
        return "official"
    return "other"


def trusted_key(sender: str) -> str:
    """How a sender is compared with an allowlist: without separators, a leading
    ``+86`` or ``86`` of a mobile, and case.

    Examples
    --------
    >>> trusted_key("+86 138-0013-8000"), trusted_key("icbc")
    ('13800138000', 'ICBC')
    """
    compact = _SEPARATORS.sub("", sender).upper()
    if re.fullmatch(r"\+?861[3-9]\d{9}", compact):
        compact = compact[-11:]
    return compact.lstrip("+")


def adjust_for_sender(
    proba: np.ndarray, classes: tuple[str, ...], sender: object
) -> np.ndarray:
    """Multiply the scam odds among the debt labels by the sender's ratio.

    The probability of ``unrelated`` is kept: who sent a message says whether a
    debt message is forged, not whether it is about a debt (friends write from
    mobiles too).
    """
    kind = sender_kind(sender)
    if kind is None or SCAM not in classes:
        return proba
    out = proba.astype(np.float64, copy=True)
    debt = np.asarray([c != UNRELATED for c in classes])
    mass = out[debt].sum()
    out[classes.index(SCAM)] *= SENDER_SCAM_ODDS[kind]
    if mass > 0:
        out[debt] *= mass / out[debt].sum()
    return out
