"""Seeded variants: same seed, same text; the tricks are the ones scammers use."""

from __future__ import annotations

import random

import pytest

import dunning_guard as dg
from dunning_guard.text import clean, obfuscate, refill

TEXT = "【花呗】您的账单1,200元已逾期3天，请加微信kf88协商还款，或访问 pay.example.com"


def test_obfuscate_is_deterministic_per_seed():
    assert obfuscate(TEXT, seed=7) == obfuscate(TEXT, seed=7)
    assert len({obfuscate(TEXT, seed=s) for s in range(10)}) > 5


@pytest.mark.parametrize("seed", range(20))
def test_obfuscation_changes_the_surface_but_not_the_key_words(seed):
    variant = obfuscate(TEXT, seed=seed)
    assert variant != TEXT
    # The normalizer undoes most tricks; the words a model needs survive.
    assert "逾期" in clean(variant).replace(" ", "")


def test_refill_changes_values_and_keeps_the_shape():
    out = refill("【招商银行】您尾号1234的账单2,318.50元，11月25日到期。", seed=3)
    assert out != "【招商银行】您尾号1234的账单2,318.50元，11月25日到期。"
    assert (
        out.startswith("【")
        and "银行】您尾号" in out
        and "元，" in out
        and "到期。" in out
    )


def test_refill_accepts_a_shared_random_generator():
    rng_a, rng_b = random.Random(1), random.Random(1)
    assert [refill(TEXT, rng_a) for _ in range(3)] == [
        refill(TEXT, rng_b) for _ in range(3)
    ]


def test_augment_derives_ids_and_scripts_for_a_plain_frame():
    import pandas as pd

    plain = pd.DataFrame(
        {
            "text": ["【花呗】账单1,200元明天到期", "您的帳單已逾期"],
            "label": ["reminder", "overdue"],
        }
    )
    out = dg.augment(plain, seed=0)
    assert out["id"].tolist()[:2] == ["r0", "r0-t"]
    assert set(out["group"]) == {"r0", "r1"}
    assert out.loc[out["id"] == "r1", "script"].item() == "t"
