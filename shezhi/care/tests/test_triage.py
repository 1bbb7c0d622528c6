"""Crisis triage on Chinese text: the labelled set, negation, normalisation, lexicon checks."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shezhi.care import triage
from shezhi.care.tests.labelled_sentences import LABELLED, NEGATED, NONE, SIGNAL
from shezhi.care.triage import Category, Entry, LexiconError, scan, validate_entry


def test_labelled_set_is_large_and_covers_every_kind():
    assert len(LABELLED) >= 80
    kinds = {kind for _, _, kind in LABELLED}
    assert kinds == {SIGNAL, NEGATED, NONE}
    covered = {c for _, cats, _ in LABELLED for c in cats}
    assert covered == {c.value for c in Category}


def test_no_signal_in_the_labelled_set_is_missed():
    misses = []
    for sentence, expected, kind in LABELLED:
        if kind == NONE:
            continue
        found = {s.category.value for s in scan(sentence) if s.negated == (kind == NEGATED)}
        if not expected <= found:
            misses.append((sentence, sorted(expected - found)))
    assert misses == []


def test_negated_signals_are_kept_with_their_context():
    for sentence, expected, kind in LABELLED:
        if kind != NEGATED:
            continue
        negated = [s for s in scan(sentence) if s.negated and s.category.value in expected]
        assert negated, sentence
        assert all(s.matched and s.matched in s.context for s in negated)


def test_false_alarms_on_ordinary_complaints_stay_rare():
    ordinary = [s for s, _, kind in LABELLED if kind == NONE]
    alarms = [s for s in ordinary if scan(s)]
    assert len(ordinary) >= 15
    assert len(alarms) <= len(ordinary) // 10, alarms


def test_bu_shi_bu_xiang_huo_is_flagged_negated_not_dropped():
    [signal] = scan("不是不想活")
    assert signal.category == Category.SUICIDE and signal.negated
    assert signal.context == "不是不想活"


def test_bu_xiang_huo_le_is_a_plain_signal():
    [signal] = scan("我不想活了")
    assert not signal.negated and signal.severity == 3


def test_pleas_are_not_negations():
    assert [s.negated for s in scan("别打我了")] == [False]


def test_negation_in_another_clause_does_not_count():
    signals = scan("没有人管我，我不想活了")
    assert [(s.category, s.negated) for s in signals] == [(Category.SUICIDE, False)]


def test_words_inserted_between_the_words_of_an_entry_still_match():
    lexicon = [Entry("不想活", Category.SUICIDE)]
    signals = scan("真的不想继续活下去了", lexicon)
    assert [s.category for s in signals] == [Category.SUICIDE]


def test_spaces_full_width_and_zero_width_characters_do_not_hide_a_signal():
    for text in ["不 想 活 了", "不\u200b想活", "想　死", "ＳＯＳ 我不想活"]:
        assert scan(text), text


def test_offsets_point_into_the_original_text():
    text = "今天   她说：不 想 活"
    [signal] = scan(text)
    assert text[signal.start : signal.end] == signal.matched == "不 想 活"


def test_signal_as_dict_carries_the_chinese_category_label():
    data = scan("孩子被打了")[0].as_dict()
    assert data["category"] == "child_harm" and data["category_label"] == "儿童受害"


def test_empty_text_has_no_signal():
    assert scan("") == [] and scan("   \n ") == []


def test_worst_prefers_unnegated_and_severe():
    signals = scan("我没有想死，但他晕倒了")
    assert triage.worst(signals).category == Category.MEDICAL
    assert triage.worst([]) is None


def test_default_lexicon_entries_are_all_valid():
    for entry in triage.DEFAULT_LEXICON:
        assert validate_entry(entry) == entry


@pytest.mark.parametrize(
    "entry, message",
    [
        (Entry("", Category.SUICIDE), "不能为空"),
        (Entry("   ", Category.SUICIDE), "不能为空"),
        (Entry("、。", Category.SUICIDE), "符号"),
        (Entry("想" * 31, Category.SUICIDE), "不能超过30"),
        (Entry("a" * 101, Category.SUICIDE, is_regex=True), "不能超过100"),
        (Entry("(a+)+", Category.SUICIDE, is_regex=True), "嵌套"),
        (Entry("(想.*)*死", Category.SUICIDE, is_regex=True), "嵌套"),
        (Entry("(\\w+\\s?)*$", Category.SUICIDE, is_regex=True), "嵌套"),
        (Entry("(a|aa)+", Category.SUICIDE, is_regex=True), "分支"),
        (Entry("(a|a?)+b", Category.SUICIDE, is_regex=True), "分支"),
        (Entry("(想)\\1", Category.SUICIDE, is_regex=True), "反向引用"),
        (Entry("(想死", Category.SUICIDE, is_regex=True), "有误"),
        (Entry("想?", Category.SUICIDE, is_regex=True), "空文本"),
        (Entry("想死", "unknown", 3), "类别"),  # type: ignore[arg-type]
        (Entry("想死", Category.SUICIDE, 5), "严重程度"),
    ],
)
def test_bad_lexicon_entries_are_refused_with_a_chinese_message(entry, message):
    with pytest.raises(LexiconError) as exc:
        validate_entry(entry)
    assert message in exc.value.message


def test_safe_regexes_are_accepted_and_used():
    entry = validate_entry(Entry(" (煤气|天然气)泄[漏露] ", Category.MEDICAL, 2, is_regex=True))
    assert entry.term == "(煤气|天然气)泄[漏露]"
    assert validate_entry(Entry("(哈|呵)+", Category.MEDICAL, is_regex=True))
    [signal] = scan("家里天然气泄露了", [entry])
    assert signal.matched == "天然气泄露" and signal.severity == 2


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="不想活死没有是打孩子摔倒了，。 我他走丢饿a1", max_size=40))
def test_scan_never_fails_and_offsets_are_valid(text):
    for signal in scan(text):
        assert 0 <= signal.start < signal.end <= len(text)
        assert text[signal.start : signal.end] == signal.matched


def test_a_past_stroke_is_a_care_fact_but_an_acute_one_is_a_signal():
    assert scan("中风后在家康复，需要上门理疗") == []
    assert {s.category for s in scan("我爸刚才突然中风")} == {Category.MEDICAL}
