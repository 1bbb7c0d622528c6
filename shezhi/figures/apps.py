from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "shezhi.figures"
    verbose_name = "统计数据"

    def ready(self) -> None:
        from shezhi.figures import rollups, tasks  # noqa: F401  (registers the reconciliation)

        rollups.connect()
