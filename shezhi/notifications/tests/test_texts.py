"""The one catalogue of notice texts: every placeholder is on the list of data a notice may
carry, which holds no one's name, phone, ID number or own words."""

import re

import pytest

from shezhi.notifications.texts import ALLOWED_PLACEHOLDERS, CATALOGUE, render

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
FORBIDDEN = {"name", "phone", "mobile", "id_number", "text", "description", "title", "address"}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_texts_use_only_neutral_placeholders(key):
    text = CATALOGUE[key]
    used = set(PLACEHOLDER.findall(str(text.title) + str(text.body)))
    assert used <= ALLOWED_PLACEHOLDERS, used - ALLOWED_PLACEHOLDERS
    assert not used & FORBIDDEN


def test_allowed_placeholders_name_no_personal_data():
    assert not ALLOWED_PLACEHOLDERS & FORBIDDEN


def test_texts_render_in_the_site_language_whatever_the_request(settings):
    from django.utils import translation

    with translation.override("en"):
        title, body = render("need_started", category="助餐", helper="志愿者小李")
    assert title == "服务已开始" and body == "助餐：志愿者小李已开始为您服务。"


def test_texts_are_short():
    for key, text in CATALOGUE.items():
        assert len(str(text.title)) <= 40, key  # the template, placeholders included
        assert len(str(text.body)) <= 120, key
