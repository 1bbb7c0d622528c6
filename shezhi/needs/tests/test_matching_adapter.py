"""一键派单 and the engine in the platform: proposals, review and confirm, decline → next best."""

import pytest
from django.utils import timezone

from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.needs import selectors, services
from shezhi.needs.models import Need
from shezhi.needs.tests.factories import NeedFactory
from shezhi.needs.workflow import Status


def pending(world, **kw) -> Need:
    kw.setdefault("resident", world.dora_resident)
    return NeedFactory(created_by=world.alice, **kw)


def items(plan, **override):
    return [
        services.ConfirmItem(
            need_id=p.need.pk,
            target_kind=override.get("kind", p.target_kind),
            target_id=override.get("id", p.target_id),
            expected_version=p.need.version,
        )
        for p in plan.proposals
    ]


def test_dispatch_screen_ranks_by_engine_with_explanations(world):
    need = pending(world)
    rows = selectors.dispatch_candidates(actor=world.alice, need=need)
    assert rows[0].recommended
    bob = next(r for r in rows if r.candidate.key == ("volunteer", world.bob_volunteer.pk))
    assert bob.recommended and bob.skill_fit
    assert "技能匹配: 家电维修" in bob.explanation and "距离 0 m" in bob.explanation
    erin = next(r for r in rows if r.candidate.name == world.erin_volunteer.name)
    assert not erin.recommended and erin.explanation == "引擎未推荐：技能不匹配"


def test_one_click_dispatch_proposes_for_the_community_and_confirms_after_review(world):
    first, second = pending(world), pending(world)
    NeedFactory(resident=world.resident_b, created_by=world.charlie)  # another street
    plan = services.needs_propose_dispatch(actor=world.alice, unit_id=world.a["community"].pk)
    assert {p.need.pk for p in plan.proposals} | {u.need.pk for u in plan.unmatched} == {
        first.pk,
        second.pk,
    }
    assert all(p.explanation for p in plan.proposals) and plan.total_score > 0
    # the social worker reviews and hands the second one to herself instead
    reviewed = items(plan)
    reviewed = [
        i
        if i.need_id == first.pk
        else services.ConfirmItem(i.need_id, "social_worker", world.alice.pk, i.expected_version)
        for i in reviewed
    ]
    result = services.needs_confirm_dispatch(actor=world.alice, proposals=reviewed)
    assert result.failed == []
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Status.DISPATCHED
    assert second.assignee_user == world.alice
    assert first.transitions.last().note == "一键派单"


def test_street_supervisor_proposes_for_the_whole_street(world):
    need = pending(world)
    plan = services.needs_propose_dispatch(actor=world.sam, unit_id=world.a["street"].pk)
    assert [p.need.pk for p in plan.proposals] == [need.pk]


def test_confirm_fails_only_the_stale_item(world):
    first, second = pending(world), pending(world)
    plan = services.needs_propose_dispatch(actor=world.alice, unit_id=world.a["community"].pk)
    confirm = items(plan)
    services.need_update(
        actor=world.alice, need_id=second.pk, expected_version=second.version, title="改了"
    )
    result = services.needs_confirm_dispatch(actor=world.alice, proposals=confirm)
    assert [n.pk for n in result.dispatched] == [first.pk]
    assert result.failed == [(second.pk, "该需求已被他人修改，请刷新后再试")]
    second.refresh_from_db()
    assert second.status == Status.PENDING


def test_outsider_gets_404_and_helpers_are_refused(world):
    need = pending(world)
    with pytest.raises(NotFound):
        services.needs_propose_dispatch(actor=world.charlie, unit_id=world.a["community"].pk)
    with pytest.raises(NotFound):  # a community social worker cannot plan the whole street
        services.needs_propose_dispatch(actor=world.alice, unit_id=world.a["street"].pk)
    with pytest.raises(Forbidden):
        services.needs_propose_dispatch(actor=world.bob, unit_id=world.a["community"].pk)
    outsider = services.needs_confirm_dispatch(
        actor=world.charlie,
        proposals=[services.ConfirmItem(need.pk, "volunteer", world.bob_volunteer.pk, 1)],
    )
    assert outsider.failed == [(need.pk, "未找到该需求")]
    need.refresh_from_db()
    assert need.status == Status.PENDING


def test_confirm_refuses_empty_and_duplicate_lists(world):
    need = pending(world)
    with pytest.raises(InvalidInput):
        services.needs_confirm_dispatch(actor=world.alice, proposals=[])
    item = services.ConfirmItem(need.pk, "volunteer", world.bob_volunteer.pk, 1)
    with pytest.raises(InvalidInput):
        services.needs_confirm_dispatch(actor=world.alice, proposals=[item, item])


def test_declined_order_goes_to_the_next_best_candidate(world):
    need = pending(world)
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    need = services.need_return(actor=world.bob, need_id=need.pk, reason="这周出差")
    assert need.status == Status.DISPATCHED
    assert (need.assignee_kind, need.assignee_volunteer_id) != ("volunteer", world.bob_volunteer.pk)
    last = need.transitions.last()
    assert last.actor == world.alice and "自动改派" in last.note
    # Bob is no longer offered this need on the dispatch screen
    rows = selectors.dispatch_candidates(actor=world.alice, need=need)
    bob = next(r for r in rows if r.candidate.key == ("volunteer", world.bob_volunteer.pk))
    assert not bob.recommended


