"""The Celery app for production: `celery -A shezhi.celery worker` and `... beat`.

Celery only carries run ids: what to run, its arguments and its state live in the database
(core.TaskRun, shezhi/core/tasks.py), so the same task functions run in-process when no broker is
configured. Messages are acknowledged late (settings CELERY_*), so a worker killed mid-task leaves
its message to be delivered again, and the run's claim keeps it from being done twice. Beat sends
the SHEZHI_SCHEDULE jobs."""

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")

RUN_TASK = "shezhi.run"
SCHEDULED_TASK = "shezhi.scheduled"

app = Celery("shezhi")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.task(name=RUN_TASK, ignore_result=True)
def run(run_id: int) -> None:
    from shezhi.core.tasks import execute

    execute(run_id)


@app.task(name=SCHEDULED_TASK, ignore_result=True)
def scheduled(name: str) -> None:
    from shezhi.core.tasks import run_scheduled

    run_scheduled(name)  # the task `name` in this worker, exactly as run_scheduler runs it


def beat_schedule(schedule: dict[str, int]) -> dict[str, dict[str, object]]:
    """Beat entries for SHEZHI_SCHEDULE (task name → seconds between runs)."""
    return {
        name: {"task": SCHEDULED_TASK, "schedule": float(seconds), "args": [name]}
        for name, seconds in schedule.items()
    }


app.conf.beat_schedule = beat_schedule(dict(settings.SHEZHI_SCHEDULE))
