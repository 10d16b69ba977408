"""Measure the bundled model on evaluation-only CSV files and add the figures to the card.

    python -m models.external ../shared/external/lender_templates.csv \
        ../shared/external/nus_sms_zh.csv
    python -m models.external --before OLD_MODEL.dg PATH ...   # the previous model

Each file needs a ``text`` column and a ``label`` (or ``expected``) column. Only
aggregate figures are written (models/metrics.json, models/README.md and the
README's table); no text from the files is copied or printed. Never train, tune,
choose thresholds or write rules on such data.
"""

from __future__ import annotations

import argparse
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


POINTS = ["corpus", "inbox", "collections"] + [
    {"scam": share, "debt": 0.1} for share in (0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
]


def curve(paths: list[str], model: dg.Model) -> list[dict]:
    """Scam verdicts on each file at each operating point (the files only draw the
    curve: the default point is chosen on the corpus)."""
    frames = {
        Path(p).name: pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths
    }
    rows = []
    for point in POINTS:
        shifted = model.with_operating_point(point)
        row: dict = {
            "point": point if isinstance(point, str) else f"scam {point['scam']}"
        }
        for name, frame in frames.items():
            label_col = "label" if "label" in frame else "expected"
            truth = frame[label_col].to_numpy(dtype=object)
            predicted = shifted.predict(frame["text"])
            tag = "lender" if name == "lender_templates.csv" else "nus"
            legit = (truth != "scam") & (truth != dg.UNRELATED)
            row[f"{tag}_as_scam"] = float((predicted == "scam").mean())
            row[f"{tag}_not_unrelated"] = float((predicted != dg.UNRELATED).mean())
            row[f"{tag}_accuracy"] = float((predicted == truth).mean())
            if legit.any():
                row[f"{tag}_legit_as_scam"] = float((predicted[legit] == "scam").mean())
            if (truth == "scam").any():
                row[f"{tag}_scam_recall"] = float(
                    (predicted[truth == "scam"] == "scam").mean()
                )
        rows.append(row)
    return rows


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", help="labeled CSV files")
    parser.add_argument(
        "--before",
        metavar="MODEL",
        help="measure this model file (the one the bundled model replaced) instead, "
        "and store its figures as the 'before' figures",
    )
    args = parser.parse_args(argv)
    model = dg.load(args.before) if args.before else dg.load()
    prefix = "external_before" if args.before else "external"
    info = json.loads(METRICS.read_text(encoding="utf-8"))
    for path in args.paths:
        found = figures(path, model)
        key = (
            prefix
            if found["file"] == "lender_templates.csv"
            else f"{prefix}:{found['file']}"
        )
        info["metrics"][key] = found
        shown = {k: v for k, v in found.items() if k not in ("per_label", "confusion")}
        print(json.dumps(shown, indent=1))
    if not args.before:
        info["metrics"]["external_curve"] = curve(args.paths, model)
        print(json.dumps(info["metrics"]["external_curve"], indent=1))
    METRICS.write_text(
        json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    write_card(info)


if __name__ == "__main__":
    main(sys.argv[1:])
