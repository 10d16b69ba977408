"""Evaluation: a report on labeled data, grouped cross-validation, and
leave-one-writing-out cross-validation (transfer to text written differently)."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from ._data import bundled_corpus, read_labeled
from ._decision import decide, prior_weights, shift
from ._estimator import DunningClassifier, bundled_estimator
from ._flags import MECHANISMS
from ._progress import progress
from ._reading import read
from ._vocab import LEGITIMATE, SCAM, UNRELATED, order_classes

__all__ = ["CrossValidation", "EvaluationReport", "cross_validate", "evaluate"]


@dataclasses.dataclass(frozen=True)
class EvaluationReport:
    """Figures for a model on labeled data.

    ``per_label`` has precision, recall, f1 and support per outcome (the four
    labels and ``unrelated``); ``confusion`` has true outcomes as rows and
    predicted ones as columns; ``errors`` holds the misclassified rows with the
    ``predicted`` label and its ``confidence`` (the probability of that label, as
    `Prediction.confidence`), most confident first. ``summary`` has ``scam_recall``,
    ``legit_as_scam`` (legitimate debt messages labeled scam), ``unrelated_as_scam``
    and, with unrelated rows, the relevance figures ``relevant_recall`` and
    ``unrelated_rejected``. ``outside`` counts rows whose label the model cannot
    give (e.g. ``unrelated`` for a model trained without it), by predicted label;
    they are not in the other figures.
    """

    accuracy: float
    macro_f1: float
    per_label: pd.DataFrame
    confusion: pd.DataFrame
    errors: pd.DataFrame
    outside: pd.DataFrame
    summary: dict[str, float] = dataclasses.field(default_factory=dict)

    def __str__(self) -> str:
        lines = [
            f"accuracy {self.accuracy:.3f}   macro-F1 {self.macro_f1:.3f}   "
            f"n {int(self.per_label['support'].sum())}",
            "",
            self.per_label.round(3).to_string(),
            "",
            "confusion (rows: true, columns: predicted)",
            self.confusion.to_string(),
        ]
        if len(self.outside):
            lines += [
                "",
                "rows outside the model's labels, by predicted label",
                self.outside.to_string(),
            ]
        if self.summary:
            lines += ["", "   ".join(f"{k} {v:.3f}" for k, v in self.summary.items())]
        return "\n".join(lines)

    def __repr__(self) -> str:
        n = int(self.per_label["support"].sum())
        scam = self.summary.get("scam_recall")
        extra = f", scam_recall={scam:.3f}" if scam is not None else ""
        return (
            f"EvaluationReport(n={n}, accuracy={self.accuracy:.3f}, "
            f"macro_f1={self.macro_f1:.3f}{extra}, errors={len(self.errors)})"
        )

    def plot(self, ax: Any = None) -> Any:
        """Draw the confusion matrix with matplotlib; returns the `Figure` (so
        ``report.plot().savefig("confusion.png")`` works). With `ax`, draws on it."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(4.5, 4))
        values = self.confusion.to_numpy()
        ax.imshow(values, cmap="Blues")
        ax.set_xticks(range(values.shape[1]), self.confusion.columns, rotation=45)
        ax.set_yticks(range(values.shape[0]), self.confusion.index)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        for (i, j), v in np.ndenumerate(values):
            color = "white" if v > values.max() / 2 else "black"
            ax.text(j, i, str(v), ha="center", va="center", color=color)
        ax.set_title(f"macro-F1 {self.macro_f1:.3f}")
        return ax.figure


def summary_figures(truth: np.ndarray, pred: np.ndarray) -> dict[str, float]:
    """Scam recall, legitimate-as-scam, unrelated-as-scam and relevance figures."""
    truth, pred = np.asarray(truth, dtype=object), np.asarray(pred, dtype=object)
    out: dict[str, float] = {}
    scam = truth == SCAM
    legit = np.isin(truth, LEGITIMATE)
    unrelated = truth == UNRELATED
    if scam.any():
        out["scam_recall"] = float((pred[scam] == SCAM).mean())
    if legit.any():
        out["legit_as_scam"] = float((pred[legit] == SCAM).mean())
    if unrelated.any():
        out["unrelated_as_scam"] = float((pred[unrelated] == SCAM).mean())
        if (~unrelated).any():
            out["relevant_recall"] = float((pred[~unrelated] != UNRELATED).mean())
            out["unrelated_rejected"] = float((pred[unrelated] == UNRELATED).mean())
    return out


