"""Evaluation reports and grouped cross-validation give figures one can check by hand."""

from __future__ import annotations

import pandas as pd
import pytest

import dunning_guard as dg

SAMPLE = pd.DataFrame(
    {
        "text": [
            "【花呗】您本月账单1,205元将于明天到期，请按时还款。",
            "【招商银行】您的信用卡已逾期15天，欠款2,318元，请尽快还款。",
            "【平安银行】您的贷款逾期120天，我行已委托律师事务所向法院起诉，请通过平安口袋银行App还款。",
            "您的借款已逾期，请立即添加客服微信 kf8899 处理，否则上报征信",
            "【顺丰速运】您的快件已到达驿站，取件码8-2-1031。",
        ],
        "label": ["reminder", "overdue", "legal", "scam", "unrelated"],
    }
)


def test_evaluate_reports_per_label_figures_and_outside_rows(bundled):
    report = dg.evaluate(bundled, SAMPLE)
    assert report.accuracy == 1.0
    assert list(report.per_label.index) == list(dg.LABELS)
    assert report.per_label["support"].tolist() == [1, 1, 1, 1]
    assert report.confusion.to_numpy().trace() == 4
    assert report.errors.empty
    assert int(report.outside.to_numpy().sum()) == 1
    assert "macro-F1 1.000" in str(report)


def test_evaluate_lists_errors_with_their_prediction(bundled):
    wrong = SAMPLE.iloc[:4].assign(label=["overdue", "overdue", "legal", "scam"])
    report = dg.evaluate(bundled, wrong)
    assert report.accuracy == 0.75
    assert report.errors[["label", "predicted"]].values.tolist() == [
        ["overdue", "reminder"]
    ]


def test_report_plot_draws_the_confusion_matrix(bundled):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    ax = dg.evaluate(bundled, SAMPLE).plot()
    assert [t.get_text() for t in ax.get_xticklabels()] == list(dg.LABELS)


def test_cross_validate_keeps_groups_apart(messages):
    data = dg.augment(messages.groupby("label").head(25), seed=0)
    cv = dg.cross_validate(data, dg.DunningClassifier(char_ngrams=None), n_splits=3)
    assert list(cv.folds.index) == [0, 1, 2, "mean"]
    folds_per_group = cv.predictions.groupby("group")["fold"].nunique()
    assert (folds_per_group == 1).all()
    assert len(cv.predictions) == len(data)
    assert cv.folds.loc["mean", "macro_f1"] > 0.5
    assert cv.report().per_label["support"].sum() == len(data)
