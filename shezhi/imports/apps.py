from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "shezhi.imports"
    verbose_name = "导入与导出"
