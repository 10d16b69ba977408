"""Measure the bundled model on evaluation-only CSV files and add the figures to the card.

    python -m models.external ../shared/external/lender_templates.csv \
        ../shared/external/nus_sms_zh.csv

Each file needs a ``text`` column and a ``label`` (or ``expected``) column. Only
aggregate figures are written (models/metrics.json, models/README.md and the
README's table); no text from the files is copied or printed. Never train, tune,
choose thresholds or write rules on such data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

import dunning_guard as dg
from models.card import METRICS, write_card


def figures(path: str, model: dg.Model) -> dict:
    """Five-outcome figures of `model` on the labeled file at `path`."""
    header = pd.read_csv(path, nrows=0).columns
    label_col = "label" if "label" in header else "expected"
    report = dg.evaluate(model, path, label_col=label_col)
    per_label = report.per_label
    present = per_label[per_label["support"] > 0]
    confusion = report.confusion
    legit = [c for c in dg.LABELS if c != "scam"]
    legit_rows = int(per_label.loc[legit, "support"].sum())
    return {
        "file": Path(path).name,
        "rows": int(per_label["support"].sum()),
        "accuracy": report.accuracy,
        "macro_f1": report.macro_f1,
        "legit_rows": legit_rows,
        "legit_as_scam_count": int(confusion.loc[legit, "scam"].sum()),
        "reminder_overdue_rows": int(
            per_label.loc[["reminder", "overdue"], "support"].sum()
        ),
        "reminder_overdue_as_scam_count": int(
            confusion.loc[["reminder", "overdue"], "scam"].sum()
        ),
        "as_scam": float(confusion["scam"].sum() / max(1, confusion.to_numpy().sum())),
        "not_unrelated": float(
            1 - confusion[dg.UNRELATED].sum() / max(1, confusion.to_numpy().sum())
        ),
        "per_label": per_label.loc[present.index].to_dict(orient="index"),
        "confusion": confusion.to_dict(orient="index"),
    } | report.summary


def main(paths: list[str]) -> None:
    model = dg.load()
    info = json.loads(METRICS.read_text(encoding="utf-8"))
    for path in paths:
        found = figures(path, model)
        key = (
            "external"
            if found["file"] == "lender_templates.csv"
            else f"external:{found['file']}"
        )
        info["metrics"][key] = found
        shown = {k: v for k, v in found.items() if k not in ("per_label", "confusion")}
        print(json.dumps(shown, indent=1))
    METRICS.write_text(
        json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    write_card(info)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m models.external PATH_TO_CSV [PATH ...]")
    main(sys.argv[1:])
