"""Red flags, facts, advice and explanations point at the original text."""

from __future__ import annotations

import pytest

import dunning_guard as dg
from dunning_guard._flags import find_facts, find_flags


def flags(text: str) -> dict[str, list[str]]:
    """flag id -> evidence, as the substrings of `text` its spans cover."""
    return {f.id: [text[a:b] for a, b in f.spans] for f in find_flags(text)}


# (flag, positive examples with the evidence expected in them, negative examples)
CASES = {
    "personal_account": (
        [
            (
                "【中国银行】您的信用卡已逾期，请将欠款转入工作人员李明的个人账户。",
                "个人账户",
            ),
            (
                "【台新銀行】請將款項匯入本所受託專戶（兆豐銀行 006-09-112873）。",
                "專戶",
            ),
            ("欠款请打到这张卡 6217 8801 3399 1022，户名王强", "6217 8801 3399 1022"),
        ],
        [
            "【招商银行】请通过招商银行App还款，本行不会要求您向任何个人账户转账。",
            "【花呗】您本月账单1,205元将于明天到期，请按时还款。",
        ],
    ),
    "private_contact": (
        [
            ("您已逾期，请加 薇 信 kf88 协商处理", "加 薇 信"),
            ("協商請加LINE：debt168，逾期不候", "LINE："),
            ("有问题请联系专员 13800138000", "13800138000"),
            ("加\u200bV❤信：abc123 处理欠款", "加\u200bV❤信"),
        ],
        [
            "【京东白条】请关注京东金融官方微信公众号查看账单。",
            "【招商银行】详询客服热线95555。",
        ],
    ),
    "unofficial_link": (
        [
            ("请访问 cmbchina-vip.top/pay 完成还款", "cmbchina-vip.top/pay"),
            ("請點擊 wеlеnd-hk.net 申請展期", "wеlеnd-hk.net"),
        ],
        ["【招商银行】请登录 www.cmbchina.com 查看账单。"],
    ),
    "app_install": (
        [
            ("请下载安装包 tx-pay.apk 并允许未知来源", "apk"),
            ("请下载腾讯会议并开启屏幕共享，我们指导您操作", "屏幕共享"),
        ],
        ["【招商银行】请打开掌上生活App查看账单。"],
    ),
    "credential_request": (
        [
            ("为核实身份，请把收到的验证码念给我", "验证码念给"),
            ("請提供您的身份證號碼及卡片背面末三碼", "提供您的身份證"),
        ],
        ["【美团】您的验证码为482913，请勿泄露给他人。", "客服不会向您索要验证码。"],
    ),
    "clearance_fee": (
        [
            ("可帮您消除逾期记录，仅需服务费800元", "消除逾期记录"),
            ("您的学生账户需注销，否则影响征信，请先转入保证金", "注销"),
        ],
        ["【招联金融】您的借款已逾期12天，请尽快登录App还款。"],
    ),
    "authority_impersonation": (
        [
            ("这里是公安局经侦支队，你涉嫌洗钱，需将资金转入安全账户配合核查", "公安"),
            ("【地檢署】您涉及洗錢案，請將存款匯入監管帳戶", "地檢署"),
        ],
        ["【上海市浦东新区人民法院】您的案件定于5月14日开庭，请准时到庭。"],
    ),
    "upfront_fee": (
        [
            ("您的贷款已审批通过，放款前需先缴纳保证金1500元", "需先缴纳保证金"),
            ("额度已开通，提现前请先支付288元会员费", "先支付288元会员费"),
        ],
        ["【招联金融】您的借款已到账，不收取任何前期费用。"],
    ),
    "gambling_lure": (
        [
            ("新会员注册送88元彩金，网址 yl8899.vip", "彩金"),
            ("內部六合彩資料，期期包中，加群了解", "六合彩"),
        ],
        ["【福彩中心】本期双色球开奖公告：红球 03 11 17 22 28 31。"],
    ),
    "document_sale": (
        [
            ("专业办证，毕业证学位证学信网可查，加急三天", "办证"),
            ("代开各类发票，正规可查，联系王经理", "代开各类发票"),
        ],
        ["【税务局】您的发票已开具成功，可在电子税务局查询下载。"],
    ),
    "prize_claim": (
        [
            (
                "恭喜您被抽中为幸运观众，获得现金大奖8万元，请登录 hn-tv.top 领取",
                "幸运观众",
            ),
        ],
        ["【京东】您的订单已签收，感谢购物。"],
    ),
    "acquaintance_transfer": (
        [
            (
                "我是你领导老王，这是我新号码，明天来我办公室。现在急需转一笔款，你先帮我垫付一下",
                "我是你领导",
            ),
            ("妈，我手机丢了换了新号，急用钱，先转我两千", "换了新号"),
        ],
        ["周末聚餐AA，每人85，我先垫付了"],
    ),
    "threat": (
        [
            ("再不还钱就爆你通讯录，让你同事都知道", "通讯录"),
            ("不还就等着被逮捕吧", "逮捕"),
        ],
        ["【平安银行】您的贷款已逾期，请尽快还款。"],
    ),
    "urgency": (
        [
            ("请在2小时内处理，否则后果自负", "2小时内"),
            ("請於今日內完成繳款", "今日內"),
        ],
        ["【花呗】您的账单将于11月25日到期。", "您的验证码为527704，10分钟内有效。"],
    ),
}


