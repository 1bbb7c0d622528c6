from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "shezhi.cases"
    verbose_name = "个案管理"
