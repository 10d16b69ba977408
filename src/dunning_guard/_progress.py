"""Progress bars for long work (a large CSV, training, cross-validation), on stderr.

Shown only when stderr is a terminal and the caller asks, so logs, pipes and
notebooks run by CI stay clean.
"""

from __future__ import annotations

import sys
from collections.abc import Generator, Iterable
from typing import Any, TypeVar

__all__ = ["Stages", "progress"]

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


class Stages:
    """A bar over the named stages of one long job (read, fit, save), on stderr.

    Examples
    --------
    >>> with Stages(["read", "fit"], enable=False) as stage:
    ...     stage("read"); stage("fit")
    """

    def __init__(self, names: list[str], *, desc: str = "", enable: bool = True):
        self.bar: Any = None
        if enable and getattr(sys.stderr, "isatty", lambda: False)():
            from tqdm import tqdm

            self.bar = tqdm(total=len(names), desc=desc, unit="stage", file=sys.stderr)

    def __call__(self, name: str) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(name)
            self.bar.update(1)

    def __enter__(self) -> Stages:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.close()
