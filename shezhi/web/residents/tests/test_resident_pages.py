"""Residents' pages for the elderly: the 点单 form (tiles, plain time choices, urgency 一般 by
default), 长辈模式, the community's phone, rating by words, and ordering on a resident's behalf."""

from datetime import date, timedelta

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shezhi.needs import services
from shezhi.needs.models import Need, NeedCategory
from shezhi.org.models import ServiceCentre, Station
from shezhi.people.tests.factories import ResidentFactory

CATALOGUE = ["陪诊", "代购", "助餐", "助洁", "助浴", "家电维修", "心理慰藉", "政策咨询", "其他"]


def text(response) -> str:
    return response.content.decode()


def order(client, user, **data):
    client.force_login(user)
    return client.post("/m/", {"category": "escort", "urgency": "general", **data})


# --- the form --------------------------------------------------------------------------------


def test_first_page_is_the_service_catalogue_as_tiles_with_local_icons(client, world):
    client.force_login(world.dora)
    page = text(client.get("/m/"))
    positions = [page.index(f"<span>{name}</span>") for name in CATALOGUE]
    assert positions == sorted(positions)
    assert 'href="/m/?category=escort"' in page and "/static/shezhi/icons/escort.svg" in page
    assert "法律援助" not in page  # desk-only categories stay off the tiles
    assert "datetime-local" not in page and "http://" not in page.split("<body")[1]


def test_form_defaults_to_general_urgency_explained_in_words(client, world):
    client.force_login(world.dora)
    page = text(client.get("/m/?category=escort"))
    assert 'data-testid="chosen-category">陪诊<' in page
    assert 'name="urgency" value="general" checked' in page
    assert 'value="immediate" checked' not in page
    assert "日常的事，不着急，社工48小时内联系您" in page
    assert "有危险或今天必须解决" in page and "社工2小时内联系您" in page
    for label in ("明天上午", "明天下午", "其他时间", "时间都行"):
        assert label in page
    assert 'type="datetime-local"' not in page
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert f'<option value="{tomorrow.isoformat()}">{tomorrow.month}月{tomorrow.day}日' in page


def test_tomorrow_morning_is_the_wanted_window(client, world):
    response = order(client, world.dora, when="tomorrow_am")
    assert response.status_code == 302
    need = Need.objects.get()
    start, end = timezone.localtime(need.wanted_from), timezone.localtime(need.wanted_until)
    assert start.date() == timezone.localdate() + timedelta(days=1)
    assert (start.hour, end.hour) == (8, 12)
    assert need.urgency.code == "general" and need.category.code == "escort"
    assert need.description == "需要陪诊服务，请电话联系我了解详情"


def test_no_time_chosen_means_any_time(client, world):
    assert order(client, world.dora).status_code == 302
    need = Need.objects.get()
    assert need.wanted_from is None and need.wanted_until is None


def test_past_day_is_refused_in_chinese_and_nothing_is_saved(client, world):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = order(client, world.dora, when="other", other_day=yesterday, other_period="am")
    assert response.status_code == 400
    assert "哪一天：您选的时间已经过去了，请选择以后的时间" in text(response)
    assert not Need.objects.exists()


def test_more_than_seven_days_ahead_is_refused(client, world):
    far = timezone.localdate() + timedelta(days=8)
    response = order(client, world.dora, when="other", other_day=far, other_period="pm")
    assert response.status_code == 400
    assert "只能预约今天起7天以内的时间" in text(response)
    assert not Need.objects.exists()


def test_other_time_needs_a_part_of_the_day(client, world):
    day = timezone.localdate() + timedelta(days=3)
    response = order(client, world.dora, when="other", other_day=day)
    assert response.status_code == 400 and "请选择上午、下午还是晚上" in text(response)


def test_unknown_time_choice_is_named(client, world):
    response = order(client, world.dora, when="soon")
    assert response.status_code == 400 and "什么时候：" in text(response)
    assert not Need.objects.exists()


# --- 长辈模式 --------------------------------------------------------------------------------


def body_class(client, url: str = "/m/") -> str:
    page = text(client.get(url))
    return page.split('<body class="', 1)[1].split('"', 1)[0]


def test_elder_mode_is_on_for_residents_of_seventy_and_over(client, world):
    client.force_login(world.dora)  # born 1945
    assert "elder" in body_class(client).split() and "role-resident" in body_class(client)
    world.dora_resident.birth_date = date(timezone.localdate().year - 60, 1, 1)
    world.dora_resident.save()
    assert "elder" not in body_class(client).split()


