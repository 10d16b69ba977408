"""Word segmentation with a private tokenizer and the domain dictionary.

jieba is the reference. Where the `rjieba` package (jieba-rs) is installed, it is
the engine: with the same dictionary, and runs of letters and digits split again
by jieba's own pattern, it gives jieba's tokens exactly (a test compares them on
every block of the corpus) at a tenth of the cost, and it loads its dictionary
faster. Tokenizers live behind module-level functions, never inside an estimator:
they hold locks and cannot be pickled.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.machinery
import importlib.util
import io
import logging
import os
import re
import threading
from importlib import resources
from pathlib import Path
from typing import Any

from ._cache import byte_cache

__all__ = ["ENGINE", "jieba_tokenizer", "segment", "userdict_sha256"]

logger = logging.getLogger(__name__)

_LOCK = threading.Lock()
#: "rjieba" or "jieba": the engine `segment` uses (set DG_SEGMENTER=jieba to force it).
ENGINE = os.environ.get("DG_SEGMENTER") or (
    "rjieba" if importlib.util.find_spec("rjieba") else "jieba"
)
# jieba's HMM step splits a run of letters and digits with this pattern (finalseg);
# jieba-rs keeps such a run whole.
_ALNUM = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
_HAN = re.compile(r"[\u4E00-\u9FD5]")
# jieba's own block split: runs of Han, letters and digits are segmented, the rest
# (punctuation, spaces, emoji) is split off character by character.
_BLOCK = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")


def _userdict() -> bytes:
    return resources.files("dunning_guard").joinpath("data/userdict.txt").read_bytes()


@functools.cache
def userdict_sha256() -> str:
    """SHA-256 of the domain dictionary; a model file records the one it was fit with."""
    return hashlib.sha256(_userdict()).hexdigest()


_TOKENIZERS: dict[bool, Any] = {}


def jieba_tokenizer(userdict: bool = True) -> Any:
    """A private jieba tokenizer, built once per process even when many threads ask:
    with the domain dictionary, or plain (as the naive baseline uses it)."""
    tokenizer = _TOKENIZERS.get(userdict)
    if tokenizer is not None:
        return tokenizer
    import jieba

    # jieba logs every dictionary load at DEBUG through its own handler.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    with _LOCK:
        if userdict not in _TOKENIZERS:
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            if userdict:
                tokenizer.load_userdict(io.BytesIO(_userdict()))
            _TOKENIZERS[userdict] = tokenizer
            logger.debug("jieba tokenizer ready")
    return _TOKENIZERS[userdict]


def _userdict_entries() -> list[tuple[str, int | None, str | None]]:
    entries = []
    for line in _userdict().decode("utf-8").splitlines():
        parts = line.split()
        if parts:
            freq = int(parts[1]) if len(parts) > 1 else None
            entries.append((parts[0], freq, parts[2] if len(parts) > 2 else None))
    return entries


_RJIEBA: list[Any] = []


def _rjieba_class() -> Any:
    """rjieba's tokenizer class, from its extension module.

    Importing the `rjieba` package builds a module-level tokenizer with the default
    dictionary (about 0.2 s) that would sit unused beside ours; loading the
    extension module alone skips it. Any surprise falls back to the package.
    """
    try:
        spec = importlib.util.find_spec("rjieba")
        assert spec is not None and spec.submodule_search_locations
        (path,) = Path(next(iter(spec.submodule_search_locations))).glob("rjieba*.so")
        loader = importlib.machinery.ExtensionFileLoader("rjieba.rjieba", str(path))
        module = importlib.util.module_from_spec(
            importlib.util.spec_from_loader("rjieba.rjieba", loader)  # type: ignore[arg-type]
        )
        loader.exec_module(module)
        return module.Jieba
    except Exception:  # noqa: BLE001 - any layout change: use the public import
        import rjieba

        return rjieba.Jieba


def rjieba_tokenizer() -> Any:
    """A private jieba-rs tokenizer with the domain dictionary, built once."""
    if not _RJIEBA:
        with _LOCK:
            if not _RJIEBA:
                tokenizer = _rjieba_class()()
                for word, freq, tag in _userdict_entries():
                    tokenizer.add_word(word, freq, tag)
                _RJIEBA.append(tokenizer)
    return _RJIEBA[0]


def cut_with_rjieba(block: str) -> list[str]:
    """Segment one block with jieba-rs, as jieba would."""
    out: list[str] = []
    for token in rjieba_tokenizer().cut(block, True):
        if len(token) > 1 and not _HAN.search(token) and not _ALNUM.fullmatch(token):
            out.extend(x for x in _ALNUM.split(token) if x)
        else:
            out.append(token)
    return out


def cut_with_jieba(block: str) -> list[str]:
    """Segment one block with jieba (the reference)."""
    return list(jieba_tokenizer().lcut(block))


@byte_cache(64 * 1024 * 1024)
def _cut_block(block: str) -> tuple[str, ...]:
    # Both engines segment each block independently, so caching per block gives
    # exactly the result of segmenting the whole text, and repeated clauses cost
    # nothing.
    if ENGINE == "rjieba":
        return tuple(cut_with_rjieba(block))
    return tuple(cut_with_jieba(block))


def segment(text: str) -> list[str]:
    """Split normalized text into words, dropping spaces and punctuation.

    Examples
    --------
    >>> segment("您的花呗账单已逾期，请尽快还款")
    ['您', '的', '花呗', '账单', '已', '逾期', '请', '尽快', '还款']
    """
    words: list[str] = []
    for i, block in enumerate(_BLOCK.split(text)):
        if i % 2:  # odd items are the captured Han/alphanumeric blocks
            words.extend(_cut_block(block))
    return words
