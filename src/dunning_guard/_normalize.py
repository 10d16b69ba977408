"""Text normalization: one canonical, Simplified, de-obfuscated form per message.

Scammers vary the surface of a message (Traditional script, ``微 信``, ``薇信``,
full-width digits, emoji, zero-width characters, Cyrillic look-alikes) and every
message carries volatile values (amounts, dates, phone numbers). Normalizing both
away lets the classifier learn patterns instead of numbers.
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable, Mapping
from importlib import resources
from typing import Any

from ._cache import byte_cache
from ._script import has_traditional, t2s_tables
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

__all__ = ["Traced", "clean", "normalize", "phone_kind", "trace_normalize", "url_kind"]

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
    r"(?<![A-Za-z0-9])[A-Za-z](?:[\s.·*_\-]{1,3}[A-Za-z](?![A-Za-z0-9]))+"
)
_SPACED_DIGITS = re.compile(r"(?<![\d.])\d(?:[\s·*_\-]{1,2}\d){6,}(?![\d.])")
# A domain-like run that mixes Latin with Cyrillic or Greek letters is a forgery.
_MIXED_RUN = re.compile(
    r"[A-Za-z0-9\u0370-\u03ff\u0400-\u04ff.\-/:]*\.[A-Za-z0-9\u0370-\u03ff\u0400-\u04ff.\-/:]+"
)
_NON_LATIN = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
# Dropped wherever they occur: symbols and pictographs (they split words: V❤信),
# private-use and unassigned code points, combining marks and format characters
# (a mark after every character, U+0301 or U+20DD, hides a word from the rules
# without changing how it reads).
_SYMBOLS = frozenset(("So", "Sk", "Co", "Cn", "Mn", "Me", "Cf"))

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
    # A lone V before an id ("客服 V: kf88") is a WeChat id.
    (re.compile(r"(?<![A-Za-z0-9])[vV](?=\s?[:：]\s?[A-Za-z0-9])"), "微信"),
    (
        re.compile(
            r"扣扣|企鹅号?|秋秋|(?<![A-Za-z0-9.])[qQ][qQ](?![A-Za-z.])"
            r"|(?<=加)\s?[qQ](?![A-Za-z.])|扣(?=\s?\d{5})"
        ),
        "QQ",
    ),
    (
        re.compile(r"(?<=加)赖|(?<![A-Za-z0-9.])[Ll][Ii][Nn][Ee](?![A-Za-z0-9.])"),
        "LINE",
    ),
    (re.compile(r"(?<![A-Za-z])[Ww]hats\s?[Aa]pp(?![A-Za-z])|瓦次普"), "WhatsApp"),
]

# The characters a contact-word match can start with: text without any of them
# skips the five patterns, with the same result.
_CONTACT_ANY = re.compile("[薇威徽微溦vVwW加+扣企秋qQ赖Ll瓦]")
# Digits written as Chinese numerals, seven or more in a row (a phone or account
# number spelled out so that filters miss it), become digits.
_NUMERALS = "零〇一二三四五六七八九壹贰叁肆伍陆柒捌玖两"
_NUMERAL_RUN = re.compile(
    f"[{_NUMERALS}](?:[\\s·.\\-]?[{_NUMERALS}]){{6,}}|(?<![{_NUMERALS}])[{_NUMERALS}]{{1,6}}(?=\\d{{4,}})"
)
_NUMERAL_DIGITS = str.maketrans(_NUMERALS, "00123456789123456789" + "2")
_NUMERAL_SEP = re.compile(r"[\s·.\-]")

# The top-level domains a link in a message ends with.
_TLDS = (
    "com|cn|net|org|top|vip|xyz|cc|tw|hk|io|me|ly|info|app|link|shop|site|club|online|gov|"
    "edu|co|biz|pro|xin|ltd|work|live|fun|icu|store|tech|asia|wang|ink|run|today|mobi|buzz|"
    "cyou|life|loan|money|finance|pw|ru|tk|ml|ga|cf|gq|in|us|uk|sg|mo|ws|la|to|cloud|club"
)
_URL = re.compile(
    r"(?:(?:https?|hxxps?)://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u3400-\u9fff<>\"'，。,]+"
    r"|(?<![@A-Za-z0-9.])(?:[A-Za-z0-9-]+\.)+(?:"
    + _TLDS
    + r")(?:\.[a-z]{2})?(?:/[^\s，。]*)?(?![A-Za-z])"
)
# A link written apart so that filters miss it: "h t t p s : // x . com", "x。cc".
_LINK_SCHEME = re.compile(r"(?<![A-Za-z])(https?|hxxps?)\s?:\s?/\s?/\s?")
_LINK_DOT = re.compile(
    r"(?<=[A-Za-z0-9])(?:\s?[。．·]\s?|\s[.]\s?|[.]\s)(?=(?:"
    + _TLDS
    + r")(?![A-Za-z]))"
)
_TLD_SET = frozenset(_TLDS.split("|"))


def _join_letters(match: re.Match[str]) -> str:
    """Spaced letters joined; dots and hyphens kept where they make a domain."""
    kept = re.sub(r"[\s·*_]", "", match[0])
    head, dot, tail = kept.rpartition(".")
    if dot and head and tail.lower() in _TLD_SET:
        return kept
    return re.sub(r"[.\-]", "", kept)


_CASE_NO = re.compile(
    r"[(（〔\[]\d{4}[)）〕\]][^\s，。,;；]{1,20}?号|案号[:：]?\s*[A-Za-z0-9-]{4,}"
)
_CARD_TAIL = re.compile(
    r"(尾号|末四位|末4位|末位|卡号后四位|后四位|後四碼|末四碼|尾數|尾碼)[为是:：\s]*\d{3,4}"
)
_CARD_NO = re.compile(r"(?<!\d)\d{4}(?:[\s-]?\d{4}){3}(?:[\s-]?\d{1,3})?(?!\d)")
# Phone numbers by kind; the same parts classify a whole number (`phone_kind`).
_HOTLINE = r"95\d{3,4}|96\d{3}|(?:400|800)[-\s]?\d{3}[-\s]?\d{4}|0800[-\s]?\d{3}[-\s]?\d{3}|1010\d{4}"
_MOBILE = (
    r"(?:\+?86[-\s]?)?1[3-9]\d[-\s]?\d{4}[-\s]?\d{4}"
    r"|(?:\+?886[-\s]?|0)9\d{2}[-\s]?\d{3}[-\s]?\d{3}|\+?852[-\s]?[4-9]\d{3}[-\s]?\d{4}|[5-9]\d{3}[-\s]\d{4}"
)
_LANDLINE = r"0\d{2,3}[-\s]?\d{7,8}|\(0\d{1,3}\)\s?\d{4}[-\s]?\d{4}|\+?852[-\s]?[23]\d{3}[-\s]?\d{4}"
_PHONE = re.compile(
    rf"(?<![\d¥$,.])(?:(?P<hotline>{_HOTLINE})|(?P<mobile>{_MOBILE})|(?P<landline>{_LANDLINE}))"
    r"(?![\d]|\s?(?:元|块|万|圓|港元|蚊))"
)
# A whole number known to be a phone number (a sender) may also be a bare Hong Kong
# mobile (8 digits) or an operator short code or SMS gateway (10086, 106…); in a
# message, such digit runs are as often amounts or ids.
_WHOLE_NUMBER = re.compile(
    rf"(?P<hotline>{_HOTLINE}|10\d{{3,18}})|(?P<mobile>{_MOBILE}|[4-9]\d{{7}})|(?P<landline>{_LANDLINE})"
)
# A run of digits is only tried from its start (not after a digit, nor after a digit
# and a comma): otherwise a long digit run costs quadratic time.
_AMOUNT = re.compile(
    r"(?:(?:RMB|CNY|NT\$|HK\$|NTD|HKD|US\$|\$|¥|￥)\s?\d(?:[\d,]*\d)?(?:\.\d+)?(?:\s?[万千])?"
    r"|(?<!\d)(?<!\d,)\d[\d,]*(?:\.\d+)?\s?(?:万元|千元|元|块|圓|港元|港幣|新台幣|台幣|蚊))"
)
_DATE = re.compile(
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}[日号號]?"
    r"|\d{1,2}月\d{1,2}[日号號]|\d{1,2}/\d{1,2}(?!\d)"
    r"|\d{1,2}[:：]\d{2}(?::\d{2})?"
)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_DIGIT = re.compile(r"\d")
# Runs of spaces become one space; a lone space is left alone (nothing to replace).
_SPACES = re.compile(r"[ \t\r\n\u3000]{2,}|[\t\r\n\u3000]")


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


def phone_kind(number: str) -> str | None:
    """``"hotline"``, ``"mobile"`` or ``"landline"`` for a whole phone number (a
    sender), or None when `number` is not one. Separators are allowed.

    Hotlines include operator short codes and SMS gateways (``10086``, ``106…``).

    Examples
    --------
    >>> phone_kind("95555"), phone_kind("+86 138 0013 8000"), phone_kind("021-58888888")
    ('hotline', 'mobile', 'landline')
    >>> phone_kind("kf8899") is None
    True
    """
    match = _WHOLE_NUMBER.fullmatch(number.strip())
    return match.lastgroup if match else None


_Step = tuple[tuple[int, ...], tuple[tuple[int, int, int, int], ...]]


class Traced:
    """Normalized text that maps any of its spans back to the original message.

    Every step of the normalization that moves offsets logs its replacements
    (output span, input span); `span` walks them back. A replaced run maps to the
    whole run it replaced, a dropped character to nothing.

    Examples
    --------
    >>> t = trace_normalize("請加 薇 信：kf88")
    >>> t.text, t.span(2, 4)
    ('请加微信:kf NUM', (3, 6))
    """

    __slots__ = ("_log", "text")

    def __init__(self, text: str, log: tuple[_Step, ...] = ()):
        self.text, self._log = text, log

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text behind ``self.text[start:end]`` (non-empty)."""
        first, last = start, end - 1
        for out_starts, edits in reversed(self._log):
            first = _back(out_starts, edits, first, True)
            last = _back(out_starts, edits, last, False)
        return first, last + 1

    def __sizeof__(self) -> int:
        # What the bounded cache counts: the text and about 100 bytes an edit.
        edits = sum(len(e) for _, e in self._log)
        return 120 + 4 * len(self.text) + 100 * edits