def test_elder_mode_switches_off_and_on_and_is_kept(client, world):
    client.force_login(world.dora)
    response = client.post("/m/elder-mode/", {"on": "0", "next": "/m/my/"})
    assert response.status_code == 302 and response.url == "/m/my/"
    world.dora.refresh_from_db()
    assert world.dora.elder_mode is False
    assert "elder" not in body_class(client).split()
    client.post("/m/elder-mode/", {"on": "1", "next": "https://evil.example/"})
    assert "elder" in body_class(client).split()
    outside = client.post("/m/elder-mode/", {"on": "1", "next": "https://evil.example/"})
    assert outside.url == "/"


def test_elder_mode_through_the_api(client, world):
    client.force_login(world.dora)
    me = client.get("/api/v1/me").json()
    assert me["elder_mode"] is True and me["elder_mode_setting"] is None
    off = client.patch("/api/v1/me", {"elder_mode": False}, content_type="application/json")
    assert off.status_code == 200 and off.json()["elder_mode"] is False
    back = client.patch("/api/v1/me", {"elder_mode": None}, content_type="application/json")
    assert back.json()["elder_mode"] is True and back.json()["elder_mode_setting"] is None
    bad = client.patch("/api/v1/me", {"elder_mode": "maybe"}, content_type="application/json")
    assert bad.status_code == 400
    # A volunteer may switch it on too; there is no default by age for them.
    client.force_login(world.bob)
    assert client.get("/api/v1/me").json()["elder_mode"] is False


def test_elder_mode_switch_needs_log_in(client, world):
    response = client.post("/m/elder-mode/", {"on": "1"})
    assert response.status_code == 302 and response.url.startswith("/login/")


# --- the community's phone --------------------------------------------------------------------


def test_every_resident_page_shows_the_community_phone(client, world):
    Station.objects.create(
        tier=Station.Tier.COMMUNITY,
        name="A社区社工室",
        unit=world.a["community"],
        phone="027-88886666",
    )
    need = services.need_create(
        actor=world.dora, category="meals", urgency="general", description="想订助餐"
    )
    client.force_login(world.dora)
    for url in ("/m/", "/m/?category=meals", "/m/my/", f"/m/needs/{need.pk}/"):
        page = text(client.get(url))
        assert "不会填？请拨打社区电话" in page and 'href="tel:02788886666"' in page, url
    client.force_login(world.bob)  # not on helpers' pages
    assert "不会填？请拨打社区电话" not in text(client.get("/m/orders/"))


def test_phone_falls_back_to_the_service_centre(client, world):
    ServiceCentre.objects.create(
        name="A中心",
        unit=world.a["community"],
        address="路1号",
        latitude=30,
        longitude=114,
        phone="027-81234567",
    )
    client.force_login(world.dora)
    home = text(client.get("/m/"))
    assert 'href="tel:02781234567" data-testid="call-top"' in home  # above the tiles too
    assert 'href="tel:02781234567"' in home.split("<footer")[1]
    client.force_login(world.dora)
    assert client.get("/api/v1/me").json()["community_phone"] == "027-81234567"


# --- rating by words --------------------------------------------------------------------------


def done_need(world) -> Need:
    need = services.need_create(
        actor=world.dora, category="repair", urgency="general", description="灯坏了"
    )
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_start(actor=world.bob, need_id=need.pk)
    return services.need_complete(actor=world.bob, need_id=need.pk, minutes=30, note="换了灯泡")


@pytest.mark.parametrize(
    ("word", "score"), [("很满意", 5), ("满意", 4), ("一般", 3), ("不满意", 2), ("很不满意", 1)]
)
def test_rating_words_map_to_scores(client, world, word, score):
    need = done_need(world)
    client.force_login(world.dora)
    page = text(client.get(f"/m/needs/{need.pk}/"))
    assert (
        f'name="score" value="{score}" class="btn rate-word rate-{score}">{word}</button>' in page
    )
    assert ">5<" not in page.split("rate-words")[1].split("</div>")[0]
    response = client.post(f"/m/needs/{need.pk}/rate/", {"score": str(score), "comment": ""})
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.rating == score
    detail = text(client.get(f"/m/needs/{need.pk}/"))
    assert f'data-score="{score}">{word}</strong>' in detail and f"{score}/5" not in detail


