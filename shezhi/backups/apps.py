from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "shezhi.backups"
    verbose_name = "备份与恢复"
