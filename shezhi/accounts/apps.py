from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shezhi.accounts"
    verbose_name = "账号与角色"
