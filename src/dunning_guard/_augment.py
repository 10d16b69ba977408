"""Seeded variants of messages: script conversion, scammer obfuscation, refilled values.

Used to grow the training set and to test robustness. Every function takes a
`seed` (or a `random.Random`), so the same call always gives the same text.
"""

from __future__ import annotations

import random
import re

import pandas as pd

from ._script import has_traditional, to_simplified, to_traditional

__all__ = ["augment", "obfuscate", "refill"]

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_CYRILLIC = str.maketrans("aeopcxy", "аеорсху")
_SEPARATORS = (" ", "  ", "·", "❤", "*", "-", "\u200b", "_")
_EMOJI = ("❤", "🔥", "💰", "⚠️", "✅", "👉", "📞", "🙏", "‼️", "⭐")
_HOMOPHONES = {
    "微信": ("薇信", "威信", "徽信", "V信", "vx", "VX", "wx", "威♥信"),
    "加微信": ("加V", "+V", "加v", "加薇"),
    "QQ": ("扣扣", "Q.Q", "企鹅号"),
    "LINE": ("L I N E", "賴", "LlNE"),
}
# Words scammers split so keyword filters miss them.
_SPLIT_WORDS = re.compile(
    "微信|QQ|转账|轉帳|转帐|账户|帳戶|账号|帳號|银行卡|銀行卡|验证码|驗證碼|逾期|还款|還款|征信|"
    "聯徵|客服|法院|律师|律師|冻结|凍結|注销|註銷|下载|下載|链接|連結|安全账户"
)
_URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9.\-/:]*\.[A-Za-z]{2,}[A-Za-z0-9./\-]*")


def _split_word(word: str, rng: random.Random) -> str:
    sep = rng.choice(_SEPARATORS)
    return sep.join(word)


