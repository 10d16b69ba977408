"""One output schema: the record, the DataFrame, the CLI's CSV and JSON and the
Spark columns all come from `_schema.FIELDS`, so a new field is one entry there."""

from __future__ import annotations

import contextlib
import csv
import io
import json

import pytest

import dunning_guard as dg
from dunning_guard import _schema
from dunning_guard.cli import main

TEXT = "您的借款已逾期，请立即添加客服薇信 kf8899 处理"


def _cli(*args: str) -> str:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["classify", *args]) == 0
    return out.getvalue()


def test_every_surface_uses_the_schema_names(bundled):
    classes = list(bundled.classes_)
    p = bundled.classify(TEXT)
    assert list(p.to_dict()) == [f.name for f in _schema.FIELDS]
    frame = bundled.classify_many([TEXT]).to_frame()
    columns = _schema.table_columns(classes, aliases=True)
    assert list(frame.columns) == columns
    header = next(csv.reader(io.StringIO(_cli(TEXT))))
    assert header == columns
    assert list(json.loads(_cli("--json", TEXT))) == list(p.to_dict())
    assert frame["flag_ids"][0] == " ".join(p.flag_ids) == "private_contact"


def test_spark_columns_come_from_the_schema(bundled):
    spark = pytest.importorskip("dunning_guard.spark")
    assert spark.available_columns() == tuple(
        f for f in _schema.table_fields() if f != "text"
    )
    assert _schema.table_fields()["scores"] == "per_class"
    schema = spark._output_schema(spark.available_columns(), tuple(bundled.classes_))
    expected = _schema.table_columns(list(bundled.classes_))[1:]  # all but the text
    assert schema.names == expected
    types = dict((f.name, f.dataType.simpleString()) for f in schema.fields)
    assert types["flag_ids"] == "array<string>" and types["relevant"] == "boolean"


def test_a_new_field_reaches_every_surface(bundled, monkeypatch, tmp_path):
    length = _schema.Field(
        "length", "characters in the text", lambda p: len(p.text), "double"
    )
    monkeypatch.setattr(_schema, "FIELDS", (*_schema.FIELDS, length))
    p = bundled.classify(TEXT)
    assert p.to_dict()["length"] == len(TEXT)
    assert bundled.classify_many([TEXT]).to_frame()["length"][0] == len(TEXT)
    header = next(csv.reader(io.StringIO(_cli(TEXT))))
    assert "length" in header
    assert json.loads(_cli("--json", TEXT))["length"] == len(TEXT)
    src = tmp_path / "in.csv"
    src.write_text(f"text\n{TEXT}\n", encoding="utf-8")
    header = next(csv.reader(io.StringIO(_cli("--input", str(src)))))
    assert "dg_length" in header
    spark = pytest.importorskip("dunning_guard.spark")
    assert "length" in spark.available_columns()
    names = spark._output_schema(("length",), tuple(bundled.classes_)).names
    assert names == ["length"]


def test_old_column_name_is_an_alias_for_one_release(bundled):
    frame = bundled.classify_many([TEXT]).to_frame()
    assert _schema.ALIASES == {"red_flags": "flag_ids"}
    assert frame["red_flags"].equals(frame["flag_ids"])
    assert list(frame.columns)[-1] == "red_flags"


def test_table_fields_are_refused_by_name():
    with pytest.raises(ValueError, match="Expected table fields from text, label"):
        _schema.table_columns(["scam"], ["advice"])
    assert dg.Prediction("x", "scam", {"scam": 1.0}).to_dict()["flag_ids"] == []
