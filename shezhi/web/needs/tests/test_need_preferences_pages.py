"""The order and intake forms carry the resident's service requirements to the ledger."""

from datetime import timedelta

from django.utils import timezone

from shezhi.needs.models import Need


def local_input(dt) -> str:
    return f"{timezone.localtime(dt):%Y-%m-%dT%H:%M}"


def order(client, world, **extra):
    client.force_login(world.dora)
    data = {"category": "meals", "urgency": "general", "description": "想订老年助餐"}
    return client.post("/m/", {**data, **extra})


def test_resident_orders_for_a_day_and_a_female_helper(client, world):
    day = timezone.localdate() + timedelta(days=2)
    response = order(
        client,
        world,
        when="other",
        other_day=day.isoformat(),
        other_period="pm",
        helper_gender="F",
        home_visit="on",
    )
    need = Need.objects.get()
    assert response.status_code == 302
    start = timezone.localtime(need.wanted_from)
    assert (start.date(), start.hour, timezone.localtime(need.wanted_until).hour) == (day, 14, 18)
    assert need.helper_gender == "F" and need.home_visit
    page = client.get(response.url).content.decode()
    assert "服务要求" in page and "服务者性别：女" in page


def test_other_time_without_a_day_is_named_and_nothing_is_saved(client, world):
    response = order(client, world, when="other", other_period="am")
    assert response.status_code == 400
    assert "哪一天：请选择哪一天" in response.content.decode()
    assert not Need.objects.exists()


def test_desk_edit_sets_the_window_and_the_detail_shows_it(client, world):
    client.force_login(world.dora)
    order(client, world)
    need = Need.objects.get()
    client.force_login(world.alice)
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    response = client.post(
        f"/desk/needs/{need.pk}/edit/",
        {
            "title": need.title,
            "category": "meals",
            "urgency": "general",
            "description": need.description,
            "wanted_from": local_input(start),
            "wanted_until": local_input(start + timedelta(hours=1)),
            "helper_gender": "",
            "home_visit": "on",
            "expected_version": need.version,
        },
    )
    assert response.status_code == 302
    need.refresh_from_db()
    assert need.wanted_from == start and need.version == 2
    assert f"{timezone.localtime(start):%m-%d %H:%M}" in client.get(response.url).content.decode()
