from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "shezhi.web"
    verbose_name = "网页"
