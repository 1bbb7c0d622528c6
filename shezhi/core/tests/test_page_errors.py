"""The one helper that shows a service's DomainError on a page (core/page_errors.py)."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.page_errors import (
    ANY_FIELD,
    NO_OBJECT,
    form_error,
    form_or_message,
    message_error,
)


class NoteForm(forms.Form):
    domain_fields = {"when_from": "when"}
    note = forms.CharField()
    when = forms.CharField()


def _form() -> NoteForm:
    form = NoteForm({"note": "x", "when": "y"})
    assert form.is_valid()
    return form


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_an_error_naming_a_field_goes_on_that_field():
    form = _form()
    assert form_error(form, InvalidInput("太长了", field="note"))
    assert form.errors == {"note": ["太长了"]}


def test_a_service_field_renamed_by_the_form_goes_on_the_form_field():
    form = _form()
    form_error(form, Conflict("时间冲突", field="when_from"))
    assert form.errors == {"when": ["时间冲突"]}


def test_an_error_naming_no_field_of_the_form_is_a_general_error_or_left_to_the_caller():
    form = _form()
    form_error(form, Conflict("已被他人处理", field="other"))
    assert form.non_field_errors() == ["已被他人处理"]
    kept = _form()
    assert not form_error(kept, Conflict("已被他人处理"), general=False)
    assert not kept.errors


def test_the_pages_own_object_not_found_is_a_404_page_never_a_form_error():
    form = _form()
    with pytest.raises(Http404):
        form_error(form, NotFound("未找到该记录"))
    # A record named on the form (a field) is the form's error …
    form_error(form, NotFound("未找到该居民", field="note"))
    assert form.errors == {"note": ["未找到该居民"]}
    # … unless the page says every not-found is about its object, or none is.
    with pytest.raises(Http404):
        form_error(_form(), NotFound("未找到", field="note"), objects=ANY_FIELD)
    outside = _form()
    form_error(outside, NotFound("未找到该居民"), objects=NO_OBJECT)
    assert outside.non_field_errors() == ["未找到该居民"]


def test_forbidden_is_a_403_page_only_where_the_page_asks_for_it():
    with pytest.raises(PermissionDenied):
        form_error(_form(), Forbidden("无权操作"), forbidden=True)
    form = _form()
    form_error(form, Forbidden("无权操作"))
    assert form.non_field_errors() == ["无权操作"]


def test_an_action_without_a_form_shows_the_message():
    request = _request()
    message_error(request, Conflict("该需求刚被他人处理，请刷新后再试"))
    assert [str(m) for m in get_messages(request)] == ["该需求刚被他人处理，请刷新后再试"]
    with pytest.raises(Http404):
        message_error(_request(), NotFound())


def test_a_detail_page_form_takes_field_errors_and_leaves_the_rest_as_a_message():
    request = _request()
    form = _form()
    assert form_or_message(request, form, InvalidInput("太长了", field="note"))
    assert not form_or_message(request, form, Conflict("状态已变"))
    assert [str(m) for m in get_messages(request)] == ["状态已变"]
