"""Normalization undoes scammer tricks and replaces volatile values with typed tokens."""

from __future__ import annotations

import pickle

import pytest

from dunning_guard import MAX_CHARS
from dunning_guard._normalize import url_kind
from dunning_guard._pipeline import TextNormalizer
from dunning_guard.text import (
    clean,
    has_traditional,
    normalize,
    to_simplified,
    to_traditional,
)


def test_traditional_is_converted_to_simplified():
    assert clean("您的帳單已逾期，請儘快還款") == "您的账单已逾期,请尽快还款"
    assert has_traditional("帳單") and not has_traditional("账单")


def test_script_round_trip_helpers():
    assert to_simplified(to_traditional("您的账单已逾期")) == "您的账单已逾期"
    assert to_simplified("already simplified 账单") == "already simplified 账单"
    assert (
        to_simplified("转帐") == to_simplified("轉帳") == "转账"
    )  # one spelling of 账


@pytest.mark.parametrize(
    "obfuscated",
    [
        "加微 信",
        "加薇信",
        "加威信",
        "加V信",
        "加V❤信",
        "加\u200b微\u200b信",
        "加vx",
        "加 V",
    ],
)
def test_wechat_obfuscations_become_one_word(obfuscated):
    assert "微信" in clean(obfuscated)


@pytest.mark.parametrize("obfuscated", ["扣扣", "Q.Q", "Q Q", "企鹅号"])
def test_qq_obfuscations_become_qq(obfuscated):
    assert clean(f"加{obfuscated}联系") == "加QQ联系"


def test_line_obfuscations_become_line():
    assert "LINE" in clean("請加 L I N E 私聊")
    assert "LINE" in clean("加賴處理")


def test_full_width_digits_zero_width_and_emoji_are_removed():
    assert clean("还款１２３４元🔥\u200b\u200d") == "还款1234元"


def test_control_characters_and_lone_surrogates_become_spaces():
    assert clean("逾期\x00\x07提醒\ud800") == "逾期提醒"


def test_cyrillic_lookalike_domain_is_marked_fake():
    assert normalize("请登录 аlipаy.com/pay 处理") == "请登录 URLFAKE 处理"


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://www.cmbchina.com/card", "official"),
        ("m.jd.com", "official"),
        ("http://t.cn/AbC1", "short"),
        ("cmbchina-vip.top/pay", "other"),
        ("icbc.com.cn.verify-pay.xyz", "other"),
    ],
)
def test_url_kind_distinguishes_official_short_and_other(url, kind):
    assert url_kind(url) == kind


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("客服热线95555", "PHONEHOTLINE"),
        ("致电400-820-5555", "PHONEHOTLINE"),
        ("请回电13812345678", "PHONEMOBILE"),
        ("聯絡0912-345-678", "PHONEMOBILE"),
        ("请拨打021-58888888", "PHONELAND"),
        ("欠款3,200.50元", "AMOUNT"),
        ("应还¥95000", "AMOUNT"),
        ("应缴NT$4,920", "AMOUNT"),
        ("还款日11月25日", "DATE"),
        ("于2024-11-05前", "DATE"),
        ("尾号1234的信用卡", "CARDTAIL"),
        ("转入6222 0200 1234 5678", "CARDNO"),
        ("案号（2024）沪0115民初12345号", "CASENO"),
        ("逾期15天", "NUM"),
    ],
)
def test_volatile_values_become_typed_tokens(text, token):
    out = normalize(text)
    assert token in out.split()
    assert not any(c.isdigit() for c in out)


def test_hotline_is_not_mistaken_for_an_amount():
    assert normalize("欠款95000元") == "欠款 AMOUNT"


def test_long_text_is_cut_to_max_chars():
    assert len(clean("还" * (MAX_CHARS * 10))) == MAX_CHARS


def test_normalizer_is_a_picklable_transformer():
    normalizer = pickle.loads(pickle.dumps(TextNormalizer().fit(["x"])))
    assert (
        normalizer.transform(["帳單１２元", "帳單１２元"]).tolist()
        == ["账单 AMOUNT"] * 2
    )


def test_fast_t2s_equals_opencc_on_the_corpus(messages):
    import opencc

    converter = opencc.OpenCC("t2s")
    texts = messages.loc[messages["script"] == "t", "text"].tolist()
    texts += [
        to_traditional(t) for t in messages.loc[messages["script"] == "s", "text"][:300]
    ]
    mismatches = [
        t for t in texts if to_simplified(t) != converter.convert(t).replace("帐", "账")
    ]
    assert mismatches == []
