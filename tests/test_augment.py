"""Seeded variants: same seed, same text; the tricks are the ones scammers use."""

from __future__ import annotations

import random

import pytest

import dunning_guard as dg
from dunning_guard._normalize import clean

TEXT = "【花呗】您的账单1,200元已逾期3天，请加微信kf88协商还款，或访问 pay.example.com"


def test_obfuscate_is_deterministic_per_seed():
    assert dg.obfuscate(TEXT, seed=7) == dg.obfuscate(TEXT, seed=7)
    assert len({dg.obfuscate(TEXT, seed=s) for s in range(10)}) > 5


@pytest.mark.parametrize("seed", range(20))
def test_obfuscation_changes_the_surface_but_not_the_key_words(seed):
    variant = dg.obfuscate(TEXT, seed=seed)
    assert variant != TEXT
    # The normalizer undoes most tricks; the words a model needs survive.
    assert "逾期" in clean(variant).replace(" ", "")


def test_refill_changes_values_and_keeps_the_shape():
    out = dg.refill("【招商银行】您尾号1234的账单2,318.50元，11月25日到期。", seed=3)
    assert out != "【招商银行】您尾号1234的账单2,318.50元，11月25日到期。"
    assert (
        out.startswith("【")
        and "银行】您尾号" in out
        and "元，" in out
        and "到期。" in out
    )


def test_refill_accepts_a_shared_random_generator():
    rng_a, rng_b = random.Random(1), random.Random(1)
    assert [dg.refill(TEXT, rng_a) for _ in range(3)] == [
        dg.refill(TEXT, rng_b) for _ in range(3)
    ]
