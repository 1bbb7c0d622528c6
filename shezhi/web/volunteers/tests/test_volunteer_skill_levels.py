"""Skill levels on the desk: set at registration ("技能:等级") and changed on the volunteer's page.
Charlie, the social worker of another community, gets 404."""

from shezhi.volunteers.models import Volunteer
from shezhi.web.volunteers.tests.test_volunteers_pages import login, register_data, text


def levels(volunteer) -> dict[str, int]:
    return dict(volunteer.skill_levels.values_list("skill__code", "level"))


def test_registration_sets_levels_and_the_page_shows_them(client, world):
    login(client, world.alice)
    data = register_data(world, skills=["repair", "cleaning"], skill_levels="家电维修:5")
    response = client.post("/desk/volunteers/new/", data)
    assert response.status_code == 302, text(response)
    v = Volunteer.objects.get(name="周志愿")
    assert levels(v) == {"repair": 5, "cleaning": 3}
    page = text(client.get(response.url))
    assert "家电维修 5级" in page and "清洁卫生 3级" in page


def test_bad_levels_are_refused_on_the_field_in_chinese(client, world):
    login(client, world.alice)
    shape = client.post("/desk/volunteers/new/", register_data(world, skill_levels="家电维修五级"))
    assert shape.status_code == 400 and "格式应为“技能:等级”" in text(shape)
    high = client.post("/desk/volunteers/new/", register_data(world, skill_levels="repair:9"))
    assert high.status_code == 400 and "等级应为1至5的整数" in text(high)
    unchosen = client.post("/desk/volunteers/new/", register_data(world, skill_levels="cleaning:2"))
    assert unchosen.status_code == 400 and "不在所选专业技能中" in text(unchosen)
    assert not Volunteer.objects.filter(name="周志愿").exists()


def test_staff_change_skills_and_levels_on_the_volunteer_page(client, world):
    bob = world.bob_volunteer
    url = f"/desk/volunteers/{bob.pk}/"
    login(client, world.alice)
    assert 'value="repair:3"' in text(client.get(url))  # the form shows the current levels
    post = {"s-skills": ["repair", "cleaning"], "s-skill_levels": "repair:4，cleaning：1"}
    response = client.post(f"{url}skills/", post)
    assert response.status_code == 302
    assert levels(bob) == {"repair": 4, "cleaning": 1}
    bad = client.post(f"{url}skills/", {"s-skills": ["repair"], "s-skill_levels": "repair:0"})
    assert bad.status_code == 400 and "等级应为1至5的整数" in text(bad)
    assert levels(bob) == {"repair": 4, "cleaning": 1}


def test_outsider_gets_404_when_changing_skills(client, world):
    login(client, world.charlie)
    url = f"/desk/volunteers/{world.bob_volunteer.pk}/skills/"
    assert client.post(url, {"s-skills": ["cleaning"]}).status_code == 404
    assert client.post(url, {"s-skill_levels": "x"}).status_code == 404
    assert levels(world.bob_volunteer) == {"repair": 3}
