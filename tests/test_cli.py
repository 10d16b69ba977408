"""The dunning-guard command classifies, trains and evaluates."""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys

import pandas as pd
import pytest

import dunning_guard as dg
from dunning_guard.cli import main

HEADER = (
    "text,label,confidence,margin,relevant,relevance,basis,flag_ids,"
    + ",".join(f"p_{c}" for c in (*dg.LABELS, "unrelated"))
    + ",red_flags"
)


def test_classify_arguments_prints_csv_at_full_precision(capsys, bundled):
    texts = ["【花呗】您本月账单将于明天到期，请按时还款。", "加薇信kf88处理逾期"]
    assert main(["classify", *texts]) == 0
    rows = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert ",".join(rows[0]) == HEADER
    assert [r[1] for r in rows[1:]] == ["reminder", "scam"]
    assert float(rows[1][2]) == bundled.classify(texts[0]).confidence  # not rounded


def test_classify_json_lines(capsys):
    assert main(["classify", "--json", "【花呗】您本月账单将于明天到期"]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["label"] == "reminder"
    assert row["red_flags"] == []
    assert row["advice"]["en"].startswith("This is a repayment reminder")


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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "out.csv"]


def test_classify_file_with_a_wrong_column_says_so(tmp_path, capsys):
    src = tmp_path / "in.csv"
    pd.DataFrame({"body": ["x"]}).to_csv(src, index=False)
    assert (
        main(["classify", "--input", str(src), "--output", str(tmp_path / "o.csv")])
        == 2
    )
    assert "Expected a column 'text'" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["in.csv"]


def test_train_then_evaluate_with_errors(tmp_path, corpus, capsys):
    data = tmp_path / "mine.csv"
    corpus.groupby("label").head(30).to_csv(data, index=False)
    model = tmp_path / "mine.dg"
    assert main(["train", str(data), "--output", str(model), "-q"]) == 0
    assert model.exists()
    assert main(["evaluate", str(data), "--model", str(model), "--errors", "3"]) == 0
    out = capsys.readouterr().out
    assert "precision" in out and "confusion" in out and "misclassified" in out


def test_evaluate_on_the_training_corpus_warns(capsys, tmp_path, messages):
    data = tmp_path / "train.csv"
    messages.head(50).to_csv(data, index=False)
    assert main(["evaluate", str(data)]) == 0
    assert "training data" in capsys.readouterr().err


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
    assert "No CSV file" in capsys.readouterr().err


def test_undecodable_argument_is_classified_and_printed_escaped():
    code = subprocess.run(
        [sys.executable, "-m", "dunning_guard.cli", "classify", "逾期\udcff请还款"],
        capture_output=True,
    )
    assert code.returncode == 0 and b"\\udcff" in code.stdout


