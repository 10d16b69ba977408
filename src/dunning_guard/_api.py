"""Module-level shortcuts: classify with the bundled model, the bundled corpus,
and training on a table (optionally on top of the bundled corpus)."""

from __future__ import annotations

from os import PathLike
from typing import TYPE_CHECKING, Any

from ._persist import shared_model
from ._results import Prediction

if TYPE_CHECKING:
    import pandas as pd

    from ._estimator import DunningClassifier

__all__ = ["classify", "corpus", "train"]


def classify(text: str, sender: object = None) -> Prediction:
    """Classify one message with the bundled model (loaded once, on first use).

    Examples
    --------
    >>> classify("【花呗】您本月账单1,205.30元将于明天到期，请及时还款。").label
    'reminder'
    >>> classify("明天上午10点开会，别迟到").label
    'unrelated'
    """
    return shared_model().classify(text, sender)


def corpus(*, augmented: bool = False) -> pd.DataFrame:
    """The corpus the bundled model was trained on, as a DataFrame.

    Columns ``id, text, label, script, group, channel, tags, source, writer,
    category, twin_of`` (see the datasheet); ``source`` names the writing (``w1``
    … ``w4``, ``tw`` for the counterfactual twins), ``twin_of`` the original of a
    twin (a pair shares its ``group``). With `augmented`,
    the variants the bundled model also saw (`augment`, seed 0) are added.

    Examples
    --------
    >>> df = corpus()
    >>> sorted(df["label"].unique())
    ['legal', 'overdue', 'reminder', 'scam', 'unrelated']
    """
    from ._data import bundled_corpus

    return bundled_corpus(augmented=augmented)


def train(
    data: pd.DataFrame | str | PathLike[str],
    *,
    text_col: str = "text",
    label_col: str = "label",
    base: str | None = None,
    weight: float = 1.0,
    encoding: str = "utf-8",
    **params: Any,
) -> DunningClassifier:
    """Train a new model on labeled messages (a DataFrame or a CSV path).

    With ``base="bundled"`` the model learns from the bundled corpus (augmented as
    for the bundled model) plus your rows, each of yours counting `weight` times
    as much, so a team with a few hundred labeled messages does not start from
    zero. `params` go to `DunningClassifier` (e.g. ``C=3``). The data is checked
    first: missing columns, unknown labels, empty text, duplicates, contradictions
    and rare labels raise a `ValueError` that says what to fix.

    Examples
    --------
    >>> import pandas as pd
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
    import numpy as np
    import pandas as pd

    from ._data import bundled_corpus, read_labeled
    from ._estimator import DunningClassifier, bundled_estimator

    df = read_labeled(data, text_col=text_col, label_col=label_col, encoding=encoding)
    if base is None:
        return DunningClassifier(**params).fit(df["text"], df["label"])
    if base != "bundled":
        raise ValueError(f"Expected base='bundled' or None, got {base!r}.")
    if not weight > 0:
        raise ValueError(f"Expected a positive weight for your rows, got {weight}.")
    bundled = bundled_corpus(augmented=True)
    mine = set(df["text"].str.strip())
    bundled = bundled[~bundled["text"].str.strip().isin(mine)]  # your label wins
    texts = pd.concat([bundled["text"], df["text"]], ignore_index=True)
    labels = pd.concat([bundled["label"], df["label"]], ignore_index=True)
    weights = np.r_[np.ones(len(bundled)), np.full(len(df), float(weight))]
    return bundled_estimator(**params).fit(texts, labels, sample_weight=weights)
