"""The dunning-guard command classifies, trains and evaluates."""

from __future__ import annotations

import json

import pandas as pd

from dunning_guard.cli import main


def test_classify_arguments_prints_csv(capsys):
    assert (
        main(
            [
                "classify",
                "【花呗】您本月账单将于明天到期，请按时还款。",
                "加薇信kf88处理逾期",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0]
        == "text,label,confidence,relevant,relevance,red_flags,p_reminder,p_overdue,p_legal,p_scam"
    )
    assert out[1].split(",")[1] == "reminder" and out[2].split(",")[1] == "scam"


def test_classify_json_lines(capsys):
    assert main(["classify", "--json", "【花呗】您本月账单将于明天到期"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["label"] == "reminder"
    assert row["red_flags"] == [] and row["advice"]["en"].startswith(
        "This is a repayment reminder"
    )


def test_classify_json_includes_flag_spans_and_sender(capsys):
    text = "请加薇信kf88协商逾期"
    assert main(["classify", "--json", "--sender", "13800138000", text]) == 0
    row = json.loads(capsys.readouterr().out)
    flag = row["red_flags"][0]
    assert flag["id"] == "private_contact"
    assert text[flag["spans"][0][0] : flag["spans"][0][1]] == "加薇信"
    assert {
        "kind": "sender",
        "value": "13800138000",
        "span": [0, 0],
        "detail": "mobile",
    } in row["facts"]


def test_classify_file_streams_in_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr("dunning_guard.cli.CHUNK_ROWS", 3)
    src, dst = tmp_path / "in.csv", tmp_path / "out.csv"
    texts = ["【花呗】您本月账单将于明天到期"] * 4 + ["加薇信kf88处理逾期"] * 3
    pd.DataFrame({"id": range(7), "body": texts}).to_csv(src, index=False)
    assert (
        main(
            ["classify", "--input", str(src), "--column", "body", "--output", str(dst)]
        )
        == 0
    )
    out = pd.read_csv(dst)
    assert out["id"].tolist() == list(range(7))
    assert out["dg_label"].tolist() == ["reminder"] * 4 + ["scam"] * 3
    assert not list(tmp_path.glob(".*partial"))


def test_classify_file_with_a_wrong_column_says_so(tmp_path, capsys):
    src = tmp_path / "in.csv"
    pd.DataFrame({"body": ["x"]}).to_csv(src, index=False)
    assert (
        main(["classify", "--input", str(src), "--output", str(tmp_path / "o.csv")])
        == 2
    )
    assert "Expected a column 'text'" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["in.csv"]


def test_train_then_evaluate(tmp_path, messages, capsys):
    data = tmp_path / "mine.csv"
    messages.groupby("label").head(30).to_csv(data, index=False)
    model = tmp_path / "mine.dg"
    assert main(["train", str(data), "--output", str(model)]) == 0
    assert model.exists()
    assert main(["evaluate", str(data), "--model", str(model)]) == 0
    out = capsys.readouterr().out
    assert "precision" in out and "confusion" in out and "accuracy 1.000" in out


def test_bad_training_data_exits_with_a_clear_error(tmp_path, capsys):
    data = tmp_path / "bad.csv"
    pd.DataFrame({"body": ["x"], "y": ["scam"]}).to_csv(data, index=False)
    assert main(["train", str(data), "--output", str(tmp_path / "m.dg")]) == 2
    assert "Expected columns" in capsys.readouterr().err


def test_missing_input_file_is_a_clear_error(tmp_path, capsys):
    assert (
        main(
            [
                "classify",
                "--input",
                str(tmp_path / "no.csv"),
                "--output",
                str(tmp_path / "o.csv"),
            ]
        )
        == 2
    )
    assert "No such file" in capsys.readouterr().err


def test_non_utf8_input_is_a_clear_error(tmp_path, capsys):
    src = tmp_path / "gbk.csv"
    src.write_bytes("text\n您的账单已逾期\n".encode("gbk"))
    assert (
        main(["classify", "--input", str(src), "--output", str(tmp_path / "o.csv")])
        == 2
    )
    assert "utf-8" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["gbk.csv"]


def test_undecodable_argument_is_classified_and_printed_escaped(capsys):
    assert main(["classify", "逾期\udcff请还款"]) == 0
    assert "\\udcff" in capsys.readouterr().out
