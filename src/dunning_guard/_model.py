"""`Model`: a fitted model as plain data, scoring messages without scikit-learn.

`load` returns one and `DunningClassifier.fit` makes one, so the bundled model, a
retrained model and an estimator in a grid search all score through the same code:
read each message once (normalize, match the rules), look the features up, one
matrix product, decide; the evidence a prediction shows comes from the same reading.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterable, Mapping
from os import PathLike
from typing import Any

import numpy as np

from ._decision import check_threshold, decide, prior_weights, relevance, shift
from ._explain import Contribution, explain
from ._features import LinearScorer
from ._flags import MECHANISMS, Fact
from ._format import write_model_file
from ._reading import Reading, read
from ._results import Prediction, Predictions
from ._sender import adjust_for_sender, sender_kind, trusted_key
from ._vocab import UNRELATED

__all__ = ["Model", "as_texts"]

#: Distinct normalized texts are scored this many at a time, so memory stays flat.
CHUNK = 2048
#: Batches smaller than this are scored in one process whatever `n_jobs` says:
#: starting workers and shipping the model costs more than it saves.
PARALLEL_MIN_BATCH = 2000


def _is_pandas(X: object, kind: str) -> bool:
    return type(X).__module__.startswith("pandas") and type(X).__name__ == kind


def as_texts(X: object) -> tuple[list[str], tuple[Any, ...] | None]:
    """Check a batch of messages; return it as a list of str and its row labels.

    The row labels are a pandas Series' index (None for other inputs). A
    `TypeError` names the position, and the row label, of the first element that
    is not a str.
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"Expected a list of messages, got a single {type(X).__name__}; "
            "use classify(text) or predict([text])."
        )
    if _is_pandas(X, "DataFrame"):
        raise TypeError(
            "Expected a list or Series of messages, got a DataFrame; pass its text "
            "column, e.g. df['text']."
        )
    if isinstance(X, Mapping) or not isinstance(X, Iterable):
        raise TypeError(
            f"Expected a list, tuple, array or Series of messages, got "
            f"{type(X).__name__}."
        )
    labels = tuple(X.index) if _is_pandas(X, "Series") else None  # type: ignore[attr-defined]
    texts = list(X)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            where = f"position {i}" + (
                f" (index label {labels[i]!r})" if labels is not None else ""
            )
            hint = (
                " Decode bytes first, e.g. b.decode('utf-8')."
                if isinstance(text, bytes)
                else " Fill or drop missing texts first."
                if text is None or text != text
                else ""
            )
            raise TypeError(
                f"Expected every message to be a str, got {type(text).__name__} "
                f"at {where}.{hint}"
            )
    return texts, labels


def _effective_jobs(n_jobs: int | None) -> int:
    cores = os.cpu_count() or 1
    if n_jobs is None or n_jobs == 1:
        return 1
    if n_jobs < 0:
        return max(1, cores + 1 + n_jobs)
    return min(n_jobs, cores)


