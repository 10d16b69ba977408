"""One pass: a message is normalized once and its rules run once, whatever the
caller reads, and the flags a prediction names are the flags it shows."""

from __future__ import annotations

import contextlib
import io
import json
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dunning_guard as dg
import dunning_guard._normalize as normalize_module
import dunning_guard._reading as reading_module
from dunning_guard._flags import flag_matches
from dunning_guard.cli import main
from dunning_guard.text import find_flags

SCAM = "【中国银行】您的信用卡已严重逾期，请于2小时内将欠款转入李明的个人账户，详询 13800138000"


@pytest.fixture
def passes(monkeypatch):
    """Counts, per text, the normalizations and the rule passes (caches bypassed)."""
    counts = {"normalized": Counter(), "ruled": Counter()}
    uncached = normalize_module._normalize

    def normalize(text):
        counts["normalized"][text] += 1
        return uncached(text)

    def rules(normalized):
        counts["ruled"][normalized] += 1
        return flag_matches.__wrapped__(normalized)

    monkeypatch.setattr(normalize_module, "_normalize_cached", normalize)
    monkeypatch.setattr(reading_module, "flag_matches", rules)
    return counts


def _read_everything(p):
    return (
        p.label,
        p.scores,
        p.margin,
        p.red_flags,
        p.facts,
        p.advice,
        json.dumps(p.to_dict(), ensure_ascii=False),
    )


def test_classify_and_everything_read_from_it_is_one_pass(bundled, passes):
    _read_everything(bundled.classify(SCAM, sender="13800138000"))
    assert list(passes["normalized"].values()) == [1]
    assert list(passes["ruled"].values()) == [1]


def test_a_batch_and_its_frame_is_one_pass_per_message(bundled, passes):
    texts = [SCAM, "【花呗】您本月账单1,205元将于明天到期", "明天开会"]
    batch = bundled.classify_many(texts)
    batch.to_frame()
    for p in batch:
        _read_everything(p)
    assert passes["normalized"] == Counter(texts)
    assert sorted(passes["ruled"].values()) == [1, 1, 1]


def test_explain_is_one_pass(bundled, passes):
    bundled.explain(SCAM, k=5)
    assert list(passes["normalized"].values()) == [1]
    assert list(passes["ruled"].values()) == [1]


def test_predict_is_one_pass(bundled, passes):
    assert bundled.scorer.uses_flags  # the bundled model reads its red flags
    bundled.predict([SCAM, "明天开会"])
    assert passes["normalized"] == Counter([SCAM, "明天开会"])
    assert sorted(passes["ruled"].values()) == [1, 1]


def test_a_model_without_flag_features_or_evidence_rule_runs_no_rules(corpus, passes):
    data = corpus.groupby("label").head(20)
    model = dg.DunningClassifier(red_flags=False, char_ngrams=None).fit(
        data["text"], data["label"]
    )
    assert not model.model_.scorer.uses_flags
    passes["normalized"].clear()
    passes["ruled"].clear()
    model.predict([SCAM, "明天开会"])
    assert passes["normalized"] == Counter([SCAM, "明天开会"])
    assert passes["ruled"] == Counter()


def test_the_cli_json_lines_are_one_pass(passes):
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["classify", "--json", SCAM]) == 0
    assert json.loads(out.getvalue())["label"] == "scam"
    assert list(passes["normalized"].values()) == [1]
    assert list(passes["ruled"].values()) == [1]


def test_evaluate_scores_each_message_once(bundled, monkeypatch):
    calls = Counter()

    class Spy:
        classes_ = bundled.classes_

        def predict_with_proba(self, texts):
            calls["predict_with_proba"] += 1
            return bundled.predict_with_proba(texts)

        def predict_proba(self, texts):
            calls["predict_proba"] += 1
            return bundled.predict_proba(texts)

        def predict(self, texts):
            calls["predict"] += 1
            return bundled.predict(texts)

    texts = [SCAM, "【花呗】您本月账单1,205元将于明天到期", "明天开会"]
    frame = pd.DataFrame({"text": texts, "label": ["scam", "reminder", "unrelated"]})
    report = dg.evaluate(Spy(), frame)
    assert calls == Counter({"predict_with_proba": 1})
    assert report.accuracy == 1.0


def _agree(p):
    ids = tuple(f.id for f in p.red_flags)
    assert ids == p.flag_ids
    for f in p.red_flags:
        for a, b in f.spans:
            assert 0 <= a < b <= len(p.text)


def test_flag_ids_and_red_flags_agree_on_the_whole_corpus(bundled):
    texts = dg.corpus(augmented=True)["text"].tolist()
    batch = bundled.classify_many(texts)
    for p in batch:
        _agree(p)
    raised = sum(bool(p.flag_ids) for p in batch)
    assert raised > len(texts) / 10  # the check saw many flags, not none


@given(st.text(max_size=120))
def test_flag_ids_and_red_flags_agree_on_random_text(bundled, text):
    _agree(bundled.classify(text))


@given(
    st.lists(
        st.sampled_from(
            [
                "加",
                "薇",
                "微",
                "信",
                " ",
                "V",
                "❤",
                "个人",
                "账户",
                "转入",
                "2小时内",
                "\u200b",
                "１３８００１３８０００",
                "今天",
                "必须",
                "QQ",
                "逮捕",
                "。",
                "，",
                "請",
                "帳戶",
            ]
        ),
        max_size=30,
    )
)
def test_flag_ids_and_red_flags_agree_on_flag_words(bundled, words):
    _agree(bundled.classify("".join(words)))


def test_unrelated_verdicts_keep_mechanisms_not_warning_signs(bundled):
    p = bundled.classify("周末店庆，仅限今日，全场五折，欢迎光临")
    assert p.label == "unrelated"
    raw = {f.id for f in find_flags(p.text)}
    assert "urgency" in raw and "urgency" not in p.flag_ids


def test_a_batch_scores_like_single_messages(bundled):
    texts = [SCAM, "明天开会", SCAM]
    batch = bundled.classify_many(texts)
    np.testing.assert_array_equal(
        [[p.scores[c] for c in bundled.classes_] for p in batch],
        bundled.predict_proba(texts),
    )
