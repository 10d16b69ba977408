"""Features and scores as plain arrays: the one scoring path.

A fitted model is a list of feature blocks (a word vocabulary, a character
vocabulary, with their idf weights; red flags) and a coefficient matrix.
`LinearScorer` holds exactly that and computes, with NumPy only, what the fitted
scikit-learn pipeline computes: TF-IDF over jieba word n-grams and character
n-grams (each block L2-normalized), optional red-flag columns, then a softmax over
the linear scores. Character n-grams are looked up as integer keys in
sorted arrays, a whole batch at once.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Sequence
from typing import Union

import numpy as np

from ._flags import feature_ids
from ._reading import Reading
from ._segment import segment

__all__ = ["FlagBlock", "LinearScorer", "Vocabulary"]

# scikit-learn's character analyzer collapses runs of whitespace before n-grams.
_WHITE_SPACES = re.compile(r"\s\s+")
# Code points are below 0x110000, so up to three of them make one int64 key.
_BASE = 0x110000
_MAX_CHAR_N = 3


def word_ngrams(tokens: list[str], ngram_range: tuple[int, int]) -> list[str]:
    """Word n-grams joined by a space, as scikit-learn's word analyzer makes them."""
    low, high = ngram_range
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams += map(" ".join, zip(*(tokens[k:] for k in range(n))))
    return grams


@dataclasses.dataclass(frozen=True, eq=False)
class Vocabulary:
    """The n-grams of one feature block, in column order, with their idf weights.

    ``kind`` is ``"word"`` (jieba words joined by spaces) or ``"char"``.
    """

    kind: str
    terms: tuple[str, ...]
    idf: np.ndarray
    ngram_range: tuple[int, int]

    def __post_init__(self) -> None:
        if self.kind not in ("word", "char"):
            raise ValueError(f"Expected kind 'word' or 'char', got {self.kind!r}.")
        if len(self.terms) != len(self.idf):
            raise ValueError(
                f"Expected one idf weight per {self.kind} n-gram, got {len(self.idf)} "
                f"for {len(self.terms)}."
            )
        low, high = self.ngram_range
        if not 1 <= low <= high:
            raise ValueError(f"Expected 1 <= min_n <= max_n, got {self.ngram_range}.")
        if self.kind == "char" and high > _MAX_CHAR_N:
            raise ValueError(
                f"Expected character n-grams of at most {_MAX_CHAR_N}, got {high}."
            )

    @functools.cached_property
    def index(self) -> dict[str, int]:
        return {t: j for j, t in enumerate(self.terms)}

    @functools.cached_property
    def _char_tables(self) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        lengths = np.fromiter(
            map(len, self.terms), dtype=np.int64, count=len(self.terms)
        )
        points = np.frombuffer("".join(self.terms).encode("utf-32-le"), dtype=np.uint32)
        starts = np.cumsum(lengths) - lengths
        tables = {}
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            cols = np.flatnonzero(lengths == n)
            keys = np.zeros(len(cols), dtype=np.int64)
            for i in range(n):
                keys = keys * _BASE + points[starts[cols] + i].astype(np.int64)
            order = np.argsort(keys)
            tables[n] = (keys[order], cols[order])
        return tables

    def counts(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of every n-gram occurrence found in the vocabulary."""
        if self.kind == "word":
            return self._word_counts(docs)
        return self._char_counts(docs)

    def _word_counts(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        lookup = self.index.get
        counts: list[int] = []
        cols: list[int] = []
        for doc in docs:
            found = [
                j
                for j in map(lookup, word_ngrams(segment(doc), self.ngram_range))
                if j is not None
            ]
            cols += found
            counts.append(len(found))
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), counts)
        return rows, np.asarray(cols, dtype=np.int64)

    def _char_counts(self, docs: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        docs = [_WHITE_SPACES.sub(" ", d) for d in docs]
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        points = np.frombuffer("".join(docs).encode("utf-32-le"), dtype=np.uint32)
        points = points.astype(np.int64)
        ends = np.repeat(np.cumsum(lengths), lengths)
        row_of = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        rows, cols = [], []
        for n, (keys, columns) in self._char_tables.items():
            count = len(points) - n + 1
            if count <= 0 or not len(keys):
                continue
            key = points[:count].copy()
            for shift in range(1, n):
                key = key * _BASE + points[shift : shift + count]
            inside = np.arange(count) + n <= ends[:count]
            key, row = key[inside], row_of[:count][inside]
            at = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
            hit = keys[at] == key
            rows.append(row[hit])
            cols.append(columns[at[hit]])
        if not rows:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(cols)

    def tfidf(
        self, docs: Sequence[str], sublinear_tf: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Sparse TF-IDF rows (row, column, value), L2-normalized per row."""
        rows, cols = self.counts(docs)
        width = len(self.terms)
        unique, tf = np.unique(rows * width + cols, return_counts=True)
        rows, cols = unique // width, unique % width
        values = tf.astype(np.float64)
        if sublinear_tf:
            values = np.log(values) + 1.0
        values *= self.idf[cols]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(docs)))
        norms[norms == 0.0] = 1.0
        return rows, cols, values / norms[rows]


