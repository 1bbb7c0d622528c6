"""Rules of audit finding 12 on the ledger: review reopens only a low-rated need; only a founded
team is proposed or dispatched to; minors are kept off hazardous work. Charlie is the outsider."""

from datetime import date

import pytest
from django.utils import timezone

from shezhi.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from shezhi.needs import selectors, services
from shezhi.needs.workflow import Status
from shezhi.volunteers.models import Team
from shezhi.volunteers.tests.factories import VolunteerFactory


def order(world, **kw):
    return services.need_create(
        actor=world.alice,
        category="repair",
        urgency="general",
        description="楼道灯坏了，需要登高更换",
        resident_id=world.dora_resident.pk,
        **kw,
    )


def test_review_cannot_reopen_a_need_never_rated_low(world):
    need = order(world)
    services.need_dispatch(
        actor=world.alice,
        need_id=need.pk,
        target_kind="volunteer",
        target_id=world.bob_volunteer.pk,
    )
    services.need_accept(actor=world.bob, need_id=need.pk)
    services.need_complete(actor=world.bob, need_id=need.pk, minutes=30, note="已修好")
    with pytest.raises(Conflict):
        services.need_review(actor=world.alice, need_id=need.pk, reopen=True, note="再看看")
    need.refresh_from_db()
    assert need.status == Status.DONE
    with pytest.raises(NotFound):
        services.need_review(actor=world.charlie, need_id=need.pk, reopen=True, note="x")


@pytest.mark.parametrize(
    "status", [Team.Status.APPLIED, Team.Status.REFUSED, Team.Status.DISSOLVED]
)
def test_a_team_not_founded_is_neither_proposed_nor_dispatched_to(world, status):
    Team.objects.filter(pk=world.team.pk).update(status=status)
    need = order(world)
    plan = services.needs_propose_dispatch(actor=world.alice, unit_id=world.a["community"].pk)
    assert all(
        not (p.target_kind == "team" and p.target_id == world.team.pk) for p in plan.proposals
    )
    with pytest.raises(NotFound):
        services.need_dispatch(
            actor=world.alice, need_id=need.pk, target_kind="team", target_id=world.team.pk
        )
    Team.objects.filter(pk=world.team.pk).update(status=Team.Status.FOUNDED)
    services.need_dispatch(
        actor=world.alice, need_id=need.pk, target_kind="team", target_id=world.team.pk
    )


def test_minors_are_kept_off_hazardous_needs(world):
    minor = VolunteerFactory(
        community=world.a["community"], birth_date=date(timezone.localdate().year - 16, 1, 1)
    )
    need = order(world, hazardous=True)
    assert need.hazardous and "危险作业" in need.preferences_label
    with pytest.raises(InvalidInput):
        services.need_dispatch(
            actor=world.alice, need_id=need.pk, target_kind="volunteer", target_id=minor.pk
        )
    candidates = selectors.dispatch_candidates(actor=world.alice, need=need)
    assert not [
        c for c in candidates if c.candidate.key == ("volunteer", minor.pk) and c.recommended
    ]
    services.need_dispatch(actor=world.alice, need_id=need.pk, target_kind="pool")
    with pytest.raises(Forbidden):
        services.need_accept(actor=minor.user, need_id=need.pk)
    assert services.need_accept(actor=world.bob, need_id=need.pk).accepted_by == world.bob
