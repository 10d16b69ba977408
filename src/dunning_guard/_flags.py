"""Red flags and facts: what a message asks for, with evidence in the original text.

Flags are found by rules on the normalized text (Simplified, de-obfuscated, values
replaced by typed tokens), so ``薇 信``, ``加賴`` and ``ｑｑ`` are caught like
``微信``. Each piece of evidence is mapped back to character offsets of the
original message, so an app can highlight it. A flag in a clause that warns
*against* the mechanism ("请勿向个人账户转账") does not count.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from ._cache import byte_cache
from ._normalize import Traced, trace_normalize
from ._vocab import (
    AMOUNT,
    CARD_NO,
    CARD_TAIL,
    CASE_NO,
    DATE,
    NUMBER,
    PHONE_HOTLINE,
    PHONE_LANDLINE,
    PHONE_MOBILE,
    URL_FAKE,
    URL_OFFICIAL,
    URL_OTHER,
    URL_SHORT,
)

__all__ = [
    "FLAGS",
    "FLAG_BY_ID",
    "FLAG_TABLE",
    "MECHANISMS",
    "Fact",
    "Flag",
    "RedFlag",
    "facts",
    "find_facts",
    "find_flags",
    "flag_ids",
    "flag_matches",
    "red_flags",
]

_LINK = f"(?:{URL_OTHER}|{URL_SHORT}|{URL_FAKE})"
_PAY = r"(?:转账|转入|转到|转至|转给|汇入|汇到|汇至|汇款|打款|打到|打入|存入|存到|还到|还入|付到|付款到|支付到|缴至|缴入)"
_CHANNEL = r"(?:微信|QQ|LINE|WhatsApp|Telegram|TG|飞机号?)"
_FEE_WORDS = "公证费|核验费|保护费|作业费|工本费|认证费|激活费|解冻费|撤诉费|撤案费|保证金|验资|刷流水|流水验证|会员费|审核费|加急费"
_FEE = r"(?:" + _FEE_WORDS + r"|手续费|服务费)"
_FEE_STRICT = r"(?:" + _FEE_WORDS + r")"
_NOT_OFFICIAL = (
    r"(?!\s?(?:公众号|小程序|服务号|官方|支付|钱包|账单|银行|搜索|APP|App|app))"
)


@dataclasses.dataclass(frozen=True)
class Flag:
    """Everything about one red flag, in one place.

    ``severity``: 3 the message asks for money or data through the mechanism, 2 it
    opens a private or unofficial channel, 1 a warning sign (pressure) rather than
    a mechanism. `advise` names the gravest flag (highest severity, then table
    order); a message labeled ``unrelated`` keeps only its mechanisms (severity 2+).
    """

    id: str
    severity: int
    zh: str
    en: str
    advice_zh: str
    advice_en: str
    patterns: tuple[str, ...]

    @property
    def mechanism(self) -> bool:
        """True for a fraud mechanism of the label guide, False for a warning sign."""
        return self.severity >= 2


#: The red flags, in a fixed order (the order of `FLAGS` and of `flag_ids`).
FLAG_TABLE: tuple[Flag, ...] = (
    Flag(
        "personal_account",
        3,
        "要求向个人、“安全”或“指定”账户付款",
        "asks to pay into a personal, 'safe' or 'designated' account",
        "正规机构不会要求您向个人账户或所谓“安全账户”转账。",
        "Real lenders never ask you to pay a personal or 'safe' account.",
        (
            r"(?:个人|私人|安全|指定|监管|专用|临时|对公|清算|代收|和解|受托|过渡|备用|核查|资金|新|专项)"
            r"(?:账户|账号|专户|银行卡|收款码|支付宝|户口)",
            r"专户|户名|收款人|开户名|收款账户",
            r"(?:我|本人|专员|经理|员工|信贷员|助理)(?:的|名下)(?:的)?(?:账户|账号|户口|银行卡|卡|支付宝)",
            r"这(?:个|张)(?:卡|账户|账号|支付宝|户口)",
            r"支付宝\s?(?:账号|账户)?\s?[:：]",
            r"(?:FPS|转数快).{0,12}?(?:识别码|专员|ID)",
            r"(?:转|还|打|付)给我",
            _PAY + r".{0,20}?" + CARD_NO,
            CARD_NO + r".{0,12}(?:户名|收款|转账|汇款)",
            r"收款码|收款二维码|扫码(?:还款|付款|转账)",
            r"债权.{0,10}(?:转让|转给|卖给|收购).{0,30}(?:还给?我|付给我|转给我|打给我|向我|我们公司|本公司)",
            r"(?:还|打|转|付)(?:到|给)?(?:我们|我)(?:公司|这边|这里)",
        ),
    ),
    Flag(
        "private_contact",
        2,
        "要求添加私人微信、QQ、LINE 或私人手机号",
        "asks to add a private WeChat, QQ, LINE or mobile number",
        "不要添加对方的私人微信、QQ或手机号协商还款。",
        "Do not move the conversation to a private WeChat, QQ or mobile number.",
        (
            r"加微信" + _NOT_OFFICIAL,
            r"(?:添加|加|联系|私聊|私信|找|通过)(?:一下)?.{0,8}?"
            + _CHANNEL
            + _NOT_OFFICIAL,
            _CHANNEL + r"\s?(?:号|ID|id)?\s?[:：]",
            r"个人微信|私人微信|私聊|私信",
            r"(?:联系|致电|回电|拨打|打|加|添加|咨询|找|联络).{0,12}?" + PHONE_MOBILE,
            PHONE_MOBILE + r".{0,6}(?:联系|回电|微信同号|同微)",
            r"(?:电话|手机|热线|详询|垂询|专线|号码|致电)\s?[:：]?\s?" + PHONE_MOBILE,
        ),
    ),
    Flag(
        "unofficial_link",
        2,
        "链接不属于所称机构的官方域名",
        "a link whose domain is not the named lender's",
        "链接不是官方域名，不要点击。",
        "The link is not on the lender's official domain; do not open it.",
        (_LINK,),
    ),
    Flag(
        "app_install",
        2,
        "要求安装不明应用或共享屏幕",
        "asks to install an unknown app or share the screen",
        "不要安装来历不明的应用或共享屏幕。",
        "Do not install unknown apps or share your screen.",
        (
            r"apk|APK|安装包|未知来源",
            r"屏幕共享|共享屏幕|开启共享|共享(?:你的|您的)?(?:手机)?屏幕",
            r"会议(?:软件|号|ID|室)|腾讯会议|钉钉|[Zz]oom|ZOOM|向日葵|TeamViewer",
            r"(?:下载|安装).{0,15}?" + _LINK,
            _LINK + r".{0,15}?(?:下载|安装)",
        ),
    ),
    Flag(
        "credential_request",
        3,
        "索要验证码、密码、身份证或卡号等信息",
        "asks for a verification code, password, ID or card number",
        "不要向任何人提供验证码、密码或卡号。",
        "Never share a verification code, password or card number.",
        (
            r"(?:提供|告知|告诉|发送|发给|报|念|输入|填写|回复|提交|上传|转告|核对|说出|确认)(?:一下|下)?"
            r".{0,12}?(?:验证码|动态码|校验码|密码|身份证|卡号|CVV|cvv|安全码|有效期|背面|银行卡信息|身份信息|个人信息|人脸)",
            r"(?:验证码|动态码|校验码|密码|CVV|安全码).{0,8}?(?:告诉|发给|报给|念给|提供给|转告|回复|输入)",
            r"(?:验证|认证|核实|更新|完善|复核)(?:身份|信息|资料|账户)?.{0,15}?(?:"
            + _LINK
            + r"|链接)",
            r"(?:" + _LINK + r"|链接|apk|APK).{0,15}?(?:验证|认证|核实|更新|完善|复核)",
            r"(?:传|发|给)(?:我|过来).{0,6}?(?:验证码|动态码|密码)",
        ),
    ),
    Flag(
        "clearance_fee",
        3,
        "以消除征信、注销账户、解冻或撤诉为由收费",
        "a fee to clear a credit record, cancel an account, unfreeze funds or stop a lawsuit",
        "征信记录无法花钱消除，注销账户和撤诉都不需要付费。",
        "No fee can clear a credit record, cancel an account or stop a lawsuit.",
        (
            r"(?:消除|修复|清除|洗白|撤销|删除|消掉)(?:掉)?.{0,6}?(?:逾期记录|不良记录|征信|记录|纪录)",
            r"(?:逾期|不良|征信)(?:记录|纪录|信息).{0,20}?(?:撤销|消除|清除|删除|修复|洗白)",
            r"征信修复|修复征信|停息挂账|反催收|债务优化|债务整合|债务重组|停催|只还本金|停息分期",
            r"注销.{0,30}?(?:校园|学生)|(?:校园|学生).{0,30}?注销",
            r"解冻.{0,12}?(?:费|缴|交|付|汇|转|保证金)|(?:缴|交|付|汇|转).{0,12}?解冻",
            r"撤诉|撤案|(?:撤销|撤回).{0,4}?(?:诉讼|起诉|案件|支付令)|外访.{0,6}?撤",
            r"(?:缴纳|支付|交|付|转|汇|缴|需|仅需).{0,12}?" + _FEE,
            _FEE_STRICT + r".{0,12}?(?:缴纳|支付|转|汇|缴|" + AMOUNT + ")",
        ),
    ),
    Flag(
        "authority_impersonation",
        3,
        "自称公检法或监管机构并要求转账付款",
        "police, court, prosecutors or a regulator demanding payment",
        "公检法机关不会通过电话或短信要求转账。",
        "Police, courts and regulators never ask for money by phone or SMS.",
        (
            r"(?:公安|警察|警官|派出所|刑侦|经侦|网警|检察院|检察官|金融监管|银保监|证监会|人民银行|央行|"
            r"金管会|金管局|地检署|刑事局|调查局|反诈中心|征信中心|监管专员).{0,60}?"
            r"(?:"
            + _PAY
            + r"|缴纳|支付|安全账户|保证金|资金核查|核查资金|资产核查|清查|罚款|验资|费)",
            r"(?:法院|法官).{0,60}?(?:安全账户|保证金|撤诉费|资金核查|核查资金|清查|个人账户|监管账户)",
        ),
    ),
    Flag(
        "threat",
        1,
        "以逮捕、曝光通讯录或暴力相威胁",
        "threatens arrest, exposure to contacts or violence",
        "以逮捕、曝光相威胁属于违规催收，可向贷款机构官方客服或监管部门投诉。",
        "Threats of arrest or exposure are abusive collection: complain to the lender's official hotline or the regulator.",
        (
            r"逮捕|拘留|坐牢|判刑|刑事(?:责任|拘留|立案)|通缉|抓(?:你|人)",
            r"爆(?:你)?(?:通讯录|通讯|户)|通讯录|曝光|群发|挂?横幅|P图|社死|身败名裂",
            r"(?:告诉|通知|发给)你(?:的)?(?:家人|同事|朋友|领导|亲戚)|让你(?:家人|同事|朋友|全村)",
            r"(?:通报|通知|告知|发)(?:至|到|给)(?:你|您)?(?:的)?(?:单位|公司|领导|同事|学校)|上你(?:单位|公司|家)",
            r"联系人.{0,8}?(?:都有|发|曝)|P(?:图|好)",
            r"打断|弄死|废了你|后果自负|上门(?:讨|收|要)债",
        ),
    ),
    Flag(
        "urgency",
        1,
        "以几小时内、仅限今日等期限施压",
        "pressure with a deadline in hours or 'today only'",
        "限时施压是常见的诈骗手法：先通过官方渠道核实，再决定是否付款。",
        "A tight deadline is a common pressure tactic: verify through official channels before paying anything.",
        (
            f"(?:{NUMBER}|[一二两三四五六七八九十半])"
            + r"\s?(?:个)?(?:小时|分钟|工作日)(?:内|之内|以内)(?!\s?有效)",
            r"今[天日]\s?(?:"
            + DATE
            + "|"
            + NUMBER
            + r"\s?点)?\s?(?:内|之内|前|之前)|今[天日](?:必须|务必|把|就|汇|转|还|打|处理|下午|晚上)|当[天日](?:内|必须)",
            r"仅限今[天日]|即日|今晚|今夜",
            r"逾时.{0,4}?(?:失效|不候|作废)|过时不候|倒计时|最后(?:期限|通牒|机会|通知)",
            r"(?:立即|马上|立刻|即刻).{0,12}?(?:否则|不然)",
        ),
    ),
)

#: The flag ids, in table order.
FLAGS: tuple[str, ...] = tuple(f.id for f in FLAG_TABLE)
#: Each flag by id.
FLAG_BY_ID: dict[str, Flag] = {f.id: f for f in FLAG_TABLE}
#: The ids of the fraud mechanisms (severity 2 and 3), in table order.
MECHANISMS: frozenset[str] = frozenset(f.id for f in FLAG_TABLE if f.mechanism)
_COMPILED = {f.id: [re.compile(p) for p in f.patterns] for f in FLAG_TABLE}
_NEGATION_WORDS = (
    "勿 不要 不会 切勿 谨防 绝不 从不 不得 严禁 警惕 防范 提防 谨慎 并非 无需 不需要 未授权 "
    "没有授权 不存在 均为诈骗 都是诈骗 冒充 诈骗"
).split()
_CLAUSE_END = re.compile(r"[,.!?;。!?;]")


class _Negation:
    """Answers "does the clause before this position warn against it?" for one text.

    A flag match is negated when a negation word lies between the start of its
    clause and the match. The words and clause ends are found once per text, so a
    long clause with many matches costs linear time, not quadratic.
    """

    def __init__(self, text: str):
        self.clause_ends = [m.end() for m in _CLAUSE_END.finditer(text)]
        spans = sorted(
            (i, i + len(word))
            for word in _NEGATION_WORDS
            for i in _find_all(text, word)
        )
        self.starts = [a for a, _ in spans]
        # suffix minimum of the ends: the earliest end of a word starting at >= i
        self.min_end = [0] * len(spans)
        best = len(text) + 1
        for k in range(len(spans) - 1, -1, -1):
            best = min(best, spans[k][1])
            self.min_end[k] = best

    def __call__(self, start: int) -> bool:
        k = bisect.bisect_right(self.clause_ends, start) - 1
        clause_start = self.clause_ends[k] if k >= 0 else 0
        i = bisect.bisect_left(self.starts, clause_start)
        return i < len(self.starts) and self.min_end[i] <= start


def _find_all(text: str, word: str) -> list[int]:
    found, i = [], text.find(word)
    while i >= 0:
        found.append(i)
        i = text.find(word, i + 1)
    return found


Matches = tuple[tuple[str, tuple[tuple[int, int], ...]], ...]


@byte_cache(16 * 1024 * 1024)
def flag_matches(normalized: str) -> Matches:
    """The flags a normalized text raises, in `FLAGS` order, each with the spans of
    the normalized text that raise it (a flag warned against does not count)."""
    negated = _Negation(normalized)
    found = []
    for flag, patterns in _COMPILED.items():
        spans = {
            m.span()
            for pattern in patterns
            for m in pattern.finditer(normalized)
            if not negated(m.start())
        }
        if spans:
            found.append((flag, tuple(sorted(spans))))
    return tuple(found)


def flag_ids(normalized: str) -> tuple[str, ...]:
    """The ids of the flags raised by a normalized text, in `FLAGS` order."""
    return tuple(flag for flag, _ in flag_matches(normalized))


@dataclasses.dataclass(frozen=True)
class RedFlag:
    """A fraud mechanism or warning sign, with evidence as ``(start, end)`` offsets
    into the original message; ``severity`` as in `FLAG_TABLE` (1 a warning sign,
    2 and 3 fraud mechanisms)."""

    id: str
    zh: str
    en: str
    spans: tuple[tuple[int, int], ...]
    severity: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Fact:
    """Something the message states: ``kind`` (signature, amount, date, due_date,
    days_overdue, card_tail, phone, url, case_number, sender), its text as
    written, its span in the original message, and a ``detail`` (phone or URL
    kind, sender kind)."""

    kind: str
    value: str
    span: tuple[int, int]
    detail: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _merge(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return tuple(merged)


def red_flags(traced: Traced, matches: Matches) -> tuple[RedFlag, ...]:
    """`matches` of a traced text as red flags with spans in its original."""
    out = []
    for flag, spans in matches:
        spec = FLAG_BY_ID[flag]
        original = _merge(traced.span(a, b) for a, b in spans)
        out.append(RedFlag(flag, spec.zh, spec.en, original, spec.severity))
    return tuple(out)


def find_flags(text: str) -> list[RedFlag]:
    """The red flags of a message, with spans into `text`.

    Examples
    --------
    >>> text = "您已逾期，请加 薇 信 kf88 协商，2小时内处理"
    >>> [(f.id, [text[a:b] for a, b in f.spans]) for f in find_flags(text)]
    [('private_contact', ['加 薇 信']), ('urgency', ['2小时内'])]
    """
    traced = trace_normalize(text)
    return list(red_flags(traced, flag_matches(traced.text)))


_KIND = {
    URL_OFFICIAL: ("url", "official"),
    URL_SHORT: ("url", "short"),
    URL_OTHER: ("url", "other"),
    URL_FAKE: ("url", "look-alike"),
    PHONE_HOTLINE: ("phone", "hotline"),
    PHONE_MOBILE: ("phone", "mobile"),
    PHONE_LANDLINE: ("phone", "landline"),
    AMOUNT: ("amount", None),
    DATE: ("date", None),
    CARD_TAIL: ("card_tail", None),
    CASE_NO: ("case_number", None),
}
_FACT_TOKENS = re.compile("|".join(sorted(_KIND, key=len, reverse=True)))
_SIGNATURE = re.compile(r"【([^】]{2,24})】")
_DUE = re.compile(r"到期|还款日|截止|最后还款|缴款|前还|之前")
_DAYS = re.compile(r"逾期(?:了|已)?(?:超过)?\s?(" + NUMBER + r")\s?(?:天|日)")
_NON_DIGITS = re.compile(r"\D")


def facts(text: str, traced: Traced) -> tuple[Fact, ...]:
    """The facts of `text` (whose normalization is `traced`), in text order."""
    norm = traced.text
    found = []
    for m in _SIGNATURE.finditer(norm):
        a, b = traced.span(*m.span(1))
        found.append(Fact("signature", text[a:b], (a, b)))
    for m in _FACT_TOKENS.finditer(norm):
        kind, detail = _KIND[m[0]]
        if kind == "date" and _DUE.search(
            norm, max(0, m.start() - 8), min(len(norm), m.end() + 6)
        ):
            kind = "due_date"
        a, b = traced.span(*m.span())
        value = text[a:b]
        if kind == "card_tail":
            value = _NON_DIGITS.sub("", value)[-4:] or value
        found.append(Fact(kind, value.strip(), (a, b), detail))
    for m in _DAYS.finditer(norm):
        a, b = traced.span(*m.span(1))
        found.append(Fact("days_overdue", text[a:b].strip(), (a, b)))
    return tuple(sorted(found, key=lambda f: f.span))


def find_facts(text: str) -> list[Fact]:
    """Signature, amounts, dates, days overdue, card tail, phones, URLs, case numbers.

    Examples
    --------
    >>> [(f.kind, f.value, f.detail) for f in find_facts("【花呗】您尾号1234账单1,200元已逾期3天，详询95188")]
    [('signature', '花呗', None), ('card_tail', '1234', None), ('amount', '1,200元', None), ('days_overdue', '3', None), ('phone', '95188', 'hotline')]
    """
    return list(facts(text, trace_normalize(text)))
