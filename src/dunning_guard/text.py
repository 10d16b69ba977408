"""Text tools: the normalization the model sees, the red flags and facts its
rules find (without a model), script conversion, and the obfuscation and
refilling used to test robustness.

Examples
--------
>>> from dunning_guard.text import normalize, obfuscate
>>> normalize("加 薇 信：kf88")
'加微信:kf NUM'
>>> obfuscate("请加微信处理", seed=0) != "请加微信处理"
True
"""

from __future__ import annotations

from ._augment import obfuscate, refill
from ._flags import find_facts, find_flags
from ._normalize import clean, normalize, trace_normalize
from ._script import has_traditional, to_simplified, to_traditional
from ._segment import segment

__all__ = [
    "clean",
    "find_facts",
    "find_flags",
    "has_traditional",
    "normalize",
    "obfuscate",
    "refill",
    "segment",
    "to_simplified",
    "to_traditional",
    "trace_normalize",
]
