"""The scheduled command and the start-up checks of the care settings."""

from io import StringIO

from django.core.management import call_command

from shezhi.care.checks import care_settings_are_valid
from shezhi.care.models import CareAlert
from shezhi.care.tests.factories import register


def test_care_jobs_command_runs_both_jobs(world):
    register(world.alice, world.dora_resident)
    out = StringIO()
    call_command("care_jobs", stdout=out)
    assert "no contact +1" in out.getvalue() and "escalated 0" in out.getvalue()
    assert CareAlert.objects.filter(kind="no_contact_person").count() == 1


def test_default_care_settings_pass_the_checks(settings):
    assert care_settings_are_valid(None) == []


def test_contradictory_cadence_is_refused_at_start_up(settings):
    settings.SHEZHI_CARE_CADENCE = {"high": {"months": 6}}
    [error] = care_settings_are_valid(None)
    assert error.id == "shezhi.E201" and "矛盾" in error.msg


def test_bad_crisis_deadline_is_refused_at_start_up(settings):
    settings.SHEZHI_CARE_CRISIS_ACK_MINUTES = 0
    assert [e.id for e in care_settings_are_valid(None)] == ["shezhi.E202"]


def test_needs_and_rating_comments_are_scanned_once_by_the_job(world):
    from datetime import timedelta

    from django.utils import timezone

    from shezhi.care.jobs import needs_scan
    from shezhi.needs import services as need_services

    need = need_services.need_create(
        actor=world.dora,
        category="meals",
        urgency="caring",
        description="家里没米了，老伴走了不想活了",
    )
    need_services.need_create(
        actor=world.dora, category="repair", urgency="general", description="楼道灯坏了"
    )
    now = timezone.now() + timedelta(seconds=1)
    assert needs_scan(now=now) == 1
    alert = CareAlert.objects.get(kind="crisis")
    assert (alert.source_type, alert.source_id) == ("needs.need", str(need.pk))
    assert alert.resident == world.dora_resident and alert.assigned_to == world.alice
    assert {s["category"] for s in alert.signals} == {"no_food", "suicide"}
    assert needs_scan(now=now) == 0  # once per text, even when the window is read again
    need.rating_comment, need.rated_at = "孩子被打了也没人管", now + timedelta(seconds=1)
    need.save()
    assert needs_scan(now=now + timedelta(seconds=2)) == 1
    assert CareAlert.objects.get(source_type="needs.rating").mandatory_report
