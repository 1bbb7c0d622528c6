"""Texts are triaged the moment they are stored, not only by the periodic scan: the task
care.triage, queued with the request's transaction and run after commit."""

import pytest
from django.db import OperationalError, transaction
from django.utils import timezone

from shezhi.care.jobs import needs_scan
from shezhi.care.models import CareAlert
from shezhi.core import tasks
from shezhi.core.models import TaskRun
from shezhi.core.signals import read_free_text
from shezhi.needs import services as need_services
from shezhi.notifications.models import Notification


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
    with django_capture_on_commit_callbacks(execute=True):
        need_services.need_create(
            actor=world.dora, category="repair", urgency="general", description="楼道灯坏了"
        )
    triage = TaskRun.objects.get(name="care.triage")
    assert triage.status == TaskRun.Status.DONE and not CareAlert.objects.exists()


def _danger_need(world):
    return need_services.need_create(
        actor=world.dora, category="meals", urgency="caring", description="老伴走了，我不想活了"
    )


def test_triage_is_a_queued_task_carrying_ids_never_the_text(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        need = _danger_need(world)
    run = TaskRun.objects.get(name="care.triage")
    assert run.status == TaskRun.Status.DONE
    assert run.kwargs == {
        "source_type": "needs.need",
        "source_id": str(need.pk),
        "resident_id": world.dora_resident.pk,
        "community_id": need.community_id,
    }
    assert "不想活" not in str(run.kwargs) + run.label  # admins see these; the text stays out
    # The alert goes to the community's social worker, never to another community's.
    assert Notification.objects.filter(recipient=world.alice, kind="care_crisis").count() == 1
    assert not Notification.objects.filter(recipient=world.charlie).exists()


def test_a_request_that_fails_queues_no_triage(world, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _danger_need(world)
        raise RuntimeError("the request fails after the need was written")
    assert not TaskRun.objects.filter(name="care.triage").exists()
    assert not CareAlert.objects.exists()


def test_a_redelivered_triage_run_opens_the_alert_once(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _danger_need(world)
    run = TaskRun.objects.get(name="care.triage")
    assert tasks.execute(run.pk) is None  # Celery delivers the message again: nothing to do
    assert CareAlert.objects.filter(kind="crisis").count() == 1


def test_a_triage_that_fails_is_retried_and_the_request_still_succeeds(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from shezhi.care import tasks as care_tasks

    real = care_tasks.scan_text
    failures = []

    def flaky(**kwargs):
        if not failures:
            failures.append(1)
            CareAlert.objects.create(kind="crisis", community=world.a["community"], summary="半截")
            raise OperationalError("database restarted")
        return real(**kwargs)

    monkeypatch.setattr(care_tasks, "scan_text", flaky)
    with django_capture_on_commit_callbacks(execute=True):
        need = _danger_need(world)  # the resident's request succeeds
    run = TaskRun.objects.get(name="care.triage")
    assert run.status == TaskRun.Status.RETRYING and "database restarted" in run.last_error
    assert not CareAlert.objects.exists()  # the failed attempt left nothing behind
    TaskRun.objects.filter(pk=run.pk).update(run_after=timezone.now())
    assert tasks.execute(run.pk) == TaskRun.Status.DONE  # the retry the flush hands over
    alert = CareAlert.objects.get()
    assert (alert.source_type, alert.source_id) == ("needs.need", str(need.pk))


def test_every_announced_kind_of_text_can_be_read_again_by_id(world):
    need = _danger_need(world)
    assert "不想活" in (read_free_text("needs.need", str(need.pk)) or "")
    assert read_free_text("needs.rating", str(need.pk)) == ""  # not rated yet
    assert read_free_text("activities.rating", "999999") is None  # gone
    with pytest.raises(LookupError):
        read_free_text("nobody.knows", "1")
