"""The scikit-learn pipeline that learns a model, and its export to plain tables.

Training and model selection use scikit-learn; scoring does not. `make_pipeline`
builds the unfitted pipeline (normalize, TF-IDF over jieba words and characters,
optional red flags, logistic regression); `export_scorer` turns the fitted steps
into the `LinearScorer` that every prediction goes through.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from ._features import FlagBlock, LinearScorer, Vocabulary
from ._flags import FEATURE_IDS, feature_ids, flag_ids
from ._normalize import normalize
from ._segment import segment

__all__ = ["RedFlagFeatures", "TextNormalizer", "export_scorer", "make_pipeline"]


class StatelessTextTransformer(TransformerMixin, BaseEstimator):
    """Base for transformers of a 1-d sequence of strings that learn nothing."""

    def fit(self, X: Iterable[str], y: object = None) -> StatelessTextTransformer:  # noqa: ARG002
        self.n_features_in_ = 1
        return self

    def __sklearn_tags__(self):  # noqa: ANN204
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags


class TextNormalizer(StatelessTextTransformer):
    """Map raw messages to their normalized form (see `normalize`)."""

    def transform(self, X: Iterable[str]) -> np.ndarray:
        return np.asarray([normalize(text) for text in X], dtype=object)


class RedFlagFeatures(StatelessTextTransformer):
    """One column per flag of `ids` (default: every flag in `FLAGS`, then the
    column raised by any fraud mechanism): `weight` where it is raised, else 0.

    The weight sets their scale against TF-IDF values (which are well below 1).
    """

    def __init__(self, *, weight: float = 1.0, ids: tuple[str, ...] | None = None):
        self.weight = weight
        self.ids = ids

    def _ids(self) -> tuple[str, ...]:
        return FEATURE_IDS if self.ids is None else tuple(self.ids)

    def transform(self, X: Any) -> sp.csr_matrix:
        ids = self._ids()
        rows = [feature_ids(flag_ids(text)) for text in X]
        data = np.array(
            [[self.weight * (f in r) for f in ids] for r in rows], dtype=np.float64
        )
        return sp.csr_matrix(data.reshape(len(rows), len(ids)))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:  # noqa: ARG002
        return np.asarray(self._ids(), dtype=object)


def _identity(text: str) -> str:
    return text


def make_pipeline(**params: Any) -> Pipeline:
    """Build the unfitted pipeline: normalize, vectorize words and characters, classify.

    Keyword arguments are set with `Pipeline.set_params`, e.g.
    ``make_pipeline(clf__C=10, features__chars__ngram_range=(1, 3))``.

    Examples
    --------
    >>> [name for name, _ in make_pipeline().steps]
    ['normalize', 'features', 'clf']
    """
    # Text arrives normalized: no preprocessing or lower-casing on top.
    common: dict[str, Any] = dict(
        preprocessor=_identity, lowercase=False, min_df=2, sublinear_tf=True
    )
    words = TfidfVectorizer(
        tokenizer=segment, token_pattern=None, ngram_range=(1, 2), **common
    )
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), **common)
    pipeline = Pipeline(
        [
            ("normalize", TextNormalizer()),
            (
                "features",
                FeatureUnion(
                    [("words", words), ("chars", chars), ("flags", RedFlagFeatures())]
                ),
            ),
            ("clf", LogisticRegression(C=10.0, max_iter=3000)),
        ]
    )
    return pipeline.set_params(**params)


def _vocabulary(kind: str, vectorizer: TfidfVectorizer) -> Vocabulary:
    if vectorizer.norm != "l2" or not vectorizer.use_idf or vectorizer.binary:
        raise ValueError(
            "Expected TF-IDF with norm='l2', use_idf=True and binary=False; "
            "other settings cannot be exported."
        )
    terms = [""] * len(vectorizer.vocabulary_)
    for term, j in vectorizer.vocabulary_.items():
        terms[j] = term
    return Vocabulary(
        kind,
        tuple(terms),
        np.asarray(vectorizer.idf_, dtype=np.float64),
        tuple(vectorizer.ngram_range),
    )


def export_scorer(pipeline: Pipeline, classes: tuple[str, ...]) -> LinearScorer:
    """The fitted `pipeline` as a `LinearScorer` with coefficient rows in `classes`
    order (the classifier's own order is alphabetical)."""
    union = pipeline.named_steps["features"]
    clf = pipeline.named_steps["clf"]
    blocks: list[Vocabulary | FlagBlock] = []
    sublinear = True
    for name, step in union.transformer_list:
        if step == "drop":
            continue
        if name == "flags":
            blocks.append(FlagBlock(step._ids(), float(step.weight)))
            continue
        blocks.append(_vocabulary({"words": "word", "chars": "char"}[name], step))
        sublinear = step.sublinear_tf
    coef = np.asarray(clf.coef_, dtype=np.float64)
    intercept = np.asarray(clf.intercept_, dtype=np.float64)
    inner = [str(c) for c in clf.classes_]
    if coef.shape[0] == 1:  # binary: one row of log-odds for inner[1]
        coef = np.vstack([-coef[0], coef[0]]) / 2
        intercept = np.asarray([-intercept[0], intercept[0]]) / 2
    order = [inner.index(c) for c in classes]
    return LinearScorer(
        blocks=tuple(blocks),
        coef=np.ascontiguousarray(coef[order]),
        intercept=intercept[order],
        sublinear_tf=sublinear,
    )