def _report(
    df: pd.DataFrame, pred: np.ndarray, proba: np.ndarray, classes: tuple[str, ...]
) -> EvaluationReport:
    """Build a report from true labels in ``df``, predictions and probabilities."""
    labels = list(order_classes(set(classes) | set(df["label"])))
    truth = df["label"].to_numpy(dtype=object)
    p, r, f, s = precision_recall_fscore_support(
        truth, pred, labels=labels, zero_division=0
    )
    per_label = pd.DataFrame(
        {"precision": p, "recall": r, "f1": f, "support": s}, index=labels
    )
    present = [c for c in labels if c in set(truth)]
    confusion = pd.DataFrame(
        confusion_matrix(truth, pred, labels=labels), index=labels, columns=labels
    )
    wrong = pred != truth
    at = [list(classes).index(str(c)) for c in pred[wrong]]
    errors = df[wrong].assign(
        predicted=pred[wrong],
        confidence=proba[wrong][np.arange(len(at)), at] if len(at) else [],
    )
    return EvaluationReport(
        accuracy=float(accuracy_score(truth, pred)),
        macro_f1=float(
            f1_score(truth, pred, labels=present, average="macro", zero_division=0)
        ),
        per_label=per_label,
        confusion=confusion,
        errors=errors.sort_values("confidence", ascending=False),
        outside=pd.DataFrame(),
        summary=summary_figures(truth, pred),
    )


