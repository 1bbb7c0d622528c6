from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "shezhi.volunteers"
    verbose_name = "志愿者"
