"""Two baselines the model must beat, measured on the same grouped splits.

- `naive_pipeline`: jieba tokens of the raw text + TF-IDF + logistic regression,
  with no normalization, no domain dictionary and no character n-grams.
- `KeywordRules`: the label guide's decision order applied to a few keywords.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from dunning_guard import LABELS

__all__ = ["KeywordRules", "naive_pipeline"]


@functools.cache
def _plain_jieba() -> Any:
    """jieba with its own dictionary only: the naive baseline knows no domain words."""
    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def jieba_tokens(text: str) -> list[str]:
    """Plain jieba segmentation of raw text (the naive baseline's tokenizer)."""
    return [w for w in _plain_jieba().lcut(text) if w.strip()]


def naive_pipeline(C: float = 10.0) -> Pipeline:
    """jieba + TF-IDF + logistic regression on the raw text.

    Examples
    --------
    >>> model = naive_pipeline().fit(["账单明天到期", "已逾期三天"], ["reminder", "overdue"])
    >>> str(model.predict(["已逾期"])[0])
    'overdue'
    """
    return Pipeline(
        [
            (
                "tfidf",
                TfidfVectorizer(
                    tokenizer=jieba_tokens, token_pattern=None, lowercase=False
                ),
            ),
            ("clf", LogisticRegression(C=C, max_iter=3000)),
        ]
    )


_RULES = (
    (
        "scam",
        re.compile(
            "个人账户|个人账号|个人卡|安全账户|指定账户|对公账户|清算专户|代收账户|微信|薇信|威信|QQ|扣扣|"
            "加V|验证码|屏幕共享|共享屏幕|下载|注销|征信修复|消除逾期|撤诉费|解冻|停息挂账|反催收|"
            "個人帳戶|安全帳戶|指定帳戶|LINE|加賴|驗證碼|下載|註銷|凍結"
        ),
    ),
    (
        "legal",
        re.compile(
            "起诉|诉讼|律师函|仲裁|支付令|强制执行|失信|法院|委外|催收公司|上门|外访|紧急联系人|"
            "家人|单位|起訴|訴訟|律師|支付命令|強制執行|存證信函|入稟|追收公司|法院"
        ),
    ),
    (
        "overdue",
        re.compile("逾期|已过期|拖欠|欠款|罚息|违约金|滞纳金|延滯|遲延|逾期還款|未繳"),
    ),
)


class KeywordRules(ClassifierMixin, BaseEstimator):
    """A keyword scorer: the first rule whose keywords appear wins (scam, legal, overdue),
    otherwise ``reminder``. `fit` learns nothing; it only records the labels.
    """

    def fit(self, X: Iterable[str], y: Iterable[str]) -> KeywordRules:
        self.classes_ = np.asarray([c for c in LABELS if c in set(y)], dtype=object)
        return self

    def predict(self, X: Iterable[str]) -> np.ndarray:
        out = []
        for text in X:
            label = next(
                (name for name, rule in _RULES if rule.search(text)), "reminder"
            )
            out.append(label)
        return np.asarray(out, dtype=object)

    def predict_proba(self, X: Iterable[str]) -> np.ndarray:
        """One-hot probabilities of the rule's label (for a common interface)."""
        pred = self.predict(X)
        return (pred[:, None] == self.classes_[None, :]).astype(float)
