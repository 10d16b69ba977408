"""Measure the bundled model on an external, evaluation-only CSV and add it to the card.

    python models/external.py ../shared/external/lender_templates.csv

Only figures are written (models/metrics.json and models/README.md); no text from
the file is copied. Never train or tune on such data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from build import CARD, METRICS, card

import dunning_guard as dg


def main(path: str) -> None:
    report = dg.evaluate(dg.load(), path)
    labeled = int(report.per_label["support"].sum())
    present = [c for c in dg.LABELS if report.per_label.loc[c, "support"] > 0]
    external = {
        "file": Path(path).name,
        "rows": labeled + int(report.outside.to_numpy().sum())
        if len(report.outside)
        else labeled,
        "labeled_rows": labeled,
        "unrelated_rows": int(report.outside.to_numpy().sum())
        if len(report.outside)
        else 0,
        "labels_present": present,
        "accuracy": report.accuracy,
        "macro_f1": report.macro_f1,
        "per_label": report.per_label.round(4).to_dict(orient="index"),
        "confusion": report.confusion.to_dict(orient="index"),
        "relevance": report.relevance,
    }
    info = json.loads(METRICS.read_text())
    info["metrics"]["external"] = external
    METRICS.write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n")
    CARD.write_text(card(info), encoding="utf-8")
    print(report)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python models/external.py PATH_TO_CSV")
    main(sys.argv[1])
