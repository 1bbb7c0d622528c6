from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "shezhi.accounts"
    verbose_name = "账号与角色"

    def ready(self) -> None:
        from shezhi.accounts import login_state

        login_state.connect()
