from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "shezhi.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from shezhi import checks  # noqa: F401  (registers system checks)
        from shezhi.core import task_metrics

        # Every app's tasks module registers its tasks (shezhi/core/tasks.py), so a Celery
        # worker knows them all by name.
        autodiscover_modules("tasks")
        task_metrics.register()
