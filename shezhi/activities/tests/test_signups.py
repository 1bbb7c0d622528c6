from datetime import date, timedelta

import pytest

from shezhi.activities import signups
from shezhi.activities.models import Activity, SignUp
from shezhi.activities.selectors import my_signups, open_positions, signups_of
from shezhi.activities.services import PositionSpec
from shezhi.activities.tests.factories import NOW, START, activity, sign_up
from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.core.models import AuditEvent
from shezhi.volunteers.models import Certificate
from shezhi.volunteers.tests.factories import VolunteerFactory, add_member

S = SignUp.Status


def volunteer(world, **kwargs):
    return VolunteerFactory(community=world.a["community"], **kwargs)


def insure(world, v, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31), **kwargs):
    return signups.insurance_record_create(
        actor=world.alice,
        volunteer_id=v.pk,
        policy_no=kwargs.get("policy_no", f"P{v.pk}-{valid_to}"),
        insurer="人保财险",
        valid_from=valid_from,
        valid_to=valid_to,
    )


def test_eligible_volunteer_is_confirmed_at_once_and_audited(world):
    act = activity(world.alice, world.a["community"])
    s = sign_up(world.bob, act)
    assert s.status == S.CONFIRMED and s.signed_up_by == world.bob
    assert AuditEvent.objects.filter(object_type="activities.signup", object_id=str(s.pk))
    assert list(my_signups(actor=world.bob)) == [s]


def test_volunteer_of_another_community_does_not_find_a_community_activity(world):
    act = activity(world.alice, world.a["community"])
    outsider = VolunteerFactory(community=world.b["community"])
    with pytest.raises(NotFound):
        sign_up(outsider.user, act)
    assert open_positions(actor=outsider.user, now=NOW) == []


def test_activity_for_everyone_admits_other_communities(world):
    act = activity(world.alice, world.a["community"], scope=Activity.Scope.EVERYONE)
    outsider = VolunteerFactory(community=world.b["community"])
    assert sign_up(outsider.user, act).status == S.CONFIRMED


def test_team_scope_admits_only_team_members(world):
    act = activity(
        world.alice, world.a["community"], scope=Activity.Scope.TEAM, scope_team_id=world.team.pk
    )
    with pytest.raises(NotFound):
        sign_up(world.bob, act)
    assert sign_up(world.erin, act).status == S.CONFIRMED


def test_user_who_is_not_a_volunteer_cannot_sign_up(world):
    act = activity(world.alice, world.a["community"])
    with pytest.raises(Forbidden):
        sign_up(world.dora, act)


def test_draft_activity_takes_no_sign_ups(world):
    act = activity(world.alice, world.a["community"], publish=False)
    with pytest.raises(NotFound):
        sign_up(world.bob, act)


def test_sign_up_closes_when_the_activity_starts(world):
    act = activity(world.alice, world.a["community"])
    with pytest.raises(Conflict):
        sign_up(world.bob, act, now=START)


def test_risks_must_be_acknowledged_art_12(world):
    act = activity(world.alice, world.a["community"], risk_statement="使用剪刀，注意划伤")
    with pytest.raises(InvalidInput) as exc:
        sign_up(world.bob, act)
    assert exc.value.field == "risk_acknowledged"
    s = sign_up(world.bob, act, risk_acknowledged=True)
    assert s.risk_acknowledged_at == NOW


def test_age_range_is_judged_on_the_activity_date(world):
    act = activity(
        world.alice,
        world.a["community"],
        positions=[PositionSpec(name="陪伴", quota=3, min_age=18, max_age=60)],
    )
    young = volunteer(world, birth_date=date(2008, 11, 21))  # 18 on the 21st, a day too late
    old = volunteer(world, birth_date=date(1960, 1, 1))
    for v, text in ((young, "年满18周岁"), (old, "不超过60周岁")):
        with pytest.raises(InvalidInput) as exc:
            sign_up(v.user, act)
        assert text in exc.value.message and exc.value.code == "ineligible"
    assert sign_up(volunteer(world, birth_date=date(2008, 11, 20)).user, act)


def test_minor_never_takes_a_hazardous_position(world):
    act = activity(
        world.alice,
        world.a["community"],
        risk_statement="高空作业",
        positions=[PositionSpec(name="高空清洁", quota=3, hazardous=True)],
    )
    minor = volunteer(world, birth_date=date(2010, 5, 1))
    with pytest.raises(InvalidInput) as exc:
        sign_up(minor.user, act, risk_acknowledged=True)
    assert "未成年人" in exc.value.message


def test_required_skills_and_valid_certificates(world):
    act = activity(
        world.alice,
        world.a["community"],
        positions=[PositionSpec(name="义诊", quota=3, skills=["repair"], certificates=["doctor"])],
    )
    with pytest.raises(InvalidInput) as exc:
        sign_up(world.erin, act)
    assert "缺少所需技能" in exc.value.message and "医师" in exc.value.message
    Certificate.objects.create(
        volunteer=world.bob_volunteer, kind="doctor", number="D1", expires_on=date(2026, 11, 19)
    )
    with pytest.raises(InvalidInput) as exc:
        sign_up(world.bob, act)
    assert "缺少有效的证书：医师" in exc.value.message  # expired the day before
    Certificate.objects.create(volunteer=world.bob_volunteer, kind="doctor", number="D2")
    assert sign_up(world.bob, act).status == S.CONFIRMED


