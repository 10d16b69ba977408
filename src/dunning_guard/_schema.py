"""The output record: every field a verdict has, defined once.

`Prediction.to_dict`, `Predictions.to_frame`, the CLI's CSV and JSON lines and the
Spark columns are all derived from `FIELDS`, so every surface uses the same names,
and a new output field is one entry here (plus its test).

A field is in every record (a JSON-ready value); a field with a ``table`` type is
also a column of the tabular surfaces (DataFrame, CSV, Spark). ``scores`` becomes
one ``p_<class>`` column per class, ``flag_ids`` a space-separated string in a
DataFrame or CSV and an array in Spark.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

# A prediction (`_results.Prediction`, one floor up): fields read by attribute.
Prediction = Any

__all__ = [
    "ALIASES",
    "FIELDS",
    "Field",
    "record",
    "table_cells",
    "table_columns",
    "table_fields",
]


@dataclasses.dataclass(frozen=True)
class Field:
    """One output field: its name, what it means, its value in a record, and its
    type in tables (``string``, ``double``, ``boolean``, ``array<string>``,
    ``per_class`` for one double column per class; None: records only)."""

    name: str
    doc: str
    value: Callable[[Prediction], Any]
    table: str | None


FIELDS: tuple[Field, ...] = (
    Field("text", "the message as given", lambda p: p.text, "string"),
    Field(
        "label", "the verdict: a debt label or unrelated", lambda p: p.label, "string"
    ),
    Field(
        "confidence",
        "the probability of the label (after the sender's evidence)",
        lambda p: p.confidence,
        "double",
    ),
    Field(
        "margin",
        "the probability of the label minus the highest other probability; "
        "negative when the label is not the most probable class",
        lambda p: p.margin,
        "double",
    ),
    Field(
        "relevant",
        "False when the label is unrelated",
        lambda p: p.relevant,
        "boolean",
    ),
    Field(
        "relevance",
        "the probability that the message is about a debt or is a scam",
        lambda p: p.relevance,
        "double",
    ),
    Field(
        "basis",
        "what a scam verdict rests on: mechanism (a fraud mechanism was found) or "
        "resemblance (none was); empty for other labels",
        lambda p: p.basis or "",
        "string",
    ),
    Field(
        "flag_ids",
        "the ids of the red flags raised, in FLAGS order",
        lambda p: list(p.flag_ids),
        "array<string>",
    ),
    Field(
        "scores",
        "the probability of each class (p_<class> columns in tables)",
        lambda p: dict(p.scores),
        "per_class",
    ),
    Field(
        "red_flags",
        "each red flag with its descriptions, severity and spans in the text",
        lambda p: [f.to_dict() for f in p.red_flags],
        None,
    ),
    Field(
        "facts",
        "what the message states (signature, amounts, dates, phones, URLs...), with spans",
        lambda p: [f.to_dict() for f in p.facts],
        None,
    ),
    Field(
        "advice",
        "what to do, in Chinese and English",
        lambda p: p.advice.to_dict(),
        None,
    ),
    Field(
        "sender", "the sender given with the message, if any", lambda p: p.sender, None
    ),
)

#: Old column names kept for one release (0.3): old name -> current name. The
#: DataFrame and the CLI's CSV repeat the column under its old name, last.
ALIASES: dict[str, str] = {"red_flags": "flag_ids"}


def record(p: Prediction) -> dict[str, Any]:
    """The JSON-ready record of a prediction: every field."""
    return {f.name: f.value(p) for f in FIELDS}


def table_fields() -> dict[str, str]:
    """The fields that are table columns, in column order, with their table type."""
    return {f.name: f.table for f in FIELDS if f.table}


def _check(fields: Sequence[str] | None) -> list[Field]:
    by_name = {f.name: f for f in FIELDS}
    if fields is None:
        return [f for f in FIELDS if f.table]
    unknown = [n for n in fields if n not in by_name or not by_name[n].table]
    if unknown:
        raise ValueError(
            f"Expected table fields from {', '.join(table_fields())}, got {unknown}."
        )
    return [by_name[n] for n in fields]


def table_columns(
    classes: Sequence[str],
    fields: Sequence[str] | None = None,
    *,
    aliases: bool = False,
) -> list[str]:
    """Column names of `fields` (default: every table field) for a model with
    `classes` (``p_<class>`` for scores)."""
    names: list[str] = []
    chosen = _check(fields)
    for f in chosen:
        names += [f"p_{c}" for c in classes] if f.table == "per_class" else [f.name]
    if aliases:
        present = {f.name for f in chosen}
        names += [old for old, new in ALIASES.items() if new in present]
    return names


def table_cells(
    p: Prediction,
    classes: Sequence[str],
    fields: Sequence[str] | None = None,
    *,
    arrays: bool = False,
    aliases: bool = False,
) -> list[Any]:
    """One row of `table_columns`: arrays as lists with `arrays`, else joined by
    spaces (DataFrame, CSV)."""
    cells: list[Any] = []
    chosen = _check(fields)
    for f in chosen:
        value = f.value(p)
        if f.table == "per_class":
            cells += [value.get(c, 0.0) for c in classes]
        elif f.table == "array<string>" and not arrays:
            cells.append(" ".join(value))
        else:
            cells.append(value)
    if aliases:
        by_name = dict(zip(table_columns(classes, fields), cells))
        present = {f.name for f in chosen}
        cells += [by_name[new] for new in ALIASES.values() if new in present]
    return cells
