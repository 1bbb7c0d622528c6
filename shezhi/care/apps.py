from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "shezhi.care"
    verbose_name = "关爱走访"

    def ready(self) -> None:
        from shezhi.care import checks  # noqa: F401  (registers the settings checks)