def test_withdrawal_by_the_social_worker_is_not_redispatched(world):
    need = pending(world)
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    need = services.need_return(actor=world.alice, need_id=need.pk, reason="另行安排")
    assert need.status == Status.PENDING and need.assignee_kind == ""


def test_volunteers_bring_their_availability_and_valid_certificates(world):
    from datetime import time, timedelta

    from shezhi.needs.matching_adapter import candidates_for
    from shezhi.volunteers.models import Availability, Certificate

    bob = world.bob_volunteer
    Availability.objects.create(volunteer=bob, weekday=1, start=time(18, 30), end=time(21, 15))
    Certificate.objects.create(volunteer=bob, kind="nurse", number="1", expires_on=None)
    Certificate.objects.create(
        volunteer=bob,
        kind="lawyer",
        number="2",
        expires_on=timezone.localdate() - timedelta(days=1),
    )
    pool = {c.key: c for c in candidates_for(world.a["community"])}
    assert pool[("volunteer", bob.pk)].availability == ((24 + 18, 24 + 22),)
    assert pool[("volunteer", bob.pk)].certificates == frozenset({"nurse"})
    erin = pool[("volunteer", world.erin_volunteer.pk)]
    assert erin.availability is None and erin.certificates == frozenset()


@pytest.mark.parametrize("bob_level, other_level", [(2, 5), (5, 2)])
def test_of_two_equally_near_helpers_the_higher_skill_level_comes_first(
    world, bob_level, other_level
):
    from shezhi.volunteers.models import SkillTag, VolunteerSkill
    from shezhi.volunteers.tests.factories import VolunteerFactory

    repair = SkillTag.objects.get(code="repair")
    VolunteerSkill.objects.filter(volunteer=world.bob_volunteer, skill=repair).update(
        level=bob_level
    )
    # same compound as Bob (the factory's default), so the same distance to the need
    other = VolunteerFactory(community=world.a["community"], name="欧文")
    other.skills.add(repair, through_defaults={"level": other_level})
    rows = selectors.dispatch_candidates(actor=world.alice, need=pending(world))
    by_key = {r.candidate.key: r for r in rows}
    bob, rival = by_key[("volunteer", world.bob_volunteer.pk)], by_key[("volunteer", other.pk)]
    assert bob.recommended and rival.recommended and bob.distance_m == rival.distance_m
    order = [r.candidate.key for r in rows if r.candidate.kind == "volunteer"]
    better, worse = (bob, rival) if bob_level > other_level else (rival, bob)
    assert order.index(better.candidate.key) < order.index(worse.candidate.key)
    assert better.score > worse.score
    # the engine names the level in its explanation
    assert "技能匹配: 家电维修（5级）" in better.explanation
    assert "技能匹配: 家电维修（2级）" in worse.explanation


def test_candidates_carry_registered_levels_without_extra_queries_per_volunteer(
    world, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shezhi.needs.matching_adapter import candidates_for
    from shezhi.volunteers.models import SkillTag, VolunteerSkill
    from shezhi.volunteers.tests.factories import VolunteerFactory, add_member

    community = world.a["community"]
    with CaptureQueriesContext(connection) as before:
        candidates_for(community)
    tags = list(SkillTag.objects.order_by("code")[:3])
    for level, tag in zip((1, 4, 5), tags, strict=True):
        v = VolunteerFactory(community=community)
        v.skills.add(tag, through_defaults={"level": level})
        add_member(world.team, v)
    VolunteerSkill.objects.filter(volunteer=world.bob_volunteer).update(level=4)
    with django_assert_num_queries(len(before.captured_queries)):
        pool = {c.key: c for c in candidates_for(community)}
    assert pool[("volunteer", world.bob_volunteer.pk)].skills == {"repair": 4}
    # a team offers each skill at its best member's level
    expected = {t.code: lv for lv, t in zip((1, 4, 5), tags, strict=True)}
    assert pool[("team", world.team.pk)].skills == expected


def test_a_volunteer_turning_18_is_an_adult_on_the_shanghai_date_not_the_servers(world):
    """At 17:00 UTC on 3 December it is already 4 December in Shanghai: Bob, born on 4 December
    2008, is 18 there. A server clock in UTC (date.today()) would still call him a minor."""
    from datetime import date

    from freezegun import freeze_time

    from shezhi.needs.matching_adapter import candidates_for

    bob = world.bob_volunteer
    bob.birth_date = date(2008, 12, 4)
    bob.save(update_fields=["birth_date"])
    with freeze_time("2026-12-03 17:00:00"):
        pool = {c.key: c for c in candidates_for(world.a["community"])}
    assert not pool[("volunteer", bob.pk)].is_minor
    with freeze_time("2026-12-03 15:59:00"):  # 23:59 on the 3rd in Shanghai: still 17
        pool = {c.key: c for c in candidates_for(world.a["community"])}
    assert pool[("volunteer", bob.pk)].is_minor
