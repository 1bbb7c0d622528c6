"""The desk list of service records awaiting a social worker's confirmation (时长确认)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.tests.factories import VolunteerFactory, held_records

URL = "/desk/records/held/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_held_records_are_listed_with_why_they_are_held(world):
    held_records(world.bob_volunteer, world.alice)
    page = client_for(world.alice).get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "陪同就诊0" in text and "申报时长超过开始到办结实际经过的时间" in text
    assert "服务对象尚未评价确认" in text and world.bob_volunteer.masked_name in text


def test_the_list_runs_a_fixed_number_of_queries_however_long(world):
    client = client_for(world.alice)
    held_records(world.bob_volunteer, world.alice, 2)
    with CaptureQueriesContext(connection) as short:
        assert client.get(URL).status_code == 200
    other = VolunteerFactory(community=world.a["community"])
    held_records(other, world.alice, 30)
    with CaptureQueriesContext(connection) as long:
        page = client.get(URL)
    assert page.content.decode().count('class="card held-record"') == 32
    assert len(long) == len(short)


def test_outsider_sees_none_and_cannot_decide(world):
    (record,) = held_records(world.bob_volunteer, world.alice)
    page = client_for(world.charlie).get(URL)
    assert "陪同就诊0" not in page.content.decode()
    response = client_for(world.charlie).post(
        reverse("desk:held_confirm", args=[record.pk]), {"minutes": 60, "note": "核实"}
    )
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.HELD


def test_volunteer_cannot_open_the_desk_list(world):
    held_records(world.bob_volunteer, world.alice)
    response = client_for(world.bob).get(URL)
    assert response.status_code in (302, 403, 404)
    assert "陪同就诊0" not in response.content.decode()


@pytest.mark.parametrize(
    ("view", "data", "status"),
    [
        ("desk:held_confirm", {"minutes": "60", "note": "电话核实约1小时"}, "counted"),
        ("desk:held_reject", {"reason": "未到医院"}, "rejected"),
    ],
)
def test_social_worker_decides_on_the_desk(world, view, data, status):
    (record,) = held_records(world.bob_volunteer, world.alice)
    response = client_for(world.alice).post(reverse(view, args=[record.pk]), data, follow=True)
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.status == status and record.approved_by == world.alice
    assert "没有待确认的服务记录" in response.content.decode()


def test_reject_without_a_reason_is_refused_in_chinese(world):
    (record,) = held_records(world.bob_volunteer, world.alice)
    response = client_for(world.alice).post(
        reverse("desk:held_reject", args=[record.pk]), {"reason": ""}, follow=True
    )
    assert "请填写不予确认的理由" in response.content.decode()
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.HELD


def test_social_worker_waives_the_start_window_on_the_need_page(world):
    from shezhi.needs.models import Need
    from shezhi.needs.tests.test_trusted_hours import accepted_order, tomorrow_at

    need = accepted_order(world, wanted_from=tomorrow_at(8), wanted_until=tomorrow_at(10))
    page = client_for(world.alice).get(reverse("desk:need", args=[need.pk]))
    assert "准许不按预约时间开始" in page.content.decode()
    url = reverse("desk:waive_start", args=[need.pk])
    assert client_for(world.charlie).post(url, {"waive-reason": "改约"}).status_code == 404
    empty = client_for(world.alice).post(url, {"waive-reason": ""})
    assert empty.status_code == 400
    done = client_for(world.alice).post(url, {"waive-reason": "居民改约"}, follow=True)
    assert "已准许接单人不按预约时间开始服务" in done.content.decode()
    assert Need.objects.get(pk=need.pk).start_window_waiver == "居民改约"