def _back(
    out_starts: tuple[int, ...],
    edits: tuple[tuple[int, int, int, int], ...],
    pos: int,
    first: bool,
) -> int:
    """The input position of output character `pos` through one step: the first
    (or last) character of a replaced run, else shifted past the edits before it."""
    k = bisect.bisect_right(out_starts, pos) - 1
    if k < 0:
        return pos
    out_a, out_b, in_a, in_b = edits[k]
    if pos < out_b:
        return in_a if first else in_b - 1
    return in_b + pos - out_b


class _Trace:
    """A text being normalized, with the log of the steps that moved offsets."""

    __slots__ = ("log", "text")

    def __init__(self, text: str):
        self.text = text
        self.log: list[_Step] = []

    def _commit(self, text: str, edits: list[tuple[int, int, int, int]]) -> None:
        self.text = text
        if edits:
            self.log.append((tuple(e[0] for e in edits), tuple(edits)))

    def sub(
        self,
        pattern: re.Pattern[str],
        repl: str | Callable[[re.Match[str]], str],
        *,
        same_length_in_place: bool = False,
    ) -> None:
        """`pattern.sub`, logging each replacement. A one-character replacement by
        one character (or, with `same_length_in_place`, any replacement of equal
        length) maps character to character and needs no log entry."""
        edits: list[tuple[int, int, int, int]] = []
        shift = 0

        def replace(m: re.Match[str]) -> str:
            nonlocal shift
            a, b = m.span()
            new = repl(m) if callable(repl) else repl
            if len(new) != b - a or (b - a > 1 and not same_length_in_place):
                edits.append((a + shift, a + shift + len(new), a, b))
                shift += len(new) - (b - a)
            return new

        self._commit(pattern.sub(replace, self.text), edits)

    def map_chars(self, table: Mapping[int, Any]) -> None:
        """`str.translate`; characters that became several, or none, are logged."""
        out = self.text.translate(table)
        if len(out) == len(self.text):
            self.text = out  # every character maps to exactly one
            return
        edits, shift = [], 0
        get = table.get  # translate has looked every character up already
        for i, c in enumerate(self.text):
            new = get(ord(c), c)
            if isinstance(new, int):  # a table from str.maketrans maps to code points
                new = chr(new)
            if len(new) != 1:
                edits.append((i + shift, i + shift + len(new), i, i + 1))
                shift += len(new) - 1
        self._commit(out, edits)

    def strip(self) -> None:
        """Drop whitespace at both ends (what ``\\s`` matches, as `str.strip`)."""
        text = self.text
        if not text or not (text[0].isspace() or text[-1].isspace()):
            return
        inner = text.strip()
        start = len(text) - len(text.lstrip())
        edits = [(0, 0, 0, start)] if start else []
        end = start + len(inner)
        if end < len(text):
            edits.append((len(inner), len(inner), end, len(text)))
        self._commit(inner, edits)

    def frozen(self) -> Traced:
        return Traced(self.text, tuple(self.log))


