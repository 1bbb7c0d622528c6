from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "shezhi.demo"
    verbose_name = "演示数据"
