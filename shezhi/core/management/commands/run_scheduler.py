"""Run the periodic jobs in one process: the embedded set-up's stand-in for cron or a task queue.

`scripts/run.sh` starts it beside the web server. The jobs are the tasks named in SHEZHI_SCHEDULE
(task name → seconds between runs; a management command's name is accepted too), run by name so
that the core app does not import the domain apps above it. Each turn is a recorded task run
(shezhi/core/tasks.py run_scheduled), so admins see it like any task run; with a broker, Celery
beat sends the same jobs to a worker, which runs the same task functions. A job that fails is
logged and runs again at its next turn; a job still running when its turn comes is not started
twice."""

import logging
from collections.abc import Mapping

from apscheduler.schedulers.blocking import BlockingScheduler
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shezhi.core.tasks import is_schedulable, run_scheduled

log = logging.getLogger("shezhi.scheduler")


def run_job(name: str) -> None:
    try:
        run_scheduled(name)  # the task run records a failure; this catches the database's
    except Exception:  # one failing job must not stop the others
        log.exception("定时任务 %s 运行失败", name)


def build_scheduler(schedule: Mapping[str, int]) -> BlockingScheduler:
    for name, seconds in schedule.items():
        if not is_schedulable(name):
            raise CommandError(f"SHEZHI_SCHEDULE 中的任务“{name}”不存在")
        if not isinstance(seconds, int) or seconds < 10:
            raise CommandError(f"SHEZHI_SCHEDULE 中任务“{name}”的间隔应为不少于10的整数秒")
    scheduler = BlockingScheduler(timezone=settings.TIME_ZONE)
    for name, seconds in schedule.items():
        scheduler.add_job(
            run_job,
            "interval",
            seconds=seconds,
            args=[name],
            id=name,
            max_instances=1,
            coalesce=True,
        )
    return scheduler


class Command(BaseCommand):
    help = "在本进程内按 SHEZHI_SCHEDULE 定时运行后台任务（嵌入式部署用）"

    def handle(self, *args, **options) -> None:
        schedule = settings.SHEZHI_SCHEDULE
        scheduler = build_scheduler(schedule)
        for name in schedule:
            run_job(name)  # once at start, so nothing waits a whole interval after a restart
        self.stdout.write("定时任务：" + "，".join(f"{n} 每{s}秒" for n, s in schedule.items()))
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            scheduler.shutdown(wait=False)
