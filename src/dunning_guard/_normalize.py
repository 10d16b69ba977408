"""Text normalization: one canonical, Simplified, de-obfuscated form per message.

Scammers vary the surface of a message (Traditional script, ``微 信``, ``薇信``,
full-width digits, emoji, zero-width characters, Cyrillic look-alikes) and every
message carries volatile values (amounts, dates, phone numbers). Normalizing both
away lets the classifier learn patterns instead of numbers.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from importlib import resources
from typing import TypeVar

from ._cache import byte_cache
from ._script import to_simplified
from ._vocab import (
    AMOUNT,
    CARD_NO,
    CARD_TAIL,
    CASE_NO,
    DATE,
    MAX_CHARS,
    NUMBER,
    PHONE_HOTLINE,
    PHONE_LANDLINE,
    PHONE_MOBILE,
    URL_FAKE,
    URL_OFFICIAL,
    URL_OTHER,
    URL_SHORT,
)

__all__ = ["Traced", "clean", "normalize", "trace_normalize"]

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff]"
)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# Cyrillic and Greek letters that look like Latin ones, as used in forged URLs/names.
_LOOKALIKES = str.maketrans(
    "аеорсухіјѕкмтнвАЕОРСУХІЈЅКМТНВαοργικνυτΑΒΕΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijskmthbAEOPCYXIJSKMTHBaopyikvutABEHIKMNOPTYX",
)
_HAN = "\u3400-\u9fff\uf900-\ufaff"
# Separators a scammer inserts between the characters of a word (微 信, 微-信, V❤信).
_SEP = r"[\s·•・.*_\-|/\\~+^=]"
_SPLIT_HAN = re.compile(
    rf"(?:(?<=[{_HAN}])|(?<=(?<![A-Za-z0-9])[A-Za-z])){_SEP}{{1,3}}(?=[{_HAN}])"
)
_SPLIT_LATIN = re.compile(
    rf"(?<=[{_HAN}])[\s·•・*_\-|]{{1,3}}(?=[A-Za-z](?![A-Za-z0-9]))"
)
_SPACED_LETTERS = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z](?:[\s.·*_\-]{1,2}[A-Za-z](?![A-Za-z0-9]))+"
)
_SPACED_DIGITS = re.compile(r"(?<![\d.])\d(?:[\s·*_\-]{1,2}\d){6,}(?![\d.])")
# A domain-like run that mixes Latin with Cyrillic or Greek letters is a forgery.
_MIXED_RUN = re.compile(
    r"[A-Za-z0-9\u0370-\u03ff\u0400-\u04ff.\-/:]*\.[A-Za-z0-9\u0370-\u03ff\u0400-\u04ff.\-/:]+"
)
_NON_LATIN = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
_SYMBOLS = frozenset(("So", "Sk", "Co", "Cn"))

# Homophones and code words for private contact channels (after t2s).
_CONTACT_WORDS = [
    (
        re.compile(
            r"[薇威徽微溦]信|(?<![A-Za-z0-9.])(?:[vVwW][xX]|wechat|WeChat|WECHAT)"
            r"(?![A-Za-z0-9.])|(?<![A-Za-z])[vVwW]信"
        ),
        "微信",
    ),
    (re.compile(r"[加+][vVwW](?![A-Za-z0-9])|[加+]微(?![信博])"), "加微信"),
    (re.compile(r"扣扣|企鹅号|秋秋|(?<![A-Za-z0-9.])[qQ][qQ](?![A-Za-z.])"), "QQ"),
    (
        re.compile(r"(?<=加)赖|(?<![A-Za-z0-9.])[Ll][Ii][Nn][Ee](?![A-Za-z0-9.])"),
        "LINE",
    ),
    (re.compile(r"(?<![A-Za-z])[Ww]hats\s?[Aa]pp(?![A-Za-z])|瓦次普"), "WhatsApp"),
]

# The characters a contact-word match can start with: text without any of them
# skips the five patterns, with the same result.
_CONTACT_ANY = re.compile("[薇威徽微溦vVwW加+扣企秋qQ赖Ll瓦]")

_URL = re.compile(
    r"(?:(?:https?|hxxps?)://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u3400-\u9fff<>\"'，。,]+"
    r"|(?<![@A-Za-z0-9.])(?:[A-Za-z0-9-]+\.)+(?:com|cn|net|org|top|vip|xyz|cc|tw|hk|io|me|ly|"
    r"info|app|link|shop|site|club|online|gov|edu|co|biz|pro|xin|ltd|work|live|fun|icu|store|tech|"
    r"asia|wang|ink|run|today|mobi|buzz|cyou|life|loan|money|finance)(?:\.[a-z]{2})?(?:/[^\s，。]*)?(?![A-Za-z])"
)
_CASE_NO = re.compile(
    r"[(（〔\[]\d{4}[)）〕\]][^\s，。,;；]{1,20}?号|案号[:：]?\s*[A-Za-z0-9-]{4,}"
)
_CARD_TAIL = re.compile(
    r"(尾号|末四位|末4位|末位|卡号后四位|后四位|後四碼|末四碼|尾數|尾碼)[为是:：\s]*\d{3,4}"
)
_CARD_NO = re.compile(r"(?<!\d)\d{4}(?:[\s-]?\d{4}){3}(?:[\s-]?\d{1,3})?(?!\d)")
_PHONE = re.compile(
    r"(?<![\d¥$,.])(?:"
    r"(?P<hotline>95\d{3,4}|96\d{3}|(?:400|800)[-\s]?\d{3}[-\s]?\d{4}|0800[-\s]?\d{3}[-\s]?\d{3}|1010\d{4})"
    r"|(?P<mobile>(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}"
    r"|(?:\+?886[-\s]?|0)9\d{2}[-\s]?\d{3}[-\s]?\d{3}|\+?852[-\s]?[4-9]\d{3}[-\s]?\d{4}|[5-9]\d{3}[-\s]\d{4})"
    r"|(?P<landline>0\d{2,3}[-\s]?\d{7,8}|\(0\d{1,3}\)\s?\d{4}[-\s]?\d{4}|\+?852[-\s]?[23]\d{3}[-\s]?\d{4})"
    r")(?![\d]|\s?(?:元|块|万|圓|港元|蚊))"
)
# A run of digits is only tried from its start (not after a digit, nor after a digit
# and a comma): otherwise a long digit run costs quadratic time.
_AMOUNT = re.compile(
    r"(?:(?:RMB|CNY|NT\$|HK\$|NTD|HKD|US\$|\$|¥|￥)\s?\d[\d,]*(?:\.\d+)?(?:\s?[万千])?"
    r"|(?<!\d)(?<!\d,)\d[\d,]*(?:\.\d+)?\s?(?:万元|千元|元|块|圓|港元|港幣|新台幣|台幣|蚊))"
)
_DATE = re.compile(
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}[日号號]?"
    r"|\d{1,2}月\d{1,2}[日号號]|\d{1,2}/\d{1,2}(?!\d)"
    r"|\d{1,2}[:：]\d{2}(?::\d{2})?"
)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"[ \t\r\n\u3000]+")


@functools.cache
def _official_domains() -> frozenset[str]:
    text = resources.files("dunning_guard").joinpath("data/official_domains.txt")
    lines = text.read_text(encoding="utf-8").splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and x[0] != "#")


_SHORTENERS = frozenset(
    "t.cn dwz.cn url.cn bit.ly tinyurl.com goo.gl is.gd suo.im u.nu 3.cn j.mp "
    "reurl.cc lihi.cc pse.is ppt.cc".split()
)


def url_kind(url: str) -> str:
    """Return ``"official"``, ``"short"`` or ``"other"`` for a URL's domain."""
    host = re.sub(r"^(?:(?:https?|hxxps?)://)?", "", url.lower()).split("/")[0]
    host = host.split(":")[0].strip(".")
    if host.startswith("www."):
        host = host[4:]
    if host in _SHORTENERS:
        return "short"
    parts = host.split(".")
    for i in range(len(parts) - 1):
        if ".".join(parts[i:]) in _official_domains():
            return "official"
    return "other"


