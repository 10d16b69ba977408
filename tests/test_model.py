"""The estimator follows scikit-learn's conventions; the data-only `Model` scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score

import dunning_guard as dg

TINY = pd.DataFrame(
    {
        "text": [
            "【花呗】您本月账单1,205元将于明天到期，请按时还款。",
            "【招商银行】您尾号1234的信用卡账单3日后到期，应还2,318元。",
            "【京东白条】本期账单今日到期，请及时还款，以免影响征信。",
            "【花呗】您的账单已逾期3天，请尽快还款，逾期将产生罚息。",
            "【招商银行】您尾号1234的信用卡已逾期15天，欠款2,318元。",
            "【京东白条】您已逾期7天，请尽快还款避免影响征信。",
        ],
        "label": ["reminder"] * 3 + ["overdue"] * 3,
    }
)


def test_labels_are_the_label_guide_order_and_unrelated_apart():
    assert dg.LABELS == ("reminder", "overdue", "legal", "scam")
    assert dg.UNRELATED == "unrelated"


def test_classes_follow_the_label_guide_order(bundled):
    assert list(bundled.classes_) == [*dg.LABELS, "unrelated"]


def test_classify_returns_a_prediction_with_scores_over_all_classes(bundled):
    p = bundled.classify(
        "【招商银行】您尾号1234的信用卡本期账单2,318.50元，到期还款日11月25日。"
    )
    assert p.label == "reminder"
    assert list(p.scores) == list(bundled.classes_)
    assert sum(p.scores.values()) == pytest.approx(1.0)
    assert p.confidence == p.scores["reminder"]
    assert p.relevant is True and p.relevance > 0.5
    with pytest.raises(AttributeError):
        p.label = "scam"


def test_classify_shortcut_uses_the_bundled_model(bundled):
    text = "您的借款已逾期，请立即添加客服微信 kf8899 处理，否则上报征信"
    assert dg.classify(text).label == bundled.classify(text).label == "scam"


def test_batch_apis_agree(bundled, corpus):
    texts = corpus["text"].iloc[::100]
    proba = bundled.predict_proba(texts)
    assert proba.shape == (len(texts), 5)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    labels = bundled.predict(texts)
    assert list(labels) == [p.label for p in bundled.classify_many(texts)]
    relevance = bundled.predict_relevance(texts)
    np.testing.assert_allclose(relevance, 1 - proba[:, 4])
    assert ((labels == "unrelated") == (relevance < bundled.relevance_threshold)).all()


def test_classify_many_converts_to_a_frame_on_the_series_index(bundled):
    texts = pd.Series(["【花呗】账单明天到期", "加薇信还款"], index=[10, 20])
    frame = bundled.classify_many(texts).to_frame()
    assert list(frame.index) == [10, 20]
    assert list(frame.columns) == [
        "text",
        "label",
        "confidence",
        "margin",
        "relevant",
        "relevance",
        "basis",  # what a scam verdict rests on: mechanism or resemblance
        "flag_ids",
        *(f"p_{c}" for c in bundled.classes_),
        "red_flags",  # the old name of flag_ids, kept for this release
    ]
    assert frame["red_flags"].equals(frame["flag_ids"])
    assert frame["text"].tolist() == texts.tolist()


def test_empty_batch_gives_empty_results(bundled):
    assert bundled.predict([]).shape == (0,)
    assert bundled.predict_proba([]).shape == (0, 5)
    assert len(bundled.classify_many([])) == 0
    assert bundled.classify_many([]).to_frame().shape == (0, 14)


def test_empty_and_whitespace_messages_are_unrelated(bundled):
    for text in ["", "   ", "\n\t", "\u200b"]:
        p = bundled.classify(text)
        assert p.label == "unrelated" and p.relevance == 0.0
        assert p.scores["unrelated"] == 1.0


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["list"]])
def test_classify_rejects_non_strings(bundled, bad):
    with pytest.raises(TypeError, match="Expected a message as str"):
        bundled.classify(bad)


def test_batch_errors_name_the_position_and_the_index_label(bundled):
    with pytest.raises(TypeError, match="at position 2"):
        bundled.predict(["a", "b", None])
    with pytest.raises(TypeError, match=r"position 1 \(index label 'x'\)"):
        bundled.predict(pd.Series(["a", None], index=["x", "x"]))
    with pytest.raises(TypeError, match="Decode bytes first"):
        bundled.predict(["a", b"b"])
    with pytest.raises(TypeError, match="single str"):
        bundled.predict("一条消息")
    with pytest.raises(TypeError, match="got dict"):
        bundled.predict({"账单明天到期": 1})


def test_model_is_a_scikit_learn_estimator():
    model = dg.DunningClassifier(C=3.0, min_df=1)
    assert clone(model).get_params() == model.get_params()
    fitted = model.fit(TINY["text"], TINY["label"])
    assert list(fitted.classes_) == ["reminder", "overdue"]
    assert (fitted.predict_relevance(TINY["text"]) == 1.0).all()  # no unrelated rows
    assert fitted.score(TINY["text"], TINY["label"]) == 1.0
    assert isinstance(fitted.model_, dg.Model)


def test_model_works_with_grid_search_and_cross_val_score():
    X, y = TINY["text"], TINY["label"]
    groups = [0, 1, 2, 0, 1, 2]
    scores = cross_val_score(
        dg.DunningClassifier(min_df=1), X, y, cv=GroupKFold(3), groups=groups
    )
    assert scores.shape == (3,)
    search = GridSearchCV(
        dg.DunningClassifier(min_df=1),
        {"C": [1.0, 10.0], "char_ngrams": [None, (1, 2)]},
        cv=GroupKFold(3),
    ).fit(X, y, groups=groups)
    assert len(search.cv_results_["params"]) == 4
    assert list(search.predict(X)) == list(y)  # refit on all six, it learns them


@pytest.mark.parametrize(
    "params, match",
    [
        ({"C": -1}, "'C' parameter"),
        ({"relevance_threshold": 5}, "Expected relevance_threshold to be a number"),
        ({"n_jobs": "x"}, "'n_jobs' parameter"),
        ({"min_df": 0}, "'min_df' parameter"),
        ({"char_ngrams": (1, 5)}, "char_ngrams to be a pair"),
        ({"word_ngrams": (2, 1)}, "word_ngrams to be a pair"),
    ],
)
def test_bad_parameters_are_refused_by_name(params, match):
    with pytest.raises(ValueError, match=match):
        dg.DunningClassifier(**params).fit(TINY["text"], TINY["label"])


def test_predict_before_fit_raises_not_fitted():
    with pytest.raises(NotFittedError):
        dg.DunningClassifier().predict(["x"])


def test_training_on_half_the_corpus_is_far_above_chance(small_model, corpus):
    held_out = corpus.iloc[1::2]
    assert small_model.score(held_out["text"], held_out["label"]) > 0.85


def test_bundled_model_recognizes_each_outcome(bundled):
    examples = {
        "reminder": "【建设银行】您尾号6621的信用卡本期账单3,120.00元，到期还款日12月8日，请按时还款。",
        "overdue": "【招联金融】您的借款已逾期12天，逾期金额1,830.55元，已产生罚息，请尽快登录招联金融App还款。",
        "legal": "【平安银行】您的贷款逾期已超过120天，我行已委托律师事务所向法院提起诉讼，请通过平安口袋银行App还款。",
        "scam": "【中国银行】您的信用卡已严重逾期，请于今日将欠款转入我行工作人员李明的个人账户6217 0000 1111 2222。",
        "unrelated": "【顺丰速运】您的快件已到达驿站，取件码8-2-1031，请于今日20点前取件。",
    }
    for label, text in examples.items():
        assert bundled.classify(text).label == label, text


def test_n_jobs_gives_the_same_probabilities(bundled, corpus, monkeypatch):
    monkeypatch.setattr("dunning_guard._model.PARALLEL_MIN_BATCH", 10)
    texts = corpus["text"].iloc[:60].tolist()
    serial = bundled.predict_proba(texts)
    bundled.n_jobs = 2
    try:
        np.testing.assert_array_equal(bundled.predict_proba(texts), serial)
    finally:
        bundled.n_jobs = None


def test_sample_weights_change_what_is_learned():
    X, y = TINY["text"].tolist(), TINY["label"].tolist()
    plain = dg.DunningClassifier(min_df=1).fit(X, y)
    weighted = dg.DunningClassifier(min_df=1).fit(
        X, y, sample_weight=[5, 1, 1, 1, 1, 1]
    )
    assert not np.allclose(plain.predict_proba(X), weighted.predict_proba(X))
    with pytest.raises(ValueError, match="one non-negative weight per message"):
        dg.DunningClassifier(min_df=1).fit(X, y, sample_weight=[1, 2])
