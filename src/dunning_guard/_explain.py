"""Why a message got its label: feature contributions, and advice for the reader."""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from ._flags import FLAG_BY_ID, FLAG_TABLE, _merge
from ._vocab import LEGITIMATE, SCAM, TOKEN_NAMES, UNRELATED

if TYPE_CHECKING:
    from ._features import LinearScorer
    from ._reading import Reading

# A prediction (`_results.Prediction`, a floor up): read by attribute.
Prediction = Any

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
    against it (towards the runner-up). ``feature`` is what the model read, with
    typed values shown as ``<mobile number>``, ``<amount>``…; word and character
    n-grams that read the same are one contribution (``kind`` ``word`` when a
    word is among them, else ``char``); ``flag`` is a red flag. ``spans`` are
    offsets into the original message."""

    feature: str
    kind: str
    weight: float
    spans: tuple[tuple[int, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_BY_LABEL = {
    SCAM: (
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
    UNRELATED: (
        "这条消息与欠款无关，不是催收或还款消息。",
        "This message is not about a debt: it is not a collection or repayment message.",
    ),
}
assert set(_BY_LABEL) == {*LEGITIMATE, SCAM, UNRELATED}
# Gravest first: highest severity, then table order.
_GRAVEST_FIRST = sorted(FLAG_TABLE, key=lambda f: -f.severity)


def advise(label: str, flag_ids: tuple[str, ...]) -> Advice:
    """Advice for a prediction: a sentence for the label and, for a scam or a legal
    escalation, one for its gravest red flag.

    Examples
    --------
    >>> advise("scam", ("urgency", "personal_account")).en.split(";")[0]
    'This message looks fraudulent: do not pay, add its contacts or open its links'
    >>> advise("unrelated", ()).en
    'This message is not about a debt: it is not a collection or repayment message.'
    """
    zh, en = _BY_LABEL.get(label, _BY_LABEL[UNRELATED])
    gravest = next((f for f in _GRAVEST_FIRST if f.id in flag_ids), None)
    if gravest is not None and label in (SCAM, "legal"):
        zh, en = zh + gravest.advice_zh, en + " " + gravest.advice_en
    return Advice(zh, en)


_TOKEN = re.compile("|".join(sorted(TOKEN_NAMES, key=len, reverse=True)))


def _locate(
    reading: Reading, kind: str, name: str
) -> tuple[str, tuple[int, int] | None]:
    """Where an n-gram reads in the normalized text, widened to whole typed tokens,
    and how it reads there (typed tokens by their names)."""
    text = reading.normalized
    tokens = [name] if kind == "char" else name.split(" ")
    start = text.find(tokens[0])
    if start < 0:
        return _TOKEN.sub(lambda m: TOKEN_NAMES[m[0]], name), None
    end = start + len(tokens[0])
    for token in tokens[1:]:
        nxt = text.find(token, end)
        if nxt < 0:
            break
        end = nxt + len(token)
    for m in _TOKEN.finditer(text, max(0, start - 16), min(len(text), end + 16)):
        if m.start() < end and start < m.end():
            start, end = min(start, m.start()), max(end, m.end())
    shown = _TOKEN.sub(lambda m: TOKEN_NAMES[m[0]], text[start:end])
    return shown, (start, end)


def explain(
    scorer: LinearScorer,
    classes: tuple[str, ...],
    prediction: Prediction,
    reading: Reading,
    features: tuple[np.ndarray, np.ndarray, np.ndarray],
    k: int = 5,
) -> list[Contribution]:
    """The `k` strongest contributions for the prediction's label and the `k`
    strongest against it, from the `features` the message was scored with.

    A contribution is a feature's value times the difference of its coefficients for
    the label and for the runner-up class (the linear model's log-odds between them);
    features that read the same in the message are summed.
    """
    _, cols, values = features
    label = prediction.label
    proba = np.asarray([prediction.scores[c] for c in classes])
    runner_up = next(c for c in (classes[i] for i in np.argsort(-proba)) if c != label)
    coef = scorer.coef
    weights = coef[classes.index(label)] - coef[classes.index(runner_up)]
    contrib = values * weights[cols]
    flag_spans = dict(reading.matches)
    merged: dict[tuple[str, str], list[Any]] = {}
    for col, value in zip(cols.tolist(), contrib.tolist()):
        kind, name = scorer.feature_name(col)
        if kind == "flag":
            key: tuple[str, str] = ("flag", name)
            where = list(flag_spans.get(name, ()))
        else:
            shown, at = _locate(reading, kind, name)
            key, where = ("text", shown), [at] if at else []
        entry = merged.setdefault(key, [kind, 0.0, set()])
        if kind == "word":
            entry[0] = "word"
        entry[1] += value
        entry[2].update(where)
    items = [
        Contribution(
            shown,
            kind,
            weight,
            _merge(reading.traced.span(a, b) for a, b in spans),
        )
        for (_, shown), (kind, weight, spans) in merged.items()
    ]
    ranked = sorted(items, key=lambda c: -c.weight)
    return [c for c in ranked[:k] if c.weight > 0] + [
        c for c in ranked[::-1][:k] if c.weight < 0
    ]


# Every flag in the table has its texts: the advice above relies on it.
assert all(f.advice_zh and f.advice_en and f.zh and f.en for f in FLAG_BY_ID.values())
