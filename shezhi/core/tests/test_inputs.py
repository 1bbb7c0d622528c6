"""The shared input helpers: every refusal is an InvalidInput saying what is wrong and where."""

import pytest
from django.contrib.auth import get_user_model

from shezhi.core.errors import InvalidInput
from shezhi.core.inputs import clean_int, clean_text, save_validated, validate_model
from shezhi.core.models import AuditEvent


def test_text_is_stripped_and_none_is_empty():
    assert clean_text("  修水管 \n", field="title", label="标题", max_length=10) == "修水管"
    assert clean_text(None, field="note", max_length=10, required=False) == ""
    assert clean_text("   ", field="note", max_length=10, required=False) == ""


@pytest.mark.parametrize("value", [None, "", "  \t "])
def test_missing_required_text_names_the_label_and_field(value):
    with pytest.raises(InvalidInput) as exc:
        clean_text(value, field="reason", label="取消原因", max_length=300)
    assert exc.value.message == "请填写取消原因" and exc.value.field == "reason"


def test_a_required_text_may_say_what_is_missing_in_its_own_words():
    with pytest.raises(InvalidInput, match="^紧急访问须填写理由$"):
        clean_text(" ", field="reason", max_length=300, missing="紧急访问须填写理由")


def test_text_longer_than_the_limit_is_refused_and_the_limit_itself_is_not():
    assert clean_text("长" * 5, field="name", label="队名", max_length=5) == "长" * 5
    with pytest.raises(InvalidInput) as exc:
        clean_text("长" * 6, field="name", label="队名", max_length=5)
    assert exc.value.message == "队名不能超过5个字" and exc.value.field == "name"


def test_the_limit_counts_the_text_without_its_surrounding_blanks():
    assert clean_text("  好  ", field="name", max_length=1) == "好"


def test_something_other_than_text_is_refused_not_dropped():
    with pytest.raises(InvalidInput, match="^附言应为文字$"):
        clean_text(12, field="note", label="附言", max_length=100, required=False)


def test_a_nul_character_is_refused_with_a_message_not_a_database_error():
    with pytest.raises(InvalidInput, match="含有无法保存的字符") as exc:
        clean_text("a\x00b", field="content", label="服务内容", max_length=100)
    assert exc.value.field == "content"


@pytest.mark.parametrize("value", [1, 3, 5])
def test_whole_numbers_within_the_bounds_pass(value):
    assert clean_int(value, field="stars", label="评分", low=1, high=5) == value


@pytest.mark.parametrize("value", [0, 6, True, "3", 3.0, None])
def test_numbers_outside_the_bounds_or_not_whole_numbers_are_refused(value):
    with pytest.raises(InvalidInput) as exc:
        clean_int(value, field="stars", label="评分", low=1, high=5)
    assert exc.value.message == "评分应为1到5之间的整数" and exc.value.field == "stars"


def event(**fields) -> AuditEvent:
    fields = {"action": "create", "object_type": "need", "object_id": "1", **fields}
    return AuditEvent(**fields)


@pytest.fixture
def actor(db):
    return get_user_model().objects.create(username="alice")


def test_save_validated_refuses_what_breaks_the_model_and_saves_nothing(actor):
    with pytest.raises(InvalidInput) as exc:
        save_validated(event(actor=actor, object_type="x" * 41))
    assert exc.value.field == "object_type" and "40" in exc.value.message
    with pytest.raises(InvalidInput) as exc:
        save_validated(event(actor=actor, action="delete"))
    assert exc.value.field == "action"
    assert not AuditEvent.objects.exists()


def test_save_validated_saves_a_valid_object_and_only_the_fields_asked(actor):
    saved = event(actor=actor, summary="新建")
    save_validated(saved)
    assert AuditEvent.objects.get().summary == "新建"
    saved.summary, saved.object_id = "改过", "2"
    save_validated(saved, update_fields=["summary"])
    again = AuditEvent.objects.get()
    assert (again.summary, again.object_id) == ("改过", "1")


def test_validate_model_may_leave_out_fields_the_service_checks_itself():
    validate_model(event(object_type="x" * 41), exclude=["object_type", "actor"])
    with pytest.raises(InvalidInput) as exc:
        validate_model(event(object_type="x" * 41), exclude=["actor"])
    assert exc.value.field == "object_type"
