"""The embedded scheduler: the configured jobs, each once at a time, failures contained."""

import logging

import pytest
from django.core.management.base import CommandError

from shezhi.core import tasks
from shezhi.core.management.commands import run_scheduler


def test_each_configured_task_becomes_an_interval_job_not_run_twice_at_once():
    scheduler = run_scheduler.build_scheduler({"care.jobs": 60, "activities.reminders": 300})
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"care.jobs", "activities.reminders"}
    assert jobs["care.jobs"].trigger.interval.total_seconds() == 60
    assert jobs["care.jobs"].max_instances == 1 and jobs["care.jobs"].coalesce


def test_an_older_schedule_naming_management_commands_still_runs():
    scheduler = run_scheduler.build_scheduler({"care_jobs": 60})
    assert [job.id for job in scheduler.get_jobs()] == ["care_jobs"]


@pytest.mark.parametrize(
    ("schedule", "message"),
    [({"no_such_job": 60}, "不存在"), ({"care.jobs": 1}, "不少于10")],
)
def test_a_bad_schedule_is_refused_with_a_chinese_message(schedule, message):
    with pytest.raises(CommandError, match=message):
        run_scheduler.build_scheduler(schedule)


def test_the_configured_schedule_escalates_crises_within_minutes(settings):
    assert settings.SHEZHI_SCHEDULE["care.jobs"] <= 120


def test_every_configured_job_is_a_named_task(settings):
    """The default schedule runs task functions (the same under both runners), not commands."""
    assert all(name in tasks.REGISTRY for name in settings.SHEZHI_SCHEDULE)
    assert {"care.jobs", "activities.reminders", "needs.deadlines", "imports.sweep"} <= set(
        settings.SHEZHI_SCHEDULE
    )
    assert {"privacy.retention", "core.flush"} <= set(settings.SHEZHI_SCHEDULE)


def test_a_failing_job_is_logged_not_raised(monkeypatch, caplog):
    def boom(name):
        raise RuntimeError("数据库不可用")

    monkeypatch.setattr(run_scheduler, "run_scheduled", boom)
    with caplog.at_level(logging.ERROR, logger="shezhi.scheduler"):
        run_scheduler.run_job("care.jobs")
    assert "care.jobs" in caplog.text and "数据库不可用" in caplog.text
