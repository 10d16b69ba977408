"""The user-facing classifier: a thin scikit-learn estimator around the pipeline."""

from __future__ import annotations

import dataclasses
import functools
import re
import types
import weakref
from collections.abc import Callable, Iterable, Mapping
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from joblib import Parallel, delayed, effective_n_jobs
from scipy.special import expit, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as normalize_rows
from sklearn.utils.validation import check_is_fitted

from ._explain import Advice, Contribution, advise, explain
from ._flags import Fact, RedFlag, find_facts, find_flags, flag_ids
from ._normalize import Traced, normalize, trace_normalize
from ._pipeline import make_pipeline

__all__ = [
    "LABELS",
    "SENDER_SCAM_ODDS",
    "DunningClassifier",
    "Prediction",
    "Predictions",
]

#: The four labels, in the order of the label guide.
LABELS: tuple[str, ...] = ("reminder", "overdue", "legal", "scam")
#: The training label for messages outside the scope (neither a debt nor a scam).
UNRELATED = "unrelated"
#: Batches smaller than this are scored in one process whatever `n_jobs` says:
#: starting workers and shipping the model costs more than it saves.
PARALLEL_MIN_BATCH = 2000


@dataclasses.dataclass(frozen=True)
class Prediction:
    """The verdict on one message: its label, a probability per label, relevance,
    and why.

    ``relevance`` is the probability that the message is about a debt or is a
    scam at all; ``relevant`` compares it with the model's threshold. The label
    is always one of the four, also for irrelevant messages. ``flag_ids`` names
    the red flags found; `red_flags`, `facts`, `advice` and `explain` give the
    details with character offsets into ``text`` (computed on first access).
    """

    text: str
    label: str
    scores: Mapping[str, float]
    relevance: float = 1.0
    relevant: bool = True
    flag_ids: tuple[str, ...] = ()
    sender: str | None = None
    model: Any = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def confidence(self) -> float:
        """The probability of the predicted label."""
        return self.scores[self.label]

    @functools.cached_property
    def _traced(self) -> Traced:
        return trace_normalize(self.text)

    @functools.cached_property
    def red_flags(self) -> list[RedFlag]:
        """Fraud mechanisms and warning signs, with evidence spans in ``text``."""
        return find_flags(self.text, self._traced)

    @functools.cached_property
    def facts(self) -> list[Fact]:
        """What the message states (lender, amounts, dates, phones, URLs...), with spans."""
        facts = find_facts(self.text, self._traced)
        if self.sender is not None:
            facts.append(Fact("sender", self.sender, (0, 0), sender_kind(self.sender)))
        return facts

    @property
    def advice(self) -> Advice:
        """One or two sentences of what to do, in Chinese and English."""
        return advise(self.label, self.flag_ids, self.relevant)

    def explain(self, k: int = 5) -> list[Contribution]:
        """The `k` features that pushed most for the label and the `k` most against it.

        Each has its weight (positive: for the label, against the runner-up) and its
        spans in ``text``.
        """
        if self.model is None:
            raise ValueError(
                "This prediction has no model attached; use model.classify()."
            )
        return explain(self.model, self.text, self.label, k, self._traced)

    def to_dict(self) -> dict[str, Any]:
        """Return a plain, JSON-ready dict (red flags and facts included)."""
        return {
            "text": self.text,
            "label": self.label,
            "scores": dict(self.scores),
            "relevant": self.relevant,
            "relevance": self.relevance,
            "red_flags": [f.to_dict() for f in self.red_flags],
            "facts": [f.to_dict() for f in self.facts],
            "advice": self.advice.to_dict(),
        }


class Predictions(list):  # type: ignore[type-arg]
    """A list of `Prediction` that converts to a DataFrame with `to_frame`."""

    def __init__(self, items: Iterable[Prediction], index: pd.Index | None = None):
        super().__init__(items)
        self.index = index

    def to_frame(self) -> pd.DataFrame:
        """One row a message: text, label, confidence, relevant, relevance, ``p_<label>``."""
        rows = [
            {
                "text": p.text,
                "label": p.label,
                "confidence": p.confidence,
                "relevant": p.relevant,
                "relevance": p.relevance,
                "red_flags": " ".join(p.flag_ids),
            }
            | {f"p_{k}": v for k, v in p.scores.items()}
            for p in self
        ]
        columns = ["text", "label", "confidence", "relevant", "relevance", "red_flags"]
        columns += [f"p_{k}" for k in LABELS]
        return pd.DataFrame(rows, columns=columns, index=self.index)


