"""Text normalization: one canonical, Simplified, de-obfuscated form per message.

Scammers vary the surface of a message (Traditional script, ``微 信``, ``薇信``,
full-width digits, emoji, zero-width characters, Cyrillic look-alikes) and every
message carries volatile values (amounts, dates, phone numbers). Normalizing both
away lets the classifier learn patterns instead of numbers.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from importlib import resources
from typing import TypeVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

__all__ = [
    "MAX_CHARS",
    "TextNormalizer",
    "normalize",
    "to_simplified",
    "to_traditional",
]

#: Messages are cut to this many characters before normalization, so a 1 MB
#: string costs no more than a long letter.
MAX_CHARS = 2000

# Typed tokens that replace volatile values. Upper-case ASCII words stay one token
# in jieba and never occur in real Chinese text.
URL_OFFICIAL = "URLOFFICIAL"
URL_SHORT = "URLSHORT"
URL_OTHER = "URLOTHER"
URL_FAKE = "URLFAKE"
PHONE_HOTLINE = "PHONEHOTLINE"
PHONE_MOBILE = "PHONEMOBILE"
PHONE_LANDLINE = "PHONELAND"
AMOUNT = "AMOUNT"
DATE = "DATE"
CARD_TAIL = "CARDTAIL"
CARD_NO = "CARDNO"
CASE_NO = "CASENO"
NUMBER = "NUM"

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
_AMOUNT = re.compile(
    r"(?:(?:RMB|CNY|NT\$|HK\$|NTD|HKD|US\$|\$|¥|￥)\s?\d[\d,]*(?:\.\d+)?(?:\s?[万千])?"
    r"|\d[\d,]*(?:\.\d+)?\s?(?:万元|千元|元|块|圓|港元|港幣|新台幣|台幣|蚊))"
)
_DATE = re.compile(
    r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}[日号號]?"
    r"|\d{1,2}月\d{1,2}[日号號]|\d{1,2}/\d{1,2}(?!\d)"
    r"|\d{1,2}[:：]\d{2}(?::\d{2})?"
)
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
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


@functools.cache
def _opencc(conversion: str):  # noqa: ANN202 - opencc has no types
    import opencc  # imported lazily: it is only needed for Traditional text

    return opencc.OpenCC(conversion)


# OpenCC's converter keeps per-call state on the instance, so calls are serialized.
_OPENCC_LOCK = threading.Lock()


@functools.cache
def _opencc_dictionary(name: str) -> dict[str, list[str]]:
    """An OpenCC dictionary file as {source: candidates}."""
    root = resources.files("opencc").joinpath(f"dictionary/{name}")
    table = {}
    for line in root.read_text(encoding="utf-8").splitlines():
        key, _, value = line.partition("\t")
        if key and value:
            table[key] = value.split()
    return table


@functools.cache
def _t2s() -> tuple[dict[int, str], dict[str, str], re.Pattern[str]]:
    # OpenCC's own t2s dictionaries (TSPhrases, then TSCharacters), applied with
    # str.translate instead of the package's pure-Python parse tree: the same
    # conversion, an order of magnitude faster (tests compare both on the corpus).
    phrases = {k: v[0] for k, v in _opencc_dictionary("TSPhrases.txt").items()}
    characters = _opencc_dictionary("TSCharacters.txt")
    chars = {k: v[0] for k, v in characters.items() if len(k) == 1}
    longest_first = sorted(phrases, key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, longest_first)))
    return str.maketrans(chars), phrases, pattern


@functools.cache
def _traditional_chars() -> frozenset[str]:
    table = _opencc_dictionary("TSCharacters.txt")
    return frozenset(k for k, candidates in table.items() if k not in candidates)


def has_traditional(text: str) -> bool:
    """Tell whether `text` holds any character that OpenCC would simplify."""
    return not _traditional_chars().isdisjoint(text)


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese to Simplified (OpenCC ``t2s``).

    OpenCC maps 帳 to 帐, while mainland finance text writes 账 (账单, 账户), so
    帐 is unified to 账: the same message gets the same words in both scripts.

    Examples
    --------
    >>> to_simplified("您的帳單已逾期")
    '您的账单已逾期'
    """
    if not has_traditional(text):
        return text
    table, phrases, pattern = _t2s()
    text = pattern.sub(lambda m: phrases[m[0]], text)
    return text.translate(table).replace("帐", "账")


def to_traditional(text: str) -> str:
    """Convert Simplified Chinese to Traditional (OpenCC ``s2t``).

    Examples
    --------
    >>> to_traditional("您的账单已逾期")
    '您的賬單已逾期'
    """
    with _OPENCC_LOCK:
        return _opencc("s2t").convert(text)


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


def _drop_symbols(text: str) -> str:
    # Emoji and pictographs carry no meaning here but split words (V❤信).
    if text.isascii():
        return text
    return "".join(c for c in text if unicodedata.category(c) not in _SYMBOLS)


def _simplify(text: Text) -> Text:
    if isinstance(text, str):
        return to_simplified(text).replace("帐", "账")
    converted = to_simplified(text.text).replace("帐", "账")
    if len(converted) == len(text.text):  # OpenCC maps almost always 1:1
        return Traced(converted, text.starts, text.ends)
    return text.map_chars(lambda c: to_simplified(c).replace("帐", "账"))


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
    text = _sub(text, _URL, lambda m: f" {_url_token(m)} ")
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
_normalize_cached = functools.lru_cache(maxsize=65_536)(_normalize)


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


class StatelessTextTransformer(TransformerMixin, BaseEstimator):
    """Base for transformers of a 1-d sequence of strings that learn nothing."""

    def fit(self, X: Iterable[str], y: object = None) -> StatelessTextTransformer:  # noqa: ARG002
        self.n_features_in_ = 1
        return self

    def __sklearn_tags__(self):  # noqa: ANN204
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags


class TextNormalizer(StatelessTextTransformer):
    """Map raw messages to their normalized form (see `normalize`).

    Repeated messages are served from `normalize`'s cache.
    """

    def transform(self, X: Iterable[str]) -> np.ndarray:
        return np.asarray([normalize(text) for text in X], dtype=object)
