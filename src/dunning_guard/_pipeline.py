"""The scikit-learn pipeline behind the classifier, built by one factory."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from ._flags import RedFlagFeatures
from ._normalize import TextNormalizer
from ._segment import segment

__all__ = ["make_pipeline"]


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
    common = dict(
        preprocessor=_identity,
        lowercase=False,
        min_df=2,
        sublinear_tf=True,
        dtype=np.float32,
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
