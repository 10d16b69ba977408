"""Training data is checked up front, with errors that say what to fix."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import dunning_guard as dg
from dunning_guard._data import read_labeled

ROWS = {
    "text": [
        "账单明天到期",
        "账单后天到期",
        "账单今天到期",
        "已逾期三天",
        "已逾期五天",
        "逾期一个月了",
    ],
    "label": ["reminder"] * 3 + ["overdue"] * 3,
}


def test_columns_can_be_mapped():
    df = pd.DataFrame({"body": ROWS["text"], "y": ROWS["label"]})
    assert (
        read_labeled(df, text_col="body", label_col="y")["label"].tolist()
        == ROWS["label"]
    )


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"found \['body', 'y'\]. Pass text_col="):
        read_labeled(pd.DataFrame({"body": ["x"], "y": ["scam"]}))


def test_unknown_labels_are_listed_with_the_valid_ones():
    df = pd.DataFrame(ROWS).assign(label=["reminder", "spam"] + ROWS["label"][2:])
    with pytest.raises(
        ValueError,
        match=r"Unknown labels \['spam'\] in row 1; valid labels are reminder",
    ):
        read_labeled(df)


@pytest.mark.parametrize("bad", [np.nan, None, "", "   ", 3])
def test_missing_or_empty_text_is_refused(bad):
    df = pd.DataFrame(ROWS).astype(object)
    df.loc[4, "text"] = bad
    with pytest.raises(ValueError, match="found none in row 4"):
        read_labeled(df)


def test_duplicate_rows_are_refused():
    df = pd.concat([pd.DataFrame(ROWS), pd.DataFrame(ROWS).iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match=r"Duplicate messages in row 6; drop them"):
        read_labeled(df)


def test_contradictory_labels_are_refused():
    df = pd.DataFrame(ROWS)
    df.loc[6] = ["账单明天到期", "overdue"]
    with pytest.raises(ValueError, match="different labels in rows 0, 6"):
        read_labeled(df)


def test_a_single_class_is_refused():
    with pytest.raises(ValueError, match="at least 2 different labels"):
        dg.train(pd.DataFrame(ROWS).iloc[:3])


def test_a_label_with_too_few_examples_is_refused():
    df = pd.DataFrame(ROWS).iloc[:4]
    with pytest.raises(
        ValueError, match=r"at least 3 messages per label, found \{'overdue': 1\}"
    ):
        dg.train(df)


def test_train_reads_a_csv_path(tmp_path):
    path = tmp_path / "mine.csv"
    pd.DataFrame(ROWS).to_csv(path, index=False)
    model = dg.train(path, min_df=1)
    assert set(model.classes_) == {"reminder", "overdue"}


def test_missing_csv_is_a_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="No CSV file"):
        dg.train(tmp_path / "none.csv")


def test_a_ragged_csv_row_is_refused_with_its_line(tmp_path):
    path = tmp_path / "one_column.csv"
    path.write_text("text\n账单明天到期\n您已逾期3天,请尽快还款\n", encoding="utf-8")
    with pytest.raises(
        ValueError, match=r"one_column.csv, line 3: expected 1 fields.*found 2"
    ):
        read_labeled(path, training=False)


def test_a_categorical_label_with_an_unused_category_trains():
    df = pd.DataFrame(ROWS)
    df["label"] = pd.Categorical(
        df["label"], categories=["reminder", "overdue", "legal"]
    )
    model = dg.train(df, min_df=1)
    assert list(model.classes_) == ["reminder", "overdue"]


def test_texts_equal_up_to_whitespace_with_other_labels_are_contradictory():
    df = pd.DataFrame(ROWS)
    df.loc[6] = ["  账单明天到期 ", "overdue"]
    with pytest.raises(ValueError, match="different labels in rows 0, 6"):
        read_labeled(df)


def test_the_same_column_for_text_and_label_is_refused():
    with pytest.raises(ValueError, match="different columns for text and label"):
        read_labeled(pd.DataFrame(ROWS), text_col="text", label_col="text")


def test_a_gbk_file_names_the_encoding_to_pass(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("text,label\n您的账单已逾期,overdue\n".encode("gbk"))
    with pytest.raises(ValueError, match=r"export.csv, line \d+: not utf-8 text.*gbk"):
        read_labeled(path, training=False)
    df = read_labeled(path, training=False, encoding="gbk")
    assert df["text"].tolist() == ["您的账单已逾期"]


def test_a_byte_order_mark_is_not_part_of_the_header(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("text,label\n账单明天到期,reminder\n".encode("utf-8-sig"))
    assert read_labeled(path, training=False).columns.tolist() == ["text", "label"]


def test_a_huge_field_is_refused_not_read_into_memory(tmp_path):
    from dunning_guard._files import MAX_FIELD_CHARS

    path = tmp_path / "huge.csv"
    path.write_text(
        'text,label\n"' + "逾" * (MAX_FIELD_CHARS + 10) + '",overdue\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="huge.csv, line"):
        read_labeled(path, training=False)


def test_corpus_returns_every_writing_and_the_twins_with_their_sources():
    df = dg.corpus()
    assert {"w1", "w2", "w3", "w4", "tw"} == set(df["source"])
    originals = df["twin_of"] == ""
    assert df["id"].is_unique and (df["group"][originals] == df["id"][originals]).all()
    augmented = dg.corpus(augmented=True)
    assert len(augmented) > 3 * len(df)
    assert set(augmented["group"]) == set(df["group"])
    assert augmented.attrs["sha256"] == df.attrs["sha256"]


def test_errors_in_a_csv_name_its_lines(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text(
        'text,label\n"a message\nover two lines",reminder\nhello,spam\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"Unknown labels \['spam'\] in line 4;"):
        read_labeled(path)


def test_copies_that_differ_by_script_or_hidden_characters_contradict():
    df = pd.DataFrame(
        {
            "text": ["您的帳單已逾期", "您的账单已\u200b逾期", "账单明天到期"] * 1
            + ["已逾期3天", "已逾期5天", "明天到期", "后天到期"],
            "label": [
                "overdue",
                "reminder",
                "reminder",
                "overdue",
                "overdue",
                "reminder",
                "reminder",
            ],
        }
    )
    with pytest.raises(ValueError, match="different labels in rows 0, 1"):
        read_labeled(df)


def test_text_with_nothing_to_read_is_refused_for_training():
    df = pd.DataFrame(
        {
            "text": ["\u200b\u200b", "账单明天到期", "已逾期3天"],
            "label": ["reminder", "reminder", "overdue"],
        }
    )
    with pytest.raises(
        ValueError, match="only invisible characters, symbols or spaces in row 0"
    ):
        read_labeled(df)


def test_duplicate_column_names_are_refused(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("text,label,text\nx,reminder,y\n", encoding="utf-8")
    with pytest.raises(
        ValueError, match="line 1: the header repeats the column 'text'"
    ):
        read_labeled(path)
