"""The retention job: free text past its period goes, counts stay, a second run does nothing."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from shezhi.care.models import Visit
from shezhi.needs.models import Need
from shezhi.needs.tests.factories import NeedFactory
from shezhi.notifications.models import Notification
from shezhi.notifications.services import notify
from shezhi.privacy.models import RetentionRun
from shezhi.privacy.retention import retention_run


def test_old_data_is_cleared_and_reported(world):
    today = timezone.localdate()
    r = world.dora_resident
    old = NeedFactory(resident=r, created_by=world.alice, status="rated", contact_phone=r.phone)
    fresh = NeedFactory(resident=r, created_by=world.alice, status="rated", description="新的")
    live = NeedFactory(resident=r, created_by=world.alice, description="还在办")
    Need.objects.filter(pk__in=[old.pk, live.pk]).update(
        updated_at=timezone.now() - timedelta(days=4 * 365)
    )
    old_visit = Visit.objects.create(
        resident=r, visitor=world.gina, visited_on=today - timedelta(days=4 * 365), note="旧"
    )
    new_visit = Visit.objects.create(resident=r, visitor=world.gina, visited_on=today, note="新")
    n = notify(recipient=world.dora, kind="general", title="旧通知")
    Notification.objects.filter(pk=n.pk).update(created_at=timezone.now() - timedelta(days=400))

    run = retention_run()
    assert run.report["need"] == 1 and run.report["care"] == 1 and run.report["notification"] == 1
    old.refresh_from_db(), fresh.refresh_from_db(), live.refresh_from_db()
    assert (old.description, old.contact_phone) == ("", "")
    assert fresh.description == "新的" and live.description == "还在办"  # unfinished stays
    assert Need.objects.filter(pk=old.pk).exists()  # the count stays
    assert Visit.objects.get(pk=old_visit.pk).note == ""
    assert Visit.objects.get(pk=new_visit.pk).note == "新"
    assert retention_run().total == 0  # idempotent


def test_command_prints_its_report(world, capsys):
    call_command("privacy_retention")
    assert "保存期限清理" in capsys.readouterr().out
    assert RetentionRun.objects.count() == 1
