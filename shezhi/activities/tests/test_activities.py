from datetime import date, timedelta

import pytest
from django.test import override_settings

from shezhi.activities import services
from shezhi.activities.models import Activity, SignUp
from shezhi.activities.recurrence import Rule
from shezhi.activities.selectors import activities_organised, activity_get
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import END, NOW, START, activity, sign_up
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.volunteers.tests.factories import add_member


def test_social_worker_creates_a_draft_activity_with_positions_and_an_audit_event(world):
    act = activity(
        world.alice,
        world.a["community"],
        publish=False,
        positions=[
            PositionSpec(name="理发师", quota=3, skills=["repair"], certificates=["first_aid"]),
            PositionSpec(name="引导员", quota=2, min_age=16, max_age=70),
        ],
    )
    assert act.status == Activity.Status.DRAFT
    assert act.scope == Activity.Scope.UNIT and act.scope_unit == world.a["community"]
    first = act.positions.get(name="理发师")
    assert [s.code for s in first.skills.all()] == ["repair"]
    assert first.certificates == ["first_aid"]
    assert AuditEvent.objects.filter(object_type="activities.activity", object_id=str(act.pk))


def test_outsider_cannot_organise_for_another_community(world):
    with pytest.raises(NotFound):
        activity(world.charlie, world.a["community"], publish=False)


def test_plain_volunteer_cannot_organise(world):
    with pytest.raises(Forbidden):
        activity(world.bob, world.a["community"], publish=False)


def test_team_leader_organises_for_the_team_in_its_community(world):
    act = services.activity_create(
        actor=world.erin,
        now=NOW,
        spec=services.ActivitySpec(
            team_id=world.team.pk,
            title="小区清洁",
            category="environment",
            description="清理楼道",
            venue="A小区",
            starts_at=START,
            ends_at=END,
            person_in_charge="艾琳",
            positions=[PositionSpec(name="清洁", quota=5)],
            scope=Activity.Scope.TEAM,
        ),
    )
    assert act.organiser_unit == world.a["community"] and act.scope_team == world.team


def test_team_member_who_is_not_leader_cannot_organise_for_the_team(world):
    add_member(world.team, world.bob_volunteer)
    with pytest.raises(NotFound):
        activity(world.bob, world.a["community"], publish=False, team_id=world.team.pk)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"ends_at": START}, "ends_at"),
        ({"ends_at": START + timedelta(hours=30)}, "ends_at"),
        ({"starts_at": NOW - timedelta(hours=1), "ends_at": NOW}, "starts_at"),
        ({"title": " "}, "title"),
        ({"category": "nonsense"}, "category"),
        ({"positions": []}, "positions"),
        ({"positions": [PositionSpec(name="甲", quota=0)]}, "positions"),
        ({"positions": [PositionSpec(name="甲", quota=1, min_age=30, max_age=20)]}, "positions"),
        ({"positions": [PositionSpec(name="甲", quota=1, skills=["飞行"])]}, "positions"),
        ({"positions": [PositionSpec(name="甲", quota=1, certificates=["pilot"])]}, "positions"),
        ({"checkin_radius_m": 100}, "latitude"),
        ({"latitude": 95.0, "longitude": 114.0}, "latitude"),
        ({"scope": "galaxy"}, "scope"),
        ({"scope": "team"}, "scope_team_id"),
    ],
)
def test_bad_activity_input_is_refused_with_a_chinese_message(world, overrides, field):
    with pytest.raises(InvalidInput) as exc:
        activity(world.alice, world.a["community"], publish=False, **overrides)
    assert exc.value.field == field and exc.value.message


def test_hazardous_position_needs_a_risk_statement_art_12(world):
    with pytest.raises(InvalidInput) as exc:
        activity(
            world.alice,
            world.a["community"],
            positions=[PositionSpec(name="高空清洁", quota=1, hazardous=True)],
        )
    assert exc.value.field == "risk_statement" and "第十二条" in exc.value.message


def test_hazardous_position_cannot_admit_minors_by_its_age_range(world):
    with pytest.raises(InvalidInput) as exc:
        activity(
            world.alice,
            world.a["community"],
            risk_statement="高空作业",
            positions=[PositionSpec(name="高空清洁", quota=1, hazardous=True, min_age=16)],
        )
    assert "未成年人" in exc.value.message


def test_publish_moves_draft_to_published_once(world):
    act = activity(world.alice, world.a["community"], publish=False)
    published = services.activity_publish(actor=world.alice, activity_id=act.pk, now=NOW)
    assert published.status == Activity.Status.PUBLISHED and published.published_at == NOW
    with pytest.raises(Conflict):
        services.activity_publish(actor=world.alice, activity_id=act.pk, now=NOW)


