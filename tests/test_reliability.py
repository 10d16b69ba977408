"""Strange input never crashes the pipeline; threads see exactly the sequential results."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import dunning_guard as dg
from dunning_guard import MAX_CHARS
from dunning_guard.text import normalize, to_simplified, to_traditional

STRANGE = [
    "",
    " \t\n",
    "\x00\x01\x02\x7f",
    "\ud800 lone surrogate \udfff",
    "\u200b\u200c\u200d\ufeff",
    "🔥💰⚠️" * 50,
    "Ｆｕｌｌ　ｗｉｄｔｈ　１２３",
    "混合 script 帳單 账单 مرحبا Привет",
    "a" * 10_000,
    "逾期" * 500_000,  # a 1 MB string
]


@pytest.mark.parametrize("text", STRANGE, ids=range(len(STRANGE)))
def test_strange_messages_get_a_valid_prediction(bundled, text):
    p = bundled.classify(text)
    assert p.label in bundled.classes
    assert sum(p.scores.values()) == pytest.approx(1.0)
    assert p.text == text  # the prediction keeps the message as given


def test_a_huge_message_is_scored_on_its_first_max_chars():
    huge = "请加薇信还款，" * 200_000
    assert normalize(huge) == normalize(huge[:MAX_CHARS])


@given(st.text(max_size=300))
def test_any_unicode_string_gets_a_label_with_scores_summing_to_one(text):
    model = dg._persist.shared_model()
    p = model.classify(text)
    assert p.label in model.classes
    assert abs(sum(p.scores.values()) - 1.0) < 1e-9
    assert all(0.0 <= v <= 1.0 for v in p.scores.values())


@given(st.lists(st.text(max_size=80), max_size=5))
def test_predictions_are_deterministic(texts):
    model = dg._persist.shared_model()
    np.testing.assert_array_equal(
        model.predict_proba(texts), model.predict_proba(texts)
    )


@given(
    st.lists(st.one_of(st.none(), st.integers(), st.binary()), min_size=1, max_size=3),
    st.integers(0, 3),
)
def test_a_batch_with_a_bad_element_names_its_index(bad, position):
    texts = ["正常的消息"] * 3
    texts.insert(position, bad[0])
    with pytest.raises(TypeError, match=f"at position {position}"):
        dg._persist.shared_model().predict(texts)


def test_traditional_and_simplified_versions_agree_on_the_corpus(bundled, messages):
    converted = [
        to_simplified(t) if s == "t" else to_traditional(t)
        for t, s in zip(messages["text"], messages["script"])
    ]
    agreement = (bundled.predict(messages["text"]) == bundled.predict(converted)).mean()
    assert agreement >= 0.99


def test_eight_threads_give_exactly_the_sequential_results(messages):
    model = dg.load()  # a fresh model: caches and tokenizers start cold in the threads
    texts = messages["text"].sample(120, random_state=0).tolist()
    texts += [to_traditional(t) for t in texts[:40]]
    expected = [model.classify(t).scores for t in texts]
    dg._segment._cut_block.cache_clear()
    barrier = threading.Barrier(8)

    def work(offset: int) -> list:
        barrier.wait()
        order = texts[offset:] + texts[:offset]
        got = [model.classify(t).scores for t in order]
        return got[-offset:] + got[:-offset] if offset else got

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(0, 8 * 19, 19)))
    for got in results:
        assert got == expected
