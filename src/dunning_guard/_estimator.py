"""`DunningClassifier`: the scikit-learn estimator that learns a `Model`.

It is an estimator in every way scikit-learn checks (`clone`, `GridSearchCV`,
`cross_val_score`, `get_params`); `fit` trains the pipeline and exports its fitted
state as the data-only `Model` (``model_``) that scores, explains and saves.
"""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral, Real
from os import PathLike
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._decision import check_threshold
from ._explain import Contribution
from ._model import Model, as_texts
from ._persist import shared_model
from ._pipeline import export_scorer, make_pipeline
from ._results import Prediction, Predictions
from ._vocab import UNRELATED, order_classes

__all__ = ["DunningClassifier", "bundled_estimator"]


def _check_ngrams(name: str, value: Any, high: int | None = None) -> None:
    ok = (
        len(value) == 2
        and all(isinstance(v, Integral) and not isinstance(v, bool) for v in value)
        and 1 <= value[0] <= value[1]
        and (high is None or value[1] <= high)
    )
    if not ok:
        limit = f" <= {high}" if high else ""
        raise ValueError(
            f"Expected {name} to be a pair (min_n, max_n) of ints with "
            f"1 <= min_n <= max_n{limit}, got {value!r}."
        )


class DunningClassifier(ClassifierMixin, BaseEstimator):
    """Label Chinese debt-collection messages: reminder, overdue, legal, scam, or
    unrelated.

    Rows labeled ``"unrelated"`` (neither a debt nor a scam) make it a class of its
    own: a message is ``unrelated`` when its relevance (``1 - P(unrelated)``) is
    below `relevance_threshold`. Without such rows every message gets one of the
    debt labels and relevance 1. After `fit`, ``model_`` is the data-only `Model`
    (what `load` returns), ``pipeline_`` the fitted scikit-learn pipeline.

    Parameters
    ----------
    C : float
        Inverse regularization strength of the logistic regression (> 0).
    word_ngrams : tuple of int
        Range of jieba word n-grams.
    char_ngrams : tuple of int or None
        Range of character n-grams (at most 3); None uses words only.
    min_df : int
        Ignore n-grams seen in fewer messages than this (>= 1).
    class_weight : "balanced", dict or None
        Passed to the logistic regression.
    relevance_threshold : float
        In [0, 1]: a message is ``unrelated`` when its relevance is below this.
    resemblance_threshold : float or None
        In [0, 1]: a ``scam`` verdict on a message with no fraud mechanism (no red
        flag of severity 2 or 3) stands only when P(scam) reaches this; None: no
        such rule.
    red_flags : bool
        Also feed the red flags (see `FLAGS`) to the classifier as features. Off by
        default (see the model card); predictions carry their red flags either way.
    n_jobs : int or None
        Processes for scoring batches of at least 2,000 messages (None or 1: one
        process, -1: all cores; capped at the cores available). Fitting uses one.

    Examples
    --------
    >>> texts = ["您的账单明天到期，请按时还款", "您已逾期3天，请尽快还款"] * 3
    >>> model = DunningClassifier(min_df=1).fit(texts, ["reminder", "overdue"] * 3)
    >>> model.predict(["账单明天到期"])[0]
    'reminder'
    """

    _parameter_constraints: dict = {  # noqa: RUF012 - scikit-learn's convention
        "C": [Interval(Real, 0, None, closed="neither")],
        "word_ngrams": [tuple, list],
        "char_ngrams": [tuple, list, None],
        "min_df": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "relevance_threshold": [Real],  # its range: check_threshold, in fit
        "resemblance_threshold": [Real, None],
        "red_flags": ["boolean"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        *,
        C: float = 10.0,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = (1, 3),
        min_df: int = 2,
        class_weight: str | dict | None = None,
        relevance_threshold: float = 0.5,
        resemblance_threshold: float | None = None,
        red_flags: bool = False,
        n_jobs: int | None = None,
    ):
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.class_weight = class_weight
        self.relevance_threshold = relevance_threshold
        self.resemblance_threshold = resemblance_threshold
        self.red_flags = red_flags
        self.n_jobs = n_jobs

    def _make_pipeline(self) -> Any:
        params: dict[str, Any] = {
            "clf__C": self.C,
            "clf__class_weight": self.class_weight,
            "features__words__ngram_range": tuple(self.word_ngrams),
            "features__words__min_df": self.min_df,
        }
        if not self.red_flags:
            params["features__flags"] = "drop"
        if self.char_ngrams is None:
            params["features__chars"] = "drop"
        else:
            params["features__chars__ngram_range"] = tuple(self.char_ngrams)
            params["features__chars__min_df"] = self.min_df
        return make_pipeline(**params)

    def fit(
        self,
        X: Iterable[str],
        y: Iterable[str],
        sample_weight: Iterable[float] | None = None,
    ) -> DunningClassifier:
        """Fit on messages `X` with labels `y` (optionally weighted per row)."""
        self._validate_params()
        check_threshold(self.relevance_threshold)
        if self.resemblance_threshold is not None:
            check_threshold(self.resemblance_threshold, "resemblance_threshold")
        _check_ngrams("word_ngrams", self.word_ngrams)
        if self.char_ngrams is not None:
            _check_ngrams("char_ngrams", self.char_ngrams, high=3)
        texts, _ = as_texts(X)
        labels = np.asarray([str(v) for v in y], dtype=object)
        if len(texts) != len(labels):
            raise ValueError(
                f"Expected as many labels as messages, got {len(labels)} for {len(texts)}."
            )
        if len(set(labels) - {UNRELATED}) < 2:
            raise ValueError(
                f"Expected at least 2 labels besides {UNRELATED!r} to learn from, "
                f"got {sorted(set(labels))}."
            )
        fit_params = {}
        if sample_weight is not None:
            weights = np.asarray(list(sample_weight), dtype=np.float64)
            if weights.shape != (len(texts),) or (weights < 0).any():
                raise ValueError(
                    f"Expected one non-negative weight per message, got shape "
                    f"{weights.shape} for {len(texts)} messages."
                )
            fit_params["clf__sample_weight"] = weights
        self.pipeline_ = self._make_pipeline().fit(texts, labels, **fit_params)
        classes = order_classes(self.pipeline_.classes_)
        weights = fit_params.get("clf__sample_weight", np.ones(len(labels)))
        total = float(np.sum(weights))
        shares = {c: float(np.sum(weights[labels == c]) / total) for c in classes}
        self.model_ = Model(
            export_scorer(self.pipeline_, classes),
            classes,
            relevance_threshold=self.relevance_threshold,
            resemblance_threshold=self.resemblance_threshold,
            class_shares=shares,
            metadata={"params": self._json_params()},
            n_jobs=self.n_jobs,
        )
        self.classes_ = self.model_.classes_
        return self

    def _json_params(self) -> dict[str, Any]:
        return {
            k: list(v) if isinstance(v, tuple) else v
            for k, v in self.get_params().items()
        }

    def _fitted(self) -> Model:
        check_is_fitted(self, "model_")
        # The thresholds and n_jobs may be changed after fitting (set_params).
        self.model_.relevance_threshold = check_threshold(self.relevance_threshold)
        self.model_.resemblance_threshold = (
            None
            if self.resemblance_threshold is None
            else check_threshold(self.resemblance_threshold, "resemblance_threshold")
        )
        self.model_.n_jobs = self.n_jobs
        return self.model_

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """Probabilities, shape (n, n_classes), columns in `classes_`."""
        return self._fitted().predict_proba(X)

    def predict_relevance(self, X: Iterable[str]) -> np.ndarray:
        """Relevance of each message: the probability it is about a debt or a scam."""
        return self._fitted().predict_relevance(X)

    def predict_with_proba(self, X: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """See `Model.predict_with_proba`."""
        return self._fitted().predict_with_proba(X)

    def decide(self, proba: np.ndarray, X: Iterable[str] | None = None) -> np.ndarray:
        """See `Model.decide`."""
        return self._fitted().decide(proba, X)

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """The label of each message (``unrelated`` below the relevance threshold)."""
        return self._fitted().predict(X)

    def classify_many(
        self,
        texts: Iterable[str],
        *,
        relevant_only: bool = False,
        senders: Iterable[object] | None = None,
    ) -> Predictions:
        """See `Model.classify_many`."""
        return self._fitted().classify_many(
            texts, relevant_only=relevant_only, senders=senders
        )

    def classify(self, text: str, sender: object = None) -> Prediction:
        """See `Model.classify`."""
        return self._fitted().classify(text, sender)

    def explain(self, text: str, k: int = 5) -> list[Contribution]:
        """See `Model.explain`."""
        return self._fitted().explain(text, k)

    def save(self, path: str | PathLike[str]) -> None:
        """Save the fitted model as data only (see `load`); atomic."""
        self._fitted().save(path)


def bundled_estimator(**params: Any) -> DunningClassifier:
    """An unfitted `DunningClassifier` with the bundled model's parameters (its
    thresholds included); `params` override them."""
    recorded = dict(shared_model().metadata.get("params", {}))
    recorded["relevance_threshold"] = shared_model().relevance_threshold
    known = DunningClassifier().get_params()
    return DunningClassifier(
        **{k: v for k, v in recorded.items() if k in known} | params
    )