# --- ordering on a resident's behalf ----------------------------------------------------------


def test_grid_worker_finds_a_resident_by_name_and_orders_with_the_same_form(client, world):
    client.force_login(world.gina)
    found = text(client.get("/m/behalf/", {"q": "朵拉"}))
    assert f'href="/m/behalf/{world.dora_resident.pk}/"' in found and "<strong>朵拉 " in found
    partial = text(client.get("/m/behalf/", {"q": "朵"}))  # only what was typed is shown
    assert "<strong>朵* " in partial and "朵拉" not in partial.split("<main")[1]
    assert "138****" in partial and world.dora_resident.phone not in partial
    form = text(client.get(f"/m/behalf/{world.dora_resident.pk}/?category=shopping"))
    assert "代购" in form and 'value="general" checked' in form
    response = client.post(
        f"/m/behalf/{world.dora_resident.pk}/",
        {"category": "shopping", "urgency": "general", "when": "tomorrow_pm"},
    )
    need = Need.objects.get()
    assert response.status_code == 302 and response.url == f"/desk/needs/{need.pk}/"
    assert need.resident == world.dora_resident and need.source == Need.Source.GRID
    assert need.created_by == world.gina and timezone.localtime(need.wanted_from).hour == 14


def test_outsider_resident_is_neither_found_nor_ordered_for(client, world):
    client.force_login(world.gina)
    outsider = world.resident_b
    assert f"/m/behalf/{outsider.pk}/" not in text(client.get("/m/behalf/", {"q": outsider.name}))
    assert client.get(f"/m/behalf/{outsider.pk}/").status_code == 404
    response = client.post(
        f"/m/behalf/{outsider.pk}/", {"category": "shopping", "urgency": "general"}
    )
    assert response.status_code == 404 and not Need.objects.exists()
    client.force_login(world.charlie)  # the other community's social worker
    assert client.get(f"/m/behalf/{world.dora_resident.pk}/").status_code == 404


def test_residents_and_volunteers_cannot_order_for_others(client, world):
    for user in (world.dora, world.bob):
        client.force_login(user)
        assert client.get("/m/behalf/", {"q": "朵拉"}).status_code == 403
        assert client.get(f"/m/behalf/{world.dora_resident.pk}/").status_code == 403


def test_behalf_search_runs_a_fixed_number_of_queries(client, world):
    client.force_login(world.alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/m/behalf/", {"q": "王"}).status_code == 200
        return len(ctx.captured_queries)

    ResidentFactory(grid=world.a["grid"], name="王一")
    few = queries()
    for n in range(6):
        ResidentFactory(grid=world.a["grid"], name=f"王{n}号")
    assert queries() == few


# --- the catalogue migration ------------------------------------------------------------------


def test_migrated_database_has_the_catalogue_with_icons(db):
    tiles = NeedCategory.objects.filter(for_residents=True).order_by("sort_order")
    assert [c.name for c in tiles] == CATALOGUE
    assert all(c.icon for c in tiles)
    assert set(NeedCategory.objects.get(code="escort").skills.values_list("code", flat=True)) == {
        "companionship",
        "medical",
    }


def test_catalogue_migration_brings_an_existing_database_up_to_date(db):
    from importlib import import_module

    migration = import_module("shezhi.needs.migrations.0007_resident_service_catalogue")
    NeedCategory.objects.filter(code__in=["escort", "shopping"]).delete()
    NeedCategory.objects.update(for_residents=False, icon="")
    NeedCategory.objects.filter(code="bathing").update(name="助浴服务")  # renamed by an admin
    migration.add_catalogue(django_apps, None)
    migration.add_catalogue(django_apps, None)  # twice: nothing doubles
    tiles = list(
        NeedCategory.objects.filter(for_residents=True)
        .order_by("sort_order")
        .values_list("name", flat=True)
    )
    assert tiles == [name if name != "助浴" else "助浴服务" for name in CATALOGUE]
    assert NeedCategory.objects.filter(name="陪诊").count() == 1


def test_activity_rating_offers_the_same_words():
    from shezhi.web.activities.forms import RatingForm

    labels = [str(label) for _value, label in RatingForm().fields["stars"].choices]
    assert labels == ["很满意", "满意", "一般", "不满意", "很不满意"]
    form = RatingForm({"stars": "2", "comment": ""})
    assert form.is_valid() and form.cleaned_data["stars"] == 2