def phone_kind(match: re.Match[str]) -> str:
    """Return ``"hotline"``, ``"mobile"`` or ``"landline"`` for a `_PHONE` match."""
    return match.lastgroup or "landline"


class Traced:
    """Text that remembers, for each character, the span of the original it came from.

    `normalize` and `clean` run on plain strings (fast) or on `Traced` text (to map
    evidence back to the user's original, un-normalized message). The steps are the
    same code; only NFKC runs per character on `Traced` text.
    """

    __slots__ = ("ends", "starts", "text")

    def __init__(self, text: str, starts: list[int], ends: list[int]):
        self.text, self.starts, self.ends = text, starts, ends

    @classmethod
    def of(cls, text: str) -> Traced:
        return cls(text, list(range(len(text))), list(range(1, len(text) + 1)))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text behind ``self.text[start:end]``."""
        return self.starts[start], self.ends[end - 1]

    def sub(
        self, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]
    ) -> Traced:
        text, starts, ends, pos = [], [], [], 0
        for m in pattern.finditer(self.text):
            a, b = m.span()
            if a == b:
                continue
            new = repl(m) if callable(repl) else repl
            text.append(self.text[pos:a] + new)
            starts += self.starts[pos:a] + [self.starts[a]] * len(new)
            ends += self.ends[pos:a] + [self.ends[b - 1]] * len(new)
            pos = b
        text.append(self.text[pos:])
        return Traced("".join(text), starts + self.starts[pos:], ends + self.ends[pos:])

    def map_chars(self, fn: Callable[[str], str]) -> Traced:
        text, starts, ends = [], [], []
        for c, a, b in zip(self.text, self.starts, self.ends):
            new = fn(c)
            text.append(new)
            starts += [a] * len(new)
            ends += [b] * len(new)
        return Traced("".join(text), starts, ends)


Text = TypeVar("Text", str, Traced)


def _sub(
    text: Text, pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str]
) -> Text:
    return pattern.sub(repl, text) if isinstance(text, str) else text.sub(pattern, repl)


def _map(text: Text, fn: Callable[[str], str]) -> Text:
    """Apply a per-character mapping (whole-string where that gives the same result)."""
    return fn(text) if isinstance(text, str) else text.map_chars(fn)


@functools.cache
def _plain_chars() -> re.Pattern[str]:
    """Text made only of these has no symbol to drop: ASCII but ^ and `, the CJK
    ideographs and CJK punctuation, minus the symbols among them."""
    ranges = [*range(0x80), *range(0x3000, 0x3040), *range(0x4E00, 0xA000)]
    keep = [chr(c) for c in ranges if unicodedata.category(chr(c)) not in _SYMBOLS]
    return re.compile("[" + "".join(map(re.escape, keep)) + "]*")


def _drop_symbols(text: str) -> str:
    # Emoji and pictographs carry no meaning here but split words (V❤信).
    if text.isascii() or _plain_chars().fullmatch(text):
        return text
    return "".join(c for c in text if unicodedata.category(c) not in _SYMBOLS)


def _simplify(text: Text) -> Text:
    if isinstance(text, str):
        return to_simplified(text)
    converted = to_simplified(text.text)
    if len(converted) == len(text.text):  # OpenCC maps almost always 1:1
        return Traced(converted, text.starts, text.ends)
    return text.map_chars(to_simplified)


def _fake_url(match: re.Match[str]) -> str:
    run = match[0]
    if _NON_LATIN.search(run) and re.search("[A-Za-z]", run):
        return f" {URL_FAKE} "
    return run


_EDGES = re.compile(r"^\s+|\s+$")


def _clean(text: Text) -> Text:
    text = _sub(text, _CONTROL, " ")
    if isinstance(text, str):
        text = unicodedata.normalize("NFKC", text)
    else:
        text = text.map_chars(lambda c: unicodedata.normalize("NFKC", c))
    text = _sub(text, _INVISIBLE, "")
    if _NON_LATIN.search(text if isinstance(text, str) else text.text):
        text = _sub(text, _MIXED_RUN, _fake_url)
        text = _map(text, lambda t: t.translate(_LOOKALIKES))
    text = _map(text, _drop_symbols)
    text = _simplify(text)
    text = _sub(text, _SPACED_LETTERS, lambda m: re.sub(r"[\s.·*_\-]", "", m[0]))
    text = _sub(text, _SPLIT_HAN, "")
    text = _sub(text, _SPLIT_LATIN, "")
    text = _sub(text, _SPACED_DIGITS, lambda m: re.sub(r"\D", "", m[0]))
    if _CONTACT_ANY.search(text if isinstance(text, str) else text.text):
        for pattern, word in _CONTACT_WORDS:
            text = _sub(text, pattern, word)
    return _sub(_sub(text, _SPACES, " "), _EDGES, "")


def clean(text: str) -> str:
    """Undo the surface tricks: NFKC, invisible characters, look-alikes, script.

    The result is still readable Chinese; `normalize` goes on to replace values.

    Examples
    --------
    >>> clean("加 薇 信：ｋｆ８８８，❤立即處理")
    '加微信:kf888,立即处理'
    """
    return _clean(text[:MAX_CHARS])


def _url_token(match: re.Match[str]) -> str:
    return {"official": URL_OFFICIAL, "short": URL_SHORT}.get(
        url_kind(match[0]), URL_OTHER
    )


def _phone_token(match: re.Match[str]) -> str:
    kind = phone_kind(match)
    return {"hotline": PHONE_HOTLINE, "mobile": PHONE_MOBILE}.get(kind, PHONE_LANDLINE)


def _normalize(text: Text) -> Text:
    text = _clean(text)
    plain = text if isinstance(text, str) else text.text
    # Each value pattern needs a dot or a digit (a case number "案号"): text without
    # them skips the patterns, with the same result.
    if "." in plain or "://" in plain:
        text = _sub(text, _URL, lambda m: f" {_url_token(m)} ")
    if "案号" in plain or _DIGIT.search(plain):
        text = _sub(text, _CASE_NO, f" {CASE_NO} ")
        text = _sub(text, _CARD_TAIL, lambda m: f"{m[1]} {CARD_TAIL} ")
        text = _sub(text, _CARD_NO, f" {CARD_NO} ")
        text = _sub(text, _PHONE, lambda m: f" {_phone_token(m)} ")
        text = _sub(text, _AMOUNT, f" {AMOUNT} ")
        text = _sub(text, _DATE, f" {DATE} ")
        text = _sub(text, _DIGITS, f" {NUMBER} ")
    return _sub(_sub(text, _SPACES, " "), _EDGES, "")


def normalize(text: str) -> str:
    """Return the canonical form of a message that the classifier sees.

    Examples
    --------
    >>> normalize("【招商銀行】您尾號1234的信用卡本期應還￥2,318.50，到期日11月25日，詳詢95555")
    '【招商银行】您尾号 CARDTAIL 的信用卡本期应还 AMOUNT ,到期日 DATE ,详询 PHONEHOTLINE'
    """
    return _normalize_cached(text[:MAX_CHARS])


# Real message streams repeat templates; normalizing a string is deterministic, so
# repeats are served from a bounded cache (exact results, only faster).
_normalize_cached = byte_cache(64 * 1024 * 1024)(_normalize)


def trace_normalize(text: str) -> Traced:
    """`normalize`, keeping for each output character its span in `text`.

    Examples
    --------
    >>> t = trace_normalize("請加 薇 信：kf88")
    >>> t.text
    '请加微信:kf NUM'
    >>> t.span(2, 4), "請加 薇 信：kf88"[slice(*t.span(2, 4))]
    ((3, 6), '薇 信')
    """
    return _normalize(Traced.of(text[:MAX_CHARS]))
