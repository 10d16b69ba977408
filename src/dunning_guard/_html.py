"""One HTML view of a verdict: the page of `dunning-guard serve` and a notebook's
`Prediction._repr_html_` show the same markup.

Every piece of a message is escaped (a message is untrusted input: ``<script>``
in a text shows as text); the red flags are highlighted as spans of the original
text, also when it is Traditional or obfuscated.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["STYLE", "render", "render_many"]

#: The colour of each label (the page and notebooks share it).
COLOURS = {
    "reminder": "#2f7d32",
    "overdue": "#b26a00",
    "legal": "#6a3fa0",
    "scam": "#c62828",
    "unrelated": "#616161",
}
STYLE = """
<style>
.dg-card{border:1px solid #ddd;border-radius:8px;padding:10px 14px;margin:8px 0;
 font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;max-width:760px}
.dg-head{display:flex;gap:10px;align-items:center;flex-wrap:wrap}
.dg-label{color:#fff;border-radius:4px;padding:2px 8px;font-weight:600}
.dg-bar{display:inline-block;width:120px;height:8px;background:#eee;border-radius:4px;vertical-align:middle}
.dg-bar>span{display:block;height:8px;border-radius:4px}
.dg-text{margin:8px 0;line-height:1.7;white-space:pre-wrap;word-break:break-all}
.dg-text mark{background:#ffd54f;border-bottom:2px solid #c62828;padding:0 1px}
.dg-small{color:#555;font-size:0.9em}
.dg-list{margin:4px 0 4px 18px;padding:0}
.dg-for{color:#2f7d32}.dg-against{color:#c62828}
</style>
"""


def _highlight(text: str, flags: Sequence[dict[str, Any]]) -> str:
    """`text` escaped, with every red-flag span wrapped in a ``<mark>`` that names
    its flags (spans may overlap: the text is cut at every span boundary)."""
    cuts = {0, len(text)}
    covered: list[tuple[int, int, str]] = []
    for flag in flags:
        for a, b in flag["spans"]:
            a, b = max(0, int(a)), min(len(text), int(b))
            if a < b:
                cuts |= {a, b}
                covered.append((a, b, flag["id"]))
    bounds = sorted(cuts)
    out = []
    for a, b in zip(bounds, bounds[1:]):
        piece = html.escape(text[a:b])
        ids = sorted({f for x, y, f in covered if x <= a and b <= y})
        if ids:
            names = html.escape(" ".join(ids), quote=True)
            out.append(f'<mark data-flags="{names}" title="{names}">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


def _bar(value: float, colour: str) -> str:
    width = max(0.0, min(1.0, float(value))) * 100
    return (
        f'<span class="dg-bar"><span style="width:{width:.0f}%;'
        f'background:{colour}"></span></span>'
    )


def render(
    record: dict[str, Any],
    contributions: Iterable[dict[str, Any]] | None = None,
    *,
    index: int | None = None,
) -> str:
    """One verdict (a record of `Prediction.to_dict`) as an HTML card; with
    `contributions` (of `explain`), the features for and against the label."""
    label = str(record["label"])
    colour = COLOURS.get(label, "#37474f")
    text = str(record["text"])
    e = html.escape
    basis = record.get("basis") or ""
    head = (
        f'<div class="dg-head"><span class="dg-label" style="background:{colour}">'
        f"{e(label)}</span>"
        f'<span class="dg-small">confidence {record["confidence"]:.2f} '
        f"{_bar(record['confidence'], colour)}</span>"
        f'<span class="dg-small">relevance {record["relevance"]:.2f} '
        f"{_bar(record['relevance'], '#607d8b')}</span>"
        f'<span class="dg-small">margin {record["margin"]:.2f}</span>'
        + (f'<span class="dg-small">basis: {e(basis)}</span>' if basis else "")
        + "</div>"
    )
    body = f'<div class="dg-text">{_highlight(text, record["red_flags"])}</div>'
    parts = [head, body]
    if record["red_flags"]:
        items = "".join(
            f"<li><b>{e(f['id'])}</b>: {e(f['zh'])} ({e(f['en'])})</li>"
            for f in record["red_flags"]
        )
        parts.append(
            f'<div class="dg-small">red flags<ul class="dg-list">{items}</ul></div>'
        )
    if record["facts"]:
        facts = "; ".join(
            f"{e(f['kind'])} {e(str(f['value']))}"
            + (f" ({e(str(f['detail']))})" if f.get("detail") else "")
            for f in record["facts"]
        )
        parts.append(f'<div class="dg-small">facts: {facts}</div>')
    advice = record["advice"]
    parts.append(
        f'<div class="dg-small">advice: {e(advice["zh"])}<br>{e(advice["en"])}</div>'
    )
    if contributions:
        rows = list(contributions)
        pro = ", ".join(
            f"{e(c['feature'])} (+{c['weight']:.2f})" for c in rows if c["weight"] > 0
        )
        con = ", ".join(
            f"{e(c['feature'])} ({c['weight']:.2f})" for c in rows if c["weight"] < 0
        )
        parts.append(
            f'<div class="dg-small">why: <span class="dg-for">for {pro or "–"}</span>; '
            f'<span class="dg-against">against {con or "–"}</span></div>'
        )
    attrs = f' data-label="{e(label)}" data-margin="{record["margin"]:.6f}"'
    if index is not None:
        attrs += f' data-index="{int(index)}"'
    return f'<div class="dg-card"{attrs}>' + "".join(parts) + "</div>"


def render_many(
    records: Sequence[dict[str, Any]],
    contributions: Sequence[Iterable[dict[str, Any]] | None] | None = None,
) -> str:
    """Cards for a batch, with the shared style."""
    explained = contributions or [None] * len(records)
    cards = "".join(
        render(r, c, index=i) for i, (r, c) in enumerate(zip(records, explained))
    )
    return STYLE + f'<div class="dg-cards">{cards}</div>'
