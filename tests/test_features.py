"""The one scoring path: plain tables give what the fitted pipeline gives."""

from __future__ import annotations

import numpy as np
import pandas as pd

import dunning_guard as dg
from dunning_guard._reading import read


def _pipeline_proba(model: dg.DunningClassifier, texts: list[str]) -> np.ndarray:
    inner = [str(c) for c in model.pipeline_.classes_]
    proba = model.pipeline_.predict_proba(texts)
    return proba[:, [inner.index(c) for c in model.classes_]]


def test_scorer_equals_the_scikit_learn_pipeline_on_the_corpus(small_model, corpus):
    texts = corpus["text"].tolist() + ["帳單", "  两个  空格  ", "\u2028\u2028换行"]
    np.testing.assert_allclose(
        small_model.predict_proba(texts),
        _pipeline_proba(small_model, texts),
        rtol=0,
        atol=1e-9,
    )
    # Only empty text differs, by the documented rule: it is unrelated.
    scorer = small_model.model_.scorer
    np.testing.assert_allclose(
        scorer.proba([read("")]), _pipeline_proba(small_model, [""]), atol=1e-9
    )
    assert small_model.predict([""])[0] == "unrelated"


def test_scorer_equals_the_pipeline_with_red_flags_and_without_characters(corpus):
    sample = corpus.groupby("label").head(40)
    for params in ({"red_flags": True}, {"char_ngrams": None}, {"char_ngrams": (2, 3)}):
        model = dg.DunningClassifier(**params).fit(sample["text"], sample["label"])
        texts = corpus["text"].iloc[::7].tolist()
        np.testing.assert_allclose(
            model.predict_proba(texts), _pipeline_proba(model, texts), rtol=0, atol=1e-9
        )


def test_a_two_class_model_scores_like_its_pipeline():
    df = pd.DataFrame(
        {
            "text": ["账单明天到期", "账单后天到期", "已逾期三天", "已逾期五天"],
            "label": ["reminder"] * 2 + ["overdue"] * 2,
        }
    )
    model = dg.DunningClassifier(min_df=1).fit(df["text"], df["label"])
    np.testing.assert_allclose(
        model.predict_proba(df["text"]),
        _pipeline_proba(model, df["text"].tolist()),
        atol=1e-12,
    )


def test_explain_names_features_with_spans_in_the_original(bundled):
    text = "您的借款已逾期，请立即添加客服薇 信 kf8899 处理"
    contributions = bundled.explain(text, k=3)
    assert contributions and contributions[0].weight > 0
    assert {c.kind for c in contributions} <= {"word", "char", "flag"}
    for c in contributions:
        for a, b in c.spans:
            assert 0 <= a < b <= len(text)


def test_explain_reads_like_the_message_with_typed_values_named(bundled):
    text = "您的借款已逾期，请加微信 kf8899 或致电 13800138000 处理"
    contributions = bundled.explain(text, k=10)
    shown = [c.feature for c in contributions]
    assert not [f for f in shown if "PHONE" in f or "NUM" in f.split()]
    assert len(shown) == len(set(shown))  # a word and its characters: one entry
    mobile = [c for c in contributions if "<mobile number>" in c.feature]
    assert mobile and all(text[a:b] == "13800138000" for a, b in mobile[0].spans[:1])
