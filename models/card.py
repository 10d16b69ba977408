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


def _pct(x: object) -> str:
    return f"{100 * x:.1f}%" if isinstance(x, (int, float)) else "–"


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


def headline(info: dict) -> str:
    """The README's headline table."""
    m = info["metrics"]
    g, s = m["grouped"], m["by_source"]
    held = _held_out(s)
    ext = m.get("external", {})
    before = m.get("external_before", {})
    naive = m["baselines"]["naive jieba + TF-IDF + LR"]
    rows = [
        ("grouped 5-fold CV, macro-F1 (five outcomes)", _f(g["macro_f1"])),
        (
            "grouped CV: scam recall; legitimate debt messages labeled scam",
            f"{_f(g['scam_recall'])}; {_pct(g['legit_as_scam'])}",
        ),
        (
            "grouped CV: unrelated messages labeled scam; unrelated set aside",
            f"{_pct(g['unrelated_as_scam'])}; {_f(g['unrelated_rejected'])}",
        ),
        (
            "leave-one-writing-out macro-F1, each writing held out in turn: "
            + "; ".join(held),
            "; ".join(_f(s[f"test_{w}"]["macro_f1"]) for w in held),
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
            f"{_f(ext.get('accuracy'))} (before this model: {_f(before.get('accuracy_five', before.get('accuracy')))})",
        ),
        (
            "real lender templates: legitimate debt messages labeled scam",
            f"{_pct(ext.get('legit_as_scam'))}",
        ),
    ]
    lines = ["| | figure |", "|---|---|"] + [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines)