class Model:
    """A fitted dunning_guard model: classes, feature tables and coefficients.

    It labels messages (`classify`, `classify_many`, `predict`, `predict_proba`,
    `predict_relevance`) without importing scikit-learn or pandas, and `save`
    writes it as data only (JSON and NumPy arrays). When ``unrelated`` is one of
    `classes_`, a message is ``unrelated`` when its relevance (``1 -
    P(unrelated)``) is below `relevance_threshold`, else it gets the most probable
    debt label; without it, the most probable class wins and relevance is 1.

    A ``scam`` verdict rests on evidence: when the message carries no fraud
    mechanism (a red flag of severity 2 or 3), ``scam`` stands only if its
    probability reaches `resemblance_threshold`; otherwise the message is decided
    without the scam class. `with_operating_point` moves the probabilities to the
    mix of messages you expect (a prior shift).

    Examples
    --------
    >>> import dunning_guard as dg
    >>> model = dg.load()
    >>> model.classify("【顺丰速运】您的快件已到达驿站，取件码8-2-1031。").label
    'unrelated'
    """

    def __init__(
        self,
        scorer: LinearScorer,
        classes: Iterable[str],
        *,
        relevance_threshold: float = 0.5,
        resemblance_threshold: float | None = None,
        class_shares: Mapping[str, float] | None = None,
        metadata: Mapping[str, Any] | None = None,
        n_jobs: int | None = None,
    ):
        self.scorer = scorer
        names = tuple(str(c) for c in classes)
        if len(names) != scorer.coef.shape[0] or len(names) < 2:
            raise ValueError(
                f"Expected one coefficient row per class (at least 2), got "
                f"{scorer.coef.shape[0]} rows for classes {list(names)}."
            )
        if len(set(names)) != len(names):
            raise ValueError(f"Expected distinct class names, got {list(names)}.")
        self._classes = names
        self.relevance_threshold = check_threshold(relevance_threshold)
        self.resemblance_threshold = (
            None
            if resemblance_threshold is None
            else check_threshold(resemblance_threshold, "resemblance_threshold")
        )
        self.class_shares = dict(class_shares) if class_shares else None
        self.metadata = dict(metadata or {})
        self.n_jobs = n_jobs
        self.operating_point: str | dict[str, float] | None = None
        self._weights: np.ndarray | None = None
        self.trusted_senders: frozenset[str] = frozenset()

    def with_trusted_senders(
        self, senders: Iterable[str] | str | PathLike[str]
    ) -> Model:
        """This model with an allowlist of senders you trust (numbers or short
        codes): an iterable, or a file with one per line (``#`` starts a comment).

        A message from a trusted sender that carries no fraud mechanism is not
        ``scam``; one that carries a mechanism is judged as any other message (a
        sender id can be spoofed, a known trick).

        Examples
        --------
        >>> import dunning_guard as dg
        >>> model = dg.load().with_trusted_senders(["95588"])
        >>> model.classify("您的账户存在风险，请立即处理", sender="95588").label != "scam"
        True
        """
        if isinstance(senders, (str, PathLike)):
            from pathlib import Path

            path = Path(senders)
            if not path.is_file():
                raise FileNotFoundError(f"No trusted-senders file at {senders}.")
            lines = path.read_text(encoding="utf-8-sig").splitlines()
            senders = [x.split("#", 1)[0].strip() for x in lines]
        keys = set()
        for s in senders:
            if not isinstance(s, str):
                raise TypeError(
                    f"Expected trusted senders as str, got {type(s).__name__}."
                )
            if s.strip():
                keys.add(trusted_key(s))
        other = copy.copy(self)
        other.trusted_senders = frozenset(keys)
        return other

    def with_operating_point(self, point: str | dict[str, float] | None) -> Model:
        """This model at another operating point: a name from `OPERATING_POINTS`
        (``"corpus"``, the training mix, is the default; ``"inbox"``, a phone's
        everyday messages; ``"collections"``, a lender's debt traffic) or the shares
        you expect, ``{"scam": 0.02, "debt": 0.1}`` (the rest ``unrelated``).

        Probabilities are moved to that mix by Bayes' rule (a prior shift), so every
        figure a prediction gives is the one for your traffic; fewer scams expected
        means fewer false alarms and a lower scam recall (notebook 01 draws the
        curve).

        Examples
        --------
        >>> import dunning_guard as dg
        >>> inbox = dg.load().with_operating_point("inbox")
        >>> inbox.classify("周六一起吃饭吗").label
        'unrelated'
        """
        other = copy.copy(self)
        other.operating_point = point
        other._weights = prior_weights(point, self._classes, self.class_shares)
        return other

    @property
    def classes_(self) -> np.ndarray:
        """The classes, in label-guide order (``unrelated`` last when present)."""
        return np.asarray(self._classes, dtype=object)

    @property
    def classes(self) -> tuple[str, ...]:
        """The classes as a tuple; kept for 0.2 code, use `classes_` (removed in 0.4)."""
        return self._classes

    def __repr__(self) -> str:
        n = self.scorer.n_features
        return (
            f"Model(classes={list(self._classes)}, n_features={n}, "
            f"relevance_threshold={self.relevance_threshold})"
        )

    # -- scoring -----------------------------------------------------------------

    def _chunk_proba(self, readings: list[Reading]) -> np.ndarray:
        # Repeated texts are scored once.
        index: dict[str, int] = {}
        first: list[Reading] = []
        inverse = np.empty(len(readings), dtype=np.int64)
        for i, r in enumerate(readings):
            k = index.setdefault(r.normalized, len(index))
            if k == len(first):
                first.append(r)
            inverse[i] = k
        parts = [
            self.scorer.proba(first[i : i + CHUNK]) for i in range(0, len(first), CHUNK)
        ]
        proba = np.vstack(parts) if parts else np.empty((0, len(self._classes)))
        return proba[inverse]

    def _nothing_to_read(
        self, readings: list[Reading], proba: np.ndarray
    ) -> np.ndarray:
        if UNRELATED in self._classes:
            # Nothing to read is not a debt message: no words, no evidence.
            empty = np.fromiter((not r.normalized for r in readings), dtype=bool)
            proba[empty] = 0.0
            proba[empty, self._classes.index(UNRELATED)] = 1.0
        return proba

    def _proba(self, readings: list[Reading]) -> np.ndarray:
        jobs = _effective_jobs(self.n_jobs)
        if jobs == 1 or len(readings) < PARALLEL_MIN_BATCH:
            proba = self._chunk_proba(readings)
        else:
            # jieba is pure Python and holds the GIL: only processes give a speed-up.
            from joblib import Parallel, delayed

            if self.scorer.uses_flags:
                for r in readings:
                    _ = r.matches  # found here once, shipped with the reading
            bounds = np.linspace(0, len(readings), jobs + 1).astype(int)
            parts = Parallel(n_jobs=jobs)(
                delayed(self._chunk_proba)(readings[a:b])
                for a, b in zip(bounds[:-1], bounds[1:])
            )
            proba = np.vstack(parts)
        return shift(self._nothing_to_read(readings, proba), self._weights)

    def _trusted(self, senders: list[object] | None) -> np.ndarray | None:
        if not self.trusted_senders or senders is None:
            return None
        return np.fromiter(
            (
                isinstance(s, str) and trusted_key(s) in self.trusted_senders
                for s in senders
            ),
            dtype=bool,
            count=len(senders),
        )

    def _decide(
        self,
        proba: np.ndarray,
        readings: list[Reading],
        trusted: np.ndarray | None = None,
    ) -> np.ndarray:
        mechanism = None
        if self.resemblance_threshold is not None or (
            trusted is not None and trusted.any()
        ):
            # Whether each message carries a fraud mechanism: what the rules need.
            mechanism = np.fromiter(
                (bool(MECHANISMS.intersection(r.flag_ids)) for r in readings),
                dtype=bool,
                count=len(readings),
            )
        return decide(
            proba,
            self._classes,
            self.relevance_threshold,
            mechanism=mechanism,
            resemblance_threshold=self.resemblance_threshold,
            trusted=trusted,
        )

    def decide(self, proba: np.ndarray, X: Iterable[str] | None = None) -> np.ndarray:
        """Labels for rows of `predict_proba` on the messages `X`: the rule
        `predict` applies. `X` is needed when the model has an evidence rule
        (`resemblance_threshold`): it looks at the messages' red flags.

        Examples
        --------
        >>> import dunning_guard as dg
        >>> model = dg.load()
        >>> texts = ["账单明天到期", "明天开会"]
        >>> list(model.decide(model.predict_proba(texts), texts)) == list(model.predict(texts))
        True
        """
        proba = np.asarray(proba, dtype=np.float64)
        if X is None:
            if self.resemblance_threshold is not None:
                raise ValueError(
                    "Expected the messages too, decide(proba, X): this model's scam "
                    "verdicts rest on the red flags found in them."
                )
            return decide(proba, self._classes, self.relevance_threshold)
        texts, _ = as_texts(X)
        if len(texts) != len(proba):
            raise ValueError(
                f"Expected one message per row of probabilities, got {len(texts)} "
                f"for {len(proba)}."
            )
        return self._decide(proba, [read(t) for t in texts])

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """Probabilities, shape (n, n_classes), columns in `classes_` (at the
        operating point, see `with_operating_point`)."""
        texts, _ = as_texts(X)
        return self._proba([read(t) for t in texts])

    def predict_with_proba(self, X: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Labels and probabilities from one pass over the messages (what
        `evaluate` and `cross_validate` use)."""
        texts, _ = as_texts(X)
        readings = [read(t) for t in texts]
        proba = self._proba(readings)
        return self._decide(proba, readings), proba

    def predict_relevance(self, X: Iterable[str]) -> np.ndarray:
        """Relevance of each message: the probability it is about a debt or a scam."""
        return relevance(self.predict_proba(X), self._classes)

    def predict(self, X: Iterable[str]) -> np.ndarray:
        """The label of each message (see the class docstring for the rule)."""
        return self.predict_with_proba(X)[0]

    def score(self, X: Iterable[str], y: Iterable[str]) -> float:
        """Accuracy of `predict` against labels `y`."""
        truth = np.asarray(list(y), dtype=object)
        return float((self.predict(X) == truth).mean())

    def _predictions(
        self,
        readings: list[Reading],
        senders: list[object],
        proba: np.ndarray | None = None,
    ) -> list[Prediction]:
        """Verdicts with their evidence; `proba` when the caller scored already."""
        if proba is None:
            proba = self._proba(readings)
        for i, sender in enumerate(senders):
            if sender is not None:
                proba[i] = adjust_for_sender(proba[i], self._classes, sender)
        trusted = self._trusted(senders)
        labels = self._decide(proba, readings, trusted)
        rel = relevance(proba, self._classes)
        out = []
        for i, (reading, row, r, label, sender) in enumerate(
            zip(readings, proba, rel, labels, senders)
        ):
            flags, found = reading.evidence(mechanisms_only=label == UNRELATED)
            kind = sender_kind(sender)
            if kind is not None:
                detail = "trusted" if trusted is not None and trusted[i] else kind
                found = (*found, Fact("sender", str(sender), (0, 0), detail))
            out.append(
                Prediction(
                    text=reading.text,
                    label=str(label),
                    scores=dict(zip(self._classes, row.tolist())),
                    relevance=float(r),
                    flag_ids=tuple(f.id for f in flags),
                    sender=sender if isinstance(sender, str) else None,
                    red_flags=flags,
                    facts=found,
                )
            )
        return out

    def classify_many(
        self,
        texts: Iterable[str],
        *,
        relevant_only: bool = False,
        senders: Iterable[object] | None = None,
    ) -> Predictions:
        """Classify a batch; the result converts to a DataFrame with `to_frame()`.

        A pandas Series keeps its index in the DataFrame. With `relevant_only`,
        messages labeled ``unrelated`` are left out (the index says which stayed).
        `senders` (one per message, None where unknown) is used as in `classify`.
        """
        items, labels = as_texts(texts)
        senders = [None] * len(items) if senders is None else list(senders)
        if len(senders) != len(items):
            raise ValueError(
                f"Expected one sender per message, got {len(senders)} for {len(items)}."
            )
        predictions = self._predictions([read(t) for t in items], senders)
        rows = labels if labels is not None else tuple(range(len(items)))
        if relevant_only:
            keep = [k for k, p in enumerate(predictions) if p.relevant]
            predictions = [predictions[k] for k in keep]
            rows = tuple(rows[k] for k in keep)
        return Predictions(predictions, rows, self._classes)

    def classify(self, text: str, sender: object = None) -> Prediction:
        """Classify one message; `sender` is the number or short code it came from.

        A personal mobile sender makes a scam more likely and an official short
        code (95xxx, 106xx gateways, 400/800) less likely (see `SENDER_SCAM_ODDS`);
        a missing sender (None, NaN, "NULL", "unknown") changes nothing. Empty or
        whitespace-only text is ``unrelated`` (for a model that knows the class);
        text longer than `MAX_CHARS` is scored on its first `MAX_CHARS` characters.
        """
        if not isinstance(text, str):
            raise TypeError(f"Expected a message as str, got {type(text).__name__}.")
        return self._predictions([read(text)], [sender])[0]

    def explain(self, text: str, k: int = 5) -> list[Contribution]:
        """The `k` features that pushed most for the predicted label, and the `k`
        most against it (towards the runner-up), with their spans in `text`.

        Examples
        --------
        >>> import dunning_guard as dg
        >>> top = dg.load().explain("请加微信 kf8899 处理逾期", k=1)[0]
        >>> top.weight > 0
        True
        """
        if not isinstance(text, str):
            raise TypeError(f"Expected a message as str, got {type(text).__name__}.")
        reading = read(text)
        features = self.scorer.features([reading])  # once: for the score and the why
        proba = shift(
            self._nothing_to_read([reading], self.scorer.proba([reading], features)),
            self._weights,
        )
        (prediction,) = self._predictions([reading], [None], proba)
        return explain(self.scorer, self._classes, prediction, reading, features, k)

    def save(self, path: str | PathLike[str]) -> None:
        """Write the model to `path` as data only (see `load`); atomic."""
        write_model_file(
            path,
            self.scorer,
            self._classes,
            {
                "relevance_threshold": self.relevance_threshold,
                "resemblance_threshold": self.resemblance_threshold,
                "class_shares": self.class_shares,
            },
            self.metadata,
        )
