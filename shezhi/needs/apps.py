from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "shezhi.needs"
    verbose_name = "民情台账"
