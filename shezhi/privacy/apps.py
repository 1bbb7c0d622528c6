from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "shezhi.privacy"
    verbose_name = "个人信息权利"
