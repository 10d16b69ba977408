"""A message as the library reads it: normalized once, its rules run once.

Scoring, red flags, facts and explanations all read the same `Reading`, so a
message is never normalized or matched twice, and the flag ids a model scores
with are the flags a prediction shows.
"""

from __future__ import annotations

import dataclasses
import functools

from ._flags import MECHANISMS, Fact, Matches, RedFlag, facts, flag_matches, red_flags
from ._normalize import Traced, trace_normalize

__all__ = ["Reading", "read"]


@dataclasses.dataclass(frozen=True, eq=False)
class Reading:
    """The original `text` and its normalization `traced`; the flags' matches are
    found on first use (a model without flag features never needs them)."""

    text: str
    traced: Traced

    @property
    def normalized(self) -> str:
        """The normalized text the classifier sees."""
        return self.traced.text

    @functools.cached_property
    def matches(self) -> Matches:
        """Each raised flag with its spans in the normalized text, in `FLAGS` order."""
        return flag_matches(self.traced.text)

    @property
    def flag_ids(self) -> tuple[str, ...]:
        """The ids of the raised flags, in `FLAGS` order."""
        return tuple(flag for flag, _ in self.matches)

    def evidence(
        self, *, mechanisms_only: bool = False
    ) -> tuple[tuple[RedFlag, ...], tuple[Fact, ...]]:
        """Red flags and facts with spans in `text`; with `mechanisms_only`, the
        red flags leave out warning signs (urgency, threats)."""
        matches = self.matches
        if mechanisms_only:
            matches = tuple(m for m in matches if m[0] in MECHANISMS)
        return red_flags(self.traced, matches), facts(self.text, self.traced)


def read(text: str) -> Reading:
    """Read one message (normalization is cached, so repeats cost a lookup).

    Examples
    --------
    >>> r = read("请加 薇 信 kf88 还款")
    >>> r.normalized, r.flag_ids
    ('请加微信 kf NUM 还款', ('private_contact',))
    """
    return Reading(text, trace_normalize(text))
