"""Word segmentation with a private jieba tokenizer and the domain dictionary.

The tokenizer lives behind a cached module-level function, never inside an
estimator: `jieba.Tokenizer` holds a lock and cannot be pickled, and building it
(loading the dictionary) is the slow part of a cold start.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from importlib import resources

__all__ = ["segment"]

logger = logging.getLogger(__name__)

_LOCK = threading.Lock()
# jieba's own block split: runs of Han, letters and digits are segmented, the rest
# (punctuation, spaces, emoji) is split off character by character.
_BLOCK = re.compile(r"([\u4E00-\u9FD5a-zA-Z0-9+#&\._%\-]+)")


@functools.cache
def _tokenizer():  # noqa: ANN202 - jieba has no types
    import jieba

    # jieba logs every dictionary load at DEBUG through its own handler.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    with _LOCK:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        userdict = resources.files("dunning_guard").joinpath("data/userdict.txt")
        with userdict.open("rb") as f:
            tokenizer.load_userdict(f)
    logger.debug("jieba tokenizer ready")
    return tokenizer


@functools.lru_cache(maxsize=200_000)
def _cut_block(block: str) -> tuple[str, ...]:
    # jieba segments each block independently, so caching per block gives exactly
    # the result of segmenting the whole text, and repeated clauses cost nothing.
    return tuple(_tokenizer().lcut(block))


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
