from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.volunteers.models import Team, TeamMembership, TeamMembershipEvent
from shezhi.volunteers.selectors import team_figures, team_get, teams_in_scope
from shezhi.volunteers.teams import team_apply, team_join, team_leave, team_review, team_set_role
from shezhi.volunteers.tests.factories import VolunteerFactory, record


@pytest.fixture
def applied(world):
    return team_apply(
        actor=world.bob,
        community_id=world.a["community"].pk,
        name="银龄互助队",
        kind="silver",
        charter="互助为本",
        guide_id=world.alice.pk,
    )


def test_volunteer_applies_and_guiding_social_worker_founds_the_team(world, applied):
    assert (applied.status, applied.leader, applied.guide) == (
        "applied",
        world.bob_volunteer,
        world.alice,
    )
    team_review(actor=world.alice, team_id=applied.pk, approve=True)
    applied.refresh_from_db()
    assert applied.status == Team.Status.FOUNDED
    m = TeamMembership.objects.get(team=applied)
    assert (m.volunteer, m.role) == (world.bob_volunteer, "leader")
    assert TeamMembershipEvent.objects.filter(team=applied, kind="join").count() == 1


def test_refusal_needs_a_reason(world, applied):
    with pytest.raises(InvalidInput):
        team_review(actor=world.alice, team_id=applied.pk, approve=False)
    team_review(actor=world.alice, team_id=applied.pk, approve=False, reason="章程不完整")
    applied.refresh_from_db()
    assert (applied.status, applied.refusal_reason) == ("refused", "章程不完整")
    with pytest.raises(Conflict):
        team_review(actor=world.alice, team_id=applied.pk, approve=True)


def test_only_the_guide_reviews_and_outsiders_see_nothing(world, applied):
    with pytest.raises(Forbidden):
        team_review(actor=world.sam, team_id=applied.pk, approve=True)
    with pytest.raises(NotFound):
        team_review(actor=world.charlie, team_id=applied.pk, approve=True)
    with pytest.raises(NotFound):
        team_get(actor=world.charlie, team_id=applied.pk)
    assert applied not in teams_in_scope(actor=world.charlie)


def test_bad_applications_are_refused(world, applied):
    with pytest.raises(Conflict):
        team_apply(
            actor=world.bob,
            community_id=world.a["community"].pk,
            name="银龄互助队",
            kind="silver",
            charter="x",
        )
    with pytest.raises(InvalidInput):
        team_apply(
            actor=world.bob,
            community_id=world.a["community"].pk,
            name="新队",
            kind="pirates",
            charter="x",
        )
    with pytest.raises(NotFound):
        team_apply(
            actor=world.bob,
            community_id=world.b["community"].pk,
            name="新队",
            kind="youth",
            charter="x",
        )


def test_join_leave_and_roles_keep_history(world, applied):
    team_review(actor=world.alice, team_id=applied.pk, approve=True)
    team_join(actor=world.erin, team_id=applied.pk)
    with pytest.raises(Conflict):
        team_join(actor=world.erin, team_id=applied.pk)
    team_set_role(
        actor=world.bob, team_id=applied.pk, volunteer_id=world.erin_volunteer.pk, role="deputy"
    )
    with pytest.raises(Conflict):
        team_leave(actor=world.bob, team_id=applied.pk)  # the leader hands over first
    team_set_role(
        actor=world.bob, team_id=applied.pk, volunteer_id=world.erin_volunteer.pk, role="leader"
    )
    applied.refresh_from_db()
    assert applied.leader == world.erin_volunteer
    team_leave(actor=world.bob, team_id=applied.pk, note="搬家")
    assert list(TeamMembership.objects.filter(team=applied).values_list("role", flat=True)) == [
        "leader"
    ]
    kinds = list(TeamMembershipEvent.objects.filter(team=applied).values_list("kind", "role"))
    assert kinds == [
        ("join", "leader"),
        ("join", "member"),
        ("role", "deputy"),
        ("role", "member"),
        ("role", "leader"),
        ("leave", "member"),
    ]
    # Rejoining after leaving is allowed and recorded again.
    team_join(actor=world.bob, team_id=applied.pk)
    assert TeamMembershipEvent.objects.filter(team=applied, kind="join").count() == 3


def test_a_member_cannot_manage_others(world, applied):
    team_review(actor=world.alice, team_id=applied.pk, approve=True)
    team_join(actor=world.erin, team_id=applied.pk)
    other = VolunteerFactory(community=world.a["community"])
    team_join(actor=other.user, team_id=applied.pk)
    with pytest.raises(Forbidden):
        team_leave(actor=world.erin, team_id=applied.pk, volunteer_id=other.pk)


def test_cannot_join_a_team_not_yet_founded(world, applied):
    with pytest.raises(Conflict):
        team_join(actor=world.erin, team_id=applied.pk)


def test_outsider_volunteer_cannot_join(world, applied):
    team_review(actor=world.alice, team_id=applied.pk, approve=True)
    stranger = VolunteerFactory(community=world.b["community"])
    with pytest.raises(NotFound):
        team_join(actor=stranger.user, team_id=applied.pk)


def test_team_figures_count_members_hours_services_and_ratings(world):
    day = timezone.localdate() - timedelta(days=1)
    if day.weekday() >= 5:
        day -= timedelta(days=2)
    for v, minutes, rating in ((world.erin_volunteer, 60, 5), (world.bob_volunteer, 90, 4)):
        record(
            world.alice,
            v,
            world.a["community"],
            minutes=minutes,
            service_date=day,
            team=world.team,
            quality_rating=rating,
        )
    figures = team_figures(world.team)
    assert (figures.members, figures.services, figures.hours, figures.rating) == (
        1,
        2,
        Decimal("2.5"),
        Decimal("4.5"),
    )


def test_existing_teams_count_as_founded(world):
    assert world.team.status == Team.Status.FOUNDED
