"""Evaluation: a report on labeled data, and grouped cross-validation."""

from __future__ import annotations

import dataclasses
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

from ._data import read_labeled
from ._model import LABELS, UNRELATED, DunningClassifier

__all__ = ["CrossValidation", "EvaluationReport", "cross_validate", "evaluate"]


@dataclasses.dataclass(frozen=True)
class EvaluationReport:
    """Figures for a model on labeled data.

    ``per_label`` has precision, recall, f1 and support per label; ``confusion``
    has true labels as rows and predicted labels as columns; ``errors`` holds the
    misclassified rows with their scores. ``outside`` counts rows whose label the
    model does not know (e.g. ``unrelated``), by predicted label; they are not in
    the other figures. ``relevance`` holds the relevance check's figures when the
    data has ``unrelated`` rows: ``relevant_recall`` (debt and scam messages
    marked relevant), ``unrelated_rejected`` (unrelated messages marked not
    relevant), ``relevance_precision`` and ``false_alarm_rate`` (unrelated
    messages marked relevant *and* labeled scam).
    """

    accuracy: float
    macro_f1: float
    per_label: pd.DataFrame
    confusion: pd.DataFrame
    errors: pd.DataFrame
    outside: pd.DataFrame
    relevance: dict[str, float] = dataclasses.field(default_factory=dict)

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
        if self.relevance:
            lines += [
                "",
                "relevance: "
                + "   ".join(f"{k} {v:.3f}" for k, v in self.relevance.items()),
            ]
        return "\n".join(lines)

    def plot(self, ax: Any = None) -> Any:
        """Draw the confusion matrix with matplotlib; returns the Axes."""
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
        return ax


def _report(
    df: pd.DataFrame, proba: np.ndarray, classes: tuple[str, ...]
) -> EvaluationReport:
    """Build a report from true labels in ``df`` and probabilities per class."""
    pred = np.asarray(classes, dtype=object)[proba.argmax(axis=1)]
    labels = [c for c in LABELS if c in classes] + [
        c for c in classes if c not in LABELS
    ]
    p, r, f, s = precision_recall_fscore_support(
        df["label"], pred, labels=labels, zero_division=0
    )
    per_label = pd.DataFrame(
        {"precision": p, "recall": r, "f1": f, "support": s}, index=labels
    )
    present = [c for c in labels if c in set(df["label"])]
    confusion = pd.DataFrame(
        confusion_matrix(df["label"], pred, labels=labels), index=labels, columns=labels
    )
    wrong = pred != df["label"].to_numpy()
    errors = df[wrong].assign(
        predicted=pred[wrong], confidence=proba[wrong].max(axis=1)
    )
    return EvaluationReport(
        accuracy=float(accuracy_score(df["label"], pred)),
        macro_f1=float(
            f1_score(
                df["label"], pred, labels=present, average="macro", zero_division=0
            )
        ),
        per_label=per_label,
        confusion=confusion,
        errors=errors.sort_values("confidence", ascending=False),
        outside=pd.DataFrame(),
    )


def relevance_figures(
    labels: pd.Series, relevant: np.ndarray, predicted: np.ndarray
) -> dict[str, float]:
    """Figures of the relevance check; empty unless both kinds of rows are present."""
    labels, relevant = np.asarray(labels), np.asarray(relevant, dtype=bool)
    unrelated = labels == UNRELATED
    if unrelated.all() or not unrelated.any():
        return {}
    return {
        "relevant_recall": float(relevant[~unrelated].mean()),
        "unrelated_rejected": float((~relevant[unrelated]).mean()),
        "relevance_precision": float((~unrelated[relevant]).mean())
        if relevant.any()
        else float("nan"),
        "false_alarm_rate": float(
            (relevant & (np.asarray(predicted) == "scam"))[unrelated].mean()
        ),
    }


def evaluate(
    model: DunningClassifier,
    data: pd.DataFrame | str | PathLike[str],
    *,
    text_col: str = "text",
    label_col: str = "label",
) -> EvaluationReport:
    """Score `model` on labeled messages (a DataFrame or a CSV path).

    Rows whose label is not one of the model's classes (such as ``unrelated``)
    are counted apart in ``report.outside``, by predicted label.

    Examples
    --------
    >>> import dunning_guard as dg
    >>> df = pd.DataFrame({"text": ["【花呗】您本月账单将于明天到期，请按时还款。"],
    ...                    "label": ["reminder"]})
    >>> dg.evaluate(dg.load(), df).accuracy
    1.0
    """
    classes = tuple(str(c) for c in model.classes_)
    df = read_labeled(data, text_col=text_col, label_col=label_col, training=False)
    inside = df["label"].isin(classes).to_numpy()
    if not inside.any():
        raise ValueError(f"Expected rows labeled {', '.join(classes)}, found none.")
    frame = model.classify_many(df["text"]).to_frame()
    proba = frame[[f"p_{c}" for c in classes]].to_numpy()
    report = _report(df[inside].reset_index(drop=True), proba[inside], classes)
    if not inside.all():
        table = pd.crosstab(
            df.loc[~inside, "label"].to_numpy(),
            frame.loc[~inside, "label"].to_numpy(),
            rownames=["label"],
            colnames=["predicted"],
        )
        report = dataclasses.replace(report, outside=table)
    figures = relevance_figures(
        df["label"], frame["relevant"].to_numpy(), frame["label"].to_numpy()
    )
    return dataclasses.replace(report, relevance=figures)