def test_open_positions_list_the_places_left_and_the_reasons(world):
    act = activity(
        world.alice,
        world.a["community"],
        positions=[
            PositionSpec(name="理发师", quota=2),
            PositionSpec(name="义诊", quota=1, certificates=["doctor"]),
        ],
    )
    sign_up(world.erin, act)
    listed = {o.position.name: o for o in open_positions(actor=world.bob, now=NOW)}
    assert listed["理发师"].eligible and listed["理发师"].places_left == 1
    assert not listed["义诊"].eligible and "医师" in listed["义诊"].problems[0]


def test_second_sign_up_for_the_same_activity_is_refused(world):
    act = activity(
        world.alice,
        world.a["community"],
        positions=[PositionSpec(name="甲", quota=2), PositionSpec(name="乙", quota=2)],
    )
    sign_up(world.bob, act)
    with pytest.raises(Conflict) as exc:
        sign_up(world.bob, act, position=act.positions.get(name="乙"))
    assert exc.value.code == "duplicate"


def test_full_position_puts_the_next_on_the_waiting_list_or_refuses(world):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=1)])
    assert sign_up(world.bob, act).status == S.CONFIRMED
    with pytest.raises(Conflict) as exc:
        sign_up(world.erin, act, join_waitlist=False)
    assert "名额已满" in exc.value.message
    assert sign_up(world.erin, act).status == S.WAITLISTED


def test_cancellation_promotes_the_first_on_the_waiting_list(world):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=1)])
    first = sign_up(world.bob, act)
    second = sign_up(world.erin, act)
    third = sign_up(volunteer(world).user, act)
    signups.signup_cancel(actor=world.bob, signup_id=first.pk, now=NOW)
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == (S.CONFIRMED, S.WAITLISTED)
    assert AuditEvent.objects.filter(object_id=str(second.pk), summary__contains="候补")


def test_volunteer_cannot_cancel_after_the_cut_off_but_the_organiser_can(world):
    act = activity(world.alice, world.a["community"], cancel_cutoff_hours=48)
    s = sign_up(world.bob, act)
    late = START - timedelta(hours=47)
    with pytest.raises(Conflict) as exc:
        signups.signup_cancel(actor=world.bob, signup_id=s.pk, now=late)
    assert "48小时" in exc.value.message
    with pytest.raises(InvalidInput):  # the organiser gives a reason
        signups.signup_cancel(actor=world.alice, signup_id=s.pk, now=late)
    signups.signup_cancel(actor=world.alice, signup_id=s.pk, reason="身体不适", now=late)
    s.refresh_from_db()
    assert s.status == S.CANCELLED


def test_outsider_cannot_cancel_someone_elses_sign_up(world):
    act = activity(world.alice, world.a["community"])
    s = sign_up(world.bob, act)
    for actor in (world.charlie, world.erin):
        with pytest.raises(NotFound):
            signups.signup_cancel(actor=actor, signup_id=s.pk, reason="x", now=NOW)


def test_approval_keeps_sign_ups_pending_until_the_organiser_decides(world):
    act = activity(
        world.alice,
        world.a["community"],
        requires_approval=True,
        positions=[PositionSpec(name="甲", quota=1)],
    )
    s = sign_up(world.bob, act)
    waiting = sign_up(world.erin, act)
    assert (s.status, waiting.status) == (S.PENDING, S.WAITLISTED)
    with pytest.raises(Forbidden):
        signups.signup_decide(actor=world.bob, signup_id=s.pk, approve=True, now=NOW)
    with pytest.raises(NotFound):
        signups.signup_decide(actor=world.charlie, signup_id=s.pk, approve=True, now=NOW)
    with pytest.raises(InvalidInput):
        signups.signup_decide(actor=world.alice, signup_id=s.pk, approve=False, now=NOW)
    signups.signup_decide(
        actor=world.alice, signup_id=s.pk, approve=False, reason="已满员", now=NOW
    )
    waiting.refresh_from_db()
    assert waiting.status == S.PENDING  # promoted, and still awaits approval
    decided = signups.signup_decide(actor=world.alice, signup_id=waiting.pk, approve=True, now=NOW)
    assert decided.status == S.CONFIRMED and decided.decided_by == world.alice
    assert [x.pk for x in signups_of(actor=world.alice, activity_id=act.pk)] == [s.pk, waiting.pk]
    with pytest.raises(NotFound):
        signups_of(actor=world.charlie, activity_id=act.pk)


def hazardous_activity(world):
    return activity(
        world.alice,
        world.a["community"],
        risk_statement="登高作业，有坠落风险",
        positions=[PositionSpec(name="高空清洁", quota=2, hazardous=True)],
    )


