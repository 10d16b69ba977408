"""Caches bounded by bytes, not entries: a cache of long texts stays small."""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["byte_cache"]

F = TypeVar("F", bound=Callable[..., Any])


def _size(obj: object) -> int:
    """About the bytes `obj` holds: a str costs at most 4 bytes a character plus
    its header; a tuple of str its slots and its items (estimated, not walked)."""
    if isinstance(obj, str):
        return 80 + 4 * len(obj)
    if isinstance(obj, tuple):
        texts = [x for x in obj if isinstance(x, str)]
        if len(texts) == len(obj):
            return 56 + 88 * len(obj) + 4 * sum(map(len, texts))
        return sys.getsizeof(obj) + sum(sys.getsizeof(x) for x in obj)
    return sys.getsizeof(obj)


def byte_cache(max_bytes: int) -> Callable[[F], F]:
    """Memoize a one-argument function, evicting the oldest results once keys and
    values together hold more than `max_bytes` (estimated, see `_size`).

    A hit is one dictionary lookup (atomic under the GIL); misses are stored under a
    lock. The oldest entry goes first, not the least recently used: keeping the
    order of use would cost a reordering on every hit.

    Examples
    --------
    >>> @byte_cache(10_000)
    ... def shout(s):
    ...     return s.upper()
    >>> shout("abc"), shout.cache_info()["entries"]
    ('ABC', 1)
    """

    def decorate(fn: F) -> F:
        entries: dict[Any, tuple[Any, int]] = {}
        lock = threading.Lock()
        used = 0

        @functools.wraps(fn)
        def wrapper(key: Any) -> Any:
            nonlocal used
            hit = entries.get(key)
            if hit is not None:
                return hit[0]
            value = fn(key)
            size = _size(key) + _size(value)
            if size > max_bytes:
                return value
            with lock:
                if key not in entries:
                    entries[key] = (value, size)
                    used += size
                    while used > max_bytes:
                        oldest = next(iter(entries))
                        used -= entries.pop(oldest)[1]
            return value

        def cache_info() -> dict[str, int]:
            return {"entries": len(entries), "bytes": used, "max_bytes": max_bytes}

        def cache_clear() -> None:
            nonlocal used
            with lock:
                entries.clear()
                used = 0

        wrapper.cache_info = cache_info  # type: ignore[attr-defined]
        wrapper.cache_clear = cache_clear  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate
