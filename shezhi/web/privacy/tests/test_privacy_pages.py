"""The resident's page and the desk pages for data rights; the outsider refused."""

from django.test import Client
from django.urls import reverse

from shezhi.privacy.models import RightsRequest
from shezhi.privacy.tests.helpers import scan, spread_resident


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_resident_page_shows_data_plan_and_files_a_correction(world):
    c = _client(world.dora)
    page = c.get(reverse("privacy:mine"))
    assert page.status_code == 200
    html = page.content.decode()
    assert world.dora_resident.id_number in html and "删除时保留什么" in html
    r = c.post(reverse("privacy:mine"), {"kind": "correction", "details": ""})
    assert r.status_code == 200 and "请写明哪项信息有误" in r.content.decode()
    r = c.post(reverse("privacy:mine"), {"kind": "correction", "details": "手机号换了"})
    assert r.status_code == 302
    assert RightsRequest.objects.filter(resident=world.dora_resident, kind="correction").exists()


def test_downloads(world):
    c = _client(world.dora)
    r = c.get(reverse("privacy:mine_json"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    assert "attachment" in r["Content-Disposition"]
    assert world.dora_resident.name in r.content.decode()


def test_other_roles_and_outsiders_are_refused(world):
    assert _client(world.bob).get(reverse("privacy:mine")).status_code == 403
    assert _client(world.dora).get(reverse("privacy:desk")).status_code == 403
    url = reverse("privacy:desk_resident", args=[world.dora_resident.pk])
    assert _client(world.charlie).get(url).status_code == 404
    json_url = reverse("privacy:desk_json", args=[world.dora_resident.pk])
    assert _client(world.charlie).get(json_url).status_code == 404


def test_desk_answers_a_deletion_on_behalf(world):
    marked = spread_resident(world)
    gina = _client(world.gina)
    url = reverse("privacy:desk_resident", args=[marked.resident.pk])
    assert gina.post(url, {"kind": "deletion", "details": "本人来站申请"}).status_code == 302
    req = RightsRequest.objects.get(resident=marked.resident)
    assert req.on_behalf
    alice = _client(world.alice)
    listing = alice.get(reverse("privacy:desk")).content.decode()
    assert f"#{req.pk}" in listing and marked.name not in listing
    detail = reverse("privacy:desk_detail", args=[req.pk])
    page = alice.get(detail).content.decode()
    assert "answer-form" in page and "删除时保留什么" in page
    # a grid worker sees the request but gets no answer form
    assert "answer-form" not in gina.get(detail).content.decode()
    assert _client(world.charlie).get(detail).status_code == 404
    r = alice.post(detail, {"decision": "accept", "answer": ""})
    assert r.status_code == 302
    assert scan(marked.needles) == []


def test_desk_list_runs_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shezhi.people.tests.factories import ResidentFactory
    from shezhi.privacy import services

    alice = _client(world.alice)

    def add(n):
        for _ in range(n):
            r = ResidentFactory(grid=world.a["grid"])
            services.rights_request_create(actor=world.alice, resident=r, kind="access")

    add(2)
    with CaptureQueriesContext(connection) as small:
        assert alice.get(reverse("privacy:desk")).status_code == 200
    add(6)
    with CaptureQueriesContext(connection) as big:
        assert alice.get(reverse("privacy:desk")).status_code == 200
    assert len(big) == len(small)


def test_resident_page_runs_a_fixed_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shezhi.needs.tests.factories import NeedFactory

    c = _client(world.dora)

    def add(n):
        for _ in range(n):
            NeedFactory(resident=world.dora_resident, created_by=world.alice)

    add(1)
    with CaptureQueriesContext(connection) as small:
        assert c.get(reverse("privacy:mine")).status_code == 200
    add(5)
    with CaptureQueriesContext(connection) as big:
        assert c.get(reverse("privacy:mine")).status_code == 200
    assert len(big) == len(small)
