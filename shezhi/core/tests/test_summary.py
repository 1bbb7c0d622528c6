"""Titles from free text cut only between words (pure module, no database)."""

import pytest

from shezhi.core.summary import ELLIPSIS, TITLE_CHARS, summarise, words

LONG = "我78岁一个人住，明天上午要去武汉市第一医院心内科复诊，想找人陪同"


def test_short_text_is_kept_whole_without_trailing_punctuation():
    assert summarise("水龙头漏水。") == "水龙头漏水"
    assert summarise("  更换灯泡\n和插座！ ") == "更换灯泡 和插座"


def test_long_text_fits_the_limit_and_ends_with_an_ellipsis():
    title = summarise(LONG)
    assert len(title) <= TITLE_CHARS
    assert title.endswith(ELLIPSIS)


@pytest.mark.parametrize(
    "text",
    [
        LONG,
        "家里燃气热水器打不着火，老人不会修，请帮忙看看。",
        "住院费用异地医保报销流程不清楚，想请社工帮忙咨询。",
        "在工地打工被拖欠工资三个月想了解如何维权以及需要准备哪些材料",
    ],
)
def test_the_cut_falls_between_two_words(text):
    head = summarise(text).removesuffix(ELLIPSIS)
    boundaries, at = {0}, 0
    for w in words(text):
        at += len(w)
        boundaries.add(at)
    assert text.startswith(head)
    assert len(head) in boundaries


def test_the_old_mid_word_cut_is_gone():
    assert not summarise(LONG).removesuffix(ELLIPSIS).endswith("第一")
    assert summarise(LONG) != LONG[:20]


def test_no_trailing_punctuation_before_the_ellipsis():
    title = summarise("老人独自居住，腿脚不便，希望每周有人上门帮忙打扫一次卫生、倒垃圾。")
    assert title[-2] not in "，。、；："


def test_whole_clauses_are_preferred_when_they_fill_half_the_room():
    assert summarise("老人独自居住，腿脚不便，希望每周有人上门帮忙打扫一次卫生") == (
        "老人独自居住，腿脚不便" + ELLIPSIS
    )


def test_one_overlong_word_is_the_only_thing_cut_inside():
    title = summarise("x" * 50)
    assert title == "x" * (TITLE_CHARS - 1) + ELLIPSIS


def test_empty_text_gives_an_empty_title():
    assert summarise("   ") == ""
