from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from shezhi.figures import selectors
from shezhi.figures.models import FigureBucket
from shezhi.figures.periods import Period
from shezhi.figures.reconcile import figures_reconcile
from shezhi.volunteers.models import ServiceRecord
from shezhi.volunteers.tests.factories import record


def _hours(world, unit, period):
    (v,) = selectors.figures_for(
        actor=world.admin, unit=unit, period=period, codes=["service_hours"]
    )
    return v.value


def test_a_record_is_counted_on_commit_and_moved_with_its_unit(
    world, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    period = Period.month(today.year, today.month)
    with django_capture_on_commit_callbacks(execute=True):
        made = record(
            world.alice, world.bob_volunteer, world.a["community"], service_date=today, minutes=90
        )
    assert _hours(world, world.a["street"], period) == Decimal("1.5")
    with django_capture_on_commit_callbacks(execute=True):
        rec = ServiceRecord.objects.get(pk=made.pk)
        rec.organiser_unit = world.b["community"]
        rec.save()
    assert _hours(world, world.a["street"], period) == 0
    assert _hours(world, world.b["street"], period) == Decimal("1.5")
    assert figures_reconcile(fix=False).total == 0


def test_a_queryset_update_announced_by_the_service_is_followed(
    world, django_capture_on_commit_callbacks
):
    from shezhi.core.rollups import rollups_touch_rows

    today = timezone.localdate()
    period = Period.month(today.year, today.month)
    with django_capture_on_commit_callbacks(execute=True):
        made = record(world.alice, world.bob_volunteer, world.a["community"], service_date=today)
    with django_capture_on_commit_callbacks(execute=True):
        rollups_touch_rows("volunteers.ServiceRecord", [made.pk])
        ServiceRecord.objects.filter(pk=made.pk).update(service_date=today - timedelta(days=400))
    assert _hours(world, world.a["street"], period) == 0
    assert figures_reconcile(fix=False).total == 0


def test_reconciliation_finds_and_fixes_drift(world, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    period = Period.month(today.year, today.month)
    with django_capture_on_commit_callbacks(execute=True):
        record(world.alice, world.bob_volunteer, world.a["community"], service_date=today)
    FigureBucket.objects.filter(measure="service_hours").update(value=Decimal("99"))
    drift = figures_reconcile()
    assert drift.buckets.get("service_hours") == 1
    assert _hours(world, world.a["street"], period) == Decimal("1.0")
    assert figures_reconcile(fix=False).total == 0


def test_the_nightly_reconciliation_is_a_scheduled_task_and_command(
    world, django_capture_on_commit_callbacks, settings
):
    import io

    import pytest
    from django.core.management import CommandError, call_command

    from shezhi.core.tasks import REGISTRY

    assert "figures.reconcile" in REGISTRY
    assert settings.SHEZHI_SCHEDULE["figures.reconcile"] == 86400
    with django_capture_on_commit_callbacks(execute=True):
        record(
            world.alice,
            world.bob_volunteer,
            world.a["community"],
            service_date=timezone.localdate(),
        )
    FigureBucket.objects.filter(measure="service_records").delete()
    with pytest.raises(CommandError):
        call_command("figures_reconcile", "--check", stdout=io.StringIO())
    out = io.StringIO()
    call_command("figures_reconcile", stdout=out)
    assert "fixed" in out.getvalue()
    call_command("figures_reconcile", "--check", stdout=io.StringIO())  # no drift left