#: How much more likely a scam is, by the kind of sender (a likelihood ratio that
#: multiplies the scam odds). Legitimate lenders send from short codes and SMS
#: gateways; forged collection comes from personal numbers (label guide, "Signals").
#: The corpus has no sender column, so these are set from that guidance, not fitted.
SENDER_SCAM_ODDS = {"mobile": 4.0, "official": 0.25, "other": 1.0}
_MOBILE = re.compile(r"(?:\+?86)?1[3-9]\d{9}|(?:\+?886|0)9\d{8}|(?:\+?852)?[4-9]\d{7}")
_OFFICIAL = re.compile(
    r"95\d{3,4}|96\d{3}|10\d{3,}|400\d{7}|800\d{7}|[A-Za-z][A-Za-z0-9]{1,10}"
)


def sender_kind(sender: str) -> str:
    """``"mobile"`` (a personal number), ``"official"`` (short code, gateway, hotline)
    or ``"other"``.

    Examples
    --------
    >>> sender_kind("95555"), sender_kind("+86 138 0013 8000"), sender_kind("021-5888")
    ('official', 'mobile', 'other')
    """
    compact = re.sub(r"[\s\-()]", "", str(sender))
    if _MOBILE.fullmatch(compact):
        return "mobile"
    if _OFFICIAL.fullmatch(compact):
        return "official"
    return "other"


def adjust_for_sender(proba: np.ndarray, classes: list[str], sender: str) -> np.ndarray:
    """Multiply the scam odds by the sender's likelihood ratio and renormalize."""
    if "scam" not in classes:
        return proba
    ratio = SENDER_SCAM_ODDS[sender_kind(sender)]
    out = proba.copy()
    out[classes.index("scam")] *= ratio
    return out / out.sum()


#: Batches are scored this many messages at a time, so memory stays flat.
CHUNK = 2048


def _chunked_proba(pipeline: Any, texts: list[str]) -> np.ndarray:
    parts = [
        _pipeline_proba(pipeline, texts[i : i + CHUNK])
        for i in range(0, len(texts), CHUNK)
    ]
    return np.vstack(parts) if parts else np.empty((0, len(pipeline.classes_)))


def _pipeline_proba(pipeline: Any, texts: list[str]) -> np.ndarray:
    """``pipeline.predict_proba(texts)``, scoring each distinct normalized text once.

    Real streams repeat templates with other names and amounts, which normalize to
    the same text. The steps are called directly, which is what `Pipeline` and
    `FeatureUnion` do, without their per-call joblib overhead (results are equal;
    tested).
    """
    normalized = pipeline.named_steps["normalize"].transform(texts)
    unique, inverse = np.unique(normalized.astype(str), return_inverse=True)
    union = pipeline.named_steps["features"]
    blocks = [
        _tfidf(t, unique) if isinstance(t, TfidfVectorizer) else t.transform(unique)
        for _, t in union.transformer_list
        if t != "drop"
    ]
    X = sp.hstack(blocks, format="csr")
    return _logistic_proba(pipeline.named_steps["clf"], X)[inverse.ravel()]


# scikit-learn re-validates its input on every call (several checks per step),
# which costs more than the arithmetic for one message. The inputs here are
# already checked, so the two steps below redo the fitted transforms directly
# from their public fitted attributes: the same arithmetic, without the checks.


_ANALYZERS: weakref.WeakKeyDictionary[TfidfVectorizer, Callable[[str], list[str]]] = (
    weakref.WeakKeyDictionary()
)


def _tfidf(vectorizer: TfidfVectorizer, docs: Iterable[str]) -> sp.csr_matrix:
    """``vectorizer.transform(docs)``, from ``vocabulary_`` and ``idf_``."""
    analyze = _ANALYZERS.get(vectorizer)
    if analyze is None:  # building one checks stop words and warns: once per vectorizer
        analyze = _ANALYZERS[vectorizer] = vectorizer.build_analyzer()
    vocabulary = vectorizer.vocabulary_
    indptr, indices, values = [0], [], []
    for doc in docs:
        counts: dict[int, int] = {}
        for term in analyze(doc):
            j = vocabulary.get(term)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        indices.extend(counts)
        values.extend(counts.values())
        indptr.append(len(indices))
    data = np.asarray(values, dtype=np.float64)
    cols = np.asarray(indices, dtype=np.int64)
    lengths = np.diff(indptr)
    if vectorizer.binary:
        data[:] = 1.0
    if vectorizer.sublinear_tf:
        np.log(data, data)
        data += 1.0
    if vectorizer.use_idf:
        data *= vectorizer.idf_[cols]
    if vectorizer.norm == "l2":
        rows = np.repeat(np.arange(len(lengths)), lengths)
        norms = np.sqrt(np.bincount(rows, weights=data * data, minlength=len(lengths)))
        norms[norms == 0.0] = 1.0
        data /= np.repeat(norms, lengths)
    shape = (len(lengths), len(vocabulary))
    X = sp.csr_matrix((data.astype(vectorizer.dtype), cols, indptr), shape=shape)
    if vectorizer.norm not in (None, "l2"):
        X = normalize_rows(X, norm=vectorizer.norm, copy=False)
    return X


