"""Texts are triaged the moment they are stored, not only by the periodic scan."""

from django.utils import timezone

from shezhi.care.jobs import needs_scan
from shezhi.care.models import CareAlert
from shezhi.needs import services as need_services


def test_a_new_need_with_a_danger_signal_opens_an_alert_on_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        need = need_services.need_create(
            actor=world.dora,
            category="meals",
            urgency="caring",
            description="老伴走了，我不想活了",
        )
    alert = CareAlert.objects.get(kind="crisis")
    assert (alert.source_type, alert.source_id) == ("needs.need", str(need.pk))
    assert alert.assigned_to == world.alice
    # The periodic scan does not open it a second time.
    assert needs_scan(now=timezone.now()) == 0


def test_an_ordinary_need_is_announced_and_opens_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        need_services.need_create(
            actor=world.dora, category="repair", urgency="general", description="楼道灯坏了"
        )
    assert len(callbacks) == 1 and not CareAlert.objects.exists()