@pytest.mark.parametrize("flag", list(CASES))
def test_each_flag_finds_its_evidence_in_the_original_text(flag):
    positives, _ = CASES[flag]
    for text, evidence in positives:
        found = flags(text)
        assert flag in found, text
        assert any(evidence in span or span in evidence for span in found[flag]), (
            text,
            found[flag],
        )


@pytest.mark.parametrize("flag", list(CASES))
def test_each_flag_stays_quiet_on_legitimate_or_warning_text(flag):
    _, negatives = CASES[flag]
    for text in negatives:
        assert flag not in flags(text), text


def test_every_flag_id_is_tested():
    assert set(CASES) == set(dg.FLAGS)


def test_spans_point_into_obfuscated_traditional_text():
    text = "【國泰世華】您已逾期，請加 Ｌ Ｉ Ｎ Ｅ：ctbc88 協商，２小時內處理"
    found = flags(text)
    assert found["private_contact"] == ["加 Ｌ Ｉ Ｎ Ｅ：ctbc88"]  # the id too
    assert found["urgency"] == ["２小時內"]


def test_facts_are_extracted_with_spans():
    text = "【招商银行】您尾号1234的信用卡已逾期15天，欠款3,200.50元，请于11月25日前还款，详询95555或访问 cmbchina.com"
    facts = {(f.kind, f.value, f.detail) for f in find_facts(text)}
    assert ("signature", "招商银行", None) in facts
    assert ("card_tail", "1234", None) in facts
    assert ("days_overdue", "15", None) in facts
    assert ("amount", "3,200.50元", None) in facts
    assert ("due_date", "11月25日", None) in facts
    assert ("phone", "95555", "hotline") in facts
    assert ("url", "cmbchina.com", "official") in facts
    for f in find_facts(text):
        assert text[f.span[0] : f.span[1]].strip() == f.value or f.kind == "card_tail"


def test_prediction_carries_flags_facts_and_advice(bundled):
    p = bundled.classify(
        "【中国银行】您的信用卡已严重逾期，请于2小时内将欠款转入工作人员李明的个人账户。"
    )
    assert p.label == "scam"
    assert set(p.flag_ids) == {"personal_account", "urgency"}
    assert [f.id for f in p.red_flags] == list(p.flag_ids)
    assert "个人账户" in p.advice.zh and "personal" in p.advice.en
    assert p.to_dict()["red_flags"][0]["id"] == "personal_account"
    assert (
        bundled.classify_many([p.text]).to_frame()["red_flags"][0]
        == "personal_account urgency"
    )


def test_explain_gives_weighted_features_for_and_against_with_spans(bundled):
    text = "您的借款已逾期，请立即添加客服薇信 kf8899 处理，否则爆通讯录"
    contributions = bundled.explain(text, k=3)
    weights = [c.weight for c in contributions]
    assert any(w > 0 for w in weights) and len(contributions) <= 6
    top = contributions[0]
    assert top.weight == max(weights)
    for c in contributions:
        assert c.kind in {"word", "char", "flag"}
        for a, b in c.spans:
            assert 0 <= a < b <= len(text)


def test_sender_shifts_the_scam_score_and_is_optional(bundled):
    text = "您的借款已逾期3天，请尽快处理。"
    plain = bundled.classify(text).scores["scam"]
    assert bundled.classify(text, sender="13800138000").scores["scam"] > plain
    assert bundled.classify(text, sender="95555").scores["scam"] < plain
    assert any(f.kind == "sender" for f in bundled.classify(text, sender="95555").facts)


def test_irrelevant_message_gets_irrelevant_advice(bundled):
    p = bundled.classify("周六晚上一起吃火锅吗？老地方，七点见")
    assert not p.relevant
    assert p.label == "unrelated"
    assert p.advice.en.startswith("This message is not about a debt")


def test_every_flag_has_its_descriptions_advice_and_severity():
    from dunning_guard._flags import FLAG_TABLE

    assert [f.id for f in FLAG_TABLE] == list(dg.FLAGS)
    for flag in FLAG_TABLE:
        assert flag.zh and flag.en and flag.advice_zh and flag.advice_en, flag.id
        assert flag.severity in (1, 2, 3) and flag.patterns, flag.id
        scam = dg.Prediction("x", "scam", {"scam": 1.0}, flag_ids=(flag.id,))
        assert flag.advice_en in scam.advice.en  # each flag's own advice is used


def test_advice_names_the_gravest_flag():
    from dunning_guard._explain import advise

    advice = advise("scam", ("urgency", "private_contact", "personal_account"))
    assert "personal or 'safe' account" in advice.en
    assert "WeChat" not in advice.en.split(";")[-1]