def test_hazardous_position_waits_for_insurance_before_confirmation_art_17(world):
    act = hazardous_activity(world)
    s = sign_up(world.bob, act, risk_acknowledged=True)
    assert s.status == S.PENDING and s.insurance is None
    with pytest.raises(InvalidInput) as exc:
        signups.signup_decide(actor=world.alice, signup_id=s.pk, approve=True, now=NOW)
    assert exc.value.code == "insurance_required" and "第十七条" in exc.value.message
    insurance = insure(world, world.bob_volunteer)
    s.refresh_from_db()
    assert s.status == S.CONFIRMED and s.insurance == insurance


def test_insurance_that_ends_before_the_activity_does_not_count(world):
    act = hazardous_activity(world)
    insure(world, world.bob_volunteer, valid_to=date(2026, 11, 19))
    s = sign_up(world.bob, act, risk_acknowledged=True)
    assert s.status == S.PENDING
    with pytest.raises(InvalidInput):
        signups.signup_decide(actor=world.alice, signup_id=s.pk, approve=True, now=NOW)


def test_insured_volunteer_is_confirmed_on_a_hazardous_position_at_once(world):
    act = hazardous_activity(world)
    insure(world, world.bob_volunteer)
    assert sign_up(world.bob, act, risk_acknowledged=True).status == S.CONFIRMED


def test_insurance_input_is_checked_and_outsider_refused(world):
    with pytest.raises(InvalidInput):
        insure(world, world.bob_volunteer, valid_from=date(2026, 6, 1), valid_to=date(2026, 1, 1))
    insure(world, world.bob_volunteer, policy_no="P1")
    with pytest.raises(Conflict):
        insure(world, world.bob_volunteer, policy_no="P1")
    with pytest.raises(NotFound):
        signups.insurance_record_create(
            actor=world.charlie,
            volunteer_id=world.bob_volunteer.pk,
            policy_no="P2",
            insurer="人保财险",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
        )


def test_team_leader_signs_members_up_in_bulk_each_alone(world):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=2)])
    members = [volunteer(world) for _ in range(3)]
    for m in members:
        add_member(world.team, m)
    outsider = volunteer(world)  # not in the team
    outcomes = signups.signup_bulk(
        actor=world.erin,
        position_id=act.positions.get().pk,
        volunteer_ids=[m.pk for m in members] + [outsider.pk],
        now=NOW,
    )
    assert [o.signup.status if o.signup else o.error for o in outcomes] == [
        S.CONFIRMED,
        S.CONFIRMED,
        S.WAITLISTED,
        "不是您带领的服务队的队员",
    ]
    assert outcomes[0].signup.signed_up_by == world.erin


def test_bulk_sign_up_reports_ineligible_members_and_keeps_the_others(world):
    act = activity(world.alice, world.a["community"], risk_statement="注意安全")
    minor_free = volunteer(world)
    add_member(world.team, minor_free)
    add_member(world.team, world.bob_volunteer)
    sign_up(world.bob, act, risk_acknowledged=True)
    outcomes = signups.signup_bulk(
        actor=world.erin,
        position_id=act.positions.get().pk,
        volunteer_ids=[world.bob_volunteer.pk, minor_free.pk],
        risk_acknowledged=True,
        now=NOW,
    )
    assert "已报名" in outcomes[0].error and outcomes[1].signup is not None


def test_only_team_leaders_sign_up_in_bulk(world):
    act = activity(world.alice, world.a["community"])
    with pytest.raises(Forbidden):
        signups.signup_bulk(
            actor=world.bob,
            position_id=act.positions.get().pk,
            volunteer_ids=[world.erin_volunteer.pk],
            now=NOW,
        )


def test_raising_a_quota_promotes_from_the_waiting_list(world):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=1)])
    sign_up(world.bob, act)
    waiting = sign_up(world.erin, act)
    position = act.positions.get()
    signups.position_set_quota(actor=world.alice, position_id=position.pk, quota=2, now=NOW)
    waiting.refresh_from_db()
    assert waiting.status == S.CONFIRMED


def test_quota_cannot_fall_below_the_places_held_and_outsiders_are_refused(world):
    act = activity(world.alice, world.a["community"], positions=[PositionSpec(name="甲", quota=3)])
    sign_up(world.bob, act)
    sign_up(world.erin, act)
    pid = act.positions.get().pk
    with pytest.raises(Conflict) as exc:
        signups.position_set_quota(actor=world.alice, position_id=pid, quota=1, now=NOW)
    assert exc.value.code == "below_held" and "2" in exc.value.message
    with pytest.raises(InvalidInput):
        signups.position_set_quota(actor=world.alice, position_id=pid, quota=0, now=NOW)
    with pytest.raises(NotFound):
        signups.position_set_quota(actor=world.charlie, position_id=pid, quota=5, now=NOW)
    with pytest.raises(Forbidden):
        signups.position_set_quota(actor=world.bob, position_id=pid, quota=5, now=NOW)
    assert (
        signups.position_set_quota(actor=world.alice, position_id=pid, quota=2, now=NOW).quota == 2
    )
