"""Segmentation uses a private jieba tokenizer with the domain dictionary."""

from __future__ import annotations

import jieba

from dunning_guard._segment import jieba_tokenizer, segment


def test_domain_words_stay_whole():
    words = segment("您的京东白条已逾期，将寄送律师函并申报失信被执行人")
    for word in ["京东白条", "逾期", "律师函", "失信被执行人"]:
        assert word in words


def test_typed_tokens_stay_whole_and_punctuation_is_dropped():
    assert segment("应还 AMOUNT ,请拨打 PHONEHOTLINE !") == [
        "应",
        "还",
        "AMOUNT",
        "请",
        "拨打",
        "PHONEHOTLINE",
    ]


def test_block_cache_gives_exactly_the_whole_text_result():
    text = "请尽快还款。请尽快还款，客服会联系您处理逾期账单"
    expected = [w for w in jieba_tokenizer().lcut(text) if w not in "。，"]
    assert segment(text) == expected
    assert segment(text) == expected  # second call served from the cache


def test_global_jieba_dictionary_is_untouched():
    segment("反催收")
    jieba.dt.initialize()
    assert "反催收" in jieba_tokenizer().FREQ
    assert "反催收" not in jieba.dt.FREQ


def test_rjieba_gives_jiebas_tokens_on_every_corpus_block():
    pytest = __import__("pytest")
    pytest.importorskip("rjieba")
    import dunning_guard as dg
    from dunning_guard._normalize import normalize
    from dunning_guard._segment import _BLOCK, cut_with_jieba, cut_with_rjieba

    blocks = {
        b
        for t in dg.corpus(augmented=True)["text"]
        for i, b in enumerate(_BLOCK.split(normalize(t)))
        if i % 2
    }
    blocks |= {
        "ALI-jiebei",
        "kf8899",
        "3.5%",
        "a.b.c",
        "v-x_y",
        "PHONEMOBILE",
        "360借条",
    }
    differ = [b for b in sorted(blocks) if cut_with_rjieba(b) != cut_with_jieba(b)]
    assert len(blocks) > 15_000 and differ == []