def test_version_and_verbose_after_the_subcommand(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"dunning-guard {dg.__version__}"
    assert main(["classify", "账单明天到期", "-v"]) == 0


def test_every_option_has_help_text():
    from dunning_guard.cli import _parser

    parser = _parser()
    (commands,) = [
        a for a in parser._actions if isinstance(a, argparse._SubParsersAction)
    ]
    assert set(commands.choices) == {"classify", "train", "evaluate", "serve"}
    for name, sub in commands.choices.items():
        for action in sub._actions:
            if action.option_strings:
                assert action.help, (name, action.option_strings)


# Every option works in every mode, or is refused in one line.


def _csv_file(path, rows, header=("id", "text")):
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_json_with_an_input_file_writes_json_lines_with_the_row(tmp_path, capsys):
    src = _csv_file(tmp_path / "in.csv", [("7", "加薇信kf88处理逾期")])
    assert main(["classify", "--input", str(src), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["input"] == {"id": "7", "text": "加薇信kf88处理逾期"}
    assert record["label"] == "scam" and record["red_flags"]


def test_a_sender_applies_to_every_row_of_an_input_file(tmp_path, capsys, bundled):
    text = "您的借款已逾期3天，请尽快处理。"
    src = _csv_file(tmp_path / "in.csv", [("1", text)])
    assert main(["classify", "--input", str(src), "--sender", "13800138000"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    expected = bundled.classify(text, sender="13800138000").scores["scam"]
    assert float(rows[0]["dg_p_scam"]) == expected


@pytest.mark.parametrize(
    "args, message",
    [
        (["--sender-column", "from", "x"], "--sender-column names a column of --input"),
        (["--column", "body", "x"], "--column names a column of --input"),
        (["--prefix", "z_", "x"], "--prefix names a column of --input"),
    ],
)
def test_input_file_options_without_an_input_file_are_refused(args, message, capsys):
    assert main(["classify", *args]) == 2
    assert message in capsys.readouterr().err


def test_a_sender_and_a_sender_column_together_are_refused(tmp_path, capsys):
    src = _csv_file(tmp_path / "in.csv", [("1", "x")], header=("from", "text"))
    code = main(
        ["classify", "--input", str(src), "--sender", "1", "--sender-column", "from"]
    )
    assert code == 2 and "not both" in capsys.readouterr().err


def test_an_input_column_named_like_an_output_column_is_refused(tmp_path, capsys):
    src = _csv_file(
        tmp_path / "in.csv", [("scam", "加薇信处理")], header=("dg_label", "text")
    )
    assert main(["classify", "--input", str(src)]) == 2
    assert "already has the column 'dg_label'" in capsys.readouterr().err
    assert main(["classify", "--input", str(src), "--prefix", "model_"]) == 0
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert header[:3] == ["dg_label", "text", "model_label"]


def test_output_encodings_for_excel_and_chinese_windows(tmp_path, capsys):
    for encoding, start in (("utf-8-sig", b"\xef\xbb\xbf"), ("gbk", b"text")):
        out = tmp_path / f"{encoding}.csv"
        args = ["classify", "账单明天到期", "--output", str(out)]
        assert main([*args, "--output-encoding", encoding]) == 0
        data = out.read_bytes()
        assert data.startswith(start)
        assert "账单明天到期" in data.decode(encoding)
    out = tmp_path / "emoji.csv"
    args = [
        "classify",
        "账单明天到期🙂",
        "--output",
        str(out),
        "--output-encoding",
        "gbk",
    ]
    assert main(args) == 2
    assert "cannot write '🙂'" in capsys.readouterr().err and not out.exists()


def test_standard_input_answers_as_lines_arrive():
    process = subprocess.Popen(
        [sys.executable, "-m", "dunning_guard.cli", "classify", "--json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert process.stdin and process.stdout
    process.stdin.write("加薇信kf88处理逾期\n".encode())
    process.stdin.flush()
    first = json.loads(process.stdout.readline())  # before the input ends
    process.stdin.write("明天开会\n".encode())
    process.stdin.close()
    rest = process.stdout.read().decode().splitlines()
    process.stdout.close()
    assert process.wait() == 0
    assert first["label"] == "scam" and len(rest) == 1


def test_evaluate_errors_show_the_probability_of_the_predicted_label(
    tmp_path, capsys, bundled
):
    data = tmp_path / "held.csv"
    text = "【花呗】您本月账单将于明天到期，请按时还款。"
    pd.DataFrame({"text": [text], "label": ["overdue"]}).to_csv(data, index=False)
    assert (
        main(
            [
                "evaluate",
                str(data),
                "--model",
                str(_saved(tmp_path, bundled)),
                "--errors",
                "1",
            ]
        )
        == 0
    )
    line = capsys.readouterr().out.strip().splitlines()[-1]
    confidence = bundled.classify(text).confidence
    assert line.startswith(f"overdue -> reminder (confidence {confidence:.3f})")


def _saved(tmp_path, model):
    path = tmp_path / "m.dg"
    model.save(path)
    return path


def test_review_writes_the_least_certain_verdicts_first(tmp_path, capsys, bundled):
    texts = [
        "【花呗】您本月账单将于明天到期，请按时还款。",
        "在吗",
        "加薇信kf88处理逾期",
        "您好",
        "明天开会",
    ]
    src = _csv_file(tmp_path / "in.csv", [(str(i), t) for i, t in enumerate(texts)])
    assert main(["classify", "--input", str(src), "--review", "2"]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    margins = sorted(bundled.classify(t).margin for t in texts)
    assert [float(r["dg_margin"]) for r in rows] == margins[:2]
    assert main(["classify", "--review", "0", "x"]) == 2