def test_outsider_cannot_publish_or_see(world):
    act = activity(world.alice, world.a["community"], publish=False)
    with pytest.raises(NotFound):
        services.activity_publish(actor=world.charlie, activity_id=act.pk, now=NOW)
    with pytest.raises(NotFound):
        activity_get(actor=world.charlie, activity_id=act.pk)
    assert not activities_organised(actor=world.charlie).exists()
    assert list(activities_organised(actor=world.sam)) == [act]


def test_volunteer_sees_a_published_activity_but_not_a_draft(world):
    draft = activity(world.alice, world.a["community"], publish=False)
    with pytest.raises(NotFound):
        activity_get(actor=world.bob, activity_id=draft.pk)
    services.activity_publish(actor=world.alice, activity_id=draft.pk, now=NOW)
    assert activity_get(actor=world.bob, activity_id=draft.pk) == draft
    with pytest.raises(Forbidden):
        services.activity_cancel(actor=world.bob, activity_id=draft.pk, reason="不想办了", now=NOW)


def test_cancelling_an_activity_cancels_its_sign_ups(world):
    act = activity(world.alice, world.a["community"])
    s = sign_up(world.bob, act)
    services.activity_cancel(actor=world.alice, activity_id=act.pk, reason="天气原因", now=NOW)
    s.refresh_from_db()
    assert s.status == SignUp.Status.CANCELLED and "天气原因" in s.cancel_reason
    with pytest.raises(Conflict):
        services.activity_cancel(actor=world.alice, activity_id=act.pk, reason="再取消", now=NOW)


def test_recurring_weekly_activity_creates_one_draft_per_date_at_the_same_time(world):
    acts = services.activity_create_recurring(
        actor=world.alice,
        rule=Rule("weekly", count=4),
        now=NOW,
        spec=services.ActivitySpec(
            title="四点半课堂",
            category="education",
            description="辅导作业",
            venue="A社区活动室",
            starts_at=START,
            ends_at=END,
            person_in_charge="王主任",
            positions=[PositionSpec(name="老师", quota=2)],
            organiser_unit_id=world.a["community"].pk,
        ),
    )
    assert [a.starts_at.date() for a in acts] == [
        date(2026, 11, 20),
        date(2026, 11, 27),
        date(2026, 12, 4),
        date(2026, 12, 11),
    ]
    assert all(a.ends_at - a.starts_at == END - START for a in acts)
    assert len({a.series_id for a in acts}) == 1
    assert all(a.positions.count() == 1 for a in acts)


@override_settings(SHEZHI_ACTIVITY_MAX_OCCURRENCES=50)
def test_recurring_rule_over_the_configured_maximum_is_refused_and_nothing_is_created(world):
    with pytest.raises(InvalidInput) as exc:
        services.activity_create_recurring(
            actor=world.alice,
            rule=Rule("weekly", count=52),
            now=NOW,
            spec=services.ActivitySpec(
                title="四点半课堂",
                category="education",
                description="辅导作业",
                venue="A社区活动室",
                starts_at=START,
                ends_at=END,
                person_in_charge="王主任",
                positions=[PositionSpec(name="老师", quota=2)],
                organiser_unit_id=world.a["community"].pk,
            ),
        )
    assert "上限50次" in exc.value.message and exc.value.field == "count"
    assert not Activity.objects.exists()


def test_registered_beneficiaries_and_headcount_add_up(world):
    act = activity(world.alice, world.a["community"])
    services.beneficiary_add(
        actor=world.alice, activity_id=act.pk, resident_id=world.dora_resident.pk
    )
    with pytest.raises(Conflict):
        services.beneficiary_add(
            actor=world.alice, activity_id=act.pk, resident_id=world.dora_resident.pk
        )
    act = services.activity_set_headcount(actor=world.alice, activity_id=act.pk, headcount=12)
    assert services.beneficiaries_total(act) == 13
    with pytest.raises(InvalidInput):
        services.activity_set_headcount(actor=world.alice, activity_id=act.pk, headcount=-1)


def test_resident_of_another_community_cannot_be_registered_and_outsider_gets_404(world):
    act = activity(world.alice, world.a["community"])
    with pytest.raises(NotFound) as exc:
        services.beneficiary_add(
            actor=world.alice, activity_id=act.pk, resident_id=world.resident_b.pk
        )
    assert exc.value.field == "resident_id"
    with pytest.raises(NotFound):
        services.beneficiary_add(
            actor=world.charlie, activity_id=act.pk, resident_id=world.resident_b.pk
        )
    with pytest.raises(NotFound):
        services.activity_set_headcount(actor=world.charlie, activity_id=act.pk, headcount=3)
