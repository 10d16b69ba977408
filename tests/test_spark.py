"""Spark scoring: the same verdicts as `predict`, nulls kept, the model shipped as a file.

Runs Spark in local mode (``local[2]``); skipped where pyspark or Java is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # a JVM and Python workers: CI runs these with test-slow

pytest.importorskip(
    "pyspark", reason="pyspark is not installed: pip install -e '.[test,spark]'"
)


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


if _java() is None:
    pytest.skip(
        "Spark needs Java: no java on PATH and no JAVA_HOME "
        "(apt-get install openjdk-17-jre-headless)",
        allow_module_level=True,
    )

from pyspark import cloudpickle  # noqa: E402
from pyspark.errors import PythonException  # noqa: E402

import dunning_guard as dg  # noqa: E402
from dunning_guard import spark as dg_spark  # noqa: E402
from dunning_guard.spark import classify_column  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EDGE = [
    "",
    " \t\n",
    "【國泰世華銀行】您本期信用卡帳單應繳金額NT$3,200，繳款截止日11/25，請準時繳款。",
    "您的借款已逾期，请立即添加客服薇信 kf8899 处理，否则爆通讯录",
    "逾期" * 3000,  # longer than MAX_CHARS
    "🔥💰⚠️\u200b",
]
ALL_COLUMNS = dg_spark.available_columns()


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as mp:
        # Workers start `python3` from PATH unless told to use this interpreter.
        mp.setenv("PYSPARK_PYTHON", sys.executable)
        session = (
            SparkSession.builder.master("local[2]")
            .appName("dunning_guard tests")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            # Small Arrow batches, so each task scores several.
            .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
            .getOrCreate()
        )
        session.sparkContext.setLogLevel("ERROR")
        yield session
        session.stop()


@pytest.fixture(scope="module")
def texts(messages) -> list[str | None]:
    """A few hundred corpus messages of every label, edge cases, and two nulls."""
    sample = messages.sample(300, random_state=0)["text"].tolist()
    return sample[:150] + [None] + EDGE + sample[150:] + [None]


def frame(spark, texts, n_partitions=4):
    pdf = pd.DataFrame({"id": range(len(texts)), "text": texts})
    return spark.createDataFrame(pdf, "id long, text string").repartition(
        n_partitions, "id"
    )


def collect(df) -> pd.DataFrame:
    """The rows in `id` order (not `toPandas`: under pandas 3 pyspark warns in it)."""
    return pd.DataFrame([r.asDict() for r in df.orderBy("id").collect()])


def two_label_model(messages, labels=("reminder", "overdue")) -> dg.DunningClassifier:
    rows = messages[messages["label"].isin(labels)].groupby("label").head(30)
    return dg.DunningClassifier(min_df=1).fit(rows["text"], rows["label"])


@pytest.mark.parametrize(
    "columns",
    [("label", "confidence", "scores"), ALL_COLUMNS],
    ids=["probabilities", "every-column"],
)
def test_classify_column_equals_predict_on_corpus_messages(
    spark, bundled, texts, columns
):
    scored = collect(classify_column(frame(spark, texts), columns=columns))
    present = [t is not None for t in texts]
    known = [t for t in texts if t is not None]
    got = scored[present]
    classes = [str(c) for c in bundled.classes_]

    assert len(scored) == len(texts)
    assert got["text"].tolist() == known
    assert got["label"].tolist() == list(bundled.predict(known))
    assert set(dg.LABELS) <= set(got["label"])  # the sample covers every label
    proba = got[[f"p_{c}" for c in classes]].to_numpy()
    np.testing.assert_allclose(proba, bundled.predict_proba(known), rtol=0, atol=1e-12)
    picked = proba[np.arange(len(proba)), [classes.index(c) for c in got["label"]]]
    np.testing.assert_allclose(got["confidence"], picked, rtol=0, atol=1e-12)
    assert scored[~np.array(present)].drop(columns=["id", "text"]).isna().all().all()
    if "relevance" not in columns:
        assert "relevance" not in scored.columns
        return
    np.testing.assert_allclose(
        got["relevance"], bundled.predict_relevance(known), rtol=0, atol=1e-12
    )
    expected = bundled.classify_many(known)
    assert got["relevant"].tolist() == [p.relevant for p in expected]
    assert [tuple(f) for f in got["flag_ids"]] == [p.flag_ids for p in expected]


def test_null_text_gets_null_in_every_new_column(spark, bundled, texts):
    rows = (
        classify_column(frame(spark, [None, "", None]), columns=ALL_COLUMNS)
        .orderBy("id")
        .collect()
    )
    new = [c for c in rows[0].asDict() if c not in ("id", "text")]
    assert new == [
        "label",
        "confidence",
        "margin",
        "relevant",
        "relevance",
        "basis",
        "flag_ids",
        *(f"p_{c}" for c in bundled.classes_),
    ]
    for row in (rows[0], rows[2]):
        assert row["text"] is None
        assert all(row[c] is None for c in new), row
    empty = bundled.classify("")  # empty text gets the model's verdict: unrelated
    assert rows[1]["label"] == empty.label
    assert rows[1]["relevant"] is empty.relevant is False
    assert rows[1]["relevance"] == pytest.approx(empty.relevance, abs=1e-12)


def test_default_columns_follow_model_classes(spark, bundled):
    df = frame(spark, ["账单明天到期"])
    added = classify_column(df).columns[len(df.columns) :]
    assert added == ["label", "confidence", "relevance"] + [
        f"p_{c}" for c in bundled.classes_
    ]
    chosen = classify_column(
        df.withColumnRenamed("text", "msg.body"),
        text_col="msg.body",
        columns=["flag_ids", "label", "flag_ids"],
    )
    assert chosen.columns == ["id", "msg.body", "flag_ids", "label"]
    assert chosen.schema["flag_ids"].dataType.simpleString() == "array<string>"
    assert chosen.first()["label"] == "reminder"


def test_model_retrained_and_saved_on_the_driver_is_used(spark, messages, tmp_path):
    path = tmp_path / "mine.dg"
    texts = messages["text"].iloc[::40].tolist()
    first = two_label_model(messages)
    first.save(path)
    scored = collect(classify_column(frame(spark, texts), model=path))
    assert [c for c in scored.columns if c.startswith("p_")] == [
        "p_reminder",
        "p_overdue",
    ]
    assert scored["label"].tolist() == list(first.predict(texts))
    np.testing.assert_allclose(
        scored[["p_reminder", "p_overdue"]], first.predict_proba(texts), atol=1e-12
    )

    # Saved again at the same path, a different model must reach the executors.
    second = two_label_model(messages, ("legal", "scam", "reminder"))
    second.save(path)
    again = collect(classify_column(frame(spark, texts), model=str(path)))
    assert [c for c in again.columns if c.startswith("p_")] == [
        "p_reminder",
        "p_legal",
        "p_scam",
    ]
    assert again["label"].tolist() == list(second.predict(texts))


def test_each_worker_process_loads_the_model_once(spark, messages, tmp_path):
    path = tmp_path / "once.dg"
    two_label_model(messages).save(path)  # a model no worker has loaded yet
    sha256 = dg_spark._sha256(path)
    texts = messages["text"].iloc[:600].tolist()
    # 8 tasks of 75 rows in 64-row batches: 16 batches on at most 2 workers.
    n = classify_column(frame(spark, texts, 8), model=path).filter("label IS NOT NULL")
    assert n.count() == 600

    def held(batches):
        from dunning_guard import spark as module

        for _ in batches:
            models = [id(m) for (_, h), m in module._MODELS.items() if h == sha256]
            yield pd.DataFrame({"pid": [os.getpid()], "model": [*models, -1][:1]})

    # Each worker still holds the model it loaded for the scoring job: one object
    # per worker, however many batches and tasks it ran.
    report = spark.range(0, 8, numPartitions=8).mapInPandas(
        held, "pid long, model long"
    )
    held_by = pd.DataFrame(report.collect())
    assert (held_by[1] != -1).any()  # the workers that scored hold the model
    per_worker = held_by.groupby(0)[1].nunique()
    assert per_worker.max() == 1, per_worker
    assert 1 <= len(per_worker) <= 2  # local[2]: two Python workers, reused


def test_tasks_carry_the_file_name_and_hash_not_the_estimator(bundled):
    staged, sha256 = dg_spark._stage(None)
    udf = dg_spark._udf(staged.name, sha256, ("label",), ("legal", "scam"))
    payload = cloudpickle.dumps(udf)
    assert len(payload) < 5_000 < staged.stat().st_size
    assert b"DunningClassifier" not in payload and sha256.encode() in payload


def test_input_errors_say_what_to_do(spark, bundled, tmp_path):
    df = frame(spark, ["账单明天到期"])
    with pytest.raises(ValueError, match="Expected a column 'body'.*pass text_col="):
        classify_column(df, text_col="body")
    with pytest.raises(TypeError, match="hold strings, found bigint; cast it"):
        classify_column(df, text_col="id")
    with pytest.raises(ValueError, match=r"already has \['label'\]; rename"):
        classify_column(df.withColumnRenamed("id", "label"))
    with pytest.raises(
        ValueError, match="Expected columns from label, .*got \\['p'\\]"
    ):
        classify_column(df, columns=["p"])
    with pytest.raises(TypeError, match="Save it first with model.save"):
        classify_column(df, model=bundled)
    with pytest.raises(FileNotFoundError, match="No model file"):
        classify_column(df, model=tmp_path / "missing.dg")


def test_readme_spark_example_runs(spark):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Scoring a Spark table", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)[1]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    rows = namespace["scored"].orderBy("id").collect()
    assert [r["label"] for r in rows] == ["reminder", "scam", rows[2]["label"], None]
    assert rows[2]["label"] == "unrelated" and rows[2]["relevance"] == 0.0


# Last: the worker that raises is not reused, and a new one loads the model afresh.
def test_executor_refuses_a_model_file_whose_hash_differs(spark):
    from pyspark.sql import functions as F

    staged, _ = dg_spark._stage(None)
    dg_spark._ship(spark.sparkContext, staged)
    wrong = dg_spark._udf(staged.name, "0" * 64, ("label",), ())
    udf = F.pandas_udf(wrong, dg_spark._output_schema(("label",), ()))
    with pytest.raises(PythonException, match="to have SHA-256 0000"):
        frame(spark, ["账单明天到期"], 1).select(udf("text")).collect()


def test_a_process_loads_a_model_file_once(monkeypatch):
    staged, sha256 = dg_spark._stage(None)
    loads = []
    monkeypatch.setattr(dg_spark, "_MODELS", {})
    monkeypatch.setattr(dg_spark, "load", lambda path: loads.append(path) or object())
    first = dg_spark._load_checked(str(staged), sha256)
    assert dg_spark._load_checked(str(staged), sha256) is first
    assert loads == [str(staged)]
