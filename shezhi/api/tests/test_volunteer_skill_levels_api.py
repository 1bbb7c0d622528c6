"""/api/v1 volunteers' skill levels: accepted at registration, shown in the detail, replaced with
PUT /volunteers/{id}/skills. Bad levels answer 400 with the field; Charlie gets 404."""

from shezhi.api.tests.test_volunteers_api import registration


def put(client, path, body):
    return client._send("put", path, body)


def test_registration_accepts_levels_and_the_detail_shows_them(as_user, world):
    alice = as_user(world.alice)
    body = registration(world, skills=["repair", "cleaning"], skill_levels={"家电维修": 5})
    response = alice.post("/volunteers", body)
    assert response.status_code == 201, response.json()
    assert response.json()["skill_levels"] == {"repair": 5, "cleaning": 3}
    detail = alice.get(f"/volunteers/{response.json()['id']}").json()
    assert detail["skill_levels"] == {"repair": 5, "cleaning": 3}
    assert sorted(detail["skills"]) == ["cleaning", "repair"]


def test_bad_levels_answer_400_naming_the_field(as_user, world):
    alice = as_user(world.alice)
    for levels, words in [
        ({"repair": 6}, "等级应为1至5的整数"),
        ({"cleaning": 2}, "不在所选专业技能中"),
    ]:
        response = alice.post("/volunteers", registration(world, skill_levels=levels))
        assert response.status_code == 400
        assert response.json()["field"] == "skill_levels" and words in response.json()["message"]
    not_int = alice.post("/volunteers", registration(world, skill_levels={"repair": "4"}))
    assert not_int.status_code == 400


def test_staff_replace_skills_and_outsider_gets_404(as_user, world):
    url = f"/volunteers/{world.bob_volunteer.pk}/skills"
    body = {"skills": ["repair", "cleaning"], "skill_levels": {"repair": 4}}
    assert put(as_user(world.charlie), url, body).status_code == 404
    response = put(as_user(world.alice), url, body)
    assert response.status_code == 200, response.json()
    assert response.json()["skill_levels"] == {"repair": 4, "cleaning": 3}
    bad = put(as_user(world.alice), url, {"skills": ["repair"], "skill_levels": {"repair": 0}})
    assert bad.status_code == 400 and bad.json()["field"] == "skill_levels"
