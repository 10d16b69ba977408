"""Reading and checking labeled data (DataFrames or CSV files)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from os import PathLike
from pathlib import Path

import pandas as pd

from ._model import LABELS, UNRELATED

__all__ = ["MIN_PER_LABEL", "data_hash", "read_labeled"]

#: A label needs at least this many messages to be learned.
MIN_PER_LABEL = 3


def _rows(mask: pd.Series, limit: int = 5) -> str:
    rows = [str(i) for i in mask[mask].index[:limit]]
    more = int(mask.sum()) - len(rows)
    return ", ".join(rows) + (f" and {more} more" if more > 0 else "")


def read_labeled(
    data: pd.DataFrame | str | PathLike[str],
    *,
    text_col: str = "text",
    label_col: str = "label",
    labels: Iterable[str] = (*LABELS, UNRELATED),
    training: bool = True,
) -> pd.DataFrame:
    """Return `data` as a checked DataFrame with ``text`` and ``label`` columns.

    `data` is a DataFrame or the path of a UTF-8 CSV file. Other columns (such as
    ``group``) are kept. Labels are the four of `LABELS` and ``unrelated``
    (for messages that are neither about a debt nor a scam). Raises `ValueError` on missing columns, empty or
    non-text messages and unknown labels; with `training` also on duplicate or
    contradictory rows, fewer than 2 labels or a label with too few messages.

    Examples
    --------
    >>> df = pd.DataFrame({"body": ["账单明天到期", "已逾期3天"], "y": ["reminder", "overdue"]})
    >>> read_labeled(df, text_col="body", label_col="y", training=False).columns.tolist()
    ['text', 'label']
    """
    if isinstance(data, (str, PathLike)):
        if not Path(data).is_file():
            raise FileNotFoundError(f"No CSV file at {data}.")
        data = pd.read_csv(data, dtype=str, keep_default_na=False, encoding="utf-8")
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"Expected a DataFrame or a CSV path, got {type(data).__name__}."
        )
    missing = {text_col, label_col} - set(data.columns)
    if missing:
        raise ValueError(
            f"Expected columns {{{text_col!r}, {label_col!r}}}, found {list(data.columns)}. "
            "Pass text_col= / label_col= to map them."
        )
    df = data.rename(columns={text_col: "text", label_col: "label"})
    df = df.loc[
        :, ["text", "label"] + [c for c in df.columns if c not in ("text", "label")]
    ]
    not_text = ~df["text"].map(lambda t: isinstance(t, str) and bool(t.strip()))
    if not_text.any():
        raise ValueError(
            f"Expected a non-empty message in every row, rows {_rows(not_text)} have none "
            "(NaN, empty or not text); drop or fill them."
        )
    valid = tuple(labels)
    unknown = ~df["label"].isin(valid)
    if unknown.any():
        bad = sorted(map(str, df.loc[unknown, "label"].unique()))
        raise ValueError(
            f"Unknown labels {bad} in rows {_rows(unknown)}; valid labels are {', '.join(valid)}."
        )
    if not training:
        return df.reset_index(drop=True)
    dup = df.duplicated(["text", "label"])
    if dup.any():
        raise ValueError(
            f"Duplicate messages in rows {_rows(dup)}; drop them (df.drop_duplicates()) so "
            "they do not count twice."
        )
    clash = df.duplicated("text", keep=False)
    if clash.any():
        raise ValueError(
            f"The same message has different labels in rows {_rows(clash)}; fix the labels."
        )
    counts = df["label"].value_counts()
    if len(counts) < 2:
        raise ValueError(
            f"Expected at least 2 different labels, found only {list(counts.index)}."
        )
    rare = counts[counts < MIN_PER_LABEL]
    if len(rare):
        raise ValueError(
            f"Expected at least {MIN_PER_LABEL} messages per label, found "
            f"{ {k: int(v) for k, v in rare.items()} }; add examples or drop the label."
        )
    return df.reset_index(drop=True)


def data_hash(paths: Iterable[str | PathLike[str]]) -> str:
    """SHA-256 over the bytes of `paths`, in the given order (the model card's data hash)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).name.encode() + b"\0")
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()
