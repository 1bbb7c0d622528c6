"""The reads added for the volunteer interfaces: scoped volunteer lists and look-ups, the units a
social worker records for, a volunteer's teams, team candidates and the actor's team role."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shezhi.core.errors import NotFound
from shezhi.org.models import Level
from shezhi.volunteers import selectors
from shezhi.volunteers.services import correction_request_file
from shezhi.volunteers.tests.factories import record


def test_volunteers_in_scope_for_staff_only(world):
    mine = set(selectors.volunteers_in_scope(actor=world.alice).values_list("pk", flat=True))
    assert mine == {world.bob_volunteer.pk, world.erin_volunteer.pk}
    assert not selectors.volunteers_in_scope(actor=world.charlie).exists()
    assert not selectors.volunteers_in_scope(actor=world.bob).exists()
    found = selectors.volunteers_in_scope(actor=world.alice, query=world.bob_volunteer.volunteer_no)
    assert list(found) == [world.bob_volunteer]


def test_volunteer_get_by_id_or_number_for_staff_in_scope_or_oneself(world):
    bob_v = world.bob_volunteer
    assert selectors.volunteer_get(actor=world.alice, volunteer_id=bob_v.pk) == bob_v
    assert selectors.volunteer_get(actor=world.bob, volunteer_no=bob_v.volunteer_no) == bob_v
    with pytest.raises(NotFound) as by_id:
        selectors.volunteer_get(actor=world.charlie, volunteer_id=bob_v.pk)
    assert by_id.value.field is None
    with pytest.raises(NotFound) as by_no:
        selectors.volunteer_get(actor=world.erin, volunteer_no=bob_v.volunteer_no)
    assert by_no.value.field == "volunteer_no"


def test_recording_units_are_the_streets_and_communities_below_the_actor(world):
    alice_units = list(selectors.recording_units(actor=world.alice))
    assert alice_units == [world.a["community"]]
    sam_units = {u.level for u in selectors.recording_units(actor=world.sam)}
    assert sam_units == {Level.STREET, Level.COMMUNITY}
    assert world.a["community"] not in selectors.recording_units(actor=world.charlie)
    assert not selectors.recording_units(actor=world.bob).exists()


def test_teams_of_candidates_and_role(world):
    team = world.team
    assert [m.team for m in selectors.teams_of(volunteer=world.erin_volunteer)] == [team]
    assert selectors.teams_of(volunteer=world.bob_volunteer).count() == 0
    assert selectors.team_candidates(team=team) == [world.bob_volunteer]
    assert selectors.team_role_of(actor=world.erin, team=team) == "member"
    assert selectors.team_role_of(actor=world.bob, team=team) is None
    assert selectors.team_role_of(actor=world.charlie, team=team) is None


def test_my_corrections_are_only_the_actors_own(world):
    rec = record(
        world.alice,
        world.bob_volunteer,
        world.a["community"],
        service_date=timezone.localdate() - timedelta(days=1),
    )
    req = correction_request_file(
        actor=world.bob, record_id=rec.pk, changes={"place": "别处"}, reason="记错了"
    )
    assert list(selectors.my_corrections(actor=world.bob)) == [req]
    assert not selectors.my_corrections(actor=world.erin).exists()
    assert not selectors.my_corrections(actor=world.charlie).exists()
