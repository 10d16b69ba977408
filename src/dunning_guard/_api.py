"""Module-level shortcuts: classify with the bundled model, train on a table."""

from __future__ import annotations

from os import PathLike
from typing import Any

import pandas as pd

from ._data import read_labeled
from ._model import DunningClassifier, Prediction
from ._persist import shared_model

__all__ = ["classify", "train"]


def classify(text: str) -> Prediction:
    """Classify one message with the bundled model (loaded on first use).

    Examples
    --------
    >>> classify("【花呗】您本月账单1,205.30元将于明天到期，请及时还款。").label
    'reminder'
    """
    return shared_model().classify(text)


def train(
    data: pd.DataFrame | str | PathLike[str],
    *,
    text_col: str = "text",
    label_col: str = "label",
    **params: Any,
) -> DunningClassifier:
    """Train a new model on labeled messages (a DataFrame or a CSV path).

    `params` go to `DunningClassifier` (e.g. ``C=3``). The data is checked first
    (see `read_labeled`).

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "text": ["您的账单明天到期，请按时还款", "您已逾期3天，请尽快还款",
    ...              "本期账单后天到期", "逾期5天了，请今天处理",
    ...              "账单今天到期", "您的借款已逾期"],
    ...     "label": ["reminder", "overdue"] * 3,
    ... })
    >>> model = train(df, min_df=1)
    >>> sorted(model.classes_)
    ['overdue', 'reminder']
    """
    df = read_labeled(data, text_col=text_col, label_col=label_col)
    return DunningClassifier(**params).fit(df["text"], df["label"])
