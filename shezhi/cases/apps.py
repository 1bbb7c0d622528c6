from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shezhi.cases"
    verbose_name = "个案管理"

    def ready(self) -> None:
        from shezhi.cases import checks  # noqa: F401  (registers the key check)