def card(info: dict) -> str:
    m = info["metrics"]
    g, s = m["grouped"], m["by_source"]
    grid = "\n".join(
        f"| `{r['params']}` | {_f(r['macro_f1'], 4)} |" for r in info["grid"]
    )
    thresholds = "\n".join(
        f"| {r['threshold']:.2f} | {_f(r['macro_f1'], 4)} | {_pct(r.get('unrelated_as_scam'))} | "
        f"{_f(r.get('unrelated_rejected'))} | {_f(r.get('relevant_recall'))} |"
        for r in info["thresholds"]
    )
    held = _held_out(s)
    transfer = []
    for w in held:
        t = s[f"test_{w}"]
        others = " and ".join(x for x in held if x != w)
        transfer.append(
            f"### train on {others}, test on {w}: macro-F1 **{_f(t['macro_f1'])}**, "
            f"accuracy {_f(t['accuracy'])}, scam recall {_f(t.get('scam_recall'))}, "
            f"legitimate labeled scam {_pct(t.get('legit_as_scam'))}, unrelated labeled "
            f"scam {_pct(t.get('unrelated_as_scam'))}\n\n" + _per_label(t["per_label"])
        )
    adapt = "\n".join(
        f"| {r['n_base_messages']} | {r['train_rows']} | {r['test_rows']} | {_f(r['macro_f1'])} | "
        f"{_f(r.get('scam_recall'))} | {_pct(r.get('legit_as_scam'))} | {_pct(r.get('unrelated_as_scam'))} |"
        for r in m["adaptation"]
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
    ext = m.get("external")
    if ext:
        external = (
            f"{ext['rows']} real messages from lenders' public code "
            f"(`shared/external/lender_templates.csv`), never used for training, tuning or "
            f"thresholds. Accuracy over all rows, `unrelated` counted as an outcome: "
            f"**{_f(ext['accuracy'])}**; macro-F1 {_f(ext['macro_f1'])}; legitimate debt "
            f"messages labeled scam **{_pct(ext.get('legit_as_scam'))}** "
            f"({ext.get('legit_as_scam_count', '–')} of {ext.get('legit_rows', '–')}); scam recall "
            f"{_f(ext.get('scam_recall'))}; unrelated set aside {_f(ext.get('unrelated_rejected'))}.\n\n"
            + _per_label(ext["per_label"])
            + "\n\n"
            + _confusion(ext["confusion"])
        )
    else:
        external = (
            "Not measured for this model yet: run `python -m models.external PATH`."
        )
    before = m.get("external_before")
    if before:
        external += (
            f"\n\nThe model this one replaced (first writing only, pickle format): accuracy "
            f"{_f(before.get('accuracy_five', before.get('accuracy')))} over the same rows, "
            f"legitimate debt messages labeled scam {_pct(before.get('legit_as_scam'))}."
        )
    flags = "\n".join(
        f"| `{flag}` | {q['test']['support']} | {_f(q['test']['precision'], 2)} | {_f(q['test']['recall'], 2)} |"
        for flag, q in m["flag_quality"].items()
    )
    versions = "\n".join(f"- {k}: {v}" for k, v in info["versions"].items())
    by_source = ", ".join(
        f"{k}: {v}" for k, v in sorted(info["base_by_source"].items())
    )
    return f"""# Model card: the bundled dunning_guard model

`src/dunning_guard/models/dunning_guard.dg` is the model `dg.load()` returns: JSON
and NumPy arrays only (loading runs no code). It is written by `make model`
(`python -m models.build`) from `datasets/`, and nothing else. This card and the
README's headline table are written from `models/metrics.json` by `models/card.py`.

## What it does
Labels a Chinese message (Simplified or Traditional) as `reminder`, `overdue`,
`legal` or `scam`, or `unrelated` when it is neither about a debt nor a scam (label
guide: `datasets/README.md`). Pipeline: normalization (NFKC, invisible characters,
OpenCC t2s, de-obfuscation, typed tokens for URLs, phones, amounts, dates, card
tails and case numbers), TF-IDF over jieba word 1-2-grams and character 1-3-grams,
multinomial logistic regression.

**Decision rule:** {info["decision_rule"]}; `relevance_threshold` =
**{info["params"]["relevance_threshold"]}**, chosen on grouped CV (table below).

## Training data
- data hash (SHA-256 of `datasets/{{messages,unrelated,templates,formats}}.csv`): `{info["data_sha256"]}`
- {info["base_messages"]} base messages written by this project ({by_source}), augmented
  (seed 0) to {info["rows"]} rows: each message's other script, a refilled copy and,
  for the four debt labels, an obfuscated copy.
- trained {info["trained"]}; parameters `{info["params"]}`; {info["n_features"]:,}
  features; file {info["model_bytes"] / 1e6:.2f} MB; build took {info["build_seconds"]} s.

## Hyperparameters (grouped, stratified 5-fold CV, mean macro-F1 over five outcomes)
| parameters | macro-F1 |
|---|---|
{grid}

| relevance threshold | macro-F1 | unrelated labeled scam | unrelated set aside | debt/scam kept |
|---|---|---|---|---|
{thresholds}

## Grouped cross-validation (corpus figures: an upper bound)
Out-of-fold predictions on all {g["n"]} rows; a message and its variants are always
in the same fold. Accuracy **{_f(g["accuracy"])}**, macro-F1 **{_f(g["macro_f1"])}**;
scam recall **{_f(g["scam_recall"])}**; legitimate debt messages labeled scam
**{_pct(g["legit_as_scam"])}**; unrelated messages labeled scam
**{_pct(g["unrelated_as_scam"])}**; unrelated set aside {_f(g["unrelated_rejected"])};
debt and scam messages kept {_f(g["relevant_recall"])}.

{_per_label(g["per_label"])}

{_confusion(g["confusion"])}

Accuracy by script {g["accuracy_by_script"]}; by channel {g["accuracy_by_channel"]};
by tag { {k: round(v, 4) for k, v in g["accuracy_by_tag"].items()} }.
Robustness: label agreement between a message and its script conversion
{_f(rob.get("script_agreement"))}; macro-F1 clean {_f(rob.get("macro_f1_clean"))} vs
obfuscated {_f(rob.get("macro_f1_obfuscated"))}; scam recall clean
{_f(rob.get("scam_recall_clean"))} vs obfuscated {_f(rob.get("scam_recall_obfuscated"))}.

## Transfer: leave-one-writing-out cross-validation
The corpus has three writings (see the datasheet): **w1**, careful hand-written
messages; **w2**, written later by other writers in the terse register of SMS
templates; **w3**, by other writers again, in the formats of service-account template
messages, app pushes, call transcripts and letters. Training on the others and testing
on the held-out one measures what grouped CV cannot see: how the model holds on text
written differently.

{chr(10).join(transfer)}

## Adaptation: the first writing plus n messages of the second
Train on w1 plus the variants of n randomly drawn w2 base messages; test on the w2
messages never drawn (the same test set for every n). This is what a team retraining
on a few hundred of its own messages will see.

| n (w2 base messages) | training rows | test rows | macro-F1 | scam recall | legitimate labeled scam | unrelated labeled scam |
|---|---|---|---|---|---|---|
{adapt}

## Baselines (same splits)
| model | grouped macro-F1 | grouped scam recall | {held_head} |
|---|---|---|{held_rule}
| dunning_guard | {_f(g["macro_f1"])} | {_f(g["scam_recall"])} | {ours} |
{baselines}

The keyword rules never answer `unrelated`, so their five-outcome macro-F1 is low by
construction.

## Real lender messages (evaluation only)
{external}

## Red-flag detection against hand annotations (`datasets/flags.csv`, test half)
| flag | support | precision | recall |
|---|---|---|---|
{flags}

## Intended use and limits
- Intended: screening messages a borrower receives, as one signal among others;
  research on collection fraud. Not a legal judgment: `legal` means the message
  escalates, not that the threat is lawful.
- All three writings are written by this project; real traffic differs again. Treat the
  corpus figures as an upper bound and measure on your own labeled messages
  (`dg.evaluate`), or retrain on top of the corpus (`dg.train(mine, base="bundled")`).
- The red flags as classifier features (`red_flags=True`) were not re-measured on
  this corpus; on the first writing alone they lowered macro-F1 (0.981 vs 0.986).

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