def obfuscate(text: str, seed: int | random.Random = 0, *, tricks: int = 3) -> str:
    """Apply `tricks` randomly chosen scammer obfuscations to `text`.

    The tricks: separators inside keywords (``微 信``), homophones (``薇信``,
    ``加V``), full-width digits, emoji, zero-width characters, and Cyrillic
    look-alike letters in URLs and Latin words.

    Examples
    --------
    >>> obfuscate("请加微信kf88转账", seed=1) == obfuscate("请加微信kf88转账", seed=1)
    True
    >>> obfuscate("请加微信kf88转账", seed=1) != "请加微信kf88转账"
    True
    """
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    names = ["split", "homophone", "fullwidth", "emoji", "zerowidth", "cyrillic"]
    chosen = rng.sample(names, k=min(tricks, len(names)))
    out = text
    for name in names:  # fixed order so overlapping tricks compose the same way
        if name not in chosen:
            continue
        if name == "homophone":
            for word, subs in _HOMOPHONES.items():
                if word in out:
                    out = out.replace(word, rng.choice(subs))
        elif name == "split":
            out = _SPLIT_WORDS.sub(lambda m: _split_word(m[0], rng), out)
        elif name == "fullwidth":
            out = out.translate(_FULL_WIDTH)
        elif name == "cyrillic":
            out = _URL_LIKE.sub(lambda m: m[0].translate(_CYRILLIC), out)
        elif name in ("emoji", "zerowidth") and len(out) > 2:
            chars = list(out)
            for _ in range(max(1, len(chars) // 25)):
                pos = rng.randrange(1, len(chars))
                chars.insert(pos, rng.choice(_EMOJI) if name == "emoji" else "\u200b")
            out = "".join(chars)
    if out == text:  # nothing applied: fall back to the one trick that always applies
        out = "\u200b".join(text[i : i + 4] for i in range(0, len(text), 4))
    return out


_AMOUNT = re.compile(
    r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?(?=\s?(?:元|块|港元|萬|万))"
)
_CURRENCY = re.compile(r"(?<=[¥￥$])(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?")
_MONTH_DAY = re.compile(r"(\d{1,2})月(\d{1,2})([日号號])")
_TAIL = re.compile(r"(尾号|尾號|末四位|後四碼|尾數)(\d{4})")
_DAYS = re.compile(r"(逾期|逾期了|已逾期|超過|超过)(\d{1,3})(天|日)")
# Lenders that can stand in for one another in a signature, by kind.
_LENDER_GROUPS = (
    (
        "招商银行 工商银行 建设银行 农业银行 中国银行 交通银行 浦发银行 中信银行 光大银行 "
        "民生银行 兴业银行 平安银行 广发银行 华夏银行 邮储银行 北京银行 上海银行 宁波银行"
    ).split(),
    "花呗 借呗 京东白条 京东金条 美团月付 微粒贷 度小满 360借条 分期乐 安逸花 有钱花 还呗 省呗".split(),
    "招联金融 马上消费金融 中银消费金融 兴业消费金融 海尔消费金融 苏宁消费金融 中邮消费金融".split(),
    "國泰世華銀行 中國信託 台新銀行 玉山銀行 台北富邦銀行 永豐銀行".split(),
    "滙豐 恒生銀行 中銀香港 渣打銀行 東亞銀行 大新銀行".split(),
)


def _new_amount(match: re.Match[str], rng: random.Random) -> str:
    digits = match[1].replace(",", "")
    value = max(1, int(int(digits) * rng.uniform(0.3, 3.0)))
    whole = f"{value:,}" if "," in match[1] else str(value)
    cents = f".{rng.randrange(100):02d}"[: len(match[2])] if match[2] else ""
    return whole + cents


def refill(text: str, seed: int | random.Random = 0) -> str:
    """Refill amounts, dates, days overdue, card tails and the lender's name.

    Examples
    --------
    >>> refill("【招商银行】您尾号1234的账单2,318.50元，11月25日到期。", seed=3)
    '【上海银行】您尾号9894的账单2,184.69元，3月12日到期。'
    """
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    out = _AMOUNT.sub(lambda m: _new_amount(m, rng), text)
    out = _CURRENCY.sub(lambda m: _new_amount(m, rng), out)
    out = _MONTH_DAY.sub(
        lambda m: f"{rng.randint(1, 12)}月{rng.randint(1, 28)}{m[3]}", out
    )
    out = _TAIL.sub(lambda m: f"{m[1]}{rng.randrange(10000):04d}", out)
    out = _DAYS.sub(lambda m: f"{m[1]}{rng.randint(1, 120)}{m[3]}", out)
    for group in _LENDER_GROUPS:
        present = [name for name in group if name in out]
        if present:
            old = max(present, key=len)
            out = out.replace(old, rng.choice([n for n in group if n != old]))
            break
    return out


def _with_corpus_columns(data: pd.DataFrame) -> pd.DataFrame:
    """Derive what `augment` needs from a plain ``text, label`` frame."""
    if "text" not in data.columns:
        raise ValueError(
            f"Expected a 'text' column, found {list(data.columns)}; rename yours first."
        )
    df = data.copy()
    if "id" not in df.columns:
        df["id"] = [f"r{i}" for i in range(len(df))]
    df["id"] = df["id"].astype(str)
    if "group" not in df.columns:
        df["group"] = df["id"]
    if "script" not in df.columns:
        df["script"] = ["t" if has_traditional(t) else "s" for t in df["text"]]
    if "tags" not in df.columns:
        df["tags"] = ""
    return df


def augment(
    data: pd.DataFrame,
    *,
    seed: int = 0,
    obfuscate_labels: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Return `data` plus derived variants of every row, each keeping its ``group``.

    Per row: the other script (Simplified <-> Traditional), a refilled copy, and an
    obfuscated copy (for every label, or only `obfuscate_labels`). Variants equal
    to a text already present are dropped. A plain ``text, label`` frame works:
    ``id`` (``r0, r1, …``), ``group`` (the id), ``script`` and ``tags`` are derived
    when missing. Variant ids are ``<id>-t``, ``<id>-r`` and ``<id>-o``.

    Examples
    --------
    >>> base = pd.DataFrame({"text": ["【花呗】您的账单明天到期，请还款1,200元。"],
    ...                      "label": ["reminder"]})
    >>> augment(base)["id"].tolist()
    ['r0', 'r0-t', 'r0-r', 'r0-o']
    """
    data = _with_corpus_columns(data)
    rng = random.Random(seed)
    rows = []
    seen: set[str] = set()
    for row in data.to_dict("records"):
        rows.append(row)
        seen.add(row["text"])
        tags = [t for t in str(row.get("tags") or "").split() if t != "obf"]
        flipped = (
            to_simplified(row["text"])
            if row["script"] == "t"
            else to_traditional(row["text"])
        )
        variants = [("t", flipped, tags), ("r", refill(row["text"], rng), tags)]
        if obfuscate_labels is None or row.get("label") in obfuscate_labels:
            variants.append(("o", obfuscate(row["text"], rng), tags + ["obf"]))
        for suffix, text, vtags in variants:
            if text in seen:
                continue
            seen.add(text)
            rows.append(
                row
                | {
                    "id": f"{row['id']}-{suffix}",
                    "text": text,
                    "script": "t" if has_traditional(text) else "s",
                    "tags": " ".join(sorted(set(vtags))),
                }
            )
    return pd.DataFrame(rows, columns=list(data.columns))
