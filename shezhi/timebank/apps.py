from django.apps import AppConfig


class TimebankConfig(AppConfig):
    name = "shezhi.timebank"
    verbose_name = "时间银行"
