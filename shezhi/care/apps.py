from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "shezhi.care"
    verbose_name = "关爱走访"

    def ready(self) -> None:
        from shezhi.care import checks  # noqa: F401  (registers the settings checks)
        from shezhi.care.receivers import triage_free_text
        from shezhi.core.signals import free_text_saved

        free_text_saved.connect(triage_free_text, dispatch_uid="care-triage")
