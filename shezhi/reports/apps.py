from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shezhi.reports"
    verbose_name = "统计报告"
