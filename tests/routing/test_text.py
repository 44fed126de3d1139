"""Segmentation and keyword matching: whole words, domain terms, '*' for words starting so."""

import jieba
import pytest

from portal.routing import text


def found(keyword: str, in_text: str) -> bool:
    return text.Text(in_text).find(text.clean_keyword(keyword))


@pytest.mark.parametrize(("keyword", "in_text", "expected"), [
    ("社保", "我司社保缴费基数调整后如何补缴", True),  # 社保 | 缴费
    # Decision: a keyword inside a longer word does not match (whole words only).
    ("社保", "社保局窗口说材料不全", False),
    ("社保局", "社保局窗口说材料不全", True),
    # A keyword spelled across two words never matches: 使用 | 地址.
    ("用地", "公司使用地址变更后怎么办理", False),
    ("用地", "项目用地手续办理进度慢", True),
    ("用地", "工业用地审批进度慢", False),  # 工业用地 is one word in jieba
    # Keywords of several words match the same run of words.
    ("社保缴费", "社保缴费基数怎么调整", True),
    ("地址变更", "公司使用地址变更后怎么办理", True),
    # A rule keyword ending in * matches words starting with it.
    ("社保*", "社保局窗口说材料不全", True),
    ("社保*", "社保卡丢失补办", True),
    ("施工许可*", "我司办理施工许可证时材料被多次退回", True),
    ("施工许可", "我司办理施工许可证时材料被多次退回", False),
    ("址变*", "公司使用地址变更后怎么办理", False),  # must start a word
    # Full-width letters and case do not matter.
    ("ETC", "办理ＥＴＣ业务", True),
    ("etc", "办理ETC业务", True),
    # Punctuation ends a run of words.
    ("社保卡", "社，保卡", False),
])
def test_keywords_match_whole_words(keyword, in_text, expected):
    assert found(keyword, in_text) is expected


def test_domain_terms_stay_whole_without_changing_jiebas_own_dictionary():
    assert text.segment("我司需要办理施工许可") == ("我司", "需要", "办理", "施工许可")
    assert "用电报装" in text.segment("用电报装太慢")  # jieba alone: 用 | 电报 | 装
    assert "人社局" in text.segment("人社局稳岗补贴发放")
    # The process-wide dictionary (the case engine's keywords and search) is untouched.
    assert list(jieba.cut("施工许可办理")) == ["施工", "许可", "办理"]
    assert "施工许可" not in jieba.dt.FREQ


def test_a_domain_term_never_splits_a_word_jieba_found():
    # 实施 | 工 | 许可证: 施工许可 is not a run of whole words here, so it is not joined.
    assert text.segment("实施工许可证") == ("实施", "工", "许可证")
    assert not found("施工许可*", "实施工许可证")


def test_the_brief_s_domain_words_are_kept_whole():
    for word in ("营业执照", "社保", "公积金", "纳税", "通关", "施工许可"):
        assert text.segment(f"关于{word}的问题")[1] == word, word


@pytest.mark.parametrize(("raw", "stored"), [
    (" 社保 ", "社保"), ("社 保", "社保"), ("社保*", "社保*"), ("社保 *", "社保*"),
    ("ＥＴＣ", "etc"), ("***", ""), ("，。", ""), ("*社保", "社保"),
])
def test_keywords_are_stored_normalized(raw, stored):
    assert text.clean_keyword(raw) == stored


def test_features_leave_out_stop_words_numbers_and_punctuation():
    words = text.Text("您好，我们公司2026年需要办理营业执照，谢谢！").features()
    assert "营业执照" in words
    assert not {"您好", "我们", "公司", "需要", "办理", "谢谢", "2026", text.BREAK} & set(words)
