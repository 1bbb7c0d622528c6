"""一键派单 through the queue: the batch is checked as a whole when confirmed, dispatched by the
task needs.bulk_dispatch under the confirming dispatcher's rules, once."""

import pytest

from shezhi.core import tasks
from shezhi.core.errors import Forbidden, InvalidInput
from shezhi.core.models import TaskRun
from shezhi.needs import services
from shezhi.needs.models import DispatchBatch, Need
from shezhi.needs.tests.factories import NeedFactory
from shezhi.needs.workflow import Status
from shezhi.notifications.models import Notification


def item(need: Need) -> services.ConfirmItem:
    return services.ConfirmItem(
        need_id=need.pk, target_kind="pool", target_id=None, expected_version=need.version
    )


def test_a_batch_is_refused_whole_when_confirmed_by_the_wrong_role_or_malformed(world):
    need = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    with pytest.raises(Forbidden):
        services.needs_dispatch_batch_create(actor=world.bob, proposals=[item(need)])
    with pytest.raises(InvalidInput, match="重复"):
        services.needs_dispatch_batch_create(actor=world.alice, proposals=[item(need)] * 2)
    assert not DispatchBatch.objects.exists() and not TaskRun.objects.exists()


def test_a_dispatcher_who_lost_the_role_before_the_run_dispatches_nothing(world):
    need = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    batch = services.needs_dispatch_batch_create(actor=world.alice, proposals=[item(need)])
    world.alice.role = "volunteer"  # no longer dispatches
    world.alice.save(update_fields=["role"])
    run = TaskRun.objects.get(name="needs.bulk_dispatch")
    assert tasks.execute(run.pk) == TaskRun.Status.DONE
    batch.refresh_from_db()
    assert batch.status == DispatchBatch.Status.DONE and batch.dispatched == []
    assert [row[0] for row in batch.failed] == [need.pk] and batch.failed[0][1]
    assert Need.objects.get(pk=need.pk).status == Status.PENDING


def test_the_outsiders_rows_fail_alone_and_a_repeated_run_changes_nothing(world):
    mine = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    batch = services.needs_dispatch_batch_create(actor=world.charlie, proposals=[item(mine)])
    first = services.dispatch_batch_run(batch_id=batch.pk)
    assert first.failed == [[mine.pk, "未找到该需求"]]
    # The dispatcher is told the batch needs them, with nobody's personal data in the notice.
    (notice,) = Notification.objects.filter(recipient=world.charlie, kind="need_attention")
    assert notice.title == f"一键派单 #{batch.pk} 有需求未能派出"
    assert notice.link == f"/desk/dispatch/bulk/{batch.pk}/"
    assert mine.title not in notice.title + notice.body
    assert world.dora_resident.name not in notice.title + notice.body
    assert not Notification.objects.exclude(recipient=world.charlie).exists()
    DispatchBatch.objects.filter(pk=batch.pk).update(failed=[])
    again = services.dispatch_batch_run(batch_id=batch.pk)  # done: left as it is
    assert again.failed == [] and Need.objects.get(pk=mine.pk).status == Status.PENDING


def test_old_batches_are_deleted_by_the_scheduled_needs_task(world, settings):
    from datetime import timedelta

    from django.utils import timezone

    from shezhi.needs.tasks import deadlines

    now = timezone.now()
    old = DispatchBatch.objects.create(
        actor=world.alice,
        failed=[[1, "鲍勃在周六已有活动，时间冲突"]],  # may name a volunteer
        finished_at=now - timedelta(days=settings.SHEZHI_TASK_RUNS_KEEP_DAYS + 1),
    )
    recent = DispatchBatch.objects.create(actor=world.alice, finished_at=now)
    waiting = DispatchBatch.objects.create(actor=world.alice)
    assert "dispatch batches purged 1" in deadlines()
    assert set(DispatchBatch.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert old.pk not in DispatchBatch.objects.values_list("pk", flat=True)


def test_a_batch_dispatched_in_full_tells_the_dispatcher_nothing(world):
    need = NeedFactory(resident=world.dora_resident, created_by=world.alice)
    batch = services.needs_dispatch_batch_create(actor=world.alice, proposals=[item(need)])
    assert services.dispatch_batch_run(batch_id=batch.pk).dispatched == [need.pk]
    assert not Notification.objects.filter(recipient=world.alice).exists()