@dataclasses.dataclass(frozen=True, eq=False)
class FlagBlock:
    """Red flags as features: one column per flag id of `ids` (in that order),
    valued `weight` where the flag is raised. The ids come from the model file, so
    a model keeps its columns when the library adds or reorders flags."""

    ids: tuple[str, ...]
    weight: float

    kind = "flag"

    def __post_init__(self) -> None:
        if len(set(self.ids)) != len(self.ids):
            raise ValueError(f"Expected distinct flag ids, got {list(self.ids)}.")

    @property
    def terms(self) -> tuple[str, ...]:
        return self.ids

    @functools.cached_property
    def index(self) -> dict[str, int]:
        return {f: j for j, f in enumerate(self.ids)}


Block = Union[Vocabulary, FlagBlock]


@dataclasses.dataclass(frozen=True, eq=False)
class LinearScorer:
    """Feature blocks (word and character TF-IDF, red flags) and a softmax on top.

    ``coef`` has one row per class and one column per feature, in block order.
    """

    blocks: tuple[Block, ...]
    coef: np.ndarray
    intercept: np.ndarray
    sublinear_tf: bool = True

    def __post_init__(self) -> None:
        width = self.n_features
        if self.coef.ndim != 2 or self.coef.shape[1] != width:
            raise ValueError(
                f"Expected coefficients of shape (n_classes, {width}), got "
                f"{self.coef.shape}."
            )
        if self.intercept.shape != (self.coef.shape[0],):
            raise ValueError(
                f"Expected {self.coef.shape[0]} intercepts, got {self.intercept.shape}."
            )

    @property
    def n_features(self) -> int:
        return sum(len(b.terms) for b in self.blocks)

    @property
    def uses_flags(self) -> bool:
        """Whether scoring needs the red flags (a flag block is present)."""
        return any(isinstance(b, FlagBlock) for b in self.blocks)

    def feature_name(self, column: int) -> tuple[str, str]:
        """The kind (``word``, ``char`` or ``flag``) and the n-gram of a column."""
        for block in self.blocks:
            if column < len(block.terms):
                return block.kind, block.terms[column]
            column -= len(block.terms)
        raise IndexError(f"Expected a column below {self.n_features}, got {column}.")

    def features(
        self, readings: Sequence[Reading]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """All features of `readings` as (row, column, value) triplets."""
        docs = [r.normalized for r in readings]
        parts, offset = [], 0
        for block in self.blocks:
            if isinstance(block, FlagBlock):
                index = block.index
                # Sorted: the columns' order, not the library's flag order, sets
                # the order of the sums (a model scores bit for bit the same).
                pairs = sorted(
                    (row, offset + index[f])
                    for row, r in enumerate(readings)
                    for f in feature_ids(r.flag_ids)
                    if f in index
                )
                rows = np.asarray([p[0] for p in pairs], dtype=np.int64)
                cols = np.asarray([p[1] for p in pairs], dtype=np.int64)
                values = np.full(len(pairs), float(block.weight))
            else:
                rows, cols, values = block.tfidf(docs, self.sublinear_tf)
                cols = cols + offset
            parts.append((rows, cols, values))
            offset += len(block.terms)
        if not parts:
            empty = np.empty(0, dtype=np.int64)
            return empty, empty, np.empty(0)
        return tuple(np.concatenate(x) for x in zip(*parts))  # type: ignore[return-value]

    def decision(
        self, features: tuple[np.ndarray, np.ndarray, np.ndarray], n: int
    ) -> np.ndarray:
        """Linear scores of `n` rows of `features`, shape (n, n_classes)."""
        rows, cols, values = features
        scores = np.empty((n, len(self.intercept)))
        for k, (weights, bias) in enumerate(zip(self.coef, self.intercept)):
            scores[:, k] = np.bincount(
                rows, weights=values * weights[cols], minlength=n
            )
            scores[:, k] += bias
        return scores

    def proba(
        self,
        readings: Sequence[Reading],
        features: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> np.ndarray:
        """Class probabilities (softmax of `decision`), shape (n, n_classes); pass
        the `features` of `readings` when you have them already."""
        if features is None:
            features = self.features(readings)
        scores = self.decision(features, len(readings))
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores
