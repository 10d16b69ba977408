"""Reading and checking labeled data (DataFrames or CSV files), and the corpus."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from importlib import resources
from os import PathLike
from pathlib import Path

import pandas as pd

from ._files import read_csv_frame
from ._normalize import clean
from ._vocab import LABELS, OUTCOMES

__all__ = [
    "CORPUS_FILES",
    "MIN_PER_LABEL",
    "bundled_corpus",
    "data_hash",
    "read_labeled",
]

#: A label needs at least this many messages to be learned.
MIN_PER_LABEL = 3
#: The corpus files, in the order the data hash reads them.
CORPUS_FILES = (
    "messages.csv",
    "unrelated.csv",
    "templates.csv",
    "formats.csv",
    "registers.csv",
    "twins.csv",
)


def _where(mask: pd.Series, lines: list[int] | None, limit: int = 5) -> str:
    """Rows named as a user finds them: file lines for a CSV, index labels for a
    DataFrame."""
    hits = list(mask[mask].index[:limit])
    if lines is not None:
        named = [str(lines[i]) for i in hits]
        prefix = "line " if int(mask.sum()) == 1 else "lines "
    else:
        named = [str(i) for i in hits]
        prefix = "row " if int(mask.sum()) == 1 else "rows "
    more = int(mask.sum()) - len(named)
    return prefix + ", ".join(named) + (f" and {more} more" if more > 0 else "")


def read_labeled(
    data: pd.DataFrame | str | PathLike[str],
    *,
    text_col: str = "text",
    label_col: str = "label",
    labels: Iterable[str] = OUTCOMES,
    training: bool = True,
    encoding: str = "utf-8",
) -> pd.DataFrame:
    """Return `data` as a checked DataFrame with ``text`` and ``label`` columns.

    `data` is a DataFrame or the path of a CSV file (read strictly: a row with
    more or fewer fields than the header is an error, never a truncated text).
    Other columns (such as ``group``) are kept. Labels are the four of `LABELS`
    and ``unrelated``. Raises `ValueError` on missing columns, empty or non-text
    messages and unknown labels; with `training` also on text with nothing to read
    once normalized (only invisible characters or symbols), duplicate rows (equal
    up to surrounding whitespace), contradictory rows (texts equal once script,
    width, invisible characters and obfuscation are normalized, with different
    labels), fewer than 2 labels or a label with too few messages. Errors name
    file lines for a CSV, index labels for a DataFrame.

    Examples
    --------
    >>> df = pd.DataFrame({"body": ["账单明天到期", "已逾期3天"], "y": ["reminder", "overdue"]})
    >>> read_labeled(df, text_col="body", label_col="y", training=False).columns.tolist()
    ['text', 'label']
    """
    if text_col == label_col:
        raise ValueError(
            f"Expected different columns for text and label, got {text_col!r} for both."
        )
    lines = None
    if isinstance(data, (str, PathLike)):
        frame = read_csv_frame(data, encoding)
        lines = frame.attrs.get("lines")
        data = frame
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"Expected a DataFrame or a CSV path, got {type(data).__name__}."
        )
    missing = [c for c in (text_col, label_col) if c not in data.columns]
    if missing:
        raise ValueError(
            f"Expected columns {{{text_col!r}, {label_col!r}}}, found {list(data.columns)}. "
            "Pass text_col= / label_col= to map them."
        )
    if data.columns.duplicated().any():
        twice = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
        raise ValueError(
            f"Expected each column name once, found {twice} more than once; "
            "rename the columns."
        )
    others = [c for c in data.columns if c not in (text_col, label_col)]
    df = data.loc[:, [text_col, label_col, *others]].copy()
    if lines is not None:
        df.index = pd.RangeIndex(len(df))
    df.columns = ["text", "label", *others]
    # Categories a column declares but no row uses are not labels to learn.
    df["label"] = df["label"].astype(object)
    not_text = ~df["text"].map(lambda t: isinstance(t, str) and bool(t.strip()))
    if not_text.any():
        raise ValueError(
            f"Expected a non-empty message in every row, found none in "
            f"{_where(not_text, lines)} (NaN, empty or not text); drop or fill them."
        )
    valid = tuple(labels)
    unknown = ~df["label"].isin(valid)
    if unknown.any():
        bad = sorted(map(str, df.loc[unknown, "label"].unique()))
        raise ValueError(
            f"Unknown labels {bad} in {_where(unknown, lines)}; valid labels are {', '.join(valid)}."
        )
    if not training:
        return df.reset_index(drop=True)
    # What the model reads: a text of invisible characters or symbols only is
    # empty, and copies that differ by script, width or hidden characters are one
    # message (so two labels for them contradict each other).
    cleaned = df["text"].map(clean)
    blank = cleaned == ""
    if blank.any():
        raise ValueError(
            f"Expected a message with something to read in every row, found only "
            f"invisible characters, symbols or spaces in {_where(blank, lines)}; "
            "drop them."
        )
    key = df["text"].str.strip()
    dup = pd.Series(
        pd.DataFrame({"t": key, "l": df["label"]}).duplicated().to_numpy(),
        index=df.index,
    )
    if dup.any():
        raise ValueError(
            f"Duplicate messages in {_where(dup, lines)}; drop them (df.drop_duplicates()) so "
            "they do not count twice."
        )
    clash = df.groupby(cleaned.to_numpy())["label"].transform("nunique") > 1
    if clash.any():
        raise ValueError(
            f"The same message has different labels in {_where(clash, lines)}; fix the labels."
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


def corpus_dir() -> Path:
    """Where the corpus CSV files are: inside the installed package, or the
    checkout's ``datasets/`` for an editable install (which cannot carry them)."""
    packaged = resources.files("dunning_guard").joinpath("corpus")
    if packaged.joinpath(CORPUS_FILES[0]).is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "datasets"
    if (checkout / CORPUS_FILES[0]).is_file():
        return checkout
    raise FileNotFoundError(
        "The bundled corpus is missing from this installation; reinstall dunning_guard."
    )


def bundled_corpus(*, augmented: bool = False) -> pd.DataFrame:
    """The bundled corpus (all writings), optionally with its seeded variants;
    ``df.attrs["sha256"]`` is the hash of its files (the model card's data hash)."""
    root = corpus_dir()
    paths = [root / name for name in CORPUS_FILES]
    df = pd.concat([read_csv_frame(p) for p in paths], ignore_index=True)
    # Only twins name their original; every other row has an empty `twin_of`.
    df["twin_of"] = df["twin_of"].fillna("")
    df.attrs = {"sha256": data_hash(paths)}
    if not augmented:
        return df
    from ._augment import augment

    # Unrelated messages get script and refill variants, not obfuscated ones:
    # obfuscation is a scammer's habit, not something ordinary senders do.
    out = augment(df, seed=0, obfuscate_labels=LABELS)
    out.attrs = dict(df.attrs)
    return out


def data_hash(paths: Iterable[str | PathLike[str]]) -> str:
    """SHA-256 over the bytes of `paths`, in the given order (the model card's data hash)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).name.encode() + b"\0")
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()
