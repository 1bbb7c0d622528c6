from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "shezhi.figures"
    verbose_name = "统计数据"
