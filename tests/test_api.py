"""Retraining on top of the bundled corpus: a team's own rows count more."""

from __future__ import annotations

import pandas as pd
import pytest

import dunning_guard as dg

# Messages of an imaginary lender whose reminders end in an unusual tail.
MINE = pd.DataFrame(
    {
        "text": [
            f"【青禾分期】第{i}期账款已生成，请于本月{i + 5}日前处理。青禾提示"
            for i in range(1, 13)
        ]
        + [
            f"【青禾分期】第{i}期账款已过期{i}日，请尽快处理。青禾提示"
            for i in range(1, 13)
        ],
        "label": ["reminder"] * 12 + ["overdue"] * 12,
    }
)


@pytest.mark.slow
def test_train_on_top_of_the_bundled_corpus_learns_both():
    model = dg.train(MINE, base="bundled", weight=5.0)
    assert list(model.classes_) == [*dg.LABELS, "unrelated"]
    assert list(model.predict(MINE["text"])) == MINE["label"].tolist()
    assert (
        model.predict(["【花呗】您的账单已逾期3天，请尽快还款，逾期将产生罚息。"])[0]
        == "overdue"
    )
    assert model.predict(["今晚一起吃饭吗"])[0] == "unrelated"


def test_train_base_must_be_known_and_weight_positive():
    with pytest.raises(ValueError, match="base='bundled' or None"):
        dg.train(MINE, base="mine")
    with pytest.raises(ValueError, match="positive weight"):
        dg.train(MINE, base="bundled", weight=0)