class _NFKC(dict):  # type: ignore[type-arg]
    """NFKC per character as a `str.translate` table, filled as characters appear.

    Per character, not on the whole string: a combining sequence is never composed,
    so every output character comes from exactly one input character.
    """

    def __missing__(self, code: int) -> str:
        value = unicodedata.normalize("NFKC", chr(code))
        self[code] = value
        return value


_NFKC_TABLE = _NFKC()


class _Symbols(dict):  # type: ignore[type-arg]
    """Deletes the characters of `_SYMBOLS` categories (emoji, marks, format)."""

    def __missing__(self, code: int) -> str:
        c = chr(code)
        value = "" if unicodedata.category(c) in _SYMBOLS else c
        self[code] = value
        return value


_SYMBOL_TABLE = _Symbols()


@functools.cache
def _plain_chars() -> re.Pattern[str]:
    """Text made only of these has no symbol to drop: ASCII but ^ and `, the CJK
    ideographs and CJK punctuation, minus the symbols among them."""
    ranges = [*range(0x80), *range(0x3000, 0x3040), *range(0x4E00, 0xA000)]
    keep = [chr(c) for c in ranges if unicodedata.category(chr(c)) not in _SYMBOLS]
    return re.compile("[" + "".join(map(re.escape, keep)) + "]*")


