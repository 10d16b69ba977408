"""Why a message got its label: feature contributions, and advice for the reader."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import numpy as np

from ._flags import _merge, flag_matches
from ._normalize import Traced
from ._vocab import UNRELATED

if TYPE_CHECKING:
    from ._features import LinearScorer

__all__ = ["Advice", "Contribution", "advise", "explain"]


@dataclasses.dataclass(frozen=True)
class Advice:
    """What to do, in Chinese and English."""

    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True)
class Contribution:
    """A feature's push on the decision: ``weight`` > 0 pushed for the label, < 0
    against it (towards the runner-up). ``kind`` is ``word``, ``char`` or ``flag``;
    ``spans`` are offsets into the original message."""

    feature: str
    kind: str
    weight: float
    spans: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_BY_LABEL = {
    "scam": (
        "这条消息具有诈骗特征：不要转账、不要添加对方的私人联系方式、不要点击其中的链接，"
        "请通过贷款机构的官方App或官方客服电话核实，并保留短信作为证据。",
        "This message looks fraudulent: do not pay, add its contacts or open its links; "
        "verify through the lender's official app or hotline and keep the message as evidence.",
    ),
    "legal": (
        "这是一条催收升级通知：请通过贷款机构官方App或官方客服核实欠款和案件是否属实，"
        "只通过官方渠道还款，不向任何个人账户付款。",
        "This is an escalated collection notice: check the debt and any case with the lender's "
        "official app or hotline, and pay only through official channels, never a personal account.",
    ),
    "overdue": (
        "您可能已经逾期：请登录贷款机构官方App或拨打官方客服电话核实金额并尽快还款，以减少罚息和征信影响。",
        "You may be overdue: check the amount in the lender's official app or hotline and repay "
        "soon to limit fees and credit-report damage.",
    ),
    "reminder": (
        "这是一条还款提醒：请通过官方App或自动扣款按时还款，有疑问请拨打官方客服电话。",
        "This is a repayment reminder: pay on time through the official app or autopay; call the "
        "official hotline with any question.",
    ),
}
_BY_FLAG = {
    "personal_account": (
        "正规机构不会要求您向个人账户或所谓“安全账户”转账。",
        "Real lenders never ask you to pay a personal or 'safe' account.",
    ),
    "credential_request": (
        "不要向任何人提供验证码、密码或卡号。",
        "Never share a verification code, password or card number.",
    ),
    "authority_impersonation": (
        "公检法机关不会通过电话或短信要求转账。",
        "Police, courts and regulators never ask for money by phone or SMS.",
    ),
    "clearance_fee": (
        "征信记录无法花钱消除，注销账户和撤诉都不需要付费。",
        "No fee can clear a credit record, cancel an account or stop a lawsuit.",
    ),
    "private_contact": (
        "不要添加对方的私人微信、QQ或手机号协商还款。",
        "Do not move the conversation to a private WeChat, QQ or mobile number.",
    ),
    "unofficial_link": (
        "链接不是官方域名，不要点击。",
        "The link is not on the lender's official domain; do not open it.",
    ),
    "app_install": (
        "不要安装来历不明的应用或共享屏幕。",
        "Do not install unknown apps or share your screen.",
    ),
}
_BY_LABEL[UNRELATED] = (
    "这条消息与欠款无关，不是催收或还款消息。",
    "This message is not about a debt: it is not a collection or repayment message.",
)


def advise(label: str, flag_ids: tuple[str, ...]) -> Advice:
    """Advice for a prediction: a sentence for the label, one for its gravest flag.

    Examples
    --------
    >>> advise("scam", ("urgency", "personal_account")).en.split(";")[0]
    'This message looks fraudulent: do not pay, add its contacts or open its links'
    >>> advise("unrelated", ()).en
    'This message is not about a debt: it is not a collection or repayment message.'
    """
    zh, en = _BY_LABEL[label] if label in _BY_LABEL else _BY_LABEL[UNRELATED]
    extra = next((_BY_FLAG[f] for f in _BY_FLAG if f in flag_ids), None)
    if extra is not None and label in ("scam", "legal"):
        zh, en = zh + extra[0], en + " " + extra[1]
    return Advice(zh, en)


def _spans(traced: Traced, kind: str, name: str) -> tuple[tuple[int, int], ...]:
    text = traced.text
    if kind == "flag":
        return _merge([traced.span(a, b) for a, b in flag_matches(text).get(name, [])])
    tokens = [name] if kind == "char" else name.split(" ")
    start = text.find(tokens[0])
    if start < 0:
        return ()
    end = start + len(tokens[0])
    for token in tokens[1:]:
        nxt = text.find(token, end)
        if nxt < 0:
            break
        end = nxt + len(token)
    return (traced.span(start, end),)


def explain(
    scorer: LinearScorer,
    classes: tuple[str, ...],
    proba: np.ndarray,
    label: str,
    traced: Traced,
    k: int = 5,
) -> list[Contribution]:
    """The `k` strongest contributions for `label` and the `k` strongest against it.

    A contribution is a feature's value times the difference of its coefficients for
    `label` and for the runner-up class (the linear model's log-odds between them).
    """
    _, cols, values = scorer.features([traced.text])
    runner_up = next(c for c in (classes[i] for i in np.argsort(-proba)) if c != label)
    coef = scorer.coef
    weights = coef[classes.index(label)] - coef[classes.index(runner_up)]
    contrib = values * weights[cols]
    order = np.argsort(-contrib, kind="stable")
    picked = [i for i in order[:k] if contrib[i] > 0] + [
        i for i in order[::-1][:k] if contrib[i] < 0
    ]
    out = []
    for i in picked:
        kind, name = scorer.feature_name(int(cols[i]))
        out.append(
            Contribution(name, kind, float(contrib[i]), _spans(traced, kind, name))
        )
    return out
