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
        match=r"Unknown labels \['spam'\] in rows 1; valid labels are reminder",
    ):
        read_labeled(df)


@pytest.mark.parametrize("bad", [np.nan, None, "", "   ", 3])
def test_missing_or_empty_text_is_refused(bad):
    df = pd.DataFrame(ROWS).astype(object)
    df.loc[4, "text"] = bad
    with pytest.raises(ValueError, match="rows 4 have none"):
        read_labeled(df)


def test_duplicate_rows_are_refused():
    df = pd.concat([pd.DataFrame(ROWS), pd.DataFrame(ROWS).iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match=r"Duplicate messages in rows 6; drop them"):
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
