"""`unrelated` is an outcome: messages outside the scope say so, everywhere."""

from __future__ import annotations

import pandas as pd
import pytest

import dunning_guard as dg
from dunning_guard.cli import main

UNRELATED = [
    "【顺丰速运】您的快件已到达驿站，取件码8-2-1031，请于今日20点前取件。",
    "【美团】您的验证码为482913，5分钟内有效，请勿泄露给他人。",
    "周六晚上一起吃火锅吗？老地方，七点见",
    "【中国移动】您本月套餐剩余流量2.1GB，回复CXLL查询详情。",
    "明天上午10点开会",
]
RELEVANT = [
    "【花呗】您本月账单1,205元将于明天到期，请按时还款。",
    "您的借款已逾期，请立即添加客服微信 kf8899 处理，否则上报征信",
    "【顺丰理赔】您的快件丢失，请添加理赔专员微信 sf-lp01 领取三倍赔偿",  # a scam, not a debt
]


def test_unrelated_messages_are_labeled_unrelated_everywhere(bundled):
    assert list(bundled.predict(UNRELATED)) == ["unrelated"] * len(UNRELATED)
    batch = bundled.classify_many(UNRELATED)
    assert [p.label for p in batch] == ["unrelated"] * len(UNRELATED)
    assert (batch.to_frame()["label"] == "unrelated").all()
    assert dg.classify(UNRELATED[0]).label == "unrelated"
    assert all(not p.relevant and p.relevance < 0.5 for p in batch)


def test_debt_messages_and_scams_are_relevant(bundled):
    labels = [p.label for p in bundled.classify_many(RELEVANT)]
    assert labels == ["reminder", "scam", "scam"]


def test_the_cli_reports_unrelated(capsys):
    assert main(["classify", UNRELATED[4]]) == 0
    assert capsys.readouterr().out.splitlines()[1].split(",")[1] == "unrelated"


def test_relevant_only_filters_and_keeps_the_index(bundled):
    texts = pd.Series(UNRELATED[:2] + RELEVANT[:2], index=["a", "b", "c", "d"])
    batch = bundled.classify_many(texts, relevant_only=True)
    assert [p.text for p in batch] == RELEVANT[:2]
    assert list(batch.to_frame().index) == ["c", "d"]


def test_unrelated_is_a_class_when_trained_with_it():
    df = pd.DataFrame(
        {
            "text": [
                "账单明天到期请还款",
                "账单后天到期",
                "本期账单今日到期",
                "已逾期三天请还款",
                "逾期五天了",
                "您已逾期一个月",
                "今晚一起吃饭吗",
                "快递到驿站了",
                "验证码123456",
            ],
            "label": ["reminder"] * 3 + ["overdue"] * 3 + ["unrelated"] * 3,
        }
    )
    model = dg.train(df, min_df=1)
    assert list(model.classes_) == ["reminder", "overdue", "unrelated"]
    assert model.predict_proba(["快递到驿站了"]).shape == (1, 3)
    assert list(model.predict(["快递到驿站了", "已逾期三天请还款"])) == [
        "unrelated",
        "overdue",
    ]


def test_the_relevance_threshold_decides_unrelated(bundled):
    text = "我是XX公司的小李，做贷款业务，有需要联系我"
    relevance = bundled.predict_relevance([text])[0]
    strict = dg.Model(bundled.scorer, bundled.classes, relevance_threshold=1.0)
    lenient = dg.Model(bundled.scorer, bundled.classes, relevance_threshold=0.0)
    assert strict.predict([text])[0] == "unrelated"
    assert lenient.predict([text])[0] != "unrelated"
    assert 0.0 <= relevance <= 1.0


def test_evaluate_counts_unrelated_as_an_outcome(bundled):
    df = pd.DataFrame(
        {
            "text": UNRELATED + RELEVANT[:2],
            "label": ["unrelated"] * 5 + ["reminder", "scam"],
        }
    )
    report = dg.evaluate(bundled, df)
    assert report.accuracy == 1.0
    assert report.per_label.loc["unrelated", "support"] == 5
    assert report.summary["unrelated_as_scam"] == 0.0
    assert report.summary["unrelated_rejected"] == 1.0


def test_training_needs_two_labels_besides_unrelated():
    with pytest.raises(ValueError, match="besides 'unrelated'"):
        dg.DunningClassifier(min_df=1).fit(
            ["a", "b", "c", "d"], ["reminder", "reminder", "unrelated", "unrelated"]
        )
