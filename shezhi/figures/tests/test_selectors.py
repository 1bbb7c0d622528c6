from decimal import Decimal

import pytest
from django.utils import timezone

from shezhi.core.errors import Forbidden, InvalidInput, NotFound
from shezhi.figures import selectors
from shezhi.figures.catalogue import FIGURES
from shezhi.figures.periods import Period
from shezhi.needs.tests.factories import NeedFactory
from shezhi.volunteers.tests.factories import record


def _this_month() -> Period:
    today = timezone.localdate()
    return Period.month(today.year, today.month)


# Rollups are re-derived on commit: the writes of each test run their on-commit callbacks.


def test_every_figure_answers_for_every_level(world, django_capture_on_commit_callbacks):
    period = _this_month()
    with django_capture_on_commit_callbacks(execute=True):
        record(world.alice, world.bob_volunteer, world.a["community"], service_date=period.start)
    for unit in world.a.values():
        values = selectors.figures_for(actor=world.admin, unit=unit, period=period)
        assert [v.figure.code for v in values] == list(FIGURES)
        for code, fig in FIGURES.items():
            for by in fig.breakdowns:
                selectors.figure_breakdown(
                    actor=world.admin, unit=unit, code=code, period=period, by=by
                )


def test_hours_count_for_the_street_and_not_the_other_street(
    world, django_capture_on_commit_callbacks
):
    period = _this_month()
    with django_capture_on_commit_callbacks(execute=True):
        record(world.alice, world.bob_volunteer, world.a["community"], service_date=period.start)
    (hours,) = selectors.figures_for(
        actor=world.sam, unit=world.a["street"], period=period, codes=["service_hours"]
    )
    assert hours.value == Decimal("1.0") and hours.shown == "1"
    assert hours.list_url == "/desk/records/"
    (other,) = selectors.figures_for(
        actor=world.admin, unit=world.b["street"], period=period, codes=["service_hours"]
    )
    assert other.value == 0


def test_outsider_is_refused(world):
    period = _this_month()
    with pytest.raises(NotFound):
        selectors.figures_for(actor=world.charlie, unit=world.a["community"], period=period)
    with pytest.raises(NotFound):
        selectors.figures_unit(world.charlie, world.a["street"].pk)
    for outsider in (world.bob, world.dora, world.partner_user):
        assert not selectors.may_read_figures(outsider)
        with pytest.raises(Forbidden):
            selectors.figures_home_unit(outsider)


def test_home_unit_is_the_top_of_the_scope(world):
    assert selectors.figures_home_unit(world.sam) == world.a["street"]
    assert selectors.figures_home_unit(world.alice) == world.a["community"]
    assert selectors.figures_home_unit(world.gina) == world.a["grid"]


def test_unknown_figure_and_breakdown_are_clear_errors(world):
    period = _this_month()
    with pytest.raises(InvalidInput) as caught:
        selectors.figures_for(actor=world.sam, unit=world.a["street"], period=period, codes=["x"])
    assert caught.value.code == "unknown_figure"
    with pytest.raises(InvalidInput) as caught:
        selectors.figure_breakdown(
            actor=world.sam, unit=world.a["street"], code="teams", period=period, by="urgency"
        )
    assert caught.value.code == "unknown_breakdown"


def test_needs_received_by_child_unit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        NeedFactory(resident=world.dora_resident, created_by=world.alice)
    ranking = selectors.figure_by_child_unit(
        actor=world.admin, unit=world.a["district"], code="needs_received", period=_this_month()
    )
    assert [(r.unit, r.value) for r in ranking] == [(world.a["street"], 1)]