def _fake_url(match: re.Match[str]) -> str:
    run = match[0]
    if _NON_LATIN.search(run) and re.search("[A-Za-z]", run):
        return f" {URL_FAKE} "
    return run


def _clean(t: _Trace) -> None:
    t.sub(_CONTROL, " ")
    if not t.text.isascii() and not unicodedata.is_normalized("NFKC", t.text):
        t.map_chars(_NFKC_TABLE)
    t.sub(_INVISIBLE, "")
    if _NON_LATIN.search(t.text):
        t.sub(_MIXED_RUN, _fake_url)
        t.map_chars(_LOOKALIKES)
    if not t.text.isascii() and not _plain_chars().fullmatch(t.text):
        t.map_chars(_SYMBOL_TABLE)
    if "帐" in t.text or has_traditional(t.text):
        table, phrases, pattern = t2s_tables()
        t.sub(pattern, lambda m: phrases[m[0]], same_length_in_place=True)
        t.map_chars(table)
    t.sub(_SPACED_LETTERS, _join_letters)
    if "." in t.text or "。" in t.text or "．" in t.text or "·" in t.text:
        t.sub(_LINK_SCHEME, lambda m: m[1] + "://")
        t.sub(_LINK_DOT, ".")
    t.sub(_SPLIT_HAN, "")
    t.sub(_SPLIT_LATIN, "")
    t.sub(
        _NUMERAL_RUN,
        lambda m: _NUMERAL_SEP.sub("", m[0]).translate(_NUMERAL_DIGITS),
    )
    t.sub(_SPACED_DIGITS, lambda m: re.sub(r"\D", "", m[0]))
    if _CONTACT_ANY.search(t.text):
        for pattern, word in _CONTACT_WORDS:
            t.sub(pattern, word)
    t.sub(_SPACES, " ")
    t.strip()


