"""Progress bars for long work (a large CSV, training, cross-validation), on stderr.

Shown only when stderr is a terminal and the caller asks, so logs, pipes and
notebooks run by CI stay clean.
"""

from __future__ import annotations

import sys
from collections.abc import Generator, Iterable
from typing import Any, TypeVar

__all__ = ["progress"]

T = TypeVar("T")


def progress(
    items: Iterable[T],
    *,
    total: int | None = None,
    desc: str = "",
    unit: str = "it",
    enable: bool = True,
) -> Generator[T, None, None]:
    """`items`, with a tqdm bar (total, rate, ETA) when `enable` and stderr is a
    terminal; otherwise `items` unchanged."""
    if not (enable and getattr(sys.stderr, "isatty", lambda: False)()):
        yield from items
        return
    from tqdm import tqdm

    bar: Any = tqdm(items, total=total, desc=desc, unit=unit, file=sys.stderr)
    try:
        yield from bar
    finally:
        bar.close()