def _logistic_proba(clf: Any, X: sp.csr_matrix) -> np.ndarray:
    """``clf.predict_proba(X)`` for a fitted LogisticRegression."""
    scores = X @ clf.coef_.T + clf.intercept_
    if scores.shape[1] == 1:
        p = expit(scores[:, 0])
        return np.column_stack([1 - p, p])
    return softmax(scores, axis=1)


def as_texts(X: object) -> list[str]:
    """Check a batch of messages and return it as a list of str.

    Raises a `TypeError` naming the index of the first element that is not a str.
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"Expected a list of messages, got a single {type(X).__name__}; "
            "use classify(text) or predict([text])."
        )
    if isinstance(X, pd.DataFrame):
        raise TypeError(
            "Expected a list or Series of messages, got a DataFrame; pass its text "
            "column, e.g. df['text']."
        )
    if not isinstance(X, Iterable):
        raise TypeError(f"Expected a list of messages, got {type(X).__name__}.")
    texts = list(X)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            hint = (
                " Decode bytes first, e.g. b.decode('utf-8')."
                if isinstance(text, bytes)
                else ""
            )
            raise TypeError(
                f"Expected every message to be a str, got {type(text).__name__} "
                f"at index {i}.{hint}"
            )
    return texts


class DunningClassifier(ClassifierMixin, BaseEstimator):
    """Label Chinese debt-collection messages as reminder, overdue, legal or scam.

    A scikit-learn estimator: it works with `clone`, `GridSearchCV` and
    `cross_val_score`. The fitted pipeline is `pipeline_`.

    Training rows labeled ``"unrelated"`` (neither a debt nor a scam) teach the
    relevance check: the pipeline learns them as a fifth class, `classes_` keeps
    the four labels, their probabilities are renormalized over the four, and
    ``1 - P(unrelated)`` is the message's relevance. Without such rows every
    message has relevance 1.

    Parameters
    ----------
    C : float
        Inverse regularization strength of the logistic regression.
    word_ngrams : tuple of int
        Range of jieba word n-grams.
    char_ngrams : tuple of int or None
        Range of character n-grams; None uses words only.
    min_df : int
        Ignore n-grams seen in fewer messages than this.
    class_weight : "balanced" or None
        Passed to the logistic regression.
    relevance_threshold : float
        A message is relevant when its relevance is at least this.
    red_flags : bool
        Also feed the red flags (see `FLAGS`) to the classifier as features. Off by
        default: on the corpus it lowered grouped-CV macro-F1 (see the model card);
        predictions carry their red flags either way.
    n_jobs : int or None
        Processes for scoring batches of at least `PARALLEL_MIN_BATCH` messages
        (joblib convention: None or 1 is one process, -1 all cores). Fitting
        always uses one process.

    Examples
    --------
    >>> texts = ["您的账单明天到期，请按时还款", "您已逾期3天，请尽快还款"] * 3
    >>> model = DunningClassifier(min_df=1).fit(texts, ["reminder", "overdue"] * 3)
    >>> model.predict(["账单明天到期"])[0]
    'reminder'
    """

    def __init__(
        self,
        *,
        C: float = 10.0,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] | None = (1, 3),
        min_df: int = 2,
        class_weight: str | None = None,
        relevance_threshold: float = 0.5,
        red_flags: bool = False,
        n_jobs: int | None = None,
    ):
        self.C = C
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams
        self.min_df = min_df
        self.class_weight = class_weight
        self.relevance_threshold = relevance_threshold
        self.red_flags = red_flags
        self.n_jobs = n_jobs

    def _make_pipeline(self):  # noqa: ANN202
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

    def fit(self, X: Iterable[str], y: Iterable[str]) -> DunningClassifier:
        """Fit on messages `X` with labels `y`."""
        texts = as_texts(X)
        labels = np.asarray(list(y), dtype=object)
        if len(texts) != len(labels):
            raise ValueError(
                f"Expected as many labels as messages, got {len(labels)} for {len(texts)}."
            )
        if len(set(labels) - {UNRELATED}) < 2:
            raise ValueError(
                f"Expected at least 2 labels besides {UNRELATED!r} to learn from, "
                f"got {sorted(set(labels))}."
            )
        self.pipeline_ = self._make_pipeline().fit(texts, labels)
        self.classes_ = np.asarray(
            [c for c in self.pipeline_.classes_ if c != UNRELATED], dtype=object
        )
        return self

    def _scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities over `classes_` and relevance, for checked texts."""
        check_is_fitted(self, "pipeline_")
        if not texts:
            return np.empty((0, len(self.classes_))), np.empty(0)
        raw = self._raw_proba(texts).astype(np.float64)
        inner = list(self.pipeline_.classes_)
        if UNRELATED in inner:
            relevance = 1.0 - raw[:, inner.index(UNRELATED)]
            raw = raw[:, [inner.index(c) for c in self.classes_]]
        else:
            relevance = np.ones(len(texts))
        # Renormalize in float64: float32 features give float32 probabilities,
        # and without "unrelated" the four must still sum to 1.
        return raw / raw.sum(axis=1, keepdims=True), relevance

    def _raw_proba(self, texts: list[str]) -> np.ndarray:
        n_jobs = effective_n_jobs(self.n_jobs) if self.n_jobs not in (None, 1) else 1
        if n_jobs == 1 or len(texts) < PARALLEL_MIN_BATCH:
            return _chunked_proba(self.pipeline_, texts)
        # jieba is pure Python and holds the GIL: only processes give a speed-up.
        chunks = np.array_split(np.arange(len(texts)), n_jobs)
        parts = Parallel(n_jobs=n_jobs)(
            delayed(_chunked_proba)(self.pipeline_, [texts[i] for i in chunk])
            for chunk in chunks
        )
        return np.vstack(parts)

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """Probabilities, shape (n, n_classes), columns in `classes_`."""
        return self._scores(as_texts(X))[0]

    def predict_relevance(self, X: Iterable[str]) -> np.ndarray:
        """Relevance of each message: the probability it is about a debt or is a scam."""
        return self._scores(as_texts(X))[1]

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """The most probable label for each message."""
        proba = self.predict_proba(X)
        return (
            self.classes_[proba.argmax(axis=1)]
            if len(proba)
            else np.empty(0, dtype=object)
        )

    def classify_many(
        self,
        texts: Iterable[str],
        *,
        relevant_only: bool = False,
        senders: Iterable[str | None] | None = None,
    ) -> Predictions:
        """Classify a batch; the result converts to a DataFrame with `to_frame()`.

        A pandas Series keeps its index in the DataFrame. With `relevant_only`,
        messages that are not relevant are left out (the index says which stayed).
        `senders` (one per message, None where unknown) is used as in `classify`.
        """
        items = as_texts(texts)
        index = (
            texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(items))
        )
        proba, relevance = self._scores(items)
        senders = [None] * len(items) if senders is None else list(senders)
        if len(senders) != len(items):
            raise ValueError(
                f"Expected one sender per message, got {len(senders)} for {len(items)}."
            )
        classes = [str(c) for c in self.classes_]
        predictions = []
        for text, row, rel, sender in zip(items, proba, relevance, senders):
            if sender is not None:
                row = adjust_for_sender(row, classes, sender)
            predictions.append(
                Prediction(
                    text=text,
                    label=classes[int(row.argmax())],
                    scores=types.MappingProxyType(dict(zip(classes, map(float, row)))),
                    relevance=float(rel),
                    relevant=bool(rel >= self.relevance_threshold),
                    flag_ids=flag_ids(normalize(text)),
                    sender=sender,
                    model=self,
                )
            )
        if relevant_only:
            keep = [p.relevant for p in predictions]
            predictions = [p for p, k in zip(predictions, keep) if k]
            index = index[np.asarray(keep, dtype=bool)]
        return Predictions(predictions, index=index)

    def classify(self, text: str, sender: str | None = None) -> Prediction:
        """Classify one message; `sender` is the number or short code it came from.

        A personal mobile sender makes a scam more likely and an official short
        code (95xxx, 106xx gateways, 400/800) less likely (see `SENDER_SCAM_ODDS`);
        without a sender the text alone decides. Empty or whitespace-only text is
        classified like any other (it carries no words, so the label follows the
        class priors); text longer than `MAX_CHARS` is cut to that length first.
        """
        if not isinstance(text, str):
            raise TypeError(f"Expected a message as str, got {type(text).__name__}.")
        return self.classify_many([text], senders=[sender])[0]

    def save(self, path: str | PathLike[str]) -> None:
        """Save the fitted model atomically, with a manifest and checksum."""
        from ._persist import save_model

        check_is_fitted(self, "pipeline_")
        save_model(self, path)
