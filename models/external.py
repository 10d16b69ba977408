"""Measure the bundled model on an external, evaluation-only CSV and add it to the card.

    python models/external.py ../shared/external/lender_templates.csv

Only aggregate figures are written (models/metrics.json, models/README.md and the
README's table); no text from the file is copied or printed. Never train, tune,
choose thresholds or write rules on such data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

import dunning_guard as dg
from dunning_guard._data import read_labeled
from dunning_guard._evaluate import summary_figures

sys.path.insert(0, str(Path(__file__).resolve().parent))
from card import METRICS, write_card  # noqa: E402


def figures(truth: np.ndarray, pred: np.ndarray) -> dict:
    """Five-outcome figures of predictions against true labels."""
    from sklearn.metrics import (
        confusion_matrix,
        f1_score,
        precision_recall_fscore_support,
    )

    outcomes = [*dg.LABELS, dg.UNRELATED]
    p, r, f, s = precision_recall_fscore_support(
        truth, pred, labels=outcomes, zero_division=0
    )
    present = [c for c in outcomes if c in set(truth)]
    legit = np.isin(truth, ["reminder", "overdue", "legal"])
    due = np.isin(truth, ["reminder", "overdue"])
    return {
        "rows": len(truth),
        "accuracy": float((truth == pred).mean()),
        "macro_f1": float(
            f1_score(truth, pred, labels=present, average="macro", zero_division=0)
        ),
        "legit_rows": int(legit.sum()),
        "legit_as_scam_count": int((pred[legit] == "scam").sum()),
        "reminder_overdue_as_scam_count": int((pred[due] == "scam").sum()),
        "reminder_overdue_rows": int(due.sum()),
        "per_label": {
            c: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, c in enumerate(outcomes)
        },
        "confusion": {
            c: dict(zip(outcomes, map(int, row)))
            for c, row in zip(outcomes, confusion_matrix(truth, pred, labels=outcomes))
        },
    } | summary_figures(truth, pred)


def main(path: str) -> None:
    df = read_labeled(path, training=False)
    truth = df["label"].to_numpy(dtype=object)
    pred = np.asarray(dg.load().predict(df["text"]), dtype=object)
    external = {"file": Path(path).name} | figures(truth, pred)
    info = json.loads(METRICS.read_text(encoding="utf-8"))
    info["metrics"]["external"] = external
    METRICS.write_text(
        json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    write_card(info)
    shown = {k: v for k, v in external.items() if k not in ("per_label", "confusion")}
    print(json.dumps(shown, indent=1))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python models/external.py PATH_TO_CSV")
    main(sys.argv[1])