def clean(text: str) -> str:
    """Undo the surface tricks: NFKC, invisible characters, look-alikes, script.

    The result is still readable Chinese; `normalize` goes on to replace values.

    Examples
    --------
    >>> clean("加 薇 信：ｋｆ８８８，❤立即處理")
    '加微信:kf888,立即处理'
    """
    t = _Trace(text[:MAX_CHARS])
    _clean(t)
    return t.text


def _url_token(match: re.Match[str]) -> str:
    return {"official": URL_OFFICIAL, "short": URL_SHORT}.get(
        url_kind(match[0]), URL_OTHER
    )


_PHONE_TOKENS = {"hotline": PHONE_HOTLINE, "mobile": PHONE_MOBILE}


def _phone_token(match: re.Match[str]) -> str:
    return _PHONE_TOKENS.get(match.lastgroup or "", PHONE_LANDLINE)


def _normalize(text: str) -> Traced:
    """The one normalization: every caller (scoring, red flags, facts, spans) reads
    its result."""
    t = _Trace(text)
    _clean(t)
    # Each value pattern needs a dot or a digit (a case number "案号"): text without
    # them skips the patterns, with the same result.
    if "." in t.text or "://" in t.text:
        t.sub(_URL, lambda m: f" {_url_token(m)} ")
    if "案号" in t.text or _DIGIT.search(t.text):
        t.sub(_CASE_NO, f" {CASE_NO} ")
        t.sub(_CARD_TAIL, lambda m: f"{m[1]} {CARD_TAIL} ")
        t.sub(_CARD_NO, f" {CARD_NO} ")
        t.sub(_PHONE, lambda m: f" {_phone_token(m)} ")
        t.sub(_AMOUNT, f" {AMOUNT} ")
        t.sub(_DATE, f" {DATE} ")
        t.sub(_DIGITS, f" {NUMBER} ")
    t.sub(_SPACES, " ")
    t.strip()
    return t.frozen()


# Real message streams repeat templates; normalizing a string is deterministic, so
# repeats are served from a bounded cache (exact results, only faster).
_normalize_cached = byte_cache(64 * 1024 * 1024)(_normalize)


def trace_normalize(text: str) -> Traced:
    """`normalize`, with the way back from each span of it to a span of `text`.

    Examples
    --------
    >>> t = trace_normalize("請加 薇 信：kf88")
    >>> t.text
    '请加微信:kf NUM'
    >>> t.span(2, 4), "請加 薇 信：kf88"[slice(*t.span(2, 4))]
    ((3, 6), '薇 信')
    """
    return _normalize_cached(text[:MAX_CHARS])


def normalize(text: str) -> str:
    """Return the canonical form of a message that the classifier sees.

    Examples
    --------
    >>> normalize("【招商銀行】您尾號1234的信用卡本期應還￥2,318.50，到期日11月25日，詳詢95555")
    '【招商银行】您尾号 CARDTAIL 的信用卡本期应还 AMOUNT ,到期日 DATE ,详询 PHONEHOTLINE'
    """
    return trace_normalize(text).text
