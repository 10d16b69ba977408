"""Predictions behave like values: frozen, picklable, comparable, no model inside."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pandas as pd
import pytest

import dunning_guard as dg


def test_a_prediction_pickles_copies_and_converts(bundled):
    p = bundled.classify("请加微信 kf8899 处理逾期", sender="13800138000")
    assert pickle.loads(pickle.dumps(p)) == p
    assert copy.deepcopy(p) == p
    d = dataclasses.asdict(p)
    assert d["label"] == p.label and d["scores"] == p.scores
    assert hash(p) == hash(copy.deepcopy(p))
    assert not any(f.name == "model" for f in dataclasses.fields(p))
    assert len(pickle.dumps(p)) < 2_000


def test_details_are_computed_from_the_text(bundled):
    text = "【中国银行】请于2小时内将欠款转入李明的个人账户，详询 13800138000"
    p = bundled.classify(text)
    flags = {f.id: [text[a:b] for a, b in f.spans] for f in p.red_flags}
    assert flags["personal_account"] == ["个人账户"]
    assert ("signature", "中国银行") in {(f.kind, f.value) for f in p.facts}
    assert p.to_dict()["advice"] == p.advice.to_dict()


def test_unrelated_messages_get_advice_saying_so(bundled):
    p = bundled.classify("【美团】您的验证码为482913，5分钟内有效，请勿泄露给他人。")
    assert p.label == "unrelated" and not p.relevant
    assert p.advice.en.startswith("This message is not about a debt")


def test_predictions_are_a_sequence_with_its_own_row_labels(bundled):
    texts = pd.Series(["账单明天到期", "加薇信还款", "明天开会"], index=["a", "b", "c"])
    batch = bundled.classify_many(texts)
    assert len(batch) == 3 and batch[1].text == "加薇信还款"
    assert batch.index(batch[2]) == 2  # list.index, not a shadowing attribute
    assert batch.labels == ("a", "b", "c")
    assert list(batch[1:].to_frame().index) == ["b", "c"]
    assert pickle.loads(pickle.dumps(batch)) == batch


def test_reprs_are_short_and_readable(bundled):
    texts = ["【花呗】您本月账单将于明天到期，请按时还款。" * 5] * 50
    p = bundled.classify(texts[0])
    assert repr(p).startswith("Prediction('reminder', confidence=")
    assert len(repr(p)) < 160
    batch = bundled.classify_many(texts)
    assert repr(batch).startswith("Predictions(50 messages: reminder 50)")
    assert len(repr(batch)) < 700


def test_margin_marks_a_label_that_is_not_the_top_score():
    p = dg.Prediction(
        "x", "reminder", {"reminder": 0.31, "unrelated": 0.37, "scam": 0.32}
    )
    assert p.confidence == 0.31 and round(p.margin, 2) == -0.06


def test_review_picks_the_least_certain_first_and_keeps_row_labels(bundled):
    texts = pd.Series(
        [
            "【花呗】您本月账单将于明天到期，请按时还款。",
            "在吗",
            "加薇信kf88处理逾期",
            "您好",
        ],
        index=["a", "b", "c", "d"],
    )
    batch = bundled.classify_many(texts)
    picked = batch.review(2)
    margins = sorted(p.margin for p in batch)
    assert [p.margin for p in picked] == margins[:2]
    assert set(picked.labels) <= {"a", "b", "c", "d"} and len(picked) == 2
    assert len(batch.review(10)) == 4 and len(batch.review(0)) == 0
    with pytest.raises(ValueError, match="Expected k to be a count"):
        batch.review(-1)
