from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "shezhi.org"
    verbose_name = "组织架构"
