from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shezhi.accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from shezhi.accounts import second_factor

        second_factor.connect()
