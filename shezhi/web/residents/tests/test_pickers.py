"""Residents are picked by name: the search is scoped to the actor, returns masked names and the
compound, and the need, case and care forms use it instead of a 居民编号 field."""

import json

from django.test import Client

from shezhi.people.tests.factories import ResidentFactory


def client_of(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def pick(user, q):
    response = client_of(user).get("/desk/pickers/residents/", {"q": q})
    return response.status_code, json.loads(response.content or b"{}").get("items", [])


def test_search_by_name_returns_masked_names_and_compound(world):
    status, items = pick(world.alice, "朵")
    assert status == 200
    assert [i["id"] for i in items] == [world.dora_resident.pk]
    assert items[0]["name"] == world.dora_resident.masked_name != "朵拉"
    assert items[0]["compound"] == world.dora_resident.compound.name
    assert "朵拉" not in json.dumps(items, ensure_ascii=False)


def test_outsiders_residents_are_not_returned(world):
    ResidentFactory(grid=world.b["grid"], name="朵花")
    _, items = pick(world.alice, "朵")
    assert [i["id"] for i in items] == [world.dora_resident.pk]
    _, items = pick(world.charlie, "朵拉")
    assert items == []


def test_volunteers_and_residents_cannot_search(world):
    assert client_of(world.bob).get("/desk/pickers/residents/", {"q": "朵"}).status_code == 403
    assert client_of(world.dora).get("/desk/pickers/residents/", {"q": "朵"}).status_code == 403


def test_forms_pick_by_name_not_by_number(world):
    alice = client_of(world.alice)
    for url in ("/desk/needs/new/", "/desk/cases/new/", "/desk/care/"):
        html = alice.get(url).content.decode()
        assert 'class="picker"' in html and "picker.js" in html, url
        assert '<body class="desk ' in html and html.count("picker.js") == 1, url
        assert "居民编号" not in html, url


def test_prefilled_form_names_the_resident_masked(world):
    html = (
        client_of(world.alice)
        .get("/desk/needs/new/", {"resident": world.dora_resident.pk})
        .content.decode()
    )
    assert world.dora_resident.masked_name in html and "朵拉" not in html


def test_need_intake_with_a_picked_resident(world):
    response = client_of(world.alice).post(
        "/desk/needs/new/",
        {
            "source": "phone",
            "resident": world.dora_resident.pk,
            "category": "repair",
            "urgency": "general",
            "description": "水龙头漏水",
        },
    )
    assert response.status_code == 302
