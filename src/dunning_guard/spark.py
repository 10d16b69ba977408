"""Score a text column of a Spark DataFrame on the executors.

`classify_column` adds ``label``, ``confidence``, ``relevance`` and one
``p_<label>`` column per class of the model (optionally ``margin``, ``relevant``
and ``flag_ids``) to a Spark DataFrame: the table columns of the one output
schema (`dunning_guard._schema`), with the same names and values as
``Predictions.to_frame`` and the CLI. Needs the ``spark`` extra
(``pip install "dunning-guard[spark]"``) and a classic Spark session, one with a
`SparkContext` (not Spark Connect).

How the model reaches the executors: the driver copies the model file to a
name made of its SHA-256, ships it with `SparkContext.addFile` and sends each
task only that name and hash, never a pickled estimator. Each Python worker
process checks the hash of its copy, loads the model once and keeps it for
every later batch and task (a dict keyed by path and hash, behind a lock).
Each Arrow batch goes through ``classify_many``, the one scoring path, so the
columns equal ``predict``, ``predict_proba`` and ``predict_relevance`` on the
same texts.

Training stays on one machine: `train` fits on the driver. To score with a
retrained model, save it there and pass the path.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ._model import Model
from ._persist import bundled_path, load
from ._schema import table_cells, table_columns, table_fields

if TYPE_CHECKING:
    from pyspark import SparkContext
    from pyspark.sql import DataFrame
    from pyspark.sql.types import StructType

__all__ = ["classify_column"]

#: What `classify_column` adds by default; it can add any table field of the
#: output schema but the text (`available_columns`): ``"scores"`` is one ``p_<label>``
#: column per class.
DEFAULT_COLUMNS = ("label", "confidence", "relevance", "scores")


def available_columns() -> tuple[str, ...]:
    """The columns `classify_column` can add, in schema order."""
    return tuple(f for f in table_fields() if f != "text")


# The scores travel in one struct column under this name, then become columns.
_STRUCT = "__dunning_guard__"

# Per process (each Python worker, and the driver): models by (local path, SHA-256).
# Model files are named by their hash, so an entry never goes stale.
_MODELS: dict[tuple[str, str], Model] = {}
_LOCK = threading.Lock()


def classify_column(
    df: DataFrame,
    text_col: str = "text",
    model: str | PathLike[str] | None = None,
    columns: Iterable[str] = DEFAULT_COLUMNS,
) -> DataFrame:
    """Return `df` with the model's verdict on `text_col` as new columns.

    Every row is kept, in order. A null text gets null in every new column (no
    verdict on a missing message); to score nulls as empty text, fill them first
    with ``df.fillna({"text": ""})``. Empty text gets what
    `predict` gives it: ``unrelated``, with relevance 0.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        The table to score; it must not already have a column named like one of
        the new ones.
    text_col : str
        The string column holding the messages.
    model : str, path-like or None
        Path of a model file saved with ``model.save(path)``; None uses the
        bundled model. The driver loads it once to read ``classes_``; the file,
        not the estimator, goes to the executors.
    columns : iterable of str
        What to add, from ``"label"`` (str), ``"confidence"`` (the probability of
        the label), ``"margin"`` (its lead over the next class), ``"relevant"``
        (bool: the label is not ``unrelated``), ``"relevance"`` (float),
        ``"flag_ids"`` (array of red-flag ids) and ``"scores"`` (one ``p_<label>``
        float column per class in ``model.classes_``).

    Returns
    -------
    pyspark.sql.DataFrame
        The columns of `df`, then the new ones in the order of `columns`.

    Examples
    --------
    Doctest skips these lines (they start a JVM); ``tests/test_spark.py`` runs the
    README's example.

    >>> from pyspark.sql import SparkSession  # doctest: +SKIP
    >>> spark = SparkSession.builder.master("local[2]").getOrCreate()  # doctest: +SKIP
    >>> df = spark.createDataFrame([("账单明天到期",)], "text string")  # doctest: +SKIP
    >>> classify_column(df).select("label").first()[0]  # doctest: +SKIP
    'reminder'
    """
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    kinds = _check_columns(columns)
    if text_col not in df.columns:
        raise ValueError(
            f"Expected a column {text_col!r} in the DataFrame, found {df.columns}; "
            "pass text_col= to name the text column."
        )
    found = df.schema[text_col].dataType
    if not isinstance(found, StringType):
        raise TypeError(
            f"Expected column {text_col!r} to hold strings, found "
            f"{found.simpleString()}; cast it first, e.g. "
            f"df.withColumn({text_col!r}, df[{text_col!r}].cast('string'))."
        )
    staged, sha256 = _stage(model)
    classes = tuple(str(c) for c in _load_checked(str(staged), sha256).classes_)
    schema = _output_schema(kinds, classes)
    clash = sorted(set(df.columns) & {*schema.names, _STRUCT})
    if clash:
        raise ValueError(
            f"Expected new column names, the DataFrame already has {clash}; rename "
            "or drop them first, e.g. df.withColumnRenamed('label', 'true_label')."
        )
    _ship(df.sparkSession.sparkContext, staged)
    udf = _udf(staged.name, sha256, kinds, classes)
    score = F.pandas_udf(udf, schema)  # type: ignore[call-overload]  # stubs lack struct
    quoted = "`" + text_col.replace("`", "``") + "`"  # a name with dots is one column
    return (
        df.select("*", score(F.col(quoted)).alias(_STRUCT))
        .select("*", *(F.col(_STRUCT)[n].alias(n) for n in schema.names))
        .drop(_STRUCT)
    )


def _check_columns(columns: Iterable[str]) -> tuple[str, ...]:
    if isinstance(columns, str):
        columns = (columns,)
    kinds = tuple(dict.fromkeys(columns))
    unknown = [c for c in kinds if c not in available_columns()]
    if unknown or not kinds:
        raise ValueError(
            f"Expected columns from {', '.join(available_columns())}, got "
            f"{list(kinds)}; the default is {DEFAULT_COLUMNS}."
        )
    return kinds


def _output_schema(kinds: tuple[str, ...], classes: tuple[str, ...]) -> StructType:
    from pyspark.sql.types import (
        ArrayType,
        BooleanType,
        DoubleType,
        StringType,
        StructField,
        StructType,
    )

    types = {
        "string": StringType(),
        "double": DoubleType(),
        "boolean": BooleanType(),
        "array<string>": ArrayType(StringType(), containsNull=False),
        "per_class": DoubleType(),
    }
    table = table_fields()
    fields = []
    for kind in kinds:
        names = table_columns(classes, [kind])
        fields += [StructField(n, types[table[kind]]) for n in names]
    return StructType(fields)


def _sha256(path: str | PathLike[str]) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def _staging_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="dunning_guard-spark-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _stage(model: str | PathLike[str] | None) -> tuple[Path, str]:
    """Copy the model file to a name made of its hash; return the copy and the hash.

    `addFile` refuses a second file of the same name and never refreshes one it
    has: a name per content lets a model re-saved at the same path, or two
    models both called ``model.dg``, reach the executors as themselves.
    """
    if model is None:
        return _stage_file(bundled_path())
    if not isinstance(model, (str, PathLike)):
        hint = (
            " Save it first with model.save(path) and pass the path."
            if hasattr(model, "save")
            else ""
        )
        raise TypeError(
            "Expected model= to be the path of a saved model file or None, got "
            f"{type(model).__name__}.{hint}"
        )
    if not Path(model).is_file():
        raise FileNotFoundError(f"No model file at {model}.")
    return _stage_file(Path(model))


def _stage_file(path: Path) -> tuple[Path, str]:
    directory = _staging_dir()
    fd, tmp = tempfile.mkstemp(suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        shutil.copyfile(path, tmp)
        sha256 = _sha256(tmp)  # of the bytes shipped, whatever `path` does next
        staged = directory / f"dunning_guard-{sha256[:16]}.model"
        os.replace(tmp, staged)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return staged, sha256


def _ship(sc: SparkContext, staged: Path) -> None:
    """Add the staged model file to the context, once (Spark warns on a second add)."""
    if not any(f.endswith("/" + staged.name) for f in sc.listFiles):
        sc.addFile(str(staged))


def _load_checked(path: str, sha256: str) -> Model:
    """The model at `path`, loaded once per process after its hash is checked."""
    key = (path, sha256)
    with _LOCK:
        model = _MODELS.get(key)
        if model is None:
            found = _sha256(path)
            if found != sha256:
                raise ValueError(
                    f"Expected the model file {path} to have SHA-256 {sha256}, found "
                    f"{found}: the copy on this executor is damaged or was replaced; "
                    "restart the Spark application so that executors fetch it again."
                )
            model = _MODELS[key] = load(path)
    return model


def _udf(
    name: str, sha256: str, kinds: tuple[str, ...], classes: tuple[str, ...]
) -> Callable[[pd.Series], pd.DataFrame]:
    # A closure over strings only: cloudpickle sends the module-level functions
    # by reference, so each worker uses its own module's model cache.
    def score(texts: pd.Series) -> pd.DataFrame:
        return _score_batch(texts, name, sha256, kinds, classes)

    return score


def _score_batch(
    texts: pd.Series,
    name: str,
    sha256: str,
    kinds: tuple[str, ...],
    classes: tuple[str, ...],
) -> pd.DataFrame:
    """Score one Arrow batch on an executor; nulls get null in every column."""
    from pyspark import SparkFiles

    model = _load_checked(SparkFiles.get(name), sha256)
    present = texts.notna().to_numpy()
    names = table_columns(classes, kinds)
    rows = [
        table_cells(p, classes, kinds, arrays=True)
        for p in model.classify_many(texts[present])
    ]
    at = np.flatnonzero(present)
    out: dict[str, np.ndarray] = {}
    for j, field in enumerate(names):
        values = [row[j] for row in rows]
        if values and isinstance(values[0], float):
            out[field] = np.full(len(texts), np.nan)  # Arrow sends NaN as null
            out[field][at] = values
        else:
            # None, not NaN: pyspark converts array values with list().
            out[field] = np.full(len(texts), None, dtype=object)
            for i, value in zip(at, values):
                out[field][i] = value
    return pd.DataFrame(out, index=texts.index)
