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


def test_evaluate_reports_per_outcome_figures(bundled):
    report = dg.evaluate(bundled, SAMPLE)
    assert report.accuracy == 1.0
    assert list(report.per_label.index) == [*dg.LABELS, "unrelated"]
    assert report.per_label["support"].tolist() == [1, 1, 1, 1, 1]
    assert report.confusion.to_numpy().trace() == 5
    assert report.errors.empty and report.outside.empty
    assert report.summary["scam_recall"] == 1.0
    assert "macro-F1 1.000" in str(report)


def test_rows_a_model_cannot_label_are_counted_apart():
    rows = pd.concat([SAMPLE.iloc[:4]] * 3)
    four = dg.DunningClassifier(min_df=1).fit(rows["text"], rows["label"])
    report = dg.evaluate(four, SAMPLE)
    assert int(report.outside.to_numpy().sum()) == 1


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
    figure = dg.evaluate(bundled, SAMPLE).plot()
    (ax,) = figure.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == [*dg.LABELS, "unrelated"]
    assert hasattr(figure, "savefig")


def test_cross_validate_keeps_groups_apart(messages):
    data = dg.augment(messages.groupby("label").head(25), seed=0)
    cv = dg.cross_validate(data, dg.DunningClassifier(char_ngrams=None), n_splits=3)
    assert list(cv.folds.index) == [0, 1, 2, "mean"]
    folds_per_group = cv.predictions.groupby("group")["fold"].nunique()
    assert (folds_per_group == 1).all()
    assert len(cv.predictions) == len(data)
    assert cv.folds.loc["mean", "macro_f1"] > 0.5
    assert cv.report().per_label["support"].sum() == len(data)


def test_leave_one_writing_out_holds_out_each_source(corpus):
    data = corpus.groupby(["source", "label"]).head(15)
    cv = dg.cross_validate(data, dg.DunningClassifier(char_ngrams=None), by="source")
    assert list(cv.folds.index) == ["tw", "w1", "w2", "w3", "w4", "mean"]
    assert (
        cv.predictions.groupby("source")["fold"].unique().map(list)
        == cv.predictions.groupby("source")["fold"].first().map(lambda f: [f])
    ).all()
    assert (cv.predictions["fold"] == cv.predictions["source"]).all()
    assert 0.3 < cv.folds.loc["w1", "macro_f1"] <= 1.0


def test_holding_out_by_a_missing_column_says_so(corpus):
    with pytest.raises(ValueError, match="Expected a column 'writer' to hold out by"):
        dg.cross_validate(corpus[["text", "label"]], by="writer")


def test_robustness_needs_augmented_ids():
    df = pd.concat([SAMPLE] * 3, ignore_index=True).assign(
        text=lambda d: d["text"] + d.index.astype(str)
    )
    cv = dg.cross_validate(
        df[["text", "label"]], dg.DunningClassifier(min_df=1), n_splits=3
    )
    with pytest.raises(ValueError, match="dg.augment"):
        cv.robustness()


def test_holding_out_by_the_label_or_the_text_is_refused(corpus):
    for column in ("label", "text"):
        with pytest.raises(
            ValueError, match="Expected by= to name a column that groups"
        ):
            dg.cross_validate(corpus.groupby("label").head(5), by=column)


def test_reports_and_cross_validations_have_short_reprs(bundled):
    report = dg.evaluate(bundled, SAMPLE)
    assert repr(report) == (
        "EvaluationReport(n=5, accuracy=1.000, macro_f1=1.000, scam_recall=1.000, errors=0)"
    )


def test_errors_give_the_probability_of_the_predicted_label(bundled):
    wrong = SAMPLE.iloc[:1].assign(label="overdue")
    row = dg.evaluate(bundled, wrong).errors.iloc[0]
    assert row["confidence"] == bundled.classify(row["text"]).confidence


@pytest.mark.slow
def test_cross_validate_measures_the_recipe_users_deploy(corpus):
    mine = pd.DataFrame(
        {
            "text": [
                f"【某某小贷】{t}" for t in corpus.groupby("label").head(6)["text"]
            ],
            "label": corpus.groupby("label").head(6)["label"].tolist(),
        }
    )
    cv = dg.cross_validate(mine, base="bundled", weight=3.0, n_splits=2)
    assert list(cv.folds.index) == [0, 1, "mean"]
    assert len(cv.predictions) == len(mine)
    assert cv.folds.loc["mean", "macro_f1"] > 0.6