def _score(
    model: Any, texts: Any, classes: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities and labels from one scoring pass: the model's own rule when it
    has one (`Model.decide`), else the most probable class."""
    if hasattr(model, "predict_with_proba"):
        labels, proba = model.predict_with_proba(texts)
    else:
        proba = np.asarray(model.predict_proba(texts))
        labels = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    return np.asarray(proba), np.asarray(labels, dtype=object)


def evaluate(
    model: Any,
    data: pd.DataFrame | str | PathLike[str],
    *,
    text_col: str = "text",
    label_col: str = "label",
    encoding: str = "utf-8",
) -> EvaluationReport:
    """Score `model` (a `Model`, a `DunningClassifier` or any scikit-learn
    classifier) on labeled messages (a DataFrame or a CSV path).

    Rows whose label the model cannot give (such as ``unrelated`` for a model
    trained without it) are counted apart in ``report.outside``.

    Examples
    --------
    >>> import dunning_guard as dg
    >>> df = pd.DataFrame({"text": ["【花呗】您本月账单将于明天到期，请按时还款。",
    ...                             "明天上午10点开会"], "label": ["reminder", "unrelated"]})
    >>> dg.evaluate(dg.load(), df).accuracy
    1.0
    """
    classes = tuple(str(c) for c in model.classes_)
    df = read_labeled(
        data, text_col=text_col, label_col=label_col, training=False, encoding=encoding
    )
    inside = df["label"].isin(classes).to_numpy()
    if not inside.any():
        raise ValueError(f"Expected rows labeled {', '.join(classes)}, found none.")
    proba, pred = _score(model, df["text"], classes)
    report = _report(
        df[inside].reset_index(drop=True), pred[inside], proba[inside], classes
    )
    if not inside.all():
        table = pd.crosstab(
            df.loc[~inside, "label"].to_numpy(),
            pred[~inside],
            rownames=["label"],
            colnames=["predicted"],
        )
        report = dataclasses.replace(report, outside=table)
    return report


@dataclasses.dataclass(frozen=True)
class CrossValidation:
    """Result of `cross_validate`: figures per fold and out-of-fold predictions.

    With ``by=``, each fold is one held-out value of that column (e.g. a writing
    of the corpus), named in the ``fold`` index.
    """

    folds: pd.DataFrame
    predictions: pd.DataFrame

    def _proba(self) -> tuple[tuple[str, ...], np.ndarray]:
        """The classes of the ``p_<class>`` columns, and those columns as an array."""
        pred = self.predictions
        classes = tuple(c[2:] for c in pred.columns if c.startswith("p_"))
        return classes, pred[[f"p_{c}" for c in classes]].to_numpy()

    def at_operating_point(
        self, point: str | dict[str, float] | None, class_shares: dict[str, float]
    ) -> CrossValidation:
        """The out-of-fold probabilities moved to an operating point (see
        `Model.with_operating_point`) from the training mix `class_shares` (e.g. a
        fitted model's ``model_.class_shares``); decide them again with
        `with_threshold`."""
        classes, proba = self._proba()
        moved = shift(proba, prior_weights(point, classes, class_shares))
        columns = {f"p_{c}": column for c, column in zip(classes, moved.T)}
        return CrossValidation(
            folds=self.folds, predictions=self.predictions.assign(**columns)
        )

    def _relabel(
        self, relevance_threshold: float, resemblance_threshold: float | None
    ) -> np.ndarray:
        classes, proba = self._proba()
        return decide(
            proba,
            classes,
            relevance_threshold,
            mechanism=self.predictions["mechanism"].to_numpy(dtype=bool),
            resemblance_threshold=resemblance_threshold,
        )

    def with_threshold(
        self,
        relevance_threshold: float,
        resemblance_threshold: float | None = None,
    ) -> CrossValidation:
        """The same out-of-fold probabilities, labels decided again at these
        thresholds (the rule of `Model`); the folds table is kept."""
        labels = self._relabel(relevance_threshold, resemblance_threshold)
        return CrossValidation(
            folds=self.folds, predictions=self.predictions.assign(predicted=labels)
        )

    def report(
        self,
        relevance_threshold: float | None = None,
        resemblance_threshold: float | None = None,
    ) -> EvaluationReport:
        """A report over all out-of-fold predictions pooled.

        With `relevance_threshold` (and `resemblance_threshold`), labels are decided
        again from the out-of-fold probabilities (to compare thresholds on one run).
        """
        pred = self.predictions
        classes, proba = self._proba()
        labels = pred["predicted"].to_numpy(dtype=object)
        if relevance_threshold is not None:
            labels = self._relabel(relevance_threshold, resemblance_threshold)
        return _report(pred, labels, proba, classes)

    def __repr__(self) -> str:
        mean = self.folds.loc["mean"] if "mean" in self.folds.index else None
        figures = f", mean macro_f1={mean['macro_f1']:.3f}" if mean is not None else ""
        folds = [str(f) for f in self.folds.index if f != "mean"]
        return (
            f"CrossValidation(folds={folds}{figures}, "
            f"predictions={len(self.predictions)} rows)"
        )

    def robustness(self) -> dict[str, float]:
        """Robustness figures from rows made by `augment` (ids ``<base>-t`` and ``<base>-o``).

        ``script_agreement``: share of base messages whose other-script variant got
        the same label. ``macro_f1_clean`` / ``macro_f1_obfuscated`` and
        ``scam_recall_clean`` / ``scam_recall_obfuscated``: on base messages that
        have an obfuscated variant, and on those variants.
        """
        if "id" not in self.predictions.columns:
            raise ValueError(
                "Expected an 'id' column with the ids dg.augment gives variants "
                "(<id>-t, <id>-o); cross-validate augmented data, e.g. "
                "dg.cross_validate(dg.augment(df))."
            )
        pred = self.predictions.set_index("id")
        base = pred[~pred.index.str.contains("-")]
        out: dict[str, float] = {}
        flipped = pred["predicted"].reindex(base.index + "-t").to_numpy()
        has_flip = pd.notna(flipped)
        if has_flip.any():
            out["script_agreement"] = float(
                (flipped[has_flip] == base["predicted"].to_numpy()[has_flip]).mean()
            )
        obf = pred.reindex(base.index + "-o").dropna(subset=["label"])
        if len(obf):
            clean = base.loc[obf.index.str.removesuffix("-o")]
            labels = [c for c in order_classes(set(clean["label"]))]
            for name, rows in (("clean", clean), ("obfuscated", obf)):
                out[f"macro_f1_{name}"] = float(
                    f1_score(
                        rows["label"], rows["predicted"], labels=labels, average="macro"
                    )
                )
                scams = rows["label"] == "scam"
                if scams.any():
                    out[f"scam_recall_{name}"] = float(
                        (rows.loc[scams, "predicted"] == "scam").mean()
                    )
        return out


def _splits(
    df: pd.DataFrame, by: str | None, group_col: str, n_splits: int, seed: int
) -> list[tuple[Any, np.ndarray, np.ndarray]]:
    if by is not None:
        if by not in df.columns:
            raise ValueError(
                f"Expected a column {by!r} to hold out by, found {list(df.columns)}."
            )
        values = df[by].astype(str)
        names = sorted(values.unique())
        if len(names) < 2:
            raise ValueError(
                f"Expected at least 2 values of {by!r} to hold out, found {names}."
            )
        return [
            (v, np.flatnonzero(values != v), np.flatnonzero(values == v)) for v in names
        ]
    if group_col in df.columns:
        splitter: Any = StratifiedGroupKFold(
            n_splits=n_splits, shuffle=True, random_state=seed
        )
        splits = splitter.split(df["text"], df["label"], groups=df[group_col])
    else:
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        splits = splitter.split(df["text"], df["label"])
    return [(k, a, b) for k, (a, b) in enumerate(splits)]


def cross_validate(
    data: pd.DataFrame | str | PathLike[str],
    model: Any = None,
    *,
    n_splits: int = 5,
    seed: int = 0,
    by: str | None = None,
    text_col: str = "text",
    label_col: str = "label",
    group_col: str = "group",
    base: str | None = None,
    weight: float = 1.0,
    transform_train: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    show_progress: bool = False,
) -> CrossValidation:
    """Cross-validate `model` (default `DunningClassifier()`) on labeled data.

    By default: stratified k-fold, grouped on `group_col` when present, so the
    variants of one message never straddle train and test. With ``by="source"``
    (any column but the text and the label): leave one value out, e.g. train on
    every other writing of the corpus and test on the held-out one, which shows
    how the model transfers to text written differently. With ``base="bundled"``
    each fold trains as `train` does with that option: on the bundled corpus
    (minus any text of the test fold) plus the fold's training rows counted
    `weight` times, with the bundled model's parameters unless `model` is given;
    so the figures are those of the recipe you deploy. `transform_train` (e.g. an
    augmentation) is applied to each training fold only. ``result.folds`` has
    accuracy, macro-F1 (over the outcomes present), F1 per outcome and scam
    figures for each fold and their mean; ``result.predictions`` has every row
    with its out-of-fold prediction.
    """
    df = read_labeled(data, text_col=text_col, label_col=label_col)
    if by is not None and by in {text_col, label_col, "text", "label"}:
        raise ValueError(
            f"Expected by= to name a column that groups the rows (such as source or "
            f"writer), got {by!r}, the {'label' if by in (label_col, 'label') else 'text'} "
            "column: a held-out value would be absent from training."
        )
    bundled = None
    if base is not None:
        if base != "bundled":
            raise ValueError(f"Expected base='bundled' or None, got {base!r}.")
        if not weight > 0:
            raise ValueError(f"Expected a positive weight for your rows, got {weight}.")
        bundled = bundled_corpus(augmented=True)
        if model is None:
            model = bundled_estimator()
    model = model if model is not None else DunningClassifier()
    splits = _splits(df, by, group_col, n_splits, seed)
    labels = list(order_classes(set(df["label"])))
    rows, parts = [], []
    for fold, train_idx, test_idx in progress(
        splits, total=len(splits), desc="cross-validation", enable=show_progress
    ):
        train = df.iloc[train_idx]
        if transform_train is not None:
            train = transform_train(train)
        test = df.iloc[test_idx]
        estimator = clone(model)
        if bundled is not None:
            # The test fold's texts never reach training, not even via the corpus.
            unseen = set(test["text"].str.strip())
            corpus = bundled[
                ~bundled["text"].str.strip().isin(unseen | set(train["text"]))
            ]
            texts = pd.concat([corpus["text"], train["text"]], ignore_index=True)
            y = pd.concat([corpus["label"], train["label"]], ignore_index=True)
            w = np.r_[np.ones(len(corpus)), np.full(len(train), float(weight))]
            fitted = estimator.fit(texts, y, sample_weight=w)
        else:
            fitted = estimator.fit(train["text"], train["label"])
        classes = tuple(str(c) for c in fitted.classes_)
        proba, pred = _score(fitted, test["text"], classes)
        truth = test["label"].to_numpy(dtype=object)
        present = [c for c in labels if c in set(truth)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a label absent from a fold scores 0
            f1 = f1_score(truth, pred, labels=present, average=None, zero_division=0)
        rows.append(
            {
                "fold": fold,
                "n": len(test),
                "accuracy": accuracy_score(truth, pred),
                "macro_f1": float(np.mean(f1)),
            }
            | {f"f1_{c}": v for c, v in zip(present, f1)}
            | summary_figures(truth, pred)
        )
        scores = pd.DataFrame(
            proba, columns=[f"p_{c}" for c in classes], index=test.index
        )
        mechanism = [
            bool(MECHANISMS.intersection(read(t).flag_ids)) for t in test["text"]
        ]
        parts.append(
            test.assign(fold=fold, predicted=pred, mechanism=mechanism).join(scores)
        )
    folds = pd.DataFrame(rows).set_index("fold").astype(float)
    folds.loc["mean"] = folds.mean()
    predictions = pd.concat(parts).sort_index()
    p_cols = [
        f"p_{c}"
        for c in order_classes(c[2:] for c in predictions.columns if c.startswith("p_"))
    ]
    others = [c for c in predictions.columns if not c.startswith("p_")]
    predictions = predictions[others + p_cols].fillna({c: 0.0 for c in p_cols})
    return CrossValidation(folds=folds, predictions=predictions)
