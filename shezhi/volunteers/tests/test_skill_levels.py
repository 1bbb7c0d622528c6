"""Volunteers' skills carry a level 1–5 (default 3), set at registration or by staff later."""

from datetime import date

import pytest
from django.db import IntegrityError

from shezhi.core.errors import InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.core.validators import compose_id_number
from shezhi.volunteers.models import SkillTag, VolunteerSkill
from shezhi.volunteers.services import volunteer_register, volunteer_skills_set


def register(world, **kw):
    fields = dict(
        actor=world.alice,
        name="张三",
        gender="",
        birth_date=None,
        id_number=compose_id_number("420106", date(1985, 3, 4), 17),
        phone="13912345678",
        community_id=world.a["community"].pk,
        skills=["repair", "心理咨询", "cleaning"],
        consent_version="2026-01",
        today=date(2026, 11, 20),
    )
    fields.update(kw)
    return volunteer_register(**fields)


def levels(volunteer) -> dict[str, int]:
    return dict(volunteer.skill_levels.values_list("skill__code", "level"))


def test_registration_stores_levels_by_code_or_name_and_defaults_to_3(world):
    v = register(world, skill_levels={"repair": 5, "心理咨询": 1})
    assert levels(v) == {"repair": 5, "counselling": 1, "cleaning": 3}
    assert sorted(s.code for s in v.skills.all()) == ["cleaning", "counselling", "repair"]


@pytest.mark.parametrize(
    "bad, words",
    [
        ({"medical": 4}, "“medical”不在所选专业技能中"),
        ({"飞行": 4}, "“飞行”不在所选专业技能中"),
        ({"repair": 0}, "技能“家电维修”的等级应为1至5的整数"),
        ({"repair": 6}, "技能“家电维修”的等级应为1至5的整数"),
        ({"repair": "4"}, "技能“家电维修”的等级应为1至5的整数"),
        ({"repair": True}, "技能“家电维修”的等级应为1至5的整数"),
    ],
)
def test_bad_levels_are_refused_naming_the_field_with_nothing_written(world, bad, words):
    from shezhi.volunteers.models import Volunteer

    before = Volunteer.objects.count()
    with pytest.raises(InvalidInput) as exc:
        register(world, skill_levels=bad)
    assert exc.value.field == "skill_levels" and words in exc.value.message
    assert Volunteer.objects.count() == before


def test_staff_replace_skills_and_levels_and_it_is_audited(world):
    bob = world.bob_volunteer
    assert levels(bob) == {"repair": 3}
    volunteer_skills_set(
        actor=world.alice,
        volunteer_id=bob.pk,
        skills=["repair", "cleaning"],
        skill_levels={"家电维修": 4},
    )
    assert levels(bob) == {"repair": 4, "cleaning": 3}
    volunteer_skills_set(
        actor=world.alice, volunteer_id=bob.pk, skills=["cleaning"], skill_levels={"cleaning": 2}
    )
    assert levels(bob) == {"cleaning": 2}
    event = AuditEvent.objects.filter(object_type="volunteers.volunteer", object_id=str(bob.pk))
    assert event.first().changes == {"skills": {"cleaning": 2}}  # newest first


def test_outsider_and_volunteer_cannot_change_skills(world):
    for actor in (world.charlie, world.bob):
        with pytest.raises(NotFound):
            volunteer_skills_set(
                actor=actor, volunteer_id=world.bob_volunteer.pk, skills=["cleaning"]
            )
    assert levels(world.bob_volunteer) == {"repair": 3}


def test_plain_add_keeps_working_and_the_database_refuses_bad_levels(world):
    bob = world.bob_volunteer
    bob.skills.add(SkillTag.objects.get(code="cleaning"))
    assert levels(bob) == {"repair": 3, "cleaning": 3}
    with pytest.raises(IntegrityError):
        VolunteerSkill.objects.filter(volunteer=bob).update(level=6)


def test_admin_edits_skill_levels_inline(client, world):
    from shezhi.accounts.models import Role
    from shezhi.accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.SYSTEM_ADMIN, is_superuser=True, is_staff=True))
    page = client.get(f"/admin/volunteers/volunteer/{world.bob_volunteer.pk}/change/")
    assert page.status_code == 200
    assert 'name="skill_levels-0-level"' in page.content.decode()
