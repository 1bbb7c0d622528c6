from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shezhi.core"
    verbose_name = "基础"

    def ready(self) -> None:
        from shezhi import checks  # noqa: F401  (registers system checks)
