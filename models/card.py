"""Write the model card (models/README.md) and the README's headline table from
models/metrics.json, so that the figures in all three places cannot disagree.

    python -m models.card      # rewrite both from the saved metrics
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
METRICS = ROOT / "models" / "metrics.json"
CARD = ROOT / "models" / "README.md"
README = ROOT / "README.md"
START, END = "<!-- figures:start -->", "<!-- figures:end -->"
OUTCOMES = ("reminder", "overdue", "legal", "scam", "unrelated")


def _f(x: object, digits: int = 3) -> str:
    return f"{x:.{digits}f}" if isinstance(x, (int, float)) else "–"


def _pct(x: object, digits: int = 1) -> str:
    return f"{100 * x:.{digits}f}%" if isinstance(x, (int, float)) else "–"


def _per_label(per: dict) -> str:
    lines = ["| outcome | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for name, row in per.items():
        lines.append(
            f"| {name} | {_f(row['precision'])} | {_f(row['recall'])} | "
            f"{_f(row['f1'])} | {int(row['support'])} |"
        )
    return "\n".join(lines)


def _confusion(conf: dict) -> str:
    cols = list(next(iter(conf.values())))
    lines = [
        "| true \\ predicted | " + " | ".join(cols) + " |",
        "|---" * (len(cols) + 1) + "|",
    ]
    for name, row in conf.items():
        lines.append(f"| {name} | " + " | ".join(str(row[c]) for c in cols) + " |")
    return "\n".join(lines)


def _held_out(by_source: dict) -> list[str]:
    return sorted(k.removeprefix("test_") for k in by_source if k.startswith("test_"))


EXTERNAL = "external"
NUS = "external:nus_sms_zh.csv"


def _ext(m: dict, key: str, before: bool = False) -> dict:
    if before:
        key = key.replace("external", "external_before", 1)
    return m.get(key) or {}


def _lowo_row(t: dict) -> str:
    return (
        f"{_f(t['macro_f1'])} | {_f(t['accuracy'])} | {_f(t.get('scam_recall'))} | "
        f"{_pct(t.get('legit_as_scam'))} | {_pct(t.get('unrelated_as_scam'))} | "
        f"{_pct(t.get('scam_verdicts_naming_a_mechanism'))} | "
        f"{_pct(t.get('clean_with_a_mechanism'))}"
    )


def headline(info: dict) -> str:
    """The README's headline table."""
    m = info["metrics"]
    g, s = m["grouped"], m["by_source"]
    held = _held_out(s)
    tw = m["twins"]
    naive = m["baselines"]["naive jieba + TF-IDF + LR"]
    lender, lender0 = _ext(m, EXTERNAL), _ext(m, EXTERNAL, before=True)
    nus, nus0 = _ext(m, NUS), _ext(m, NUS, before=True)
    w4 = s.get("test_w4", {})
    rows = [
        (
            "grouped 5-fold CV (an upper bound): macro-F1; scam recall",
            f"{_f(g['macro_f1'])}; {_f(g['scam_recall'])}",
        ),
        (
            "leave-one-writing-out macro-F1, each writing held out in turn: "
            + "; ".join(held),
            "; ".join(_f(s[f"test_{w}"]["macro_f1"]) for w in held),
        ),
        ("w4 held out: scam recall", _f(w4.get("scam_recall"))),
        (
            "counterfactual twin pairs, both members right (pairs held out)",
            _f(tw["cv"]["both_right"]),
        ),
        (
            "held-out writings: scam verdicts naming a mechanism; "
            "legitimate or unrelated messages with a mechanism flag",
            f"{_pct(m.get('lowo_all', {}).get('scam_verdicts_naming_a_mechanism'))}; "
            f"{_pct(m.get('lowo_all', {}).get('clean_with_a_mechanism'))}",
        ),
        (
            "naive baseline (jieba + TF-IDF + LR): grouped; held out "
            + "; ".join(held),
            "; ".join(
                [_f(naive["grouped"]["macro_f1"])]
                + [_f(naive["by_source_macro_f1"].get(w)) for w in held]
            ),
        ),
        (
            "real lender templates (evaluation only): accuracy, five outcomes",
            f"{_f(lender.get('accuracy'))} (previous model: {_f(lender0.get('accuracy'))})",
        ),
        (
            "real lender templates: legitimate messages labeled scam",
            f"{_pct(lender.get('legit_as_scam'))} (previous model: "
            f"{_pct(lender0.get('legit_as_scam'))})",
        ),
        (
            "real personal SMS (evaluation only): labeled scam; labeled anything "
            "but unrelated",
            f"{_pct(nus.get('as_scam'), 2)}; {_pct(nus.get('not_unrelated'), 2)} "
            f"(previous model: {_pct(nus0.get('as_scam'), 2)}; "
            f"{_pct(nus0.get('not_unrelated'), 2)})",
        ),
    ]
    lines = ["| | figure |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines)


def _external(m: dict) -> str:
    parts = []
    for key, name in ((EXTERNAL, "Real lender templates"), (NUS, "Real personal SMS")):
        ext, before = _ext(m, key), _ext(m, key, before=True)
        if not ext:
            parts.append(
                f"**{name}**: not measured for this model yet (`python -m "
                "models.external PATH ...`)."
            )
            continue
        text = (
            f"**{name}** (`{ext['file']}`, {ext['rows']} rows): accuracy over all rows "
            f"(`unrelated` counted as an outcome) **{_f(ext['accuracy'])}**; labeled "
            f"scam {_pct(ext.get('as_scam'), 2)}; labeled anything but `unrelated` "
            f"{_pct(ext.get('not_unrelated'), 2)}"
        )
        if ext.get("legit_rows"):
            text += (
                f"; legitimate messages labeled scam **{_pct(ext.get('legit_as_scam'))}** "
                f"({ext.get('legit_as_scam_count')} of {ext.get('legit_rows')}); scam "
                f"recall {_f(ext.get('scam_recall'))}; unrelated set aside "
                f"{_f(ext.get('unrelated_rejected'))}"
            )
        text += "."
        if before:
            text += (
                f" The previous bundled model: accuracy {_f(before.get('accuracy'))}, "
                f"labeled scam {_pct(before.get('as_scam'), 2)}"
            )
            if before.get("legit_rows"):
                text += f", legitimate labeled scam {_pct(before.get('legit_as_scam'))}"
            text += "."
        if len(ext.get("per_label", {})) > 1:
            text += "\n\n" + _per_label(ext["per_label"])
            text += "\n\n" + _confusion(ext["confusion"])
        parts.append(text)
    curve = m.get("external_curve")
    if curve:
        parts.append(
            "Operating points on the same files (drawn, never used to choose the "
            "default):\n\n| operating point | personal SMS labeled scam | personal SMS "
            "not unrelated | lender legitimate labeled scam | lender accuracy |\n"
            "|---|---|---|---|---|\n"
            + "\n".join(
                f"| {r['point']} | {_pct(r.get('nus_as_scam'), 2)} | "
                f"{_pct(r.get('nus_not_unrelated'), 2)} | {_pct(r.get('lender_legit_as_scam'))} | "
                f"{_f(r.get('lender_accuracy'))} |"
                for r in curve
            )
        )
    return "\n\n".join(parts)


def card(info: dict) -> str:
    m = info["metrics"]
    g, s = m["grouped"], m["by_source"]
    p = info["params"]
    held = _held_out(s)
    chosen = [
        r
        for r in info["thresholds"]
        if r["relevance_threshold"] == p["relevance_threshold"]
    ]
    thresholds = "\n".join(
        f"| {r['relevance_threshold']:.2f} | {r['resemblance_threshold'] or 'none'} | "
        f"{_f(r['mean_macro_f1'], 4)} | {_f(r['scam_recall'])} | "
        f"{_pct(r['scam_verdicts_naming_a_mechanism'])} |"
        for r in chosen
    )
    lowo = "\n".join(f"| {w} | {_lowo_row(s[f'test_{w}'])} |" for w in held)
    tw = m["twins"]
    kinds = "\n".join(
        f"| {kind} | {_f(v)} |" for kind, v in sorted(tw["cv"]["by_kind"].items())
    )
    baselines = "\n".join(
        f"| {name} | {_f(b['grouped']['macro_f1'])} | {_f(b['grouped'].get('scam_recall'))} | "
        + " | ".join(_f(b["by_source_macro_f1"].get(w)) for w in held)
        + " |"
        for name, b in m["baselines"].items()
    )
    ours = " | ".join(_f(s[f"test_{w}"]["macro_f1"]) for w in held)
    held_head = " | ".join(f"held out {w}" for w in held)
    held_rule = "---|" * len(held)
    rob = g.get("robustness", {})
    curve = "\n".join(
        f"| {r['scam_share']} | {_f(r['scam_recall_held_out'])} | {_f(r['scam_recall_w4'])} | "
        f"{_pct(r['legit_as_scam_held_out'])} | {_pct(r['unrelated_as_scam_held_out'])} |"
        for r in m["operating_curve"]
    )
    rv = m["review"]["macro_f1"]
    sizes = sorted(int(n) for n in rv["review"])
    review = "\n".join(
        f"| {n} | {_f(rv['random'].get(str(n), rv['random'].get(n)))} | "
        f"{_f(rv['review'].get(str(n), rv['review'].get(n)))} |"
        for n in sizes
    )
    fq = m["flag_quality"]
    flags = "\n".join(
        f"| `{flag}` | {q['rows']} | {q['support']} | {_f(q['precision'], 2)} | "
        f"{_f(q['recall'], 2)} |"
        for flag, q in fq.items()
        if isinstance(q, dict)
    )
    versions = "\n".join(f"- {k}: {v}" for k, v in info["versions"].items())
    by_source = ", ".join(
        f"{k}: {v}" for k, v in sorted(info["base_by_source"].items())
    )
    w4 = s.get("test_w4")
    w4_table = (
        "\n\nw4 held out, per outcome:\n\n"
        + _per_label(w4["per_label"])
        + "\n\n"
        + _confusion(w4["confusion"])
        if w4
        else ""
    )
    return f"""# Model card: the bundled dunning_guard model

`src/dunning_guard/models/dunning_guard.dg` is the model `dg.load()` returns: JSON
and NumPy arrays only (loading runs no code). It is written by `make model`
(`python -m models.build`) from `datasets/`, and nothing else. This card and the
README's headline table are written from `models/metrics.json` by `models/card.py`.

## What it does
Labels a Chinese message (Simplified or Traditional) as `reminder`, `overdue`,
`legal` or `scam`, or `unrelated` when it is neither about a debt nor a scam (label
guide: `datasets/README.md`). Pipeline: one normalization (NFKC, invisible and
combining characters, OpenCC t2s, de-obfuscation, typed tokens for URLs, phones,
amounts, dates, card tails and case numbers), TF-IDF over jieba word 1-2-grams and
character 1-3-grams, the red flags found on the same reading as features, and a
multinomial logistic regression.

**Decision rule:** {info["decision_rule"]}. `relevance_threshold` =
**{p["relevance_threshold"]}**, `resemblance_threshold` =
**{p["resemblance_threshold"]}**, chosen on the held-out writings (below), never on
the external sets. A scam verdict names its mechanisms (`basis`), or says it rests on
resemblance alone.

**Operating points:** `dg.load(operating_point=...)` moves the probabilities from the
training mix to the share of scams and debt messages expected in the traffic (prior
shift), before the decision rule. `corpus` (the default) applies no shift; `inbox`
assumes 1% scams and 5% debt messages; `collections` 10% and 80%. The curve is below.

## Training data
- data hash (SHA-256 of the corpus files, as `dg.corpus()` reads them): `{info["data_sha256"]}`
- {info["base_messages"]} base messages written by this project ({by_source}), augmented
  (seed 0) to {info["rows"]} rows: each message's other script, a refilled copy and,
  for the four debt labels, an obfuscated copy. Variants and counterfactual twins
  share a group and are never split.
- trained {info["trained"]}; parameters `{p}`; {info["n_features"]:,}
  features; file {info["model_bytes"] / 1e6:.2f} MB; build took {info["build_seconds"]} s.

## Leave-one-writing-out (the figures to trust)
Train on every other writing and on the twins, test on the held-out writing:
**w1**, careful hand-written messages; **w2**, the terse register of SMS templates;
**w3**, service-account templates, app pushes, call transcripts and letters; **w4**,
harsh-but-legitimate collection, marketing and service notices, short personal text
and terse non-debt fraud. "Mechanism" = at least one mechanism red flag (severity 2)
on the message.

| held out | macro-F1 | accuracy | scam recall | legitimate → scam | unrelated → scam | scam verdicts naming a mechanism | legitimate/unrelated with a mechanism |
|---|---|---|---|---|---|---|---|
{lowo}{w4_table}

### Thresholds (chosen on the held-out writings)
Mean macro-F1 over the four held-out writings at the chosen relevance threshold, for
each resemblance threshold (`none`: no gate); among the settings whose scam verdicts
name a mechanism at least 90% of the time, the best mean macro-F1 is chosen.

| relevance | resemblance | mean macro-F1 | scam recall | scam verdicts naming a mechanism |
|---|---|---|---|---|
{thresholds}

## Counterfactual twins
Pairs of messages one minimal edit apart whose labels differ (datasets/twins.csv).
Five-fold CV over pairs (both members of a pair always on one side, w1-w4 always
in training): pairs with both members right **{_f(tw["cv"]["both_right"])}** of
{tw["cv"]["pairs"]}; on the pairs of the writers the rules were not developed on
{_f(tw["held_out_writers"]["both_right"])} ({tw["held_out_writers"]["pairs"]} pairs);
with every twin held out (trained on w1-w4 only) {_f(tw["held_out_entirely"]["both_right"])}.

| kind of edit | pairs both right |
|---|---|
{kinds}

## Operating-point curve (held-out writings)
The LOWO probabilities moved to each scam share (debt share 0.1) by the library's own
prior shift, then decided at the chosen thresholds.

| scam share | scam recall (all held out) | scam recall (w4) | legitimate → scam | unrelated → scam |
|---|---|---|---|---|
{curve}

## Grouped cross-validation (corpus figures: an upper bound)
Out-of-fold predictions on all {g["n"]} rows; a message, its variants and its twin
are always in the same fold. Accuracy **{_f(g["accuracy"])}**, macro-F1
**{_f(g["macro_f1"])}**; scam recall **{_f(g["scam_recall"])}**; legitimate debt
messages labeled scam **{_pct(g["legit_as_scam"])}**; unrelated messages labeled scam
**{_pct(g["unrelated_as_scam"])}**; unrelated set aside {_f(g["unrelated_rejected"])};
debt and scam messages kept {_f(g["relevant_recall"])}.

{_per_label(g["per_label"])}

{_confusion(g["confusion"])}

Accuracy by writing {g.get("accuracy_by_source")}; by script
{g["accuracy_by_script"]}; by channel {g["accuracy_by_channel"]};
by tag { {k: round(v, 4) for k, v in g["accuracy_by_tag"].items()} }.
Robustness: label agreement between a message and its script conversion
{_f(rob.get("script_agreement"))}; macro-F1 clean {_f(rob.get("macro_f1_clean"))} vs
obfuscated {_f(rob.get("macro_f1_obfuscated"))}; scam recall clean
{_f(rob.get("scam_recall_clean"))} vs obfuscated {_f(rob.get("scam_recall_obfuscated"))}.

## Baselines (same splits)
| model | grouped macro-F1 | grouped scam recall | {held_head} |
|---|---|---|{held_rule}
| dunning_guard | {_f(g["macro_f1"])} | {_f(g["scam_recall"])} | {ours} |
{baselines}

The keyword rules never answer `unrelated`, so their five-outcome macro-F1 is low by
construction.

## Reviewing: corrections picked least-certain-first vs at random
Train on everything but w4; correct n w4 base messages (with their variants) picked
in review order (smallest margin first, as `Predictions.review` and `--review`
show them) or at random; macro-F1 on the half of w4 never offered
({m["review"]["test_rows"]} rows).

| n corrected | random | review order |
|---|---|---|
{review}

## Real text nobody here wrote (evaluation only)
Measured by `python -m models.external` on files never used for training, tuning,
thresholds or rules; only aggregate figures are kept.

{_external(m)}

## Red flags against hand annotations (`datasets/flags.csv`)
Test rows of every annotator, without the twins of the writers the rules were
developed on ({fq["rows"]} rows; {fq["rows_new_flags"]} annotated for all flags,
the rest for the nine flags of 0.2 only).

| flag | rows | support | precision | recall |
|---|---|---|---|---|
{flags}

## Intended use and limits
- Intended: screening messages a borrower receives, as one signal among others;
  research on collection fraud. Not a legal judgment: `legal` means the message
  escalates, not that the threat is lawful.
- All four writings and the twins are written by this project; real traffic differs
  again. Treat the corpus figures as an upper bound and measure on your own labeled
  messages (`dg.evaluate`), or retrain on top of the corpus
  (`dg.train(mine, base="bundled")`).
- A scam the rules cannot name is kept only when it resembles the corpus' scams
  strongly (`resemblance_threshold`); terse fraud in forms no writing covered can
  be missed, and the flags are regular expressions with the limits of any.

## Library versions
{versions}
"""


def write_card(info: dict) -> None:
    CARD.write_text(card(info), encoding="utf-8")
    text = README.read_text(encoding="utf-8")
    if START in text and END in text:
        block = f"{START}\n{headline(info)}\n{END}"
        text = re.sub(
            re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S
        )
        README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write_card(json.loads(METRICS.read_text(encoding="utf-8")))
