"""The relevance check: messages outside the scope are flagged, not mislabeled."""

from __future__ import annotations

import pandas as pd
import pytest

import dunning_guard as dg

UNRELATED = [
    "【顺丰速运】您的快件已到达驿站，取件码8-2-1031，请于今日20点前取件。",
    "【美团】您的验证码为482913，5分钟内有效，请勿泄露给他人。",
    "周六晚上一起吃火锅吗？老地方，七点见",
    "【中国移动】您本月套餐剩余流量2.1GB，回复CXLL查询详情。",
]
RELEVANT = [
    "【花呗】您本月账单1,205元将于明天到期，请按时还款。",
    "您的借款已逾期，请立即添加客服微信 kf8899 处理，否则上报征信",
    "【顺丰理赔】您的快件丢失，请添加理赔专员微信 sf-lp01 领取三倍赔偿",  # a scam, not a debt
]


def test_unrelated_messages_are_not_relevant(bundled):
    for p in bundled.classify_many(UNRELATED):
        assert not p.relevant, p.text
        assert p.label in dg.LABELS  # the four labels stay as they are


def test_debt_messages_and_scams_are_relevant(bundled):
    for p in bundled.classify_many(RELEVANT):
        assert p.relevant, p.text
    assert bundled.classify(RELEVANT[2]).label == "scam"


def test_relevant_only_filters_and_keeps_the_index(bundled):
    texts = pd.Series(UNRELATED[:2] + RELEVANT[:2], index=["a", "b", "c", "d"])
    batch = bundled.classify_many(texts, relevant_only=True)
    assert [p.text for p in batch] == RELEVANT[:2]
    assert list(batch.to_frame().index) == ["c", "d"]


def test_relevance_is_learned_from_unrelated_rows():
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
    assert list(model.classes_) == ["overdue", "reminder"]
    assert model.predict_proba(["快递到驿站了"]).shape == (1, 2)
    relevance = model.predict_relevance(["快递到驿站了", "已逾期三天请还款"])
    assert relevance[0] < 0.5 < relevance[1]


def test_evaluate_reports_relevance_and_false_alarms(bundled):
    df = pd.DataFrame(
        {
            "text": UNRELATED + RELEVANT[:2],
            "label": ["unrelated"] * 4 + ["reminder", "scam"],
        }
    )
    figures = dg.evaluate(bundled, df).relevance
    assert figures["relevant_recall"] == 1.0
    assert figures["unrelated_rejected"] == 1.0
    assert figures["false_alarm_rate"] == 0.0


def test_training_needs_two_labels_besides_unrelated():
    with pytest.raises(ValueError, match="besides 'unrelated'"):
        dg.DunningClassifier(min_df=1).fit(
            ["a", "b", "c", "d"], ["reminder", "reminder", "unrelated", "unrelated"]
        )
