from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "shezhi.api"
    verbose_name = "接口"