@dataclasses.dataclass(frozen=True)
class CrossValidation:
    """Result of `cross_validate`: figures per fold and out-of-fold predictions."""

    folds: pd.DataFrame
    predictions: pd.DataFrame

    def report(self, relevance_threshold: float = 0.5) -> EvaluationReport:
        """A report over all out-of-fold predictions pooled.

        The four-label figures use the rows not labeled ``unrelated``; the
        relevance figures use all rows, at `relevance_threshold`.
        """
        pred = self.predictions
        classes = tuple(
            c.removeprefix("p_") for c in pred.columns if c.startswith("p_")
        )
        inside = (pred["label"] != UNRELATED).to_numpy()
        proba = pred[[f"p_{c}" for c in classes]].to_numpy()
        report = _report(pred[inside], proba[inside], classes)
        relevant = pred["relevance"].to_numpy() >= relevance_threshold
        figures = relevance_figures(
            pred["label"], relevant, pred["predicted"].to_numpy()
        )
        return dataclasses.replace(report, relevance=figures)

    def robustness(self) -> dict[str, float]:
        """Robustness figures from rows made by `augment` (ids ``<base>-t`` and ``<base>-o``).

        ``script_agreement``: share of base messages whose other-script variant got
        the same label. ``macro_f1_clean`` / ``macro_f1_obfuscated`` and
        ``scam_recall_clean`` / ``scam_recall_obfuscated``: on base messages that
        have an obfuscated variant, and on those variants.
        """
        pred = self.predictions[self.predictions["label"] != UNRELATED].set_index("id")
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
            labels = [c for c in LABELS if c in set(clean["label"])]
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


def cross_validate(
    data: pd.DataFrame | str | PathLike[str],
    model: DunningClassifier | None = None,
    *,
    n_splits: int = 5,
    seed: int = 0,
    text_col: str = "text",
    label_col: str = "label",
    group_col: str = "group",
    transform_train: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
) -> CrossValidation:
    """Stratified k-fold cross-validation, grouped on `group_col` when present.

    Variants of one message share a group and so never straddle train and test.
    `transform_train` (e.g. an augmentation) is applied to each training fold
    only. ``result.folds`` has accuracy, macro-F1 and F1 per label for each fold
    and their mean; ``result.predictions`` has every row with its out-of-fold
    prediction, and ``result.report()`` pools them.
    """
    df = read_labeled(data, text_col=text_col, label_col=label_col)
    model = model if model is not None else DunningClassifier()
    if group_col in df.columns:
        splitter: Any = StratifiedGroupKFold(
            n_splits=n_splits, shuffle=True, random_state=seed
        )
        splits = splitter.split(df["text"], df["label"], groups=df[group_col])
    else:
        splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        splits = splitter.split(df["text"], df["label"])
    labels = [c for c in LABELS if c in set(df["label"])]
    classes = sorted(set(df["label"]) - {UNRELATED})
    rows, parts = [], []
    for fold, (train_idx, test_idx) in enumerate(splits):
        train = df.iloc[train_idx]
        if transform_train is not None:
            train = transform_train(train)
        test = df.iloc[test_idx]
        fitted = clone(model).fit(train["text"], train["label"])
        if isinstance(fitted, DunningClassifier):
            proba, relevance = fitted._scores(test["text"].tolist())
        else:  # any scikit-learn classifier, e.g. a baseline
            proba, relevance = fitted.predict_proba(test["text"]), np.ones(len(test))
        pred = fitted.classes_[proba.argmax(axis=1)]
        inside = (test["label"] != UNRELATED).to_numpy()
        truth, guess = test["label"][inside], pred[inside]
        f1 = f1_score(truth, guess, labels=labels, average=None, zero_division=0)
        rows.append(
            {
                "fold": fold,
                "accuracy": accuracy_score(truth, guess),
                "macro_f1": f1_score(truth, guess, labels=labels, average="macro"),
            }
            | {f"f1_{c}": v for c, v in zip(labels, f1)}
            | relevance_figures(
                test["label"],
                relevance >= getattr(fitted, "relevance_threshold", 0.5),
                pred,
            )
        )
        scores = pd.DataFrame(
            proba, columns=[f"p_{c}" for c in fitted.classes_], index=test.index
        )
        parts.append(
            test.assign(fold=fold, predicted=pred, relevance=relevance).join(scores)
        )
    folds = pd.DataFrame(rows).set_index("fold")
    folds.loc["mean"] = folds.mean()
    predictions = pd.concat(parts).sort_index()
    predictions = predictions.fillna({f"p_{c}": 0.0 for c in classes})
    return CrossValidation(folds=folds, predictions=predictions)
