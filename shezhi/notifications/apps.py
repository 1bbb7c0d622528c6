from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "shezhi.notifications"
    verbose_name = "消息通知"

    def ready(self) -> None:
        from shezhi.notifications import checks  # noqa: F401  (registers the settings check)
